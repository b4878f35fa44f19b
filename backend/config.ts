// The backend server's settings, read once from the environment and checked, so a typo in a
// variable stops the process at start with a message naming it instead of misbehaving later.
import { availableParallelism } from "node:os";

import { z } from "zod";

import { ConfigError, envInt, type LogLevel, logLevel, parseEnv } from "../protocol/env.ts";
import type { BookSetting } from "./book/open-book.ts";

const LOOPBACK = "127.0.0.1";

/**
 * Quote workers by default: a core for each but the one that serves HTTP, at least one. On the
 * benchmark's 2 cores one worker cut the serving thread's CPU per quote ~2.3 times, and two were no
 * better than one (docs/architecture.md, "Quotes off the serving thread").
 */
export const DEFAULT_QUOTE_WORKERS = Math.max(1, availableParallelism() - 1);

const ServerEnv = z
  .object({
    /** Interface to bind. Loopback unless told otherwise: exposing the API is a deliberate act. */
    HOST: z.string().min(1).default(LOOPBACK),
    PORT: envInt(0, 65_535).default(8080),
    LOG_LEVEL: logLevel,
    /** Largest accepted request body, in bytes. */
    BODY_LIMIT_BYTES: envInt(256, 10_485_760).default(16_384),
    /** Requests per client per window on /api/*; 0 turns rate limiting off. */
    RATE_LIMIT_MAX: envInt(0, 1_000_000).default(300),
    RATE_LIMIT_WINDOW_MS: envInt(1_000, 86_400_000).default(60_000),
    /**
     * "on": requests from this machine that did not come through the proxy (no X-Forwarded-For) are
     * not limited: `npm start` sets it, its own demo sites meter through the API process directly.
     */
    RATE_LIMIT_EXEMPT_LOCAL: z.enum(["on", "off"]).default("off"),
    /** Express `trust proxy`: hop count behind proxies you control; 0 trusts none. */
    TRUST_PROXY_HOPS: envInt(0, 10).default(0),
    /**
     * Worker threads that run quotes off the thread serving HTTP (backend/api/quote-pool.ts); 0 quotes
     * on the serving thread. Default: see DEFAULT_QUOTE_WORKERS.
     */
    QUOTE_WORKERS: envInt(0, 64).optional(),
    /** How long in-flight requests may take to finish after SIGTERM/SIGINT. */
    SHUTDOWN_GRACE_MS: envInt(0, 120_000).default(10_000),
    /** The market's platform fee in bps (Ignition default 30; the contract caps it at 1000). */
    PLATFORM_FEE_BPS: envInt(0, 1_000).default(30),
    /** The matcher's proposals file (MATCHER_PROPOSALS_FILE), served at /api/proposals; in memory without it. */
    PROPOSALS_FILE: z.string().min(1).optional(),
    /** Optional JSON file with a fixed open book to quote against (demos, benchmarks). */
    BOOK_FILE: z.string().min(1).optional(),
    /** JSON-RPC endpoint to read the open book from the market's events. */
    RPC_URL: z.url({ protocol: /^(https?|wss?)$/, error: "expected an http(s) or ws(s) URL" }).optional(),
    /** Deployment to read with RPC_URL: a chain id (deployments/<id>.json) or a file path. Default 31337. */
    DEPLOYMENT: z.string().min(1).default("31337"),
    /** How long a book read from the chain is reused for quotes. */
    BOOK_MAX_AGE_MS: envInt(0, 600_000).default(2_000),
    /** PGlite folder of the metering service (docs/metering.md); it runs whenever RPC_URL is set. */
    METERING_DATA_DIR: z.string().min(1).default(".data/metering"),
    /** PostgreSQL for the metering service instead of PGlite (the indexer's, typically). */
    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: "expected a postgres:// URL" }).optional(),
  })
  .refine((e) => e.BOOK_FILE === undefined || e.RPC_URL === undefined, {
    path: ["BOOK_FILE"],
    message: "set BOOK_FILE or RPC_URL, not both",
  });

export type ServerConfig = {
  host: string;
  port: number;
  logLevel: LogLevel;
  bodyLimitBytes: number;
  rateLimit: { windowMs: number; limit: number; exemptLocal: boolean } | false;
  trustProxyHops: number;
  shutdownGraceMs: number;
  platformFeeBps: number;
  /** Quote worker threads; 0 quotes on the serving thread. */
  quoteWorkers: number;
  proposalsFile: string | undefined;
  /** Where quotes read the book: a fixed file, the chain, or nothing (an empty in-memory book). */
  book: BookSetting;
  /** Where the metering service stores series; it needs RPC_URL to know the deals, so undefined without. */
  metering: { kind: "pglite"; dataDir: string } | { kind: "postgres"; url: string } | undefined;
};

export { ConfigError };

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const e = parseEnv(ServerEnv, env);
  return {
    host: e.HOST,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    rateLimit:
      e.RATE_LIMIT_MAX === 0
        ? false
        : {
            windowMs: e.RATE_LIMIT_WINDOW_MS,
            limit: e.RATE_LIMIT_MAX,
            exemptLocal: e.RATE_LIMIT_EXEMPT_LOCAL === "on",
          },
    trustProxyHops: e.TRUST_PROXY_HOPS,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    platformFeeBps: e.PLATFORM_FEE_BPS,
    quoteWorkers: e.QUOTE_WORKERS ?? DEFAULT_QUOTE_WORKERS,
    proposalsFile: e.PROPOSALS_FILE,
    book:
      e.BOOK_FILE !== undefined
        ? { from: "file", file: e.BOOK_FILE }
        : e.RPC_URL !== undefined
          ? {
              from: "chain",
              rpcUrl: e.RPC_URL,
              deployment: /^[0-9]+$/.test(e.DEPLOYMENT) ? Number(e.DEPLOYMENT) : e.DEPLOYMENT,
              maxAgeMs: e.BOOK_MAX_AGE_MS,
            }
          : { from: "memory" },
    metering:
      e.RPC_URL === undefined
        ? undefined
        : e.DATABASE_URL !== undefined
          ? { kind: "postgres", url: e.DATABASE_URL }
          : { kind: "pglite", dataDir: e.METERING_DATA_DIR },
  };
}
