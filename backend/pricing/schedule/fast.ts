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
import { cheapestLinkPrice, prepareSchedule, REGION_SLOTS, routeKey } from "./prepare.ts";
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
  const pairC: number[] = [];
  const pairP: number[] = [];
  const pairIndex: number[] = [];
  const linkFloor = new Float64Array(REGION_SLOTS); // per compute region, for the bid at hand (−1: no link)
  bids.forEach((bid, b) => {
    const order = bid.order;
    pairC.length = 0;
    pairP.length = 0;
    linkFloor.fill(Number.NaN);
    for (const c of bid.candidates) {
      const compute = computes[c];
      const green = ((order.minGreenBps / 10_000) * compute.milliWhPerVcuHour) / 1000;
      let link = 0;
      if (compute.region !== order.buyerRegion) {
        let cheapest = linkFloor[compute.region];
        if (Number.isNaN(cheapest)) {
          cheapest = cheapestLinkPrice(prep, routeKey(compute.region, order.buyerRegion), order.maxLatencyMs) ?? -1;
          linkFloor[compute.region] = cheapest;
        }
        if (cheapest < 0) continue;
        link = (cheapest * bid.mbps) / bid.remaining;
      }
      const cost = compute.reserve + green * prep.meanPricePerWh + link;
      if (cost * feeFactor > bid.limit) continue;
      pairC.push(c);
      pairP.push(bid.limit - cost);
    }
    pairIndex.length = pairC.length;
    for (let i = 0; i < pairC.length; i++) pairIndex[i] = i;
    pairIndex.sort((x, y) => pairP[y] - pairP[x]);
    ranked.push(Int32Array.from(pairIndex, (i) => pairC[i]));
    profits.push(Float64Array.from(pairIndex, (i) => pairP[i]));
    density[b] = pairC.length > 0 ? pairP[pairIndex[0]] : 0;
  });
  const order = Array.from(bids.keys())
    .filter((b) => density[b] > 0)
    .sort((x, y) => density[y] - density[x]);

  // Pass 2: schedule.
  // The best TRIED_STARTS starts of the bid being scheduled, best first.
  const topStart = new Int32Array(TRIED_STARTS);
  const topScore = new Float64Array(TRIED_STARTS);
  let topCount = 0;
  const consider = (s: number, score: number) => {
    let i = topCount < TRIED_STARTS ? topCount++ : TRIED_STARTS;
    if (i === TRIED_STARTS && score <= topScore[TRIED_STARTS - 1]) return;
    if (i === TRIED_STARTS) i--;
    while (i > 0 && topScore[i - 1] < score) {
      topScore[i] = topScore[i - 1];
      topStart[i] = topStart[i - 1];
      i--;
    }
    topScore[i] = score;
    topStart[i] = s;
  };
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
    topCount = 0;
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
      consider(s, value * (1 + TIE_WEIGHT * tie));
    }
    for (let t = 0; t < topCount; t++) {
      const s = topStart[t];
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
