// Reading a JSON request body. The plain requests buyers' clients send (Content-Type
// application/json, a Content-Length within the limit, no Content-Encoding) are read here directly,
// which costs a fraction of body-parser's stream pipeline; anything else (chunked bodies,
// compression, other charsets, `+json` types, a length over the limit) goes to `express.json`, so
// those are refused or read exactly as before. What this reader refuses it refuses as body-parser
// does, with the same status, type and message (test/backend/api/json-body.test.ts compares the two
// answer by answer).
import express, { type RequestHandler } from "express";

import { requireJsonBody } from "./errors.ts";

/** The content types read here; any other JSON type (charsets, `+json`) goes to express.json. */
const PLAIN_TYPES: ReadonlySet<string | undefined> = new Set([
  "application/json",
  "application/json; charset=utf-8",
  "application/json;charset=utf-8",
]);

/** The leading spaces body-parser allows before a JSON text's first character. */
const FIRST_NON_WHITESPACE = /^[ \t\n\r]*([^ \t\n\r]|$)/;

/** A client error as body-parser raises it (http-errors' fields that errors.ts reads). */
function clientError(message: string, type: string, from?: Error): Error {
  const err = from ?? new Error(message);
  err.message = message;
  return Object.assign(err, { status: 400, statusCode: 400, expose: true, type });
}

/**
 * body-parser's strict JSON parse: an empty body is `{}`, a body that is not an object or array is
 * refused naming its first character, and JSON.parse's own message otherwise.
 */
export function parseJsonBody(text: string): unknown {
  if (text.length === 0) return {};
  if (text[0] !== "{" && text[0] !== "[") {
    const match = FIRST_NON_WHITESPACE.exec(text);
    const first = match?.[1] ? match[1] : undefined;
    if (first !== "{" && first !== "[") throw strictViolation(text, first);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw clientError((e as Error).message, "entity.parse.failed", e as Error);
  }
}

/** The message body-parser gives a body whose first character is not `{` or `[` (its own construction). */
function strictViolation(text: string, first: string | undefined): Error {
  const index = first === undefined ? -1 : text.indexOf(first);
  const partial = index === -1 ? "" : text.substring(0, index) + "#".repeat(text.length - index);
  try {
    JSON.parse(partial);
  } catch (e) {
    const message = (e as Error).message.replace(/#+/g, (placeholder) =>
      text.substring(index, index + placeholder.length),
    );
    return clientError(message, "entity.parse.failed", e as Error);
  }
  return clientError("strict violation", "entity.parse.failed");
}

/**
 * The body of a JSON request in `req.body`, with the content-type check of `requireJsonBody` and
 * `express.json`'s limit and errors.
 *
 * @example
 * router.post("/api/quote", jsonBody({ limit: 16 * 1024 }), handler);
 */
export function jsonBody(options: { limit: number | string }): RequestHandler {
  const parser = express.json({ limit: options.limit, type: ["application/json", "application/*+json"] });
  const fallback: RequestHandler = (req, res, next) =>
    requireJsonBody(req, res, (err?: unknown) => (err === undefined ? parser(req, res, next) : next(err)));
  // A limit written as text ("16kb") is left to express.json, which reads it.
  const limit = typeof options.limit === "number" ? options.limit : -1;
  return (req, res, next) => {
    const { headers } = req;
    const declared = headers["content-length"];
    // Node's parser has already refused a Content-Length that is not a number.
    const length = declared === undefined ? Number.NaN : Number(declared);
    if (
      !PLAIN_TYPES.has(headers["content-type"]) ||
      !(length <= limit) ||
      headers["transfer-encoding"] !== undefined ||
      headers["content-encoding"] !== undefined
    ) {
      fallback(req, res, next);
      return;
    }
    const chunks: Buffer[] = [];
    let received = 0;
    req.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
    });
    let ended = false;
    req.once("error", () => {
      if (!ended) next(clientError("request aborted", "request.aborted"));
      ended = true;
    });
    req.once("end", () => {
      if (ended) return;
      ended = true;
      if (received !== length) {
        next(clientError("request size did not match content length", "request.size.invalid"));
        return;
      }
      const bytes = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, received);
      // body-parser decodes with iconv-lite, which drops a leading byte order mark.
      const bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
      try {
        req.body = parseJsonBody(bytes.toString("utf8", bom ? 3 : 0, bytes.length));
      } catch (err) {
        next(err);
        return;
      }
      next();
    });
  };
}
