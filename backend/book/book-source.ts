// Where quotes read the open order book from. The API only reads; whoever follows the chain (the
// indexer's GraphQL, or the matcher replaying market events) implements this and keeps it fresh.
import type { BookBandwidthOffer, BookBid, BookComputeOffer, BookEnergyOffer } from "../../protocol/book.ts";
import { admitBook, RefusalLog, type RefusalLogger } from "./admit.ts";

/** The open book at one moment, in the contract's own shapes with their hourly usage (protocol/book.ts). */
export type OpenBook = {
  /** Unix seconds at which this view of the book was taken (block time when read from the chain). */
  asOf: number;
  bids: BookBid[];
  computeOffers: BookComputeOffer[];
  energyOffers: BookEnergyOffer[];
  bandwidthOffers: BookBandwidthOffer[];
};

export interface BookSource {
  /**
   * The current open book, holding only orders the exchange trades (admit.ts). Orders that are
   * expired or fully filled may be included; pricing skips them.
   */
  openBook(): Promise<OpenBook>;
}

/** A book together with the block it was read at, so the matcher can tell a lagging source. */
export type BlockBook = OpenBook & { blockNumber: bigint };

/** A BookSource that says which block its book reflects. */
export interface MatcherBookSource extends BookSource {
  openBook(): Promise<BlockBook>;
}

/** A book held in memory: for tests, benchmarks and the stand-alone server until the indexer exists. */
export class InMemoryBookSource implements BookSource {
  #book: OpenBook;
  readonly #refusals: RefusalLog;

  constructor(book: Partial<OpenBook> = {}, logger?: RefusalLogger) {
    this.#refusals = new RefusalLog(logger);
    this.#book = this.#admit(book);
  }

  async openBook(): Promise<OpenBook> {
    return this.#book;
  }

  /** Replaces the whole book, as a follower does after applying a block. */
  replace(book: Partial<OpenBook>): void {
    this.#book = this.#admit(book);
  }

  #admit(book: Partial<OpenBook>): OpenBook {
    const admitted = admitBook(emptyBook(book));
    this.#refusals.report(admitted.refused);
    return admitted.book;
  }
}

function emptyBook(book: Partial<OpenBook>): OpenBook {
  return {
    asOf: book.asOf ?? Math.floor(Date.now() / 1000),
    bids: book.bids ?? [],
    computeOffers: book.computeOffers ?? [],
    energyOffers: book.energyOffers ?? [],
    bandwidthOffers: book.bandwidthOffers ?? [],
  };
}
