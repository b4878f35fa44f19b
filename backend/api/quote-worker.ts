// A quote pool's worker thread (quote-pool.ts): answers the quotes its port brings against the book
// versions the same port brought before them.
import { deserialize } from "node:v8";
import { parentPort, workerData } from "node:worker_threads";

import type { OpenBook } from "../book/book-source.ts";
import { type FromQuoteWorker, type QuoteWorkerData, quoteHandler, type ToQuoteWorker } from "./quote-pool.ts";
import { answerQuote } from "./quote-service.ts";

if (parentPort === null) throw new Error("quote-worker.ts runs as a worker thread of a QuotePool");
const port = parentPort;
const handle = quoteHandler(
  (workerData as QuoteWorkerData).settings,
  answerQuote,
  (bytes) => deserialize(bytes) as OpenBook,
);
port.on("message", (message: ToQuoteWorker) => {
  const reply = handle(message);
  if (reply !== undefined) port.postMessage(reply);
});
port.postMessage({ kind: "ready" } satisfies FromQuoteWorker);
