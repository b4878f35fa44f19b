// The matcher's settings, read once from the environment and checked, so a typo stops the process at
// start with a message naming the variable. The key never comes from a file in the repository: it is
// either in MATCHER_PRIVATE_KEY or in an encrypted keystore whose password is given separately.
import path from "node:path";

import { z } from "zod";

import { ConfigError, envInt, type LogLevel, logLevel, parseEnv } from "../../protocol/env.ts";

const ROOT = path.resolve(import.meta.dirname, "..", "..");

const MatcherEnv = z
  .object({
    RPC_URL: z
      .url({ protocol: /^(https?|wss?)$/, error: "expected an http(s) or ws(s) URL" })
      .default("http://127.0.0.1:8545"),
    /** Deployment file (scripts/deploy.ts output); default deployments/<chainId>.json. */
    DEPLOYMENT: z.string().min(1).optional(),
    /** When set, the node must report this chain id. */
    CHAIN_ID: envInt(1, 2 ** 53 - 1).optional(),
    MATCHER_PRIVATE_KEY: z
      .string()
      .regex(/^0x[0-9a-fA-F]{64}$/, "expected 0x followed by 64 hex digits")
      .optional(),
    MATCHER_KEYSTORE: z.string().min(1).optional(),
    MATCHER_KEYSTORE_PASSWORD: z.string().optional(),
    MATCHER_INTERVAL_MS: envInt(100, 86_400_000).default(15_000),
    MATCHER_MAX_BATCH: envInt(1, 500).default(50),
    MATCHER_EXPIRY_MARGIN_S: envInt(0, 86_400).default(30),
    MATCHER_SIMULATION: z.enum(["auto", "trace", "call"]).default("auto"),
    MATCHER_CONFIRMATIONS: envInt(0, 10_000).default(0),
    MATCHER_RECEIPT_TIMEOUT_MS: envInt(1_000, 3_600_000).default(120_000),
    MATCHER_RPC_RETRIES: envInt(0, 100).default(5),
    MATCHER_WATCH: z.enum(["true", "false"]).default("true"),
    MATCHER_DATA_DIR: z
      .string()
      .min(1)
      .default(path.join(ROOT, ".data", "matcher")),
    /** Where the latest published batch is written for the API to serve. */
    MATCHER_PROPOSALS_FILE: z.string().min(1).optional(),
    /** The indexer's GraphQL endpoint; without it the book is read from chain events. */
    INDEXER_URL: z.url().optional(),
    LOG_LEVEL: logLevel,
  })
  .superRefine((env, ctx) => {
    const hasKey = env.MATCHER_PRIVATE_KEY !== undefined;
    const hasKeystore = env.MATCHER_KEYSTORE !== undefined;
    if (hasKey === hasKeystore) {
      ctx.addIssue({
        code: "custom",
        path: ["MATCHER_PRIVATE_KEY"],
        message: "set exactly one of MATCHER_PRIVATE_KEY or MATCHER_KEYSTORE",
      });
    }
    if (hasKeystore && env.MATCHER_KEYSTORE_PASSWORD === undefined) {
      ctx.addIssue({ code: "custom", path: ["MATCHER_KEYSTORE_PASSWORD"], message: "required with MATCHER_KEYSTORE" });
    }
  });

export type MatcherKeySource =
  | { kind: "private-key"; privateKey: `0x${string}` }
  | { kind: "keystore"; file: string; password: string };

export type MatcherConfig = {
  rpcUrl: string;
  deploymentFile: string | undefined;
  chainId: number | undefined;
  key: MatcherKeySource;
  intervalMs: number;
  maxBatch: number;
  expiryMarginSeconds: number;
  simulation: "auto" | "trace" | "call";
  confirmations: bigint;
  receiptTimeoutMs: number;
  rpcRetries: number;
  watch: boolean;
  dataDir: string;
  proposalsFile: string | undefined;
  indexerUrl: string | undefined;
  logLevel: LogLevel;
};

export class MatcherConfigError extends ConfigError {
  override name = "MatcherConfigError";
}

/**
 * @example
 * const config = loadMatcherConfig(process.env) // throws MatcherConfigError naming each bad variable
 */
export function loadMatcherConfig(env: NodeJS.ProcessEnv = process.env): MatcherConfig {
  const e = parseEnv(MatcherEnv, env, MatcherConfigError);
  return {
    rpcUrl: e.RPC_URL,
    deploymentFile: e.DEPLOYMENT,
    chainId: e.CHAIN_ID,
    key:
      e.MATCHER_PRIVATE_KEY !== undefined
        ? { kind: "private-key", privateKey: e.MATCHER_PRIVATE_KEY as `0x${string}` }
        : { kind: "keystore", file: e.MATCHER_KEYSTORE!, password: e.MATCHER_KEYSTORE_PASSWORD! },
    intervalMs: e.MATCHER_INTERVAL_MS,
    maxBatch: e.MATCHER_MAX_BATCH,
    expiryMarginSeconds: e.MATCHER_EXPIRY_MARGIN_S,
    simulation: e.MATCHER_SIMULATION,
    confirmations: BigInt(e.MATCHER_CONFIRMATIONS),
    receiptTimeoutMs: e.MATCHER_RECEIPT_TIMEOUT_MS,
    rpcRetries: e.MATCHER_RPC_RETRIES,
    watch: e.MATCHER_WATCH === "true",
    dataDir: e.MATCHER_DATA_DIR,
    proposalsFile: e.MATCHER_PROPOSALS_FILE,
    indexerUrl: e.INDEXER_URL,
    logLevel: e.LOG_LEVEL,
  };
}
