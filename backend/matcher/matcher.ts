// The matcher's loop: read the open book, clear and price it, keep what the market would accept,
// submit it, and record what the market made of it. One round at a time, on an interval and as soon
// as new orders arrive. Nothing a node or the market does makes it stop: failures end the round and
// the next one comes after a backoff.

import type { Logger } from "pino";
import type { Address, LocalAccount, PublicClient } from "viem";

import { marketAbi } from "../../protocol/generated/abis.ts";
import type { Match, SkipReason } from "../../protocol/orders.ts";
import type { MatcherBookSource } from "../book/book-source.ts";
import { broadcastTransaction } from "../chain/broadcast-transaction.ts";
import { type ChainError, ContractRevertError, errorFields, toChainError } from "../chain/errors.ts";
import { getSettlement } from "../chain/get-settlement.ts";
import { abortableSleep, backoffDelay, NO_RETRY, type RetryPolicy, withRetry } from "../chain/retry.ts";
import { signSettle } from "../chain/sign-settle.ts";
import { type SimulationMethod, simulateSettle } from "../chain/simulate-settle.ts";
import { type Settlement, waitForSettlement } from "../chain/wait-for-settlement.ts";
import { checkBatch } from "../pricing/index.ts";
import type { ProposalStore, ProposedMatch } from "../proposals/proposal-store.ts";
import { matchKeyer } from "./match-key.ts";
import type { PriceBatch } from "./price-batch.ts";
import type { MatchOutcome, Submission, SubmissionStore } from "./submission-store.ts";
import { toSettleMatch } from "./to-settle-match.ts";

export type MatcherParameters = {
  publicClient: PublicClient;
  /** Holds MATCHER_ROLE on the market. */
  account: LocalAccount;
  market: Address;
  book: MatcherBookSource;
  price: PriceBatch;
  store: SubmissionStore;
  proposals: ProposalStore;
  logger: Logger;
  /** Time between rounds when nothing triggers one earlier, ms. */
  intervalMs?: number;
  /** Most matches per settle transaction (gas grows with each). */
  maxBatch?: number;
  /**
   * Orders expiring within this many seconds of the book's block time are left alone: the
   * settlement lands in a later block, and an order that expired by then would only be skipped.
   */
  expiryMarginSeconds?: number;
  simulation?: SimulationMethod | "auto";
  /** How each RPC operation retries before the round gives up. */
  retry?: RetryPolicy;
  /** Longest wait for a settlement's receipt before leaving it pending for the next round, ms. */
  receiptTimeoutMs?: number;
  /** Backoff between failed rounds. */
  failureBackoff?: { baseDelayMs: number; maxDelayMs: number };
};

export type DroppedMatch = {
  key: string;
  match: Match;
  why: "already-submitted" | "unpriced" | "invalid" | "would-skip" | "would-revert";
  reason?: string;
};

export type RoundReport =
  | { status: "idle"; dropped: DroppedMatch[] }
  /** A submission from an earlier round is still unmined; nothing new was sent. */
  | { status: "pending"; txHash: `0x${string}` }
  /** The book source has not caught up with the last mined settlement yet. */
  | { status: "behind"; bookBlock: bigint; settledBlock: bigint }
  | {
      status: "settled";
      txHash: `0x${string}`;
      settlement: Settlement;
      submitted: ProposedMatch[];
      dropped: DroppedMatch[];
    }
  | { status: "failed"; error: ChainError };

export class Matcher {
  readonly #p: Required<Omit<MatcherParameters, "retry">> & { retry: RetryPolicy };
  #simulation: SimulationMethod | "auto";
  #failures = 0;
  #rounds = 0;
  #running: Promise<void> | undefined;
  #stop = new AbortController();
  #wake = new AbortController();
  #queue: Promise<unknown> = Promise.resolve();

