// Quotes arrive far more often than blocks: reading the book from the chain for each one would put
// the node under the API's load. This wrapper keeps the last book for a short time and lets all
// concurrent readers share one refresh.
import type { BookSource, OpenBook } from "./book-source.ts";

export class CachedBookSource implements BookSource {
  readonly #source: BookSource;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  #book: OpenBook | undefined;
  #readAt = 0;
  #refreshing: Promise<OpenBook> | undefined;

  /** `now` (ms) is injectable so tests can move time. */
  constructor(source: BookSource, options: { maxAgeMs: number; now?: () => number }) {
    this.#source = source;
    this.#maxAgeMs = options.maxAgeMs;
    this.#now = options.now ?? Date.now;
  }

  openBook(): Promise<OpenBook> {
    if (this.#book !== undefined && this.#now() - this.#readAt < this.#maxAgeMs) return Promise.resolve(this.#book);
    this.#refreshing ??= this.#source.openBook().then(
      (book) => {
        this.#book = book;
        this.#readAt = this.#now();
        this.#refreshing = undefined;
        return book;
      },
      (err: unknown) => {
        // A failed read is not cached: the next caller tries again.
        this.#refreshing = undefined;
        throw err;
      },
    );
    return this.#refreshing;
  }
}
