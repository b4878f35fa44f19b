// The HTTP API as an Express app built from its dependencies, so tests, the benchmark and the
// server entry each wire their own book source, proposal store and logger.
import express, { type Express } from "express";
import { rateLimit } from "express-rate-limit";
import helmet from "helmet";
import { type Logger, pino } from "pino";
import type { BookSource } from "../book/book-source.ts";
import type { PricingConfig } from "../pricing/index.ts";
import type { ProposalStore } from "../proposals/proposal-store.ts";
import { errorHandler, notFound } from "./errors.ts";
import { type ApiMetrics, createMetrics } from "./metrics.ts";
import { observeRequests } from "./observe.ts";
import { HttpProblem } from "./problem.ts";
import { inlineQuotes, type QuoteService } from "./quote-service.ts";
import { healthRouter } from "./routes/health.ts";
import { type MeteringRouterDeps, meteringRouter } from "./routes/metering.ts";
import { metricsRouter } from "./routes/metrics.ts";
import { problemsRouter } from "./routes/problems.ts";
import { proposalsRouter } from "./routes/proposals.ts";
import { quoteRouter } from "./routes/quote.ts";
import { referenceRouter } from "./routes/reference.ts";

/** The fee the Ignition module deploys the market with; pass the live one when it differs. */
export const DEFAULT_PLATFORM_FEE_BPS = 30;

export type RateLimitOptions = {
  /** Window length in milliseconds. */
  windowMs: number;
  /** Requests one client (IP) may make to /api/* per window. */
  limit: number;
  /**
   * Leaves out clients on this machine that did not come through the proxy (a loopback peer and no
   * X-Forwarded-For): the stack's own services, such as the demo's metering sites.
   */
  exemptLocal?: boolean;
};

export type AppDeps = {
  book: BookSource;
  proposals: ProposalStore;
  /** Defaults to a silent logger, so tests stay quiet unless they pass one. */
  logger?: Logger;
  /** Largest accepted request body (bytes, or a string such as "16kb"). Default 16 kB. */
  bodyLimit?: number | string;
  /** Per-client limit on /api/*; `false` turns it off (benchmarks). Default 300 requests per minute. */
  rateLimit?: RateLimitOptions | false;
  /** Express `trust proxy` setting; only set it behind a proxy you control, it decides the client IP. */
  trustProxy?: boolean | number | string;
  /**
   * Where quotes are computed: a QuotePool (quote-pool.ts) of worker threads, which its creator closes
   * with the server. Default: on the serving thread with `platformFeeBps` and `pricing`.
   */
  quotes?: QuoteService;
  /** The market's platform fee in bps, which inline quotes add to the suppliers' payments. Default 30 (the deployment's). */
  platformFeeBps?: number;
  /** Pricing parameters for inline quotes; default backend/pricing's PRICING_CONFIG (the matcher's). */
  pricing?: PricingConfig;
  /** Unix seconds now; quotes check order expiry against it. */
  clock?: () => number;
  /** The metering service (/api/metering, docs/metering.md); off without it. */
  metering?: MeteringRouterDeps;
  /** Registers the process-wide default metrics (CPU, heap, event loop). Default true. */
  defaultMetrics?: boolean;
};

/**
 * Builds the API.
 *
 * @example
 * const app = createApp({ book: new InMemoryBookSource(), proposals: new InMemoryProposalStore() });
 * app.listen(8080, "127.0.0.1");
 */
export function createApp(deps: AppDeps): Express {
  if (deps.quotes !== undefined && (deps.platformFeeBps !== undefined || deps.pricing !== undefined))
    throw new TypeError("pass platformFeeBps and pricing to the quote service, not beside it");
  const logger = deps.logger ?? pino({ level: "silent" });
  const metrics: ApiMetrics = createMetrics(deps, deps.defaultMetrics ?? true);
  const app = express();
  app.locals.metrics = metrics;
  app.set("trust proxy", deps.trustProxy ?? false);
  app.set("query parser", "simple");

  // Express's "X-Powered-By: Express" is not sent (helmet would take it out of every response again).
  app.disable("x-powered-by");
  app.use(observeRequests(app, logger, metrics));
  app.use(helmet());

  if (deps.rateLimit !== false) {
    const { windowMs, limit, exemptLocal = false } = deps.rateLimit ?? { windowMs: 60_000, limit: 300 };
    app.use(
      "/api",
      rateLimit({
        windowMs,
        limit,
        skip: (req) =>
          exemptLocal && req.headers["x-forwarded-for"] === undefined && isLoopback(req.socket.remoteAddress),
        standardHeaders: "draft-8",
        legacyHeaders: false,
        handler: (_req, _res, next) => {
          next(
            new HttpProblem(
              "too-many-requests",
              `at most ${limit} requests per ${windowMs / 1000} s to /api; retry after the time in Retry-After`,
            ),
          );
        },
      }),
    );
  }

  // Quotes first: the routers' paths do not overlap, so the order decides only how many routers a
  // request walks through before its own, and quotes are most of the API's traffic.
  app.use(
    quoteRouter({
      book: deps.book,
      metrics,
      bodyLimit: deps.bodyLimit ?? 16 * 1024,
      quotes:
        deps.quotes ??
        inlineQuotes({ platformFeeBps: deps.platformFeeBps ?? DEFAULT_PLATFORM_FEE_BPS, pricing: deps.pricing }),
      clock: deps.clock ?? (() => Math.floor(Date.now() / 1000)),
    }),
  );
  app.use(healthRouter(deps));
  app.use(metricsRouter(metrics));
  app.use(problemsRouter());
  app.use(proposalsRouter(deps.proposals));
  app.use(referenceRouter());
  if (deps.metering !== undefined) app.use(meteringRouter(deps.metering));
  app.use(notFound);
  app.use(errorHandler);
  return app;
}

/** Whether a peer address is this machine's loopback (IPv4, IPv6 or IPv4-mapped). */
function isLoopback(address: string | undefined): boolean {
  return address !== undefined && (address === "::1" || /^(::ffff:)?127\./.test(address));
}
