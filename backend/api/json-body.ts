// Reading a JSON request body. Quote bodies are a few hundred bytes of UTF-8 sent with a
// Content-Length, and express.json (body-parser) spends more on its general case (stream decoding,
// charset tables, content negotiation) than the JSON takes to parse. Such a body is read here
// directly; any other (another charset, a Content-Encoding, no or a too large Content-Length, or
// text that does not parse as a JSON object) goes to express.json, which gives the answer and the
// error it always gave (test/backend/api/json-body.test.ts holds both ways to one behaviour).
import { EventEmitter } from "node:events";
import { Readable } from "node:stream";

import express, { type Request, type RequestHandler } from "express";

/** The media types a JSON body may carry: the plain one and any `+json` type. */
export const JSON_TYPES = ["application/json", "application/*+json"];

/** Content-Type parameters the direct read takes: none, or UTF-8 (JSON's own encoding, RFC 8259). */
const PLAIN_UTF8 = /^[^;]*(;\s*charset="?utf-8"?\s*)?$/i;
const DIGITS = /^[0-9]{1,9}$/;

/**
 * Middleware that sets `req.body` from a JSON body of at most `limit` bytes (a string limit such as
 * "16kb" leaves every body to express.json).
 *
 * @example
 * router.post("/api/quote", requireJsonBody, jsonBody(16 * 1024), handler);
 */
export function jsonBody(limit: number | string): RequestHandler {
  const parser = express.json({ limit, type: JSON_TYPES });
  return (req, res, next) => {
    const { headers } = req;
    const length = headers["content-length"];
    if (
      typeof limit !== "number" ||
      length === undefined ||
      !DIGITS.test(length) ||
      Number(length) === 0 ||
      Number(length) > limit ||
      headers["content-encoding"] !== undefined ||
      headers["transfer-encoding"] !== undefined ||
      !PLAIN_UTF8.test(headers["content-type"] ?? "")
    ) {
      parser(req, res, next);
      return;
    }
    const chunks: Buffer[] = [];
    let received = 0;
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
    };
    const onEnd = () => {
      stop();
      const bytes = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, received);
      // As body-parser decodes UTF-8: invalid sequences become U+FFFD, a byte order mark is dropped.
      let text = bytes.toString("utf8");
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      if (text.charCodeAt(0) === 0x7b /* { */) {
        try {
          req.body = JSON.parse(text);
          next();
          return;
        } catch {
          // express.json names what is wrong, below.
        }
      }
      replay(parser, req, bytes, res, next);
    };
    // A client that leaves mid-body: body-parser's client error, without waiting for the rest.
    const onClose = () => {
      if (req.complete) return;
      stop();
      next(
        Object.assign(new Error("request aborted"), {
          status: 400,
          statusCode: 400,
          expose: true,
          type: "request.aborted",
          code: "ECONNABORTED",
          expected: Number(length),
          received,
        }),
      );
    };
    const stop = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("close", onClose);
      req.off("error", onClose);
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("close", onClose);
    req.on("error", onClose);
  };
}

/** Hands a body already read to express.json, as if it were arriving now. */
function replay(
  parser: RequestHandler,
  req: Request,
  bytes: Buffer,
  res: Parameters<RequestHandler>[1],
  next: Parameters<RequestHandler>[2],
): void {
  // on-finished takes a request with `complete: false` on a readable socket for one still arriving
  // (and listens to that socket for its end should body-parser drain the stream after an error).
  const again = Object.assign(Readable.from([bytes], { objectMode: false }), {
    headers: req.headers,
    complete: false,
    socket: Object.assign(new EventEmitter(), { readable: true }),
  });
  parser(again as unknown as Request, res, (err?: unknown) => {
    if (err === undefined) req.body = (again as { body?: unknown }).body;
    next(err);
  });
}
