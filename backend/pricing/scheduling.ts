// Stage 1 glue (docs/pricing.md, "Scheduling in hours"): the open book and matches in the contract's
// shapes (protocol/book.ts, protocol/orders.ts) to and from the scheduler's (schedule/types.ts), so
// the matcher and the API clear, check and price one book in one vocabulary. The shapes agree field
// for field except where the scheduler counts differently: a bid's filled VCU (the contract keeps the
// remaining), a link's Mbps as bigint, and a match's VCU as a number.
import type { OrderBook } from "../../protocol/book.ts";
import type { Match } from "../../protocol/orders.ts";
import { mapPacked } from "./packed.ts";
import { checkSchedule } from "./schedule/check.ts";
import { scheduleFast } from "./schedule/fast.ts";
import { type ScheduleHours, scheduleOneBid } from "./schedule/one-bid.ts";
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

// Books are replaced, never mutated (backend/book/book-source.ts): each is converted once, and its
// link list once too, since a quote's book is new for each quote but shares the version's lists. A
// book of one bid (a quote's, made for one clearing) is converted without being kept: its entry
// would only wait in the weak map for a collection to clear it.
const timedBooks = new WeakMap<OrderBook, TimedBook>();
const timedLinks = new WeakMap<OrderBook["bandwidthOffers"], TimedBook["bandwidthOffers"]>();

/** The scheduler's view of a book. */
export function toTimedBook(book: OrderBook): TimedBook {
  let timed = timedBooks.get(book);
  if (timed !== undefined) return timed;
  let bandwidthOffers = timedLinks.get(book.bandwidthOffers);
  if (bandwidthOffers === undefined) {
    bandwidthOffers = book.bandwidthOffers.map((l) => ({
      ...l,
      mbps: BigInt(l.mbps),
      usedMbps: new Map([...(l.usedMbps ?? [])].map(([hour, mbps]) => [hour, BigInt(mbps)])),
    }));
    timedLinks.set(book.bandwidthOffers, bandwidthOffers);
  }
  timed = {
    bids: mapPacked(book.bids, (b) => ({ ...b, filledVcu: b.vcu - b.remainingVcu })),
    computeOffers: book.computeOffers,
    energyOffers: book.energyOffers,
    bandwidthOffers,
  };
  if (book.bids.length > 1) timedBooks.set(book, timed);
  return timed;
}

export function fromScheduledMatch(m: ScheduledMatch): Match {
  return { ...m, vcu: BigInt(m.vcu), energyLots: mapPacked(m.energyLots, (l) => ({ ...l })) };
}

export function toScheduledMatch(m: Match): ScheduledMatch {
  // A VCU count beyond a uint32 can never settle; NaN-free, it fails the checker as ZeroQuantity.
  const vcu = m.vcu > 0xffff_ffffn ? -1 : Number(m.vcu);
  return { ...m, vcu, energyLots: mapPacked(m.energyLots, (l) => ({ ...l })) };
}

/**
 * Stage 1: the fast scheduler picks each bid's start hour, compute offer(s), hourly energy lots and
 * link, priced at the orders' reserves.
 *
 * @example
 * const { matches } = clearBook(book, { now: book.asOf + 30, platformFeeBps: 30 });
 */
export function clearBook(book: OrderBook, rules: MarketRules): ClearingResult {
  // A job cannot run in the past and the market skips a start already past (StartPassed, docs/pricing.md,
  // "Stage 1"): an unstarted job starts at the next hour at the earliest, and a job already running
  // takes no more VCU.
  const timed = toTimedBook(book);
  const next = Math.ceil(rules.now / HOUR) * HOUR;
  const bids = timed.bids.some(
    (b) => (b.start === 0 && b.earliestStart < next) || (b.start !== 0 && b.start < rules.now),
  )
    ? mapPacked(
        timed.bids.filter((b) => b.start === 0 || b.start >= rules.now),
        (b) => (b.start === 0 && b.earliestStart < next ? { ...b, earliestStart: next } : b),
      )
    : timed.bids;
  const live = { ...timed, bids };
  const hours = bidHours(live, rules.now);
  // A quote's book holds its one bid: the one-bid scheduler gives scheduleFast's answer without laying
  // out the rest of the book (schedule/one-bid.ts).
  const result =
    bids.length === 1
      ? scheduleOneBid(live, rules, hours)
      : scheduleFast(hours === undefined ? live : cutToHours(live, hours), rules);
  return {
    matches: mapPacked(result.matches, fromScheduledMatch),
    welfare: result.welfare,
    elapsedMs: result.elapsedMs,
  };
}

/**
 * The hours some live bid could run in (undefined: no live bid). Offers' windows outside them can
 * serve no match (a job's hours lie inside its bid's window and its offers'), so cutting the book to
 * them loses no feasible match, and the scheduler no longer lays out every hour of week-long offers
 * for a quote of a few hours. Energy offers stay whole: the scheduler lays out certificate Wh only in
 * the hours the cut windows span, from an index built once per energy-offer list
 * (schedule/energy-hours.ts), which a cut copy would rebuild. (Its estimates, such as the mean
 * certificate price, count only those hours; test/backend/pricing/scheduling.test.ts compares the
 * welfare with the uncut book's.)
 */
export function bidHours(book: TimedBook, now: number): ScheduleHours | undefined {
  let from = Number.POSITIVE_INFINITY;
  let to = Number.NEGATIVE_INFINITY;
  for (const b of book.bids) {
    if (b.expiry <= now || b.vcu - b.filledVcu <= 0) continue;
    from = Math.min(from, b.start !== 0 ? b.start : b.earliestStart);
    to = Math.max(to, b.start !== 0 ? b.start + b.durationHours * HOUR : b.latestEnd);
  }
  return from < to ? { from, to } : undefined;
}

/** The book with its compute offers and links cut to `hours`: those outside dropped, windows clamped. */
export function cutToHours(book: TimedBook, { from, to }: ScheduleHours): TimedBook {
  const clip = <T extends { windowStart: number; windowEnd: number }>(offers: readonly T[]): T[] =>
    offers
      .filter((o) => o.windowStart < to && o.windowEnd > from)
      .map((o) =>
        o.windowStart >= from && o.windowEnd <= to
          ? o
          : { ...o, windowStart: Math.max(o.windowStart, from), windowEnd: Math.min(o.windowEnd, to) },
      );
  return {
    ...book,
    computeOffers: clip(book.computeOffers),
    bandwidthOffers: clip(book.bandwidthOffers),
  };
}

/**
 * Every check `settle` makes, in its order, against the book as the batch consumes it: a match the
 * contract would skip is named with its reason, and only it is dropped.
 */
export function checkBatch(book: OrderBook, matches: readonly Match[], rules: MarketRules): BatchCheck {
  return checkSchedule(toTimedBook(book), mapPacked(matches, toScheduledMatch), rules);
}
