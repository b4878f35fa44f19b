// The fast scheduler that runs the market (docs/pricing.md, "Scheduling in hours"). Passes:
//
//  1. Estimate. Each (bid, compute offer) pair earns per VCU-hour the bid's limit minus the compute
//     reserve, the minimum green Wh at the book's mean certificate price and the cheapest usable
//     link's fee spread over the job. A bid's surplus density is its best pair's.
//  2. Schedule. Bids in order of density; a flexible bid scores each start hour it may take by the
//     surplus it would get there (offers best first, each up to its least free hour of the job),
//     then by the green supply its origin pool still has in those hours and by the capacity left
//     spare, and is placed at the best start (certificates, link and all-in limit exactly, place.ts);
//     if nothing fits there it tries its next starts.
//  3. Improve. Bids left partly unserved try again once every bid has had its turn: pieces that
//     failed on certificates or links of a neighbour's choice may fit now on other offers.
//
// Every placed piece passes exact checks of hourly capacity, certificates and the all-in limit, so
// the schedule never breaks a rule of the contract; only optimality is heuristic.

import { ScheduleState } from "./place.ts";
import { type PreparedSchedule, prepareSchedule, routeKey } from "./prepare.ts";
import type { ScheduleOptions, ScheduleResult, TimedBook } from "./types.ts";

const TRIED_STARTS = 3;
/** Weight of green supply and spare capacity against surplus when ranking start hours. */
const TIE_WEIGHT = 1e-3;

/**
 * Schedules a book quickly: never breaks a rule, near-optimal welfare.
 *
 * @example
 * const result = scheduleFast(book, { now: Math.floor(Date.now() / 1000), platformFeeBps: 30 });
 * result.matches; // reserve-priced matches with their start hours and hourly energy lots
 */
export function scheduleFast(book: TimedBook, options: ScheduleOptions): ScheduleResult {
  const started = performance.now();
  const prep = prepareSchedule(book, options);
  const state = new ScheduleState(prep, book, options.platformFeeBps);
  const { bids, computes } = prep;

  // Pass 1: per-pair surplus estimates, candidates best first, bids by density.
  const profits: Float64Array[] = [];
  const ranked: Int32Array[] = [];
  const density = new Float64Array(bids.length);
  const feeFactor = 1 + options.platformFeeBps / 10_000;
  bids.forEach((bid, b) => {
    const order = bid.order;
    const pairs: { c: number; p: number }[] = [];
    for (const c of bid.candidates) {
      const compute = computes[c];
      const green = ((order.minGreenBps / 10_000) * compute.milliWhPerVcuHour) / 1000;
      let link = 0;
      if (compute.region !== order.buyerRegion) {
        const cheapest = cheapestLink(prep, routeKey(compute.region, order.buyerRegion), order.maxLatencyMs);
        if (cheapest === undefined) continue;
        link = (cheapest * bid.mbps) / bid.remaining;
      }
      const cost = compute.reserve + green * prep.meanPricePerWh + link;
      if (cost * feeFactor > bid.limit) continue;
      pairs.push({ c, p: bid.limit - cost });
    }
    pairs.sort((x, y) => y.p - x.p);
    ranked.push(Int32Array.from(pairs, (x) => x.c));
    profits.push(Float64Array.from(pairs, (x) => x.p));
    density[b] = pairs.length > 0 ? pairs[0].p : 0;
  });
  const order = Array.from(bids.keys())
    .filter((b) => density[b] > 0)
    .sort((x, y) => density[y] - density[x]);

  // Pass 2: schedule.
  const scores: { s: number; score: number }[] = [];
  for (const b of order) scheduleBid(b);
  // Pass 3: bids still short of their VCU try again at their start (or any start if unplaced).
  for (const b of order) if (state.remaining[b] > 0) scheduleBid(b);

  function scheduleBid(b: number): void {
    const bid = bids[b];
    const cands = ranked[b];
    const profit = profits[b];
    const origin = bid.order.certificateOrigin;
    const minShare = bid.order.minGreenBps / 10_000;
    const d = bid.duration;
    const fixed = state.start[b];
    const first = fixed >= 0 ? fixed : bid.firstStart;
    const last = fixed >= 0 ? fixed : bid.lastStart;
    scores.length = 0;
    for (let s = first; s <= last; s++) {
      let left = state.remaining[b];
      let value = 0;
      let spare = 0;
      let capacity = 0;
      let region = -1;
      let milliWh = 0;
      for (let i = 0; i < cands.length && left > 0; i++) {
        const c = cands[i];
        const compute = computes[c];
        if (compute.start > s || s + d > compute.end) continue;
        const free = state.freeVcu(c, s, d);
        if (free <= 0) continue;
        const q = Math.min(free, left);
        value += q * profit[i];
        left -= q;
        spare += free - q;
        capacity += compute.capacity;
        if (region < 0) {
          region = compute.region;
          milliWh = compute.milliWhPerVcuHour;
        }
      }
      if (value <= 0) continue;
      let tie = spare / capacity;
      if (minShare > 0) {
        const need = ((state.remaining[b] - left) * milliWh) / 1000;
        let green = 0;
        for (let k = 0; k < d; k++) green += Math.min(state.poolSupply(origin, region, s + k), need);
        const share = green / (need * d);
        // A start whose pool cannot cover the minimum would only be placed smaller, if at all.
        if (share < minShare) value *= share / minShare;
        tie += share;
      }
      scores.push({ s, score: value * (1 + TIE_WEIGHT * tie) });
    }
    scores.sort((x, y) => y.score - x.score || x.s - y.s);
    for (let t = 0; t < Math.min(TRIED_STARTS, scores.length); t++) {
      const s = scores[t].s;
      let placed = 0;
      for (let i = 0; i < cands.length && state.remaining[b] > 0; i++) {
        const compute = computes[cands[i]];
        if (compute.start > s || s + d > compute.end) continue;
        placed += state.place(b, cands[i], s, state.remaining[b]);
      }
      if (placed > 0 || state.start[b] >= 0) break;
    }
  }

  return {
    algorithm: "fast",
    matches: state.matches,
    welfare: state.welfare,
    status: "heuristic",
    elapsedMs: performance.now() - started,
  };
}

/** Lowest reserve price per Mbps-hour of a route's links within a latency bound. */
function cheapestLink(prep: PreparedSchedule, key: number, maxLatencyMs: number): number | undefined {
  for (const w of prep.routes.get(key) ?? [])
    if (prep.links[w].order.latencyMs <= maxLatencyMs) return prep.links[w].price;
  return undefined;
}
