// The keeper process: `npm run keeper`. Settings from the environment (backend/keeper/config.ts).
// Node outages and reverts are logged and retried; only bad configuration stops it (exit 2).
// SIGINT/SIGTERM end it after the transaction in flight is mined (exit 0).
import { pino } from "pino";
import { privateKeyToAccount } from "viem/accounts";
import { readDeployment } from "../../protocol/deployment.ts";
import { createChainClients } from "../chain/create-clients.ts";
import { type ChainError, errorFields, toChainError } from "../chain/errors.ts";
import { abortableSleep, backoffDelay } from "../chain/retry.ts";
import { type KeeperConfig, KeeperConfigError, loadKeeperConfig } from "./config.ts";
import { DealLedger } from "./deal-ledger.ts";
import { Keeper } from "./keeper.ts";

let config: KeeperConfig;
try {
  config = loadKeeperConfig();
} catch (err) {
  if (!(err instanceof KeeperConfigError)) throw err;
  console.error(err.message);
  process.exit(2);
}
const logger = pino({ level: config.logLevel, base: { service: "keeper" } });
process.on("unhandledRejection", (reason) => logger.error({ err: reason }, "unhandled rejection"));

function fatal(err: unknown): never {
  logger.fatal({ err: errorFields(toChainError(err, "start keeper")) }, "cannot start");
  logger.flush();
  process.exit(2);
}

let stopping = false;
let keeper: Keeper | undefined;
async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "stopping after the transaction in flight");
  await keeper?.stop();
  logger.info("stopped");
  logger.flush();
  process.exit(0);
}
process.on("SIGTERM", (s) => void shutdown(s));
process.on("SIGINT", (s) => void shutdown(s));

const account = privateKeyToAccount(config.privateKey);
const retry = {
  retries: config.rpcRetries,
  baseDelayMs: 250,
  maxDelayMs: 10_000,
  onRetry: (i: { label: string; attempt: number; delayMs: number; error: ChainError }) =>
    logger.warn({ op: i.label, attempt: i.attempt, delayMs: i.delayMs, err: errorFields(i.error) }, "retrying"),
};

// The node may not be up yet: wait for it rather than exit.
const probe = createChainClients({ chainId: 1, rpcUrl: config.rpcUrl });
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
const deployment = await readDeployment(config.deployment ?? chainId).catch(fatal);
if (deployment.chainId !== chainId)
  fatal(new KeeperConfigError(`DEPLOYMENT is for chain ${deployment.chainId}, the node is chain ${chainId}`));

const { publicClient } = createChainClients({ chainId, rpcUrl: config.rpcUrl, account, pollingIntervalMs: 250 });
const market = deployment.contracts.Market as `0x${string}`;
const ledger = new DealLedger({ client: publicClient, market, startBlock: BigInt(deployment.startBlock), retry });
keeper = new Keeper({
  publicClient,
  account,
  market,
  ledger,
  logger,
  intervalMs: config.intervalMs,
  maxBatch: config.maxBatch,
  retry,
});
keeper.start();
logger.info({ chainId, market, account: account.address, intervalMs: config.intervalMs }, "keeper started");
