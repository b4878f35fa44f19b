// The API's routes served inside the origin's process (docs/architecture.md, "The origin's hop"): the
// same Express app the API process runs (backend/api/app.ts), built from the same settings, so a
// quote through the public URL costs what it costs on the API's own port. /api/metering stays with
// the API process, the one writer of the metering store; the API process also keeps its own port for
// operators and the demo's seeder.
import type { RequestListener } from "node:http";

import { type Logger, pino } from "pino";

import { createApp } from "../backend/api/app.ts";
import { quoteService } from "../backend/api/quote-pool.ts";
import type { QuoteService } from "../backend/api/quote-service.ts";
import { openBookSource } from "../backend/book/open-book.ts";
import { loadConfig, type ServerConfig } from "../backend/config.ts";
import { JsonFileProposalStore } from "../backend/proposals/proposal-file.ts";
import { InMemoryProposalStore } from "../backend/proposals/proposal-store.ts";

/** The API's own settings an operator may give the stack (backend/config.ts); the rest the stack decides. */
const API_SETTINGS = [
  "BODY_LIMIT_BYTES",
  "RATE_LIMIT_MAX",
  "RATE_LIMIT_WINDOW_MS",
  "PLATFORM_FEE_BPS",
  "BOOK_MAX_AGE_MS",
  "QUOTE_WORKERS",
];

export type OriginApiSettings = {
  /** Where the book is read: the chain the stack runs on. */
  rpcUrl: string;
  deploymentFile: string;
  /** The matcher's proposals file, which the API process serves too. */
  proposalsFile: string;
  logLevel: string;
  /** The environment the API's own settings are read from; process.env by default. */
  env?: NodeJS.ProcessEnv;
};

/** The API process's settings as the stack gives them (stack/stack.ts), read by the API's own parser. */
export function originApiConfig(settings: OriginApiSettings): ServerConfig {
  const env = settings.env ?? process.env;
  const own: NodeJS.ProcessEnv = {};
  for (const name of API_SETTINGS) if (env[name] !== undefined) own[name] = env[name];
  return loadConfig({
    ...own,
    LOG_LEVEL: settings.logLevel,
    RPC_URL: settings.rpcUrl,
    DEPLOYMENT: settings.deploymentFile,
    PROPOSALS_FILE: settings.proposalsFile,
  });
}

/**
 * Builds the API's app for the origin: its book and proposals read as the API process reads them, no
 * metering (the API process has it), and the client taken from the connection, never from a header.
 *
 * @example
 * const api = await createOriginApi(originApiConfig({ rpcUrl, deploymentFile, proposalsFile, logLevel: "info" }), logger);
 * createStackApp({ ...options, api: () => api.listener });
 * await api.quotes.close(); // when the origin stops
 */
export async function createOriginApi(config: ServerConfig, logger: Logger): Promise<OriginApp> {
  const book = await openBookSource(config.book, logger);
  // Its own pool of quote workers (QUOTE_WORKERS), started once nothing of the build can fail; idle
  // workers are unreferenced, so they never hold the origin's exit.
  const quotes = quoteService({
    workers: config.quoteWorkers,
    platformFeeBps: config.platformFeeBps,
    pricing: undefined,
    logger,
  });
  const listener = createApp({
    book,
    proposals:
      config.proposalsFile === undefined
        ? new InMemoryProposalStore()
        : new JsonFileProposalStore(config.proposalsFile),
    logger,
    bodyLimit: config.bodyLimitBytes,
    rateLimit: config.rateLimit,
    // The origin is the first hop: the peer of the connection is the client.
    trustProxy: false,
    quotes,
    // The origin's process is not the API's: its CPU and heap are not the API's metrics.
    defaultMetrics: false,
  });
  return { listener, quotes };
}

/** The API's app as the origin serves it, and its quote service (a pool of workers to close on stop). */
export type OriginApp = { listener: RequestListener; quotes: QuoteService };

/**
 * The origin's API, built once its settings are known (the stack's deployment); until then, and for a
 * while after a failed build, `current()` is undefined and /api takes the hop to the API process.
 */
export class OriginApi {
  readonly #build: () => Promise<OriginApp> | undefined;
  readonly #onError: (error: Error) => void;
  #app: OriginApp | undefined;
  #building: Promise<void> | undefined;
  #failedAt = Number.NEGATIVE_INFINITY;

  /** `build` answers undefined while the settings are not known yet; `onError` hears of a failed build. */
  constructor(build: () => Promise<OriginApp> | undefined, onError: (error: Error) => void) {
    this.#build = build;
    this.#onError = onError;
  }

  current(): RequestListener | undefined {
    if (this.#app === undefined && this.#building === undefined && Date.now() - this.#failedAt > RETRY_MS)
      this.#start()?.catch(this.#onError);
    return this.#app?.listener;
  }

  /** Stops the app's quote workers (after a build still running, if one is). */
  async close(): Promise<void> {
    await this.#building?.catch(() => {});
    await this.#app?.quotes.close();
  }

  /** Resolves once the app is built; rejects when the build fails or its settings are not known yet. */
  ready(): Promise<void> {
    if (this.#app !== undefined) return Promise.resolve();
    return this.#building ?? this.#start() ?? Promise.reject(new Error("the API's settings are not known yet"));
  }

  #start(): Promise<void> | undefined {
    const building = this.#build();
    if (building === undefined) return undefined;
    this.#building = building.then(
      (app) => {
        this.#app = app;
      },
      (error: unknown) => {
        this.#building = undefined;
        this.#failedAt = Date.now();
        throw error;
      },
    );
    return this.#building;
  }
}

/** How long after a failed build requests take the hop before the origin tries again. */
const RETRY_MS = 5_000;

/** The origin API's log: a file beside the other parts' logs, at the stack's level. */
export function originApiLogger(logFile: string, level: string): Logger {
  return pino({ level }, pino.destination({ dest: logFile, mkdir: true, sync: false }));
}
