// The keeper's settings, read once from the environment and checked, so that a typo stops the process
// at start with one line naming the variable (and never echoing a value: one of them is a key).
import { z } from "zod";

import { ConfigError, envInt, type LogLevel, logLevel, parseEnv } from "../../protocol/env.ts";

const KeeperEnv = z.object({
  RPC_URL: z
    .url({ protocol: /^(https?|wss?)$/, error: "expected an http(s) or ws(s) URL" })
    .default("http://127.0.0.1:8545"),
  /** A deployment file (scripts/deploy.ts output) or a chain id (deployments/<chainId>.json); default: the node's chain id. */
  DEPLOYMENT: z.string().min(1).optional(),
  KEEPER_PRIVATE_KEY: z.string().regex(/^0x[0-9a-fA-F]{64}$/, "expected 0x followed by 64 hex digits"),
  KEEPER_INTERVAL_MS: envInt(100, 86_400_000).default(5_000),
  KEEPER_MAX_BATCH: envInt(1, 200).default(20),
  KEEPER_RPC_RETRIES: envInt(0, 100).default(5),
  /** Where to write the last round's status (flagged reports, open deals); none by default. */
  KEEPER_STATUS_FILE: z.string().min(1).optional(),
  LOG_LEVEL: logLevel,
});

export type KeeperConfig = {
  rpcUrl: string;
  /** A file path, a chain id, or undefined for the node's chain id. */
  deployment: string | number | undefined;
  privateKey: `0x${string}`;
  intervalMs: number;
  maxBatch: number;
  rpcRetries: number;
  statusFile: string | undefined;
  logLevel: LogLevel;
};

export class KeeperConfigError extends ConfigError {
  override name = "KeeperConfigError";
}

/**
 * @example
 * const config = loadKeeperConfig(process.env) // throws KeeperConfigError naming each bad variable
 */
export function loadKeeperConfig(env: NodeJS.ProcessEnv = process.env): KeeperConfig {
  const e = parseEnv(KeeperEnv, env, KeeperConfigError);
  return {
    rpcUrl: e.RPC_URL,
    deployment:
      e.DEPLOYMENT === undefined ? undefined : /^[0-9]+$/.test(e.DEPLOYMENT) ? Number(e.DEPLOYMENT) : e.DEPLOYMENT,
    privateKey: e.KEEPER_PRIVATE_KEY as `0x${string}`,
    intervalMs: e.KEEPER_INTERVAL_MS,
    maxBatch: e.KEEPER_MAX_BATCH,
    rpcRetries: e.KEEPER_RPC_RETRIES,
    statusFile: e.KEEPER_STATUS_FILE,
    logLevel: e.LOG_LEVEL,
  };
}
