// A quote worker that fails on purpose, for test/backend/api/quote-pool.test.ts: the real worker's
// handler, except for bodies whose `vcu` asks for a failure.
import { deserialize } from "node:v8";
import { isMainThread, parentPort, workerData } from "node:worker_threads";

import { type QuoteWorkerData, quoteHandler, type ToQuoteWorker } from "../../../backend/api/quote-pool.ts";
import { answerQuote } from "../../../backend/api/quote-service.ts";
import type { OpenBook } from "../../../backend/book/book-source.ts";

/** `vcu` values that make this worker fail, each in its own way. */
export const FAIL = { exit: 9_001, uncaught: 9_002, hang: 9_003, quoteThrows: 9_004 } as const;

// Imported by the test for FAIL too: the worker side runs only in a worker thread.
if (!isMainThread && parentPort !== null) {
  const port = parentPort;
  const handle = quoteHandler(
    (workerData as QuoteWorkerData).settings,
    (request, book, now, settings) => {
      if (request.vcu === FAIL.quoteThrows) throw new Error("quoteBid failed on purpose");
      return answerQuote(request, book, now, settings);
    },
    (bytes) => deserialize(bytes) as OpenBook,
  );
  port.on("message", (message: ToQuoteWorker) => {
    if (message.kind === "quote") {
      if (message.request.vcu === FAIL.exit) process.exit(3);
      if (message.request.vcu === FAIL.uncaught) throw new Error("the worker fails on purpose");
      if (message.request.vcu === FAIL.hang) for (;;);
    }
    const reply = handle(message);
    if (reply !== undefined) port.postMessage(reply);
  });
  port.postMessage({ kind: "ready" });
}
