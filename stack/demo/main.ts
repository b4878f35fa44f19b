// The demo market process: `node stack/demo/main.ts`, run by the stack on a local chain.
//
// Environment: RPC_URL, DEPLOYMENT (deployment file), DATA_DIR (its own folder), API_URL (the API
// whose metering service the compute sites send their series to), DEMO_SEED (PRNG seed), LOG_LEVEL. stdout is a protocol of JSON lines for the stack:
//   {"event":"progress","message":"…"}        while seeding (zero or more)
//   {"event":"seeded","alreadySeeded":…,…}    exactly once, when the market is ready for the matcher
//                                             and keeper to start (summary counts, seed time)
// then the live simulation runs until SIGINT/SIGTERM (the step in flight completes; exit 0).
// Logs go to stderr (pino JSON). Bad configuration: one line on stderr, exit 2; a failed seed: exit 1.
import { mkdir } from "node:fs/promises";
import path from "node:path";

import { pino } from "pino";

import { readDeployment } from "../../protocol/deployment.ts";
import { DemoChain } from "./chain.ts";
import { type DemoConfig, DemoConfigError, loadDemoConfig } from "./config.ts";
import { DemoMarket } from "./market.ts";
import { DemoMetering } from "./metering.ts";
import { seed, seedState } from "./seed.ts";
import { simulate } from "./simulator.ts";
import { marketSummary } from "./summary.ts";

let config: DemoConfig;
try {
  config = loadDemoConfig();
} catch (err) {
  if (!(err instanceof DemoConfigError)) throw err;
  console.error(err.message);
  process.exit(2);
}
const logger = pino({ level: config.logLevel, base: { service: "demo" } }, pino.destination(2));
const emit = (event: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(event)}\n`);

const stop = new AbortController();
let simulating: Promise<void> | undefined;
async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (stop.signal.aborted) return;
  logger.info({ signal }, "stopping after the step in flight");
  stop.abort();
  // While seeding, the seed's own transaction in flight is awaited by the loop below, which exits.
  if (simulating === undefined) return;
  await simulating;
  logger.flush();
  process.exit(0);
}
process.on("SIGTERM", (s) => void shutdown(s));
process.on("SIGINT", (s) => void shutdown(s));

let deployment: Awaited<ReturnType<typeof readDeployment>>;
try {
  deployment = await readDeployment(config.deploymentFile);
  // Buyers fund their bids from the local settlement token's faucet: the demo is for local chains.
  if (!deployment.localSettlementToken)
    throw new DemoConfigError(
      "DEPLOYMENT settles in an external token; the demo market runs only on a local chain with the faucet token",
    );
  await mkdir(path.join(config.dataDir, "meter"), { recursive: true });
} catch (err) {
  console.error((err as Error).message);
  process.exit(2);
}
const chain = new DemoChain(config.rpcUrl, deployment, config.readRpcUrl);
/** Just under a transaction's gas cap (2^24, EIP-7825): far above any call of the seed (snapshots/gas.json). */
const SEED_GAS_LIMIT = 16_000_000n;
const metering = new DemoMetering({
  api: config.apiUrl,
  dataDir: path.join(config.dataDir, "meter"),
  seed: config.seed,
});
const market = new DemoMarket({ chain, deployment, seed: config.seed, logger, metering });

try {
  const chainId = await chain.publicClient.getChainId();
  if (chainId !== deployment.chainId)
    throw new DemoConfigError(`DEPLOYMENT is for chain ${deployment.chainId}, the node at RPC_URL is chain ${chainId}`);
  // A demo process that died while seeding may have left the node pooling (automine off).
  await chain.setAutomine();
  const started = Date.now();
  const state = await seedState(chain);
  if (state === "partial") logger.warn("an earlier seed stopped half-way; simulating on what it left");
  if (state === "none") {
    chain.gasLimit = SEED_GAS_LIMIT;
    await seed({
      chain,
      market,
      deployment,
      dataDir: config.dataDir,
      logger,
      progress: (message) => emit({ event: "progress", message }),
      signal: stop.signal,
    });
    if (stop.signal.aborted) process.exit(0);
    // The live market meets orders it cannot foresee: its calls are estimated, so a refused one never
    // reaches the chain.
    chain.gasLimit = undefined;
  }
  const summary = await marketSummary(chain, BigInt(deployment.startBlock));
  emit({
    event: "seeded",
    alreadySeeded: state !== "none",
    seedSeconds: state === "none" ? Math.round((Date.now() - started) / 100) / 10 : 0,
    transactions: chain.sent,
    chainTime: await chain.now(),
    ...summary,
  });
} catch (err) {
  logger.fatal({ err: (err as Error).message }, "seeding failed");
  logger.flush();
  process.exit(err instanceof DemoConfigError ? 2 : 1);
}
if (stop.signal.aborted) process.exit(0);

simulating = simulate({ chain, market, logger, signal: stop.signal });
await simulating;
logger.flush();
process.exit(0);
