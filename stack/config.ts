// The stack's settings, read once from the environment and checked before anything starts, so a
// wrong variable stops `npm start` with one line naming it (exit code 2) instead of a half-started
// exchange. Two shapes come out: a local chain (the stack runs its own node and may seed the demo
// market) or an existing chain (RPC_URL + DEPLOYMENT, an operator's setup: no node, no demo).
import path from "node:path";

import { z } from "zod";
import { ACCOUNT_PLAN, devAccount } from "../protocol/accounts.ts";
import { ConfigError, type LogLevel, logLevel, parseEnv } from "../protocol/env.ts";
import { isLoopback } from "./host-check.ts";

export const ROOT = path.resolve(import.meta.dirname, "..");
const LOOPBACK = "127.0.0.1";

const port = (fallback: number) =>
  z
    .string()
    .regex(/^[0-9]+$/, "expected a port number")
    .transform(Number)
    .pipe(z.int().min(0).max(65_535, "expected a port number up to 65535"))
    .default(fallback);
const privateKey = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "expected 0x followed by 64 hex digits");

const StackEnv = z
  .object({
    /** Interface of the one public origin. Loopback unless told otherwise: a dev chain's keys are public. */
    HOST: z.string().min(1).default(LOOPBACK),
    PORT: port(8080),
    /** An existing chain to use instead of starting a local node. */
    RPC_URL: z.url({ protocol: /^https?$/, error: "expected an http(s) URL" }).optional(),
    /** The deployment file (scripts/deploy.ts output) of the contracts on RPC_URL's chain. */
    DEPLOYMENT: z.string().min(1).optional(),
    /** PostgreSQL for the indexer instead of the embedded PGlite under DATA_DIR. */
    DATABASE_URL: z
      .url({ protocol: /^postgres(ql)?$/, error: "expected a postgres:// or postgresql:// URL" })
      .optional(),
    DATA_DIR: z
      .string()
      .min(1)
      .default(path.join(ROOT, ".data", "stack")),
    /** The local node's JSON-RPC port (ignored with RPC_URL). */
    NODE_PORT: port(8545),
    /** Loopback ports of the indexer's GraphQL server and the backend API; 0 picks free ones at start. */
    INDEXER_PORT: port(0),
    API_PORT: port(0),
    MATCHER_PRIVATE_KEY: privateKey.optional(),
    MATCHER_KEYSTORE: z.string().min(1).optional(),
    MATCHER_KEYSTORE_PASSWORD: z.string().optional(),
    KEEPER_PRIVATE_KEY: privateKey.optional(),
    MATCHER_INTERVAL_MS: z
      .string()
      .regex(/^[0-9]+$/, "expected milliseconds")
      .transform(Number)
      .pipe(z.int().min(100))
      .default(5_000),
    DEMO: z.enum(["on", "off"], { error: "expected on or off" }).optional(),
    /** A block explorer's transaction page with `{hash}`, for links in the web market. */
    EXPLORER_TX_URL: z
      .string()
      .refine((u) => /^https?:\/\//.test(u) && u.includes("{hash}"), "expected an http(s) URL containing {hash}")
      .optional(),
    /** The chain's name in the web market (default "CCEX local", or "chain <id>" with RPC_URL). */
    CHAIN_NAME: z.string().min(1).optional(),
    LOG_LEVEL: logLevel,
    /** Serve the local chain's dev keys on a non-loopback HOST anyway (docs/security.md, "The local stack"). */
    EXPOSE_DEV_KEYS: z.enum(["on", "off"], { error: "expected on or off" }).default("off"),
    /** Extra host names the origin answers to (comma-separated), e.g. the name a reverse proxy forwards. */
    ALLOWED_HOSTS: z
      .string()
      .regex(/^[A-Za-z0-9.:\-[\]]+(,[A-Za-z0-9.:\-[\]]+)*$/, "expected host names separated by commas")
      .optional(),
  })
  .superRefine((env, ctx) => {
    if (env.RPC_URL === undefined) {
      if (env.DEPLOYMENT !== undefined)
        ctx.addIssue({
          code: "custom",
          path: ["DEPLOYMENT"],
          message: "only with RPC_URL (the local chain gets its own deployment)",
        });
      if (env.MATCHER_PRIVATE_KEY !== undefined && env.MATCHER_KEYSTORE !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["MATCHER_PRIVATE_KEY"],
          message: "set MATCHER_PRIVATE_KEY or MATCHER_KEYSTORE, not both",
        });
      }
    } else {
      if (env.DEPLOYMENT === undefined)
        ctx.addIssue({
          code: "custom",
          path: ["DEPLOYMENT"],
          message: "required with RPC_URL: the deployment file of the contracts on that chain",
        });
      if ((env.MATCHER_PRIVATE_KEY === undefined) === (env.MATCHER_KEYSTORE === undefined)) {
        ctx.addIssue({
          code: "custom",
          path: ["MATCHER_PRIVATE_KEY"],
          message: "with RPC_URL set exactly one of MATCHER_PRIVATE_KEY or MATCHER_KEYSTORE",
        });
      }
      // The demo's participants are the dev mnemonic's accounts, funded only on a local dev node.
      if (env.DEMO === "on")
        ctx.addIssue({
          code: "custom",
          path: ["DEMO"],
          message: "the demo market needs the local chain: unset RPC_URL",
        });
    }
    // The local chain's accounts are the public dev mnemonic's, and /config.json hands out their keys.
    if (env.RPC_URL === undefined && !isLoopback(env.HOST) && env.EXPOSE_DEV_KEYS !== "on") {
      ctx.addIssue({
        code: "custom",
        path: ["HOST"],
        message:
          "the local chain's accounts use public dev keys, which the stack serves to every visitor; keep HOST on loopback, or set EXPOSE_DEV_KEYS=on to serve them to the network anyway",
      });
    }
    if (env.MATCHER_KEYSTORE !== undefined && env.MATCHER_KEYSTORE_PASSWORD === undefined) {
      ctx.addIssue({ code: "custom", path: ["MATCHER_KEYSTORE_PASSWORD"], message: "required with MATCHER_KEYSTORE" });
    }
    const ports = [
      ["PORT", env.PORT],
      ["NODE_PORT", env.RPC_URL === undefined ? env.NODE_PORT : 0],
      ["INDEXER_PORT", env.INDEXER_PORT],
      ["API_PORT", env.API_PORT],
    ] as const;
    for (const [i, [name, value]] of ports.entries()) {
      const clash = ports.slice(0, i).find(([, other]) => value !== 0 && other === value);
      if (clash !== undefined)
        ctx.addIssue({ code: "custom", path: [name], message: `same port as ${clash[0]} (${value})` });
    }
  });

