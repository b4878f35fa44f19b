// Stage 1 glue (docs/pricing.md, "Scheduling in hours"): the open book and matches in the contract's
// shapes (protocol/book.ts, protocol/orders.ts) to and from the scheduler's (schedule/types.ts), so
// the matcher and the API clear, check and price one book in one vocabulary. The shapes agree field
// for field except where the scheduler counts differently: a bid's filled VCU (the contract keeps the
// remaining), a link's Mbps as bigint, and a match's VCU as a number.
import type { OrderBook } from "../../protocol/book.ts";
import type { Match } from "../../protocol/orders.ts";
import { checkSchedule } from "./schedule/check.ts";
import { scheduleFast } from "./schedule/fast.ts";
import {
  HOUR,
  type ScheduledMatch,
  type ScheduleRules,
  type ScheduleViolation,
  type TimedBook,
} from "./schedule/types.ts";

/** What the contract applies to every match besides the orders themselves. */
export type MarketRules = ScheduleRules;

/** Why `settle` would skip a match (protocol/orders.ts SkipReason, less "None"). */
export type MatchViolation = ScheduleViolation;

export type ClearingResult = {
  /** Reserve-priced bundles with their start hours and hourly lots; stage 2 replaces the payments. */
  matches: Match[];
  /** Σ limit × vcu × durationHours − every supplier's reserve cost, in base units. */
  welfare: number;
  elapsedMs: number;
};

export type BatchCheck = {
  /** One entry per match: undefined when it settles, else why the contract skips it. */
  violations: (MatchViolation | undefined)[];
  welfare: number;
};

// Books are replaced, never mutated (backend/book/book-source.ts): each is converted once.
const timedBooks = new WeakMap<OrderBook, TimedBook>();

/** The scheduler's view of a book. */
export function toTimedBook(book: OrderBook): TimedBook {
  let timed = timedBooks.get(book);
  if (timed !== undefined) return timed;
  timed = {
    bids: book.bids.map((b) => ({ ...b, filledVcu: b.vcu - b.remainingVcu })),
    computeOffers: book.computeOffers,
    energyOffers: book.energyOffers,
    bandwidthOffers: book.bandwidthOffers.map((l) => ({
      ...l,
      mbps: BigInt(l.mbps),
      usedMbps: new Map([...(l.usedMbps ?? [])].map(([hour, mbps]) => [hour, BigInt(mbps)])),
    })),
  };
  timedBooks.set(book, timed);
  return timed;
}

export function fromScheduledMatch(m: ScheduledMatch): Match {
  return { ...m, vcu: BigInt(m.vcu), energyLots: m.energyLots.map((l) => ({ ...l })) };
}

export function toScheduledMatch(m: Match): ScheduledMatch {
  // A VCU count beyond a uint32 can never settle; NaN-free, it fails the checker as ZeroQuantity.
  const vcu = m.vcu > 0xffff_ffffn ? -1 : Number(m.vcu);
  return { ...m, vcu, energyLots: m.energyLots.map((l) => ({ ...l })) };
}

/**
 * Stage 1: the fast scheduler picks each bid's start hour, compute offer(s), hourly energy lots and
 * link, priced at the orders' reserves.
 *
 * @example
 * const { matches } = clearBook(book, { now: book.asOf + 30, platformFeeBps: 30 });
 */
export function clearBook(book: OrderBook, rules: MarketRules): ClearingResult {
  // The market accepts any start inside the bid's window, even one already past (docs/pricing.md,
  // "Stage 1"); a job cannot run in the past, so an unstarted job starts at the next hour at the earliest.
  const timed = toTimedBook(book);
  const next = Math.ceil(rules.now / HOUR) * HOUR;
  const bids = timed.bids.some((b) => b.start === 0 && b.earliestStart < next)
    ? timed.bids.map((b) => (b.start === 0 && b.earliestStart < next ? { ...b, earliestStart: next } : b))
    : timed.bids;
  const result = scheduleFast({ ...timed, bids }, rules);
  return { matches: result.matches.map(fromScheduledMatch), welfare: result.welfare, elapsedMs: result.elapsedMs };
}

/**
 * Every check `settle` makes, in its order, against the book as the batch consumes it: a match the
 * contract would skip is named with its reason, and only it is dropped.
 */
export function checkBatch(book: OrderBook, matches: readonly Match[], rules: MarketRules): BatchCheck {
  return checkSchedule(toTimedBook(book), matches.map(toScheduledMatch), rules);
}