  constructor(parameters: MatcherParameters) {
    this.#p = {
      intervalMs: 15_000,
      maxBatch: 50,
      expiryMarginSeconds: 30,
      simulation: "auto",
      retry: NO_RETRY,
      receiptTimeoutMs: 120_000,
      failureBackoff: { baseDelayMs: 1_000, maxDelayMs: 60_000 },
      ...parameters,
    };
    this.#simulation = this.#p.simulation;
  }

  /**
   * Runs one round, after any round still running; never throws (a failure is reported as
   * `status: "failed"` and logged).
   */
  runRound(): Promise<RoundReport> {
    const next = this.#queue.then(() => this.#guardedRound());
    this.#queue = next;
    return next;
  }

  async #guardedRound(): Promise<RoundReport> {
    const log = this.#p.logger.child({ round: ++this.#rounds });
    try {
      const report = await this.#round(log);
      this.#failures = 0;
      return report;
    } catch (err) {
      const error = toChainError(err, "matcher round");
      this.#failures++;
      log.error({ err: errorFields(error), retryable: error.retryable, failures: this.#failures }, "round failed");
      return { status: "failed", error };
    }
  }

  /** Starts the loop and returns at once. */
  start(): void {
    if (this.#running !== undefined) return;
    this.#stop = new AbortController();
    this.#running = this.#loop();
  }

  /** Asks for a round as soon as the current one (if any) ends. */
  trigger(): void {
    this.#wake.abort();
  }

  /** Ends the loop after the round in progress, if any. */
  async stop(): Promise<void> {
    this.#stop.abort();
    this.#wake.abort();
    await this.#running;
    this.#running = undefined;
  }

  async #loop(): Promise<void> {
    while (!this.#stop.signal.aborted) {
      this.#wake = new AbortController();
      await this.runRound();
      if (this.#stop.signal.aborted) break;
      const delay =
        this.#failures === 0
          ? this.#p.intervalMs
          : Math.max(this.#p.failureBackoff.baseDelayMs, backoffDelay(this.#failures - 1, this.#p.failureBackoff));
      // A trigger during a failure backoff does not cut it short: the node needs the rest.
      const signal = this.#failures === 0 ? AbortSignal.any([this.#stop.signal, this.#wake.signal]) : this.#stop.signal;
      await abortableSleep(delay, signal).catch(() => undefined);
    }
  }

  async #round(log: Logger): Promise<RoundReport> {
    const { publicClient, market, account, store, retry } = this.#p;

    const pending = await this.#resolvePending(log);
    if (pending !== undefined) return { status: "pending", txHash: pending.txHash };

    const book = await this.#p.book.openBook();
    const settledBlock = store
      .all()
      .reduce((max, s) => (s.blockNumber !== undefined && s.blockNumber > max ? s.blockNumber : max), 0n);
    if (book.blockNumber < settledBlock) {
      log.info({ bookBlock: book.blockNumber, settledBlock }, "book source is behind the last settlement; waiting");
      return { status: "behind", bookBlock: book.blockNumber, settledBlock };
    }

    const feeBps = await withRetry(
      () => publicClient.readContract({ address: market, abi: marketAbi, functionName: "feeBps" }),
      {
        ...retry,
        label: "read fee",
      },
    );
    const rules = { now: book.asOf + this.#p.expiryMarginSeconds, platformFeeBps: Number(feeBps) };
    const { proposed: priced, unpriced } = this.#p.price(book, rules);
    const keyOf = matchKeyer(book);
    const dropped: DroppedMatch[] = [];
    const drop = (d: DroppedMatch) => {
      dropped.push(d);
      const fields = { key: d.key, why: d.why, reason: d.reason };
      if (d.why === "already-submitted") log.debug(fields, "match held back");
      else log.warn(fields, "match dropped");
    };

    // A match pricing refused takes only itself out of the round.
    for (const u of unpriced) drop({ key: keyOf(u.match), match: u.match, why: "unpriced", reason: u.reason });
    // Local checks first: they cost nothing and name the problem exactly.
    let candidates: { proposed: ProposedMatch; key: string; match: Match }[] = [];
    for (const proposed of priced) {
      const key = keyOf(proposed.match);
      if (store.has(key)) {
        drop({ key, match: proposed.match, why: "already-submitted" });
        continue;
      }
      try {
        candidates.push({ proposed, key, match: toSettleMatch(proposed.match) });
      } catch (err) {
        drop({ key, match: proposed.match, why: "invalid", reason: (err as Error).message });
      }
    }
    const check = checkBatch(
      book,
      candidates.map((c) => c.match),
      rules,
    );
    candidates = candidates.filter((c, i) => {
      const violation = check.violations[i];
      if (violation !== undefined) drop({ key: c.key, match: c.match, why: "invalid", reason: violation });
      return violation === undefined;
    });
    candidates = candidates.slice(0, this.#p.maxBatch);
    if (candidates.length === 0) {
      log.info({ bookBlock: book.blockNumber, priced: priced.length, dropped: dropped.length }, "nothing to settle");
      return { status: "idle", dropped };
    }

    const simulation = await simulateSettle(publicClient, {
      market,
      from: account.address,
      matches: candidates.map((c) => c.match),
      method: this.#simulation,
      retry,
    });
    if (this.#simulation === "auto") {
      this.#simulation = simulation.method;
      log.info({ method: simulation.method }, "simulation method chosen");
    }
    const settling = candidates.filter((c, i) => {
      const outcome = simulation.matches[i];
      if (outcome.outcome === "skipped")
        drop({ key: c.key, match: c.match, why: "would-skip", reason: outcome.reason ?? "unknown" });
      if (outcome.outcome === "reverts")
        drop({ key: c.key, match: c.match, why: "would-revert", reason: outcome.errorName ?? "unknown" });
      return outcome.outcome === "opens";
    });
    if (settling.length === 0) {
      log.info({ dropped: dropped.length }, "nothing left to settle after simulation");
      return { status: "idle", dropped };
    }

    const batchId = await this.#publish(
      log,
      book.asOf,
      settling.map((c) => ({ ...c.proposed, match: c.match })),
    );

    const signed = await signSettle(publicClient, { market, account, matches: settling.map((c) => c.match), retry });
    // On disk before it is sent: after a crash the matcher finds this record instead of sending anew.
    await store.add({ ...signed, matchKeys: settling.map((c) => c.key) });
    log.info({ txHash: signed.txHash, nonce: signed.nonce, matches: settling.length, batchId }, "settle submitted");
    await broadcastTransaction(publicClient, { rawTransaction: signed.rawTransaction, retry });

    const settlement = await this.#await(log, store.pending().find((s) => s.txHash === signed.txHash)!);
    if (settlement === undefined) return { status: "pending", txHash: signed.txHash };
    if (settlement.status === "reverted") {
      // Recorded already (its matches are free again); failing the round backs the next one off.
      throw new ContractRevertError("settle reverted on chain", { details: signed.txHash });
    }
    return {
      status: "settled",
      txHash: signed.txHash,
      settlement,
      submitted: settling.map((c) => c.proposed),
      dropped,
    };
  }

  /** Publishes the batch about to be sent; a store that fails is logged, never a reason not to settle. */
  async #publish(log: Logger, clearedAt: number, matches: ProposedMatch[]): Promise<bigint | undefined> {
    try {
      const latest = await this.#p.proposals.latest();
      const id = latest === undefined ? 1n : latest.id + 1n;
      await this.#p.proposals.publish({ id, clearedAt, matches });
      return id;
    } catch (err) {
      log.warn({ err: { message: (err as Error).message } }, "could not publish the proposals");
      return undefined;
    }
  }

  /**
   * Settles the books on submissions an earlier round (or process) left pending. Returns the one
   * still pending, if any: no new transaction goes out while one may still land.
   */
  async #resolvePending(log: Logger): Promise<Submission | undefined> {
    const { publicClient, market, account, store, retry } = this.#p;
    for (const submission of store.pending()) {
      const count = submission.matchKeys.length;
      const found = await getSettlement(publicClient, { txHash: submission.txHash, market, count, retry });
      if (found !== undefined) {
        await this.#record(log, submission, found);
        continue;
      }
      const nonce = await withRetry(
        () => publicClient.getTransactionCount({ address: account.address, blockTag: "latest" }),
        {
          ...retry,
          label: "read matcher nonce",
        },
      );
      if (nonce > submission.nonce) {
        // The nonce is spent; look once more in case our transaction was mined between the two reads.
        const late = await getSettlement(publicClient, { txHash: submission.txHash, market, count, retry });
        if (late !== undefined) {
          await this.#record(log, submission, late);
          continue;
        }
        await store.finish(submission.txHash, { status: "dropped" });
        log.warn(
          { txHash: submission.txHash, nonce: submission.nonce },
          "submission dropped: its nonce went to another transaction",
        );
        continue;
      }
      log.info({ txHash: submission.txHash, nonce: submission.nonce }, "re-sending a pending submission");
      await broadcastTransaction(publicClient, { rawTransaction: submission.rawTransaction, retry });
      if ((await this.#await(log, submission)) === undefined) return submission;
    }
    return undefined;
  }

  /** Waits for a submission's receipt and records it; undefined when it is still not mined. */
  async #await(log: Logger, submission: Submission): Promise<Settlement | undefined> {
    const { publicClient, market, retry, receiptTimeoutMs } = this.#p;
    let settlement: Settlement;
    try {
      settlement = await waitForSettlement(publicClient, {
        txHash: submission.txHash,
        market,
        count: submission.matchKeys.length,
        timeoutMs: receiptTimeoutMs,
        retry,
      });
    } catch (err) {
      const error = toChainError(err, "wait for settle");
      if (!error.retryable) throw error;
      log.warn({ txHash: submission.txHash, err: errorFields(error) }, "settlement not mined yet; leaving it pending");
      return undefined;
    }
    await this.#record(log, submission, settlement);
    return settlement;
  }

  async #record(log: Logger, submission: Submission, settlement: Settlement): Promise<void> {
    const { txHash } = submission;
    if (settlement.status === "reverted") {
      await this.#p.store.finish(txHash, { status: "reverted", blockNumber: settlement.blockNumber });
      log.error(
        { txHash, blockNumber: settlement.blockNumber },
        "settle reverted; its matches are free to be cleared again",
      );
      return;
    }
    const outcomes: MatchOutcome[] = settlement.matches.map((m, i) => {
      const key = submission.matchKeys[i];
      if (m.outcome === "opened") {
        log.info({ txHash, key, dealId: m.dealId }, "deal opened");
        return { key, dealId: m.dealId };
      }
      log.warn({ txHash, key, reason: m.reason }, `match skipped by the market: ${m.reason}`);
      return { key, skipReason: m.reason satisfies SkipReason };
    });
    await this.#p.store.finish(txHash, { status: "mined", blockNumber: settlement.blockNumber, outcomes });
    const opened = outcomes.filter((o) => o.dealId !== undefined).length;
    log.info(
      { txHash, blockNumber: settlement.blockNumber, opened, skipped: outcomes.length - opened },
      "settlement recorded",
    );
  }
}
