// The matcher process: `npm run matcher` (loop) or `npm run matcher -- --once` (one round, then exit
// 0, or 1 if the round failed). Settings from the environment (backend/matcher/config.ts). Node
// outages and reverts are logged and retried; only bad configuration stops it (exit 2).
import path from "node:path";

import { pino } from "pino";
import { readDeployment } from "../../protocol/deployment.ts";
import { marketAbi } from "../../protocol/generated/abis.ts";
import type { MatcherBookSource } from "../book/book-source.ts";
import { ChainBookSource } from "../book/chain-book-source.ts";
import { IndexerBookSource } from "../book/indexer-book-source.ts";
import { createChainClients } from "../chain/create-clients.ts";
import { type ChainError, errorFields, toChainError } from "../chain/errors.ts";
import { abortableSleep, backoffDelay } from "../chain/retry.ts";
import { watchOrders } from "../chain/watch-orders.ts";
import { JsonFileProposalStore } from "../proposals/proposal-file.ts";
import { InMemoryProposalStore, type ProposalStore } from "../proposals/proposal-store.ts";
import { loadMatcherAccount } from "./account.ts";
import { loadMatcherConfig, type MatcherConfig, MatcherConfigError } from "./config.ts";
import { Matcher } from "./matcher.ts";
import { clearAndPrice } from "./price-batch.ts";
import { SubmissionStore } from "./submission-store.ts";

const once = process.argv.includes("--once");

let config: MatcherConfig;
try {
  config = loadMatcherConfig();
} catch (err) {
  if (!(err instanceof MatcherConfigError)) throw err;
  console.error(err.message);
  process.exit(2);
}
const logger = pino({ level: config.logLevel, base: { service: "matcher" } });

// A promise nobody awaited must not take the matcher down with pending work; it is a bug to log.
process.on("unhandledRejection", (reason) => logger.error({ err: reason }, "unhandled rejection"));

function fatal(err: unknown): never {
  const error = toChainError(err, "start matcher");
  logger.fatal({ err: errorFields(error) }, "cannot start");
  logger.flush();
  process.exit(2);
}

const account = await loadMatcherAccount(config.key).catch(fatal);
const retry = {
  retries: config.rpcRetries,
  baseDelayMs: 250,
  maxDelayMs: 10_000,
  onRetry: (i: { label: string; attempt: number; delayMs: number; error: ChainError }) =>
    logger.warn({ op: i.label, attempt: i.attempt, delayMs: i.delayMs, err: errorFields(i.error) }, "retrying"),
};

// The node may not be up yet: wait for it rather than exit.
const probe = createChainClients({ chainId: config.chainId ?? 1, rpcUrl: config.rpcUrl });
let chainId: number | undefined;
for (let attempt = 0; chainId === undefined; attempt++) {
  try {
    chainId = await probe.publicClient.getChainId();
  } catch (err) {
    const error = toChainError(err, "read chain id");
    if (!error.retryable) fatal(error);
    const delayMs = Math.max(500, backoffDelay(attempt, { baseDelayMs: 500, maxDelayMs: 30_000 }));
    logger.warn({ err: errorFields(error), delayMs }, "node not reachable yet");
    await abortableSleep(delayMs);
  }
}
if (config.chainId !== undefined && config.chainId !== chainId)
  fatal(new MatcherConfigError(`CHAIN_ID is ${config.chainId}, the node is chain ${chainId}`));

const deployment = await readDeployment(config.deploymentFile ?? chainId).catch(fatal);
if (deployment.chainId !== chainId)
  fatal(new MatcherConfigError(`the deployment is for chain ${deployment.chainId}, the node is chain ${chainId}`));
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
  config.proposalsFile !== undefined ? new JsonFileProposalStore(config.proposalsFile) : new InMemoryProposalStore();

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

let stopping = false;
async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "stopping after the current round");
  // A round waiting on a receipt may take long; its transaction is on disk, so cutting it is safe.
  setTimeout(() => {
    logger.warn("round still running; exiting anyway (its submission is recorded)");
    logger.flush();
    process.exit(0);
  }, 15_000).unref();
  unwatch();
  await matcher.stop();
  await store.close();
  logger.info("stopped");
  logger.flush();
  process.exit(0);
}
process.on("SIGTERM", (s) => void shutdown(s));
process.on("SIGINT", (s) => void shutdown(s));
