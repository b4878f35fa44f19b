// The matcher process: `npm run matcher` (loop) or `npm run matcher -- --once` (one round, then exit
// 0, or 1 if the round failed). Settings from the environment (backend/matcher/config.ts). Node
// outages and reverts are logged and retried; only bad configuration stops it (exit 2).
import path from "node:path";

import { marketAbi } from "../../protocol/generated/abis.ts";
import type { MatcherBookSource } from "../book/book-source.ts";
import { ChainBookSource } from "../book/chain-book-source.ts";
import { IndexerBookSource } from "../book/indexer-book-source.ts";
import { createChainClients } from "../chain/create-clients.ts";
import { errorFields } from "../chain/errors.ts";
import { watchOrders } from "../chain/watch-orders.ts";
import { JsonFileProposalStore } from "../proposals/proposal-file.ts";
import { InMemoryProposalStore, type ProposalStore } from "../proposals/proposal-store.ts";
import { runService } from "../service/run-service.ts";
import { loadMatcherAccount } from "./account.ts";
import { loadMatcherConfig } from "./config.ts";
import { Matcher } from "./matcher.ts";
import { clearAndPrice } from "./price-batch.ts";
import { SubmissionStore } from "./submission-store.ts";

const once = process.argv.includes("--once");

await runService({
  name: "matcher",
  loadConfig: () => loadMatcherConfig(),
  finishing: "the current round",
  // A round waiting on a receipt may take long; its transaction is on disk, so cutting it is safe.
  stopTimeoutMs: 15_000,
  start: async ({ config, logger, fatal, retry, connect }) => {
    const account = await loadMatcherAccount(config.key).catch(fatal);
    const { chainId, deployment } = await connect({
      rpcUrl: config.rpcUrl,
      expectedChainId: config.chainId,
      deployment: config.deploymentFile,
    });
    const { publicClient } = createChainClients({
      chainId,
      rpcUrl: config.rpcUrl,
      account,
      pollingIntervalMs: Math.min(1_000, config.intervalMs),
    });
    const market = deployment.contracts.Market as `0x${string}`;

    const role = await publicClient
      .readContract({ address: market, abi: marketAbi, functionName: "MATCHER_ROLE" })
      .catch(() => undefined);
    if (role !== undefined) {
      const granted = await publicClient
        .readContract({ address: market, abi: marketAbi, functionName: "hasRole", args: [role, account.address] })
        .catch(() => undefined);
      if (granted === false)
        logger.error(
          { account: account.address },
          "the matcher account lacks MATCHER_ROLE: every settlement will revert until it is granted",
        );
    }

    const book: MatcherBookSource =
      config.indexerUrl !== undefined
        ? new IndexerBookSource({ url: config.indexerUrl, retry, logger })
        : new ChainBookSource({
            client: publicClient,
            market,
            startBlock: BigInt(deployment.startBlock),
            confirmations: config.confirmations,
            retry,
            logger,
          });
    const store = await SubmissionStore.open({
      file: path.join(config.dataDir, `submissions-${chainId}-${market.toLowerCase()}.json`),
    }).catch(fatal);
    const proposals: ProposalStore =
      config.proposalsFile !== undefined
        ? new JsonFileProposalStore(config.proposalsFile)
        : new InMemoryProposalStore();

    const matcher = new Matcher({
      publicClient,
      account,
      market,
      book,
      price: clearAndPrice,
      store,
      proposals,
      logger,
      intervalMs: config.intervalMs,
      maxBatch: config.maxBatch,
      expiryMarginSeconds: config.expiryMarginSeconds,
      simulation: config.simulation,
      retry,
      receiptTimeoutMs: config.receiptTimeoutMs,
    });
    logger.info(
      {
        chainId,
        market,
        account: account.address,
        book: config.indexerUrl === undefined ? "chain events" : "indexer",
        once,
      },
      "matcher started",
    );

    if (once) {
      const report = await matcher.runRound();
      await store.close();
      logger.info({ status: report.status }, "round done");
      logger.flush();
      process.exit(report.status === "failed" ? 1 : 0);
    }

    matcher.start();
    const unwatch = config.watch
      ? watchOrders(publicClient, {
          market,
          pollingIntervalMs: Math.min(1_000, config.intervalMs),
          onOrders: (count) => {
            logger.debug({ count }, "new orders");
            matcher.trigger();
          },
          onError: (error) => logger.warn({ err: errorFields(error) }, "order watch failed; it keeps polling"),
        })
      : () => {};
    return {
      stop: async () => {
        unwatch();
        await matcher.stop();
        await store.close();
      },
    };
  },
});