export type MatcherKey = { privateKey: `0x${string}` } | { keystore: string; password: string };
export type { LogLevel };

export type StackSettings = {
  host: string;
  /** Host names the origin answers to besides loopback and HOST's own addresses. */
  allowedHosts: string[];
  /** A non-loopback HOST serves the local chain's dev keys (the operator said so). */
  exposeDevKeys: boolean;
  port: number;
  dataDir: string;
  /** The stack's own node, or an existing chain. */
  chain: { kind: "local"; nodePort: number } | { kind: "remote"; rpcUrl: string; deploymentFile: string };
  /** PostgreSQL URL, or undefined for PGlite under dataDir. */
  databaseUrl: string | undefined;
  indexerPort: number;
  apiPort: number;
  matcherKey: MatcherKey;
  /** Undefined on an existing chain without KEEPER_PRIVATE_KEY: no keeper runs then. */
  keeperKey: `0x${string}` | undefined;
  matcherIntervalMs: number;
  demo: boolean;
  explorerTxUrl: string | null;
  chainName: string | undefined;
  logLevel: LogLevel;
};

export class SettingsError extends ConfigError {
  override name = "SettingsError";
}

/**
 * @example
 * const settings = loadSettings(process.env); // throws SettingsError: one line naming each bad variable
 */
export function loadSettings(env: NodeJS.ProcessEnv = process.env): StackSettings {
  // An empty variable (`PORT= npm start`) means "not set", as a shell user expects.
  const given = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const e = parseEnv(StackEnv, given, SettingsError, "invalid configuration");
  const local = e.RPC_URL === undefined;
  return {
    host: e.HOST,
    allowedHosts: e.ALLOWED_HOSTS?.split(",") ?? [],
    exposeDevKeys: local && !isLoopback(e.HOST) && e.EXPOSE_DEV_KEYS === "on",
    port: e.PORT,
    dataDir: path.resolve(e.DATA_DIR),
    chain: local
      ? { kind: "local", nodePort: e.NODE_PORT }
      : { kind: "remote", rpcUrl: e.RPC_URL!, deploymentFile: path.resolve(e.DEPLOYMENT!) },
    databaseUrl: e.DATABASE_URL,
    indexerPort: e.INDEXER_PORT,
    apiPort: e.API_PORT,
    matcherKey:
      e.MATCHER_KEYSTORE !== undefined
        ? { keystore: path.resolve(e.MATCHER_KEYSTORE), password: e.MATCHER_KEYSTORE_PASSWORD! }
        : { privateKey: (e.MATCHER_PRIVATE_KEY ?? devAccount(ACCOUNT_PLAN.matcher).privateKey) as `0x${string}` },
    keeperKey: (e.KEEPER_PRIVATE_KEY ?? (local ? devAccount(ACCOUNT_PLAN.keeper).privateKey : undefined)) as
      | `0x${string}`
      | undefined,
    matcherIntervalMs: e.MATCHER_INTERVAL_MS,
    demo: local && e.DEMO !== "off",
    explorerTxUrl: e.EXPLORER_TX_URL ?? null,
    chainName: e.CHAIN_NAME,
    logLevel: e.LOG_LEVEL,
  };
}
