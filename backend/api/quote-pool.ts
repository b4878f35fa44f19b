// Quotes off the thread that serves HTTP: a fixed pool of worker threads, each holding the last book
// version it was sent, runs `quoteBid` and writes the answer's JSON; the serving thread keeps the
// HTTP work (body, validation, metrics) and sends one message each way (docs/architecture.md, "Quotes
// per process").
//
// Book versions. A book version is an `OpenBook` object (BookSource replaces the object when the
// book changes, never mutates it). Before a worker gets a quote against a book it does not hold,
// the pool posts it that book on the same port: a port delivers in order, so the worker quotes
// against exactly the version the request read, and a book change is seen by the very next quote.
// The book is serialised once per version (v8.serialize, structured clone's format) and the bytes
// go to each worker that needs them; each worker prepares its own indexes, as the serving thread
// did.
//
// Failure. A quote that throws in a worker fails the request as it did on the serving thread (500,
// logged). A worker that dies (uncaught error, out of memory, exit) or runs a quote past `timeoutMs`
// is ended and replaced; the quotes it held are answered 503 "quote service unavailable" with
// Retry-After, never left hanging.
//
// Hand-written rather than piscina's or tinypool's task queue: those send a task to whichever
// worker is free, while here a quote must follow its book version on the same worker's port; what is
// left (pick the least busy worker, match answers to requests, replace a dead worker) is this file.
import { serialize } from "node:v8";
import { Worker } from "node:worker_threads";

import type { Logger } from "pino";

import type { OpenBook } from "../book/book-source.ts";
import { HttpProblem } from "./problem.ts";
import { inlineQuotes, type QuotedAnswer, type QuoteService, type QuoteSettings } from "./quote-service.ts";
import type { QuoteRequest } from "./schemas/quote.ts";

/** What the serving thread posts to a worker. */
export type ToQuoteWorker =
  | { kind: "book"; bytes: Uint8Array }
  | { kind: "quote"; id: number; request: QuoteRequest; now: number };

/** What a worker posts back. */
export type FromQuoteWorker =
  | { kind: "ready" }
  | { kind: "answer"; id: number; answer: QuotedAnswer }
  | { kind: "failed"; id: number; message: string; stack: string | undefined };

/** What a worker is started with (workerData). */
export type QuoteWorkerData = { settings: QuoteSettings };

export type QuotePoolOptions = QuoteSettings & {
  /** Worker threads; at least 1 (0 is `inlineQuotes`). */
  size: number;
  logger?: Logger;
  /** A quote running longer than this ends its worker and is answered 503. Default 10 s. */
  timeoutMs?: number;
  /** The worker's entry module; tests pass one that fails on purpose. Default quote-worker.ts. */
  worker?: URL;
};

type Pending = { resolve: (answer: QuotedAnswer) => void; reject: (error: Error) => void; sentAt: number };

type Slot = {
  worker: Worker;
  /** Quotes posted and not answered, oldest first (a Map keeps insertion order). */
  pending: Map<number, Pending>;
  /** The book version this worker was last sent. */
  holds: OpenBook | undefined;
  ready: boolean;
  /** When the worker last showed progress (ready, or a quote answered): the head quote runs since then at the latest. */
  progressAt: number;
  /** Why the pool ended this worker, for the answer to the quotes it held. */
  ending: string | undefined;
};

const DEFAULT_WORKER = new URL("./quote-worker.ts", import.meta.url);
/** A worker that dies before it is ready (a broken build) is replaced after this, not in a tight loop. */
const RESPAWN_DELAY_MS = 1_000;

export class QuotePool implements QuoteService {
  readonly #options: QuotePoolOptions;
  readonly #timeoutMs: number;
  readonly #slots: (Slot | undefined)[];
  readonly #watch: NodeJS.Timeout;
  #nextId = 0;
  #turn = 0;
  #closed = false;
  /** The last book serialised, so each version is serialised once for all workers. */
  #serialized: { book: OpenBook; bytes: Uint8Array } | undefined;

  constructor(options: QuotePoolOptions) {
    if (!(Number.isInteger(options.size) && options.size >= 1))
      throw new RangeError(`a quote pool needs at least one worker, got ${options.size}`);
    this.#options = options;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#slots = Array.from({ length: options.size }, () => this.#spawn());
    this.#watch = setInterval(() => this.#expire(), Math.max(10, Math.min(1_000, this.#timeoutMs / 4)));
    this.#watch.unref();
  }

