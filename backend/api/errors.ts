// Every way a request can fail ends here as a problem+json response. The error handler maps known
// client errors (body parser, validation, rate limit) to 4xx; anything else is a bug, logged with
// the request id and answered 500 without internals.
import type { ErrorRequestHandler, RequestHandler } from "express";

import { buildProblem, HttpProblem, PROBLEM_CONTENT_TYPE, type ProblemSlug } from "./problem.ts";

/** For the `.all()` of a route: any method the route does not serve. OPTIONS just lists the allowed ones. */
export function methodNotAllowed(...allowed: string[]): RequestHandler {
  const allow = allowed.join(", ");
  return (req, res, next) => {
    res.setHeader("Allow", allow);
    if (req.method === "OPTIONS") {
      res.status(204).end();
      return;
    }
    next(new HttpProblem("method-not-allowed", `${req.method} is not allowed on ${req.path}; allowed: ${allow}`));
  };
}

/** Awaits a dependency of the API; its failure is a 503 naming which, the cause goes to the log only. */
export async function dependency<T>(call: () => Promise<T>, detail: string): Promise<T> {
  try {
    return await call();
  } catch (cause) {
    throw new HttpProblem("unavailable", detail, { cause });
  }
}

export const notFound: RequestHandler = (req, _res, next) => {
  next(new HttpProblem("not-found", `no resource at ${req.path}`));
};

/** A body must be JSON; a request without a body passes and fails validation naming `body`. */
export const requireJsonBody: RequestHandler = (req, _res, next) => {
  const empty = req.headers["content-length"] === "0";
  if (!empty && req.is(["application/json", "application/*+json"]) === false) {
    next(
      new HttpProblem(
        "unsupported-media-type",
        `expected application/json, got ${req.get("content-type") ?? "no content type"}`,
      ),
    );
    return;
  }
  next();
};

/** Errors from body-parser (http-errors with a `type`) and other client errors carrying a 4xx status. */
function fromClientError(err: unknown): HttpProblem | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  const { status, type, message, expose } = err as {
    status?: unknown;
    type?: unknown;
    message?: unknown;
    expose?: unknown;
  };
  if (typeof status !== "number" || status < 400 || status > 499) return undefined;
  const detail = expose === true && typeof message === "string" ? message : "the request could not be read";
  const bySlug: Record<number, ProblemSlug> = { 413: "payload-too-large", 415: "unsupported-media-type" };
  if (type === "entity.parse.failed") return new HttpProblem("malformed-json", detail, { cause: err });
  return new HttpProblem(bySlug[status] ?? "invalid-request", detail, { cause: err });
}

export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  const problem = err instanceof HttpProblem ? err : fromClientError(err);
  const requestId = String(req.id ?? "");
  if (problem === undefined) req.log?.error({ err }, "unhandled error");
  else if (problem.status >= 500) req.log?.error({ err: problem.cause }, problem.detail);
  const body =
    problem === undefined
      ? buildProblem("internal-error", "the server failed to answer this request", req.originalUrl.split("?")[0], {
          requestId,
        })
      : buildProblem(problem.slug, problem.detail, req.originalUrl.split("?")[0], {
          requestId,
          errors: problem.errors,
        });
  if (res.headersSent) {
    // Too late for a problem body; end the response so the client is not left waiting.
    res.end();
    return;
  }
  if (problem !== undefined) for (const [name, value] of Object.entries(problem.headers)) res.setHeader(name, value);
  res.status(body.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
};
