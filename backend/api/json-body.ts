// JSON request bodies. express.json (body-parser) serves every body HTTP allows (charsets,
// compression, chunked transfer) through type-is, raw-body and iconv-lite, which cost a quote about
// a tenth of its time. The body nearly every client sends (Content-Type application/json in UTF-8,
// no Content-Encoding, a Content-Length within the limit) is read here instead, with body-parser's
// answers: the same value, and for a broken body the same problem (status, type and message). Any
// other body goes through requireJsonBody and express.json as before.
import express, { type RequestHandler } from "express";

import { requireJsonBody } from "./errors.ts";
import { HttpProblem } from "./problem.ts";

const PLAIN_TYPES: ReadonlySet<string> = new Set([
  "application/json",
  "application/json; charset=utf-8",
  "application/json;charset=utf-8",
]);
// body-parser's strict mode: a JSON body must be an object or an array.
const FIRST_NON_WHITESPACE = /^[ \t\n\r]*([^ \t\n\r]|$)/;

export type JsonBodyOptions = {
  /** Largest accepted body: bytes, or a string such as "16kb" (then every body goes to express.json). */
  limit: number | string;
  /** Media types accepted, as express.json's `type`. */
  type: string[];
};

/**
 * requireJsonBody and express.json, with a direct path for plain bodies.
 *
 * @example
 * router.post("/api/quote", jsonBody({ limit: 16_384, type: ["application/json"] }), handler);
 */
export function jsonBody(options: JsonBodyOptions): RequestHandler {
  const standard = express.json({ limit: options.limit, type: options.type });
  const limit = typeof options.limit === "number" ? options.limit : 0;
  return (req, res, next) => {
    const type = req.headers["content-type"];
    const declared = Number(req.headers["content-length"]);
    if (
      type === undefined ||
      !PLAIN_TYPES.has(type.toLowerCase()) ||
      req.headers["content-encoding"] !== undefined ||
      req.headers["transfer-encoding"] !== undefined ||
      !(declared > 0 && declared <= limit)
    ) {
      requireJsonBody(req, res, (err?: unknown) => (err === undefined ? standard(req, res, next) : next(err)));
      return;
    }
    const chunks: Buffer[] = [];
    let received = 0;
    req.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
    });
    // A client that goes away mid-body is a client error, as body-parser reports it, not a failure.
    req.on("error", (err) => next(new HttpProblem("invalid-request", "request aborted", { cause: err })));
    req.on("end", () => {
      // Node ends a request early only when the client went away; its length then does not match.
      if (received !== declared) {
        next(new HttpProblem("invalid-request", "request size did not match content length"));
        return;
      }
      let text = (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, received)).toString("utf8");
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // iconv-lite drops a byte-order mark
      try {
        req.body = parseStrict(text);
      } catch (err) {
        next(new HttpProblem("malformed-json", (err as Error).message, { cause: err }));
        return;
      }
      next();
    });
  };
}

/** body-parser's strict JSON parse, its error messages included. */
function parseStrict(text: string): unknown {
  if (text[0] !== "{" && text[0] !== "[") {
    const first = FIRST_NON_WHITESPACE.exec(text)?.[1] || undefined;
    if (first !== "{" && first !== "[") throw strictViolation(text, first);
  }
  return JSON.parse(text);
}

/** The SyntaxError JSON.parse gives at the first character of a body that is no object or array. */
function strictViolation(text: string, char: string | undefined): SyntaxError {
  const index = char === undefined ? -1 : text.indexOf(char);
  const partial = index === -1 ? "" : text.substring(0, index) + "#".repeat(text.length - index);
  try {
    JSON.parse(partial);
    return new SyntaxError("strict violation");
  } catch (err) {
    const message = (err as Error).message.replace(/#+/g, (placeholder) =>
      text.substring(index, index + placeholder.length),
    );
    return new SyntaxError(message);
  }
}