  quote(request: QuoteRequest, book: OpenBook, now: number): Promise<QuotedAnswer> {
    if (this.#closed) return Promise.reject(unavailable("the quote service is shutting down"));
    const slot = this.#leastBusy();
    if (slot === undefined) return Promise.reject(unavailable("no quote worker is running; one is being restarted"));
    if (slot.holds !== book) {
      slot.worker.postMessage({ kind: "book", bytes: this.#bytesOf(book) } satisfies ToQuoteWorker);
      slot.holds = book;
    }
    const id = this.#nextId++;
    slot.worker.postMessage({ kind: "quote", id, request, now } satisfies ToQuoteWorker);
    // A worker keeps the process alive only while it holds quotes: an idle pool never blocks an exit.
    if (slot.pending.size === 0) slot.worker.ref();
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { resolve, reject, sentAt: performance.now() });
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#watch);
    const ending: Promise<number>[] = [];
    for (const slot of this.#slots) {
      if (slot === undefined) continue;
      slot.ending = "the quote service is shutting down";
      ending.push(slot.worker.terminate());
    }
    await Promise.all(ending);
  }

  /** The live worker with the fewest quotes in hand, taking turns among equals. */
  #leastBusy(): Slot | undefined {
    let best: Slot | undefined;
    const n = this.#slots.length;
    for (let k = 0; k < n; k++) {
      const slot = this.#slots[(this.#turn + k) % n];
      if (
        slot !== undefined &&
        slot.ending === undefined &&
        (best === undefined || slot.pending.size < best.pending.size)
      )
        best = slot;
    }
    this.#turn = (this.#turn + 1) % n;
    return best;
  }

  #bytesOf(book: OpenBook): Uint8Array {
    if (this.#serialized?.book !== book) this.#serialized = { book, bytes: serialize(book) };
    return this.#serialized.bytes;
  }

  #spawn(): Slot {
    const worker = new Worker(this.#options.worker ?? DEFAULT_WORKER, {
      workerData: {
        settings: { platformFeeBps: this.#options.platformFeeBps, pricing: this.#options.pricing },
      } satisfies QuoteWorkerData,
    });
    worker.unref();
    const slot: Slot = {
      worker,
      pending: new Map(),
      holds: undefined,
      ready: false,
      progressAt: performance.now(),
      ending: undefined,
    };
    worker.on("message", (message: FromQuoteWorker) => {
      slot.progressAt = performance.now();
      if (message.kind === "ready") {
        slot.ready = true;
        return;
      }
      const pending = slot.pending.get(message.id);
      if (pending === undefined) return;
      slot.pending.delete(message.id);
      if (slot.pending.size === 0) worker.unref();
      if (message.kind === "answer") pending.resolve(message.answer);
      else {
        // The same failure as quoteBid throwing on the serving thread: a bug, answered 500 and logged.
        const error = new Error(`quote failed in a worker: ${message.message}`);
        if (message.stack !== undefined) error.stack = message.stack;
        pending.reject(error);
      }
    });
    worker.on("error", (err) => {
      slot.ending ??= "its worker failed";
      this.#options.logger?.error({ err }, "quote worker failed");
    });
    worker.on("exit", (code) => this.#replace(slot, code));
    return slot;
  }

  /** Answers what a worker that ended held and puts a new worker in its place. */
  #replace(slot: Slot, code: number): void {
    const why = slot.ending ?? `its worker exited with code ${code}`;
    for (const pending of slot.pending.values())
      pending.reject(unavailable(`the quote service is unavailable (${why}); retry`));
    slot.pending.clear();
    if (this.#closed) return;
    this.#options.logger?.error({ code, reason: why }, "quote worker ended; starting another");
    const index = this.#slots.indexOf(slot);
    if (slot.ready) {
      this.#slots[index] = this.#spawn();
      return;
    }
    this.#slots[index] = undefined;
    setTimeout(() => {
      if (!this.#closed) this.#slots[index] = this.#spawn();
    }, RESPAWN_DELAY_MS).unref();
  }

  /**
   * Ends each worker whose current quote has run past the timeout; its exit replaces it. A worker takes
   * its quotes in order, so the current one is the oldest pending, running since it was sent or since
   * the worker's last answer, whichever came later: waiting in the queue behind other quotes or for a
   * starting worker does not count.
   */
  #expire(): void {
    const now = performance.now();
    for (const slot of this.#slots) {
      if (slot === undefined || slot.ending !== undefined || !slot.ready) continue;
      const oldest = slot.pending.values().next().value;
      if (oldest !== undefined && now - Math.max(oldest.sentAt, slot.progressAt) > this.#timeoutMs) {
        slot.ending = `a quote ran longer than ${this.#timeoutMs} ms`;
        void slot.worker.terminate();
      }
    }
  }
}

/**
 * The quote service a server runs with `workers` threads (backend/config.ts QUOTE_WORKERS): 0 quotes on
 * the serving thread.
 */
export function quoteService(options: QuoteSettings & { workers: number; logger?: Logger }): QuoteService {
  return options.workers === 0 ? inlineQuotes(options) : new QuotePool({ ...options, size: options.workers });
}

function unavailable(detail: string): HttpProblem {
  return new HttpProblem("unavailable", detail, { headers: { "Retry-After": "1" } });
}

/**
 * A worker's side: holds the last book it was sent and answers each quote against it. The entry
 * module (quote-worker.ts) wires it to the port; `answer` is replaceable for tests.
 */
export function quoteHandler(
  settings: QuoteSettings,
  answer: (request: QuoteRequest, book: OpenBook, now: number, settings: QuoteSettings) => QuotedAnswer,
  deserialize: (bytes: Uint8Array) => OpenBook,
): (message: ToQuoteWorker) => FromQuoteWorker | undefined {
  let book: OpenBook | undefined;
  return (message) => {
    if (message.kind === "book") {
      book = deserialize(message.bytes);
      return undefined;
    }
    try {
      if (book === undefined) throw new Error("no book was posted before the quote");
      return { kind: "answer", id: message.id, answer: answer(message.request, book, message.now, settings) };
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      return { kind: "failed", id: message.id, message: error.message, stack: error.stack };
    }
  };
}
