// The keeper process: `npm run keeper`. Settings from the environment (backend/keeper/config.ts).
// Node outages and reverts are logged and retried; only bad configuration stops it (exit 2).
// SIGINT/SIGTERM end it after the transaction in flight is mined (exit 0).
import { privateKeyToAccount } from "viem/accounts";

import { createChainClients } from "../chain/create-clients.ts";
import { runService } from "../service/run-service.ts";
import { loadKeeperConfig } from "./config.ts";
import { DealLedger } from "./deal-ledger.ts";
import { Keeper } from "./keeper.ts";
import { keeperStatus, writeKeeperStatus } from "./status-file.ts";

await runService({
  name: "keeper",
  loadConfig: () => loadKeeperConfig(),
  finishing: "the transaction in flight",
  start: async ({ config, logger, retry, connect }) => {
    const account = privateKeyToAccount(config.privateKey);
    const { chainId, deployment } = await connect({ rpcUrl: config.rpcUrl, deployment: config.deployment });
    const { publicClient } = createChainClients({ chainId, rpcUrl: config.rpcUrl, account, pollingIntervalMs: 250 });
    const market = deployment.contracts.Market as `0x${string}`;
    const ledger = new DealLedger({ client: publicClient, market, startBlock: BigInt(deployment.startBlock), retry });
    const keeper = new Keeper({
      publicClient,
      account,
      market,
      ledger,
      logger,
      intervalMs: config.intervalMs,
      maxBatch: config.maxBatch,
      retry,
      onRound: (round, openDeals) => {
        if (config.statusFile === undefined) return;
        try {
          writeKeeperStatus(config.statusFile, keeperStatus(round, openDeals));
        } catch (err) {
          // The status is a view for operators: a full disk must not stop the keeper's work.
          logger.error({ err, file: config.statusFile }, "cannot write the status file");
        }
      },
    });
    keeper.start();
    logger.info({ chainId, market, account: account.address, intervalMs: config.intervalMs }, "keeper started");
    return { stop: () => keeper.stop() };
  },
});
