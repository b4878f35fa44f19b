// The indexer's settings, read once from the environment and checked: a typo stops the process at
// start with a message naming the variable.
import path from "node:path";
import { z } from "zod";

import { ConfigError, envInt, logLevel, parseEnv } from "../protocol/env.ts";
import type { DatabaseOptions } from "./db/driver.ts";

const LOOPBACK = "127.0.0.1";
export const ROOT = path.resolve(import.meta.dirname, "..");

const Env = z.object({
  /** JSON-RPC endpoint of the node. */
  RPC_URL: z.url().default("http://127.0.0.1:8545"),
  /** WebSocket endpoint for new heads; default: RPC_URL with ws(s)://; "off" to poll only. */
  INDEXER_WS_URL: z.string().optional(),
  /** PostgreSQL connection string; unset: embedded PGlite under INDEXER_DATA_DIR. */
  DATABASE_URL: z.string().min(1).optional(),
  INDEXER_DATA_DIR: z
    .string()
    .min(1)
    .default(path.join(ROOT, ".data", "indexer")),
  /** PGlite on a worker thread of its own, the backfill written behind (db/pglite-thread.ts); "false": on the sync loop's thread. */
  INDEXER_DB_THREAD: z.enum(["true", "false"]).default("true"),
  /** Deployment file with addresses and start block; default deployments/<chainId>.json. */
  INDEXER_DEPLOYMENT: z.string().min(1).optional(),
  /** Blocks below the head before data counts as final; default 0 on local dev chains, else 12. */
  INDEXER_CONFIRMATIONS: envInt(0, 10_000).optional(),
  /** How many recent blocks can be rolled back one by one (at least the confirmations). */
  INDEXER_REORG_DEPTH: envInt(1, 100_000).optional(),
  INDEXER_MAX_BLOCK_RANGE: envInt(1, 1_000_000).default(2_000),
  INDEXER_TARGET_LOGS_PER_STEP: envInt(100, 1_000_000).default(5_000),
  INDEXER_POLL_MS: envInt(10, 600_000).default(1_000),
  /** Once caught up, at most one sync step per this many ms; 0: one per new head (sync/engine.ts followEveryMs). */
  INDEXER_FOLLOW_EVERY_MS: envInt(0, 60_000).default(0),
  /** all: sync and serve; sync: only follow the chain; api: only serve (PostgreSQL). */
  INDEXER_ROLE: z.enum(["all", "sync", "api"]).default("all"),
  INDEXER_HOST: z.string().min(1).default(LOOPBACK),
  INDEXER_PORT: envInt(0, 65_535).default(4350),
  INDEXER_GRAPHIQL: z.enum(["true", "false"]).default("true"),
  LOG_LEVEL: logLevel,
});

export type IndexerConfig = {
  rpcUrl: string;
  wsUrl: string | null;
  /** PGlite without a dataDir lives in memory (tests). */
  database: DatabaseOptions;
  deploymentFile: string | null;
  confirmations: number | null;
  reorgDepth: number | null;
  maxBlockRange: number;
  targetLogsPerStep: number;
  pollIntervalMs: number;
  followEveryMs: number;
  role: "all" | "sync" | "api";
  host: string;
  port: number;
  graphiql: boolean;
  logLevel: string;
};

export { ConfigError };

/** Local development chains (Hardhat, Anvil, Ganache) finalise a block as soon as it is mined. */
export const DEV_CHAIN_IDS = new Set([31337, 1337]);

export function defaultConfirmations(chainId: number): number {
  return DEV_CHAIN_IDS.has(chainId) ? 0 : 12;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): IndexerConfig {
  const e = parseEnv(Env, env);
  if (e.INDEXER_ROLE === "api" && !e.DATABASE_URL) {
    throw new ConfigError(
      "INDEXER_ROLE=api needs DATABASE_URL: an embedded PGlite belongs to the one process that syncs it",
    );
  }
  if (
    e.INDEXER_REORG_DEPTH !== undefined &&
    e.INDEXER_CONFIRMATIONS !== undefined &&
    e.INDEXER_REORG_DEPTH < e.INDEXER_CONFIRMATIONS
  ) {
    throw new ConfigError("INDEXER_REORG_DEPTH: must be at least INDEXER_CONFIRMATIONS");
  }
  const ws = e.INDEXER_WS_URL === "off" ? null : (e.INDEXER_WS_URL ?? e.RPC_URL.replace(/^http/, "ws"));
  return {
    rpcUrl: e.RPC_URL,
    wsUrl: ws,
    database: e.DATABASE_URL
      ? { kind: "postgres", url: e.DATABASE_URL }
      : { kind: "pglite", dataDir: path.resolve(e.INDEXER_DATA_DIR), thread: e.INDEXER_DB_THREAD === "true" },
    deploymentFile: e.INDEXER_DEPLOYMENT ? path.resolve(e.INDEXER_DEPLOYMENT) : null,
    confirmations: e.INDEXER_CONFIRMATIONS ?? null,
    reorgDepth: e.INDEXER_REORG_DEPTH ?? null,
    maxBlockRange: e.INDEXER_MAX_BLOCK_RANGE,
    targetLogsPerStep: e.INDEXER_TARGET_LOGS_PER_STEP,
    pollIntervalMs: e.INDEXER_POLL_MS,
    followEveryMs: e.INDEXER_FOLLOW_EVERY_MS,
    role: e.INDEXER_ROLE,
    host: e.INDEXER_HOST,
    port: e.INDEXER_PORT,
    graphiql: e.INDEXER_GRAPHIQL === "true",
    logLevel: e.LOG_LEVEL,
  };
}
