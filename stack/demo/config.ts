// The demo market's settings from the environment, checked at start so that a typo stops it with one
// line naming the variable.
import path from "node:path";

import { z } from "zod";

import { ConfigError, envInt, type LogLevel, logLevel, parseEnv } from "../../protocol/env.ts";

const ROOT = path.resolve(import.meta.dirname, "..", "..");

const DemoEnv = z.object({
  RPC_URL: z.url({ protocol: /^https?$/, error: "expected an http(s) URL" }).default("http://127.0.0.1:8545"),
  /**
   * Where the demo reads the chain (calls, receipts, estimates, nonces); default RPC_URL. The stack sends
   * through its gateway, which answers a transaction once its block is journaled, and reads from the
   * node itself: a read gains nothing from that hop.
   */
  READ_RPC_URL: z.url({ protocol: /^https?$/, error: "expected an http(s) URL" }).optional(),
  /** The deployment file scripts/deploy.ts wrote. */
  DEPLOYMENT: z
    .string()
    .min(1)
    .default(path.join(ROOT, "deployments", "31337.json")),
  /** The demo's own folder (the seed's settlement records). */
  DATA_DIR: z
    .string()
    .min(1)
    .default(path.join(ROOT, ".data", "demo")),
  /** Seed of the PRNG: the same seed on the same chain gives the same market. */
  /** The API whose metering service the compute sites send their power series to (docs/metering.md). */
  API_URL: z.url({ protocol: /^https?$/, error: "expected an http(s) URL" }).default("http://127.0.0.1:8080"),
  DEMO_SEED: envInt(0, 2 ** 32 - 1).default(20_260_101),
  LOG_LEVEL: logLevel,
});

export type DemoConfig = {
  rpcUrl: string;
  readRpcUrl: string;
  deploymentFile: string;
  dataDir: string;
  apiUrl: string;
  seed: number;
  logLevel: LogLevel;
};

export class DemoConfigError extends ConfigError {
  override name = "DemoConfigError";
}

export function loadDemoConfig(env: NodeJS.ProcessEnv = process.env): DemoConfig {
  const e = parseEnv(DemoEnv, env, DemoConfigError);
  return {
    rpcUrl: e.RPC_URL,
    readRpcUrl: e.READ_RPC_URL ?? e.RPC_URL,
    deploymentFile: e.DEPLOYMENT,
    dataDir: e.DATA_DIR,
    apiUrl: e.API_URL,
    seed: e.DEMO_SEED,
    logLevel: e.LOG_LEVEL,
  };
}
