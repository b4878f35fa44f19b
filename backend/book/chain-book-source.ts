// The open book read straight from the market's events, for when no indexer runs. Events older than
// `confirmations` blocks are folded once and kept; the newer tail is folded onto a copy on every
// read, so a re-org within the confirmation depth never corrupts the kept state.
import type { Address, PublicClient } from "viem";
import { applyBookLog, bookOf, cloneBookState, emptyBookState } from "../chain/book-state.ts";
import { getBookLogs } from "../chain/get-book-logs.ts";
import { NO_RETRY, type RetryPolicy, withRetry } from "../chain/retry.ts";
import { admitBook, RefusalLog, type RefusalLogger } from "./admit.ts";
import type { BlockBook, MatcherBookSource } from "./book-source.ts";

export type ChainBookSourceParameters = {
  client: PublicClient;
  market: Address;
  /** The market's deployment block: no order exists before it. */
  startBlock: bigint;
  /** Blocks below the head after which events are taken as final (0 on a local dev chain). */
  confirmations?: bigint;
  maxBlockRange?: bigint;
  retry?: RetryPolicy;
  /** Where orders the exchange does not trade (admit.ts) are reported, once each. */
  logger?: RefusalLogger;
};

export class ChainBookSource implements MatcherBookSource {
  readonly #p: Required<Omit<ChainBookSourceParameters, "retry" | "logger">> & { retry: RetryPolicy | undefined };
  readonly #refusals: RefusalLog;
  #confirmed = emptyBookState();
  #confirmedTo: bigint;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(parameters: ChainBookSourceParameters) {
    this.#p = { confirmations: 0n, maxBlockRange: 2_000n, retry: undefined, ...parameters };
    this.#confirmedTo = parameters.startBlock - 1n;
    this.#refusals = new RefusalLog(parameters.logger);
  }

  /**
   * The book at the current head (block time as `asOf`), without the orders the exchange does not
   * trade (admit.ts). Concurrent calls are served one after the other.
   */
  openBook(): Promise<BlockBook> {
    const next = this.#queue.then(() => this.#read());
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #read(): Promise<BlockBook> {
    const { client, market, confirmations, maxBlockRange } = this.#p;
    const retry = this.#p.retry ?? NO_RETRY;
    const head = await withRetry(() => client.getBlock({ blockTag: "latest" }), { ...retry, label: "read head block" });
    const logs = (fromBlock: bigint, toBlock: bigint) =>
      getBookLogs(client, { market, fromBlock, toBlock, maxBlockRange, retry: this.#p.retry });

    const safe = head.number - confirmations;
    if (safe > this.#confirmedTo) {
      // Fold into a copy first: a failure half-way must not leave the kept state half-applied.
      const folded = cloneBookState(this.#confirmed);
      for (const log of await logs(this.#confirmedTo + 1n, safe)) applyBookLog(folded, log);
      this.#confirmed = folded;
      this.#confirmedTo = safe;
    }
    let state = this.#confirmed;
    if (head.number > this.#confirmedTo) {
      state = cloneBookState(this.#confirmed);
      for (const log of await logs(this.#confirmedTo + 1n, head.number)) applyBookLog(state, log);
    }
    const { book, refused } = admitBook(bookOf(state));
    this.#refusals.report(refused);
    return { asOf: Number(head.timestamp), blockNumber: head.number, ...book };
  }
}
