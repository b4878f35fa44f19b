// What the API records of every request: its id (X-Request-Id), one log line when it ends, and the
// request counters and latency histogram of /metrics, all from one listener per request.
//
// The log lines are pino-http's (its logger, serializers and messages; test/backend/api/logging.test.ts),
// but the per-request child logger that carries the request is made only when something is logged:
// answered requests log at debug, which a server at info drops, so most requests never need one.
// pino-http made it for every request, with its request serializer run on each (docs/architecture.md,
// "Quotes per process").
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

import type { Express, Request, RequestHandler, Response } from "express";
import type { Level, Logger } from "pino";
import { pinoHttp } from "pino-http";

import type { ApiMetrics } from "./metrics.ts";

/** An inbound X-Request-Id is kept when it is short and harmless, so a caller's id follows the request. */
const CLIENT_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Answered requests at debug, client errors at warn, failures at error. */
function levelOf(status: number, err: unknown): Level {
  return err !== undefined || status >= 500 ? "error" : status >= 400 ? "warn" : "debug";
}

const STARTED = Symbol("started");
const STARTED_MS = Symbol("startedMs");
const LOGGED = Symbol("logged");
const CHILD = Symbol("child");

type Observed = ServerResponse & {
  req: Request;
  [STARTED]: number;
  [STARTED_MS]: number;
  [LOGGED]?: true;
};

/**
 * The middleware that gives each request its id and records it, and `req.log` (a logger bound to the
 * request) on the app's requests.
 */
export function observeRequests(app: Express, logger: Logger, metrics: ApiMetrics): RequestHandler {
  // pino-http's logger: its serializers (wrapped as pino-http wraps them) and level checks. One short
  // line per request; headers stay out of the log (they may carry credentials).
  const base = pinoHttp({
    logger,
    serializers: {
      req: (req: { id: unknown; method: string; url: string; remoteAddress?: string }) => ({
        id: req.id,
        method: req.method,
        url: req.url,
        remoteAddress: req.remoteAddress,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  }).logger;

  // `req.log`, made on first use and kept for the request.
  Object.defineProperty(app.request, "log", {
    configurable: true,
    get(this: Request & { [CHILD]?: Logger }): Logger {
      this[CHILD] ??= base.child({ req: this });
      return this[CHILD];
    },
  });

  const observe = metrics.observeRequest;

  function logEnd(res: Observed, err: unknown): void {
    if (res[LOGGED] === true) return;
    res[LOGGED] = true;
    const level = levelOf(res.statusCode, err);
    if (!base.isLevelEnabled(level)) return;
    const responseTime = Date.now() - res[STARTED_MS];
    // As pino-http writes them: a failure (an error, or a 5xx) with the error, anything else completed.
    if (err !== undefined || res.statusCode >= 500) {
      const error = err ?? new Error(`failed with status code ${res.statusCode}`);
      res.req.log[level]({ res, err: error, responseTime }, "request errored");
    } else res.req.log[level]({ res, responseTime }, "request completed");
  }

  function onFinish(this: Observed): void {
    const req = this.req;
    // Route templates, never raw paths, keep the label set bounded.
    const route = req.route?.path === undefined ? "unmatched" : `${req.baseUrl}${String(req.route.path)}`;
    observe(req.method, route, this.statusCode, (performance.now() - this[STARTED]) / 1000);
    logEnd(this, undefined);
  }
  function onClose(this: Observed): void {
    logEnd(this, undefined);
  }
  function onError(this: Observed, err: unknown): void {
    logEnd(this, err);
  }

  return (req: Request, res: Response, next) => {
    const inbound = req.headers["x-request-id"];
    const id = typeof inbound === "string" && CLIENT_REQUEST_ID.test(inbound) ? inbound : randomUUID();
    res.setHeader("X-Request-Id", id);
    (req as IncomingMessage & { id: unknown }).id = id;
    const observed = res as unknown as Observed;
    observed[STARTED] = performance.now();
    observed[STARTED_MS] = Date.now();
    res.on("finish", onFinish);
    res.on("close", onClose);
    res.on("error", onError);
    next();
  };
}
