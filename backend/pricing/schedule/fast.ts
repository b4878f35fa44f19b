// The fast scheduler that runs the market (docs/pricing.md, "Scheduling in hours"). Passes:
//
//  1. Estimate. Each (bid, compute offer) pair earns per VCU-hour the bid's limit minus the compute
//     reserve, the minimum green Wh at the book's mean certificate price and the cheapest usable
//     link's fee spread over the job. A bid's surplus density is its best pair's. On books of up to
//     CERTIFICATE_PRICE_BIDS bids the green Wh cost their hours' certificate prices instead
//     (certificate-prices.ts), so bids that lean on scarce green power rank by what they earn per Wh.
//  2. Schedule. Bids in order of worth (density × VCU-hours^0.7); a flexible bid scores each start
//     hour it may take by the surplus it would get there (offers best first, each up to its least
//     free hour of the job), then by the green supply its origin pool still has in those hours and by the capacity left
//     spare, and is placed at the best start (certificates, link and all-in limit exactly, place.ts:
//     certificates from plentiful region-hours first, sparing scarce ones for jobs that need them;
//     a green piece short of its hours' certificates first has the
//     pieces holding them move to other hours of their jobs or other regions of their pools);
//     if nothing fits there it tries its next starts. On books over SCARCITY_BIDS bids a bid
//     tries its offers, and buys its certificates, sparing what the bids still to come need most
//     (scarcity.ts: their asks of each compute offer-hour, certificate pool and cell), and a flexible
//     bid's start scores less what those asks make its offers cost there.
//     Bids left partly unserved try again once every bid has had its turn.
//  3. Improve (books up to SECOND_ORDER_BIDS bids): a second schedule takes bids by density, and
//     on small books both orders run again buying the cheapest certificates; the best is kept.
//  4. Re-insert dropped bids (LOCAL_SEARCH_MOVES moves on books up to LOCAL_SEARCH_BIDS bids,
//     LARGE_LOCAL_SEARCH_MOVES above): the bids holding a short bid's offers in its hours, and for a
//     green bid those holding certificates of its origin pool in those hours (found in the state's
//     holder lists), are taken out, it goes first, they follow; kept when the welfare rises, undone
//     exactly otherwise (an undo log of the pieces, no copy of the state).
//  5. Move green holders (large books that reroute): a green bid left short takes the place of
//     bids holding its pool's certificates in its hours, and they are scheduled again (a flexible
//     one at other hours); kept when the welfare rises, undone exactly otherwise (moves.ts).
//  6. Place again (the same books): each of the worthiest flexible bids served in part is taken out
//     and placed at each of its best starts in the state as it now is; the best is kept when the
//     welfare rises, the bid put back exactly otherwise (moves.ts).
//
// Every placed piece passes exact checks of hourly capacity, certificates and the all-in limit, so
// the schedule never breaks a rule of the contract; only optimality is heuristic.

import { certificatePrices, pricePairs } from "./certificate-prices.ts";
import { type MoveBudget, moveGreenHolders, type ReplaceBudget, replaceShortFlexible } from "./moves.ts";
import { REROUTE_CHECKS_PER_BID, ScheduleState } from "./place.ts";
import { certificatePool, cheapestLinkPrice, poolRegions, prepareSchedule, REGION_SLOTS, routeKey } from "./prepare.ts";
import { MAX_PRESSURE, pressedScore, Scarcity } from "./scarcity.ts";
import type { ScheduleOptions, ScheduleResult, TimedBook } from "./types.ts";

const TRIED_STARTS = 8;
/** Exponent of a bid's VCU-hours in its worth, the order of pass 2 (0: density, 1: total surplus). */
const WORTH_EXPONENT = 0.7;
/**
 * Factor on a flexible job's worth in the order of pass 2. On the seeded flexible books of 3k–100k
 * orders 0.4–0.6 gave +0.4–1.2 % welfare over 1 (0.2: +0.1–0.9 %).
 */
const FLEXIBLE_WORTH = 0.5;
/** Books with at most this many live bids get the second schedule of pass 3. */
const SECOND_ORDER_BIDS = 20_000;
/**
 * Books with at most this many live bids reroute certificates (place.ts) with
 * REROUTE_CHECKS_PER_BID holder checks per bid; larger ones only when at least
 * REROUTE_FLEXIBLE_SHARE of their bids are flexible, with LARGE_REROUTE_CHECKS. On the 100k-order
 * books 1 check per bid gives +0.70 % welfare (fixed) and +0.54 % (half flexible) for ~1.1× the
 * schedule's CPU: the flexible book's 2 s budget holds it, the fixed book's 1 s does not
 * (docs/pricing.md, "The fast scheduler").
 */
const REROUTE_BIDS = 20_000;
const REROUTE_FLEXIBLE_SHARE = 0.25;
const LARGE_REROUTE_CHECKS = 1;
/**
 * The move pass's budget on large books that reroute (moves.ts): moves tried, not counting those
 * ruled out before anything is taken out. On the flexible 100k book the welfare grows with the
 * moves tried and so does the CPU (~0.25 ms a move; docs/pricing.md step 5). With fixed holders
 * taken out too, against 400 moves of flexible holders only (seeds 1 / 2, pass 6 at 1,000 bids):
 * 400 moves +0.025 / +0.042 % of welfare, 600 +0.051 / +0.061 %, 800 +0.063 / +0.073 %.
 */
const MOVES: MoveBudget = { tries: 600, holders: 4, starts: 3 };
/**
 * Pass 6's budget (moves.ts, replaceShortFlexible): flexible bids served in part placed again, the
 * worthiest first, and starts tried for each. On the flexible 100k books (400 moves before it)
 * 700 / 1,000 / 1,500 bids × 8 starts gave +0.05 / +0.07 / +0.10 % of welfare (seed 1) and
 * +0.06 / +0.08 / +0.11 % (seed 2), the pass ~3 / ~4 / ~6 % of the schedule's CPU (profile); with
 * 800 moves, every such bid (~4,800) +0.15 % for ~15 %, 8 starts instead of 4 +0.02 %.
 */
const REPLACED: ReplaceBudget = { bids: 1_000, starts: 8 };
/**
 * Books with at most this many live bids price certificates in pass 1 (certificate-prices.ts): on
 * seeded books of 1k–10k orders (up to ~4,500 bids) +0.1–0.7 % of welfare; at 20k–40k orders
 * +0.1 % (fixed) and nothing (half flexible) for 1.1–1.3× the CPU; on the 100k book +0.02 %.
 */
const CERTIFICATE_PRICE_BIDS = 5_000;
/** Books with at most this many live bids also run pass 2 and 3 buying the cheapest certificates. */
const CHEAPEST_RERUN_BIDS = 1_000;
/** Books with at most this many live bids get LOCAL_SEARCH_MOVES re-insertion moves in pass 4, … */
const LOCAL_SEARCH_BIDS = 2_500;
/**
 * … at most this many moves of flexible bids, each trying up to LOCAL_SEARCH_STARTS starts (each
 * undone unless kept), or FIXED_MOVES_PER_MOVE times as many of fixed bids, which try their one start.
 * The gap to the LP on fixed books is mostly bids on offers and certificate cells that block others,
 * which a move repairs (docs/pricing.md, "The fast scheduler"): on seeded fixed books of 1k–5k
 * orders 256 moves instead of 64 gave +0.3–1.7 % of welfare.
 */
const LOCAL_SEARCH_MOVES = 64;
/**
 * Pass 4's budget on books over LOCAL_SEARCH_BIDS bids (moves as counted above), where a move
 * reschedules only the bids taken out and reroutes no certificates: on the 20k-order books
 * (~9k bids) +1.4 % of welfare (fixed) and +0.8 % (half flexible) for 1.5× and 2× the CPU.
 */
const LARGE_LOCAL_SEARCH_MOVES = 250;
const FIXED_MOVES_PER_MOVE = 4;
/** … trying at most this many starts of the bid re-inserted (books over CHEAPEST_RERUN_BIDS bids: the second). */
const LOCAL_SEARCH_STARTS = 24;
const LOCAL_SEARCH_STARTS_LARGE = 4;
/**
 * Books with more than SCARCITY_BIDS live bids place each bid on the offers and certificates the bids
 * still to come need least (scarcity.ts): on seeded fixed books of 3k–20k orders +0.1–0.3 % of
 * welfare, half flexible +0.2 %, the 100k books +0.86 % (fixed) and +0.15 % (half flexible) for
 * ~1.1–1.2 × their CPU, paid for by the cheaper passes 1–2; on the 1k-order book (450 bids, passes
 * 3 and 4 in full) it cost 0.6 % (docs/pricing.md, "Where the fixed book loses").
 */
const SCARCITY_BIDS = 1_000;
/**
 * Weight of what the bids still to come make a start cost (scarcity.ts, pressedScore: their asks of
 * its compute offer-hours and certificate pool) in a flexible bid's score of the start, on books
 * over SCARCITY_BIDS bids. On the flexible 100k book 0.1–0.5 gave +0.03–0.07 % of welfare, 1 −0.14 %;
 * on half-flexible 5k and 20k books (seeds 1, 2) 0.3 gave −0.02 to +0.16 %, 0.5 −0.08 to +0.11 %.
 */
const START_PRESSURE_WEIGHT = 0.3;
/** Weight of green supply and spare capacity against surplus when ranking start hours. */
const TIE_WEIGHT = 1e-3;

/**
 * How far the passes reach by book size, and the move passes' budgets. The market runs
 * MARKET_BUDGET, sized for the clearing's time targets; a larger one shows how much welfare more
 * time would buy (`scripts/bench/schedule-ceiling.ts`, docs/pricing.md "More time").
 */
export type FastBudget = {
  /** Books with more live bids are large (REROUTE_BIDS): no pass 4, passes 5–6 where they reroute. */
  largeBookBids: number;
  /** Books with at most this many live bids get pass 3's second order (SECOND_ORDER_BIDS). */
  secondOrderBids: number;
  /** Books with at most this many live bids price certificates in pass 1 (CERTIFICATE_PRICE_BIDS). */
  certificatePriceBids: number;
  /** Pass 4's moves on books over LOCAL_SEARCH_BIDS bids that are not large (LARGE_LOCAL_SEARCH_MOVES). */
  largeLocalSearchMoves: number;
  /** Passes 5 and 6 on large books that reroute (MOVES, REPLACED). */
  greenHolderMoves: MoveBudget;
  replaced: ReplaceBudget;
};

export const MARKET_BUDGET: FastBudget = {
  largeBookBids: REROUTE_BIDS,
  secondOrderBids: SECOND_ORDER_BIDS,
  certificatePriceBids: CERTIFICATE_PRICE_BIDS,
  largeLocalSearchMoves: LARGE_LOCAL_SEARCH_MOVES,
  greenHolderMoves: MOVES,
  replaced: REPLACED,
};

/**
 * Schedules a book quickly: never breaks a rule, near-optimal welfare.
 *
 * @example
 * const result = scheduleFast(book, { now: Math.floor(Date.now() / 1000), platformFeeBps: 30 });
 * result.matches; // reserve-priced matches with their start hours and hourly energy lots
 */
export function scheduleFast(
  book: TimedBook,
  options: ScheduleOptions,
  budget: FastBudget = MARKET_BUDGET,
): ScheduleResult {
  const started = performance.now();
  const prep = prepareSchedule(book, options);
  // With other bids about, a job's certificates come from plentiful hours first (place.ts); a lone
  // bid (a quote) buys the cheapest.
  const spareScarce = prep.bids.length > 1;
  // With other bids about, a green piece short of certificates has their holders move to other hours.
  let flexibleBids = 0;
  for (let b = 0; b < prep.bids.length; b++) if (prep.bids[b].firstStart < prep.bids[b].lastStart) flexibleBids++;
  const large = prep.bids.length > budget.largeBookBids;
  const reroute = spareScarce && (!large || flexibleBids >= REROUTE_FLEXIBLE_SHARE * prep.bids.length);
  const checks = large ? LARGE_REROUTE_CHECKS : REROUTE_CHECKS_PER_BID;
  // Pass 4 needs the placed pieces and who holds each offer and certificate slot: books up to
  // LOCAL_SEARCH_BIDS bids, and books up to REROUTE_BIDS that reroute (and keep the pieces anyway).
  // On the 100k books keeping them cost more than the CPU headroom (docs/pricing.md, step 4).
  const undoable = prep.bids.length <= LOCAL_SEARCH_BIDS || (reroute && !large);
  const scarce = spareScarce && prep.bids.length > SCARCITY_BIDS;
  let state = new ScheduleState(prep, book, options.platformFeeBps, undoable, spareScarce, reroute, checks);
  const { bids, computes } = prep;
  // The compute offers' fields the passes read per pair and per start, laid out flat: a bid's
  // candidates are scattered over the book, and a typed array's element is a cheaper read than an
  // offer object's field.
  const computeStart = new Int32Array(computes.length);
  const computeEnd = new Int32Array(computes.length);
  const computeOffset = new Int32Array(computes.length);
  const computeRegion = new Int32Array(computes.length);
  const computeCapacity = new Float64Array(computes.length);
  const computeReserve = new Float64Array(computes.length);
  const computeMilliWh = new Float64Array(computes.length);
  for (let c = 0; c < computes.length; c++) {
    const compute = computes[c];
    computeStart[c] = compute.start;
    computeEnd[c] = compute.end;
    computeOffset[c] = compute.offset;
    computeRegion[c] = compute.region;
    computeCapacity[c] = compute.capacity;
    computeReserve[c] = compute.reserve;
    computeMilliWh[c] = compute.milliWhPerVcuHour;
  }

  // Pass 1: per-pair surplus estimates, each bid's candidates best first in one flat list (bid b's
  // pairs are pairOffer/pairProfit[pairStart[b] .. pairStart[b + 1])), bids by density.
  const pairStart = new Int32Array(bids.length + 1);
  let pairCount = 0;
  for (let b = 0; b < bids.length; b++) pairCount += bids[b].candidates.length;
  const pairOffer = new Int32Array(pairCount);
  const pairProfit = new Float64Array(pairCount);
  const density = new Float64Array(bids.length);
  const feeFactor = 1 + options.platformFeeBps / 10_000;
  const linkFloor = new Float64Array(REGION_SLOTS); // per compute region, for the bid at hand (−1: no link)
  let n = 0;
  for (let b = 0; b < bids.length; b++) {
    const bid = bids[b];
    const order = bid.order;
    const from = n;
    const candidates = bid.candidates;
    const greenShare = order.minGreenBps / 10_000;
    const buyerRegion = order.buyerRegion;
    const limit = bid.limit;
    linkFloor.fill(Number.NaN);
    for (let i = 0; i < candidates.length; i++) {
      const c = candidates[i];
      const region = computeRegion[c];
      const green = (greenShare * computeMilliWh[c]) / 1000;
      let link = 0;
      if (region !== buyerRegion) {
        let cheapest = linkFloor[region];
        if (Number.isNaN(cheapest)) {
          cheapest = cheapestLinkPrice(prep, routeKey(region, buyerRegion), order.maxLatencyMs) ?? -1;
          linkFloor[region] = cheapest;
        }
        if (cheapest < 0) continue;
        link = (cheapest * bid.mbps) / bid.remaining;
      }
      const cost = computeReserve[c] + green * prep.meanPricePerWh + link;
      if (cost * feeFactor > limit) continue;
      // Insertion keeps the few pairs of a bid sorted by profit, ties in candidate order.
      const profit = limit - cost;
      let j = n++;
      while (j > from && pairProfit[j - 1] < profit) {
        pairProfit[j] = pairProfit[j - 1];
        pairOffer[j] = pairOffer[j - 1];
        j--;
      }
      pairProfit[j] = profit;
      pairOffer[j] = c;
    }
    pairStart[b + 1] = n;
    density[b] = n > from ? pairProfit[from] : 0;
  }
  // With other bids about (books up to CERTIFICATE_PRICE_BIDS bids), a green bid's Wh cost its
  // hours' certificate prices (certificate-prices.ts): the bids that lean on scarce green power are
  // ranked by what they earn per Wh of it. A bid whose priced surplus is not positive stays in the
  // schedule, last.
  const live = new Uint8Array(bids.length);
  for (let b = 0; b < bids.length; b++) live[b] = density[b] > 0 ? 1 : 0;
  if (spareScarce && bids.length <= budget.certificatePriceBids) {
    const pairs = { pairStart, pairOffer, pairProfit };
    pricePairs(prep, pairs, certificatePrices(prep, pairs), density);
  }
  // Bids by worth: density × (VCU-hours)^WORTH_EXPONENT. Pure density favours a short job over the
  // long ones whose hours it takes; pure total surplus the reverse. On seeded books of 5k–20k
  // orders this order beats density by 1–2.5 % of welfare. A flexible job's worth counts
  // FLEXIBLE_WORTH of it: fixed jobs of similar worth go first and take the hours and certificates
  // they have no alternative to, and the flexible jobs then pick their starts among what is left.
  const worthOf = new Float64Array(bids.length);
  for (let b = 0; b < bids.length; b++) {
    const flexible = bids[b].firstStart < bids[b].lastStart ? FLEXIBLE_WORTH : 1;
    worthOf[b] =
      density[b] > 0
        ? flexible * density[b] * (bids[b].remaining * bids[b].duration) ** WORTH_EXPONENT
        : -1 / (1 + pairProfit[pairStart[b]]);
  }
  // The comparator answers −1, 0 or 1 (small integers, no number boxed per compare), ties in book order.
  const order: number[] = [];
  for (let b = 0; b < bids.length; b++) if (live[b] === 1) order.push(b);
  order.sort((x, y) =>
    worthOf[y] > worthOf[x]
      ? 1
      : worthOf[y] < worthOf[x]
        ? -1
        : density[y] > density[x]
          ? 1
          : density[y] < density[x]
            ? -1
            : 0,
  );

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
  // Expected demand of the bids not yet scheduled on each (offer, hour), each bid's VCU spread
  // evenly over its (offer, start) choices: a flexible bid prefers hours the others do not need.
  // Single precision: a tie-break needs no more, and the array is half the memory to walk. Made
  // when a bid first has a choice of start (all zero until then): a book of fixed jobs never reads it.
  let pressure = new Float32Array(0);
  const readPressure = () => {
    if (pressure.length === 0) pressure = new Float32Array(prep.computeFree.length);
  };
  const spread = (b: number, sign: number) => {
    const bid = bids[b];
    const d = bid.duration;
    if (bid.firstStart === bid.lastStart) {
      // A fixed job: its VCU over the offers whose windows hold its one start.
      const s = bid.firstStart;
      let choices = 0;
      for (let p = pairStart[b]; p < pairStart[b + 1]; p++) {
        const c = pairOffer[p];
        if (computeStart[c] <= s && s + d <= computeEnd[c]) choices++;
      }
      if (choices === 0) return;
      const share = (sign * bid.remaining) / choices;
      for (let p = pairStart[b]; p < pairStart[b + 1]; p++) {
        const c = pairOffer[p];
        if (computeStart[c] > s || s + d > computeEnd[c]) continue;
        const at = computeOffset[c] + s - computeStart[c];
        for (let k = 0; k < d; k++) pressure[at + k] += share;
      }
      return;
    }
    let choices = 0;
    for (let p = pairStart[b]; p < pairStart[b + 1]; p++) {
      const c = pairOffer[p];
      choices += Math.max(
        0,
        Math.min(bid.lastStart, computeEnd[c] - d) - Math.max(bid.firstStart, computeStart[c]) + 1,
      );
    }
    if (choices === 0) return;
    const share = (sign * bid.remaining) / choices;
    for (let p = pairStart[b]; p < pairStart[b + 1]; p++) {
      const c = pairOffer[p];
      const lo = Math.max(bid.firstStart, computeStart[c]);
      const hi = Math.min(bid.lastStart, computeEnd[c] - d);
      if (lo > hi) continue;
      // Hour h is covered by the starts in [max(lo, h − d + 1), min(hi, h)]: one pass over the
      // hours instead of one per start.
      const at = computeOffset[c] - computeStart[c];
      for (let h = lo; h < hi + d; h++) pressure[at + h] += share * (Math.min(hi, h) - Math.max(lo, h - d + 1) + 1);
    }
  };
  // Scratch for scoring one start: the origin pools touched and their Wh left per job hour.
  const touchedPool = new Int32Array(64);
  let touchedCount = 0;
  let poolLeft = new Float64Array(64 * 8);
  // The origin pools the bid being scored has met, and each one's Wh for sale over the hours its
  // starts cover, read from the state once per bid instead of once per start.
  const bidPool = new Int32Array(64);
  let bidPoolSupply = new Float64Array(64 * 32);
  /** …, and (books over SCARCITY_BIDS bids) the pressure on each touched pool over the job's hours. */
  const poolPressure = new Float64Array(64);
  /** Green Wh a pool's hours [at, at + d) of poolLeft can give a piece that needs `need` Wh an hour. */
  const covered = (at: number, d: number, need: number) => {
    let sum = 0;
    for (let k = 0; k < d; k++) sum += Math.min(poolLeft[at + k], need);
    return sum;
  };
  const run = (sequence: readonly number[]) => {
    // Only bids with a choice of start read the pressure, and bids ranking their offers by scarcity.
    const choosing = scarce || sequence.some((b) => bids[b].firstStart < bids[b].lastStart);
    pressure.fill(0);
    if (choosing) readPressure();
    if (choosing) for (let i = 0; i < sequence.length; i++) spread(sequence[i], 1);
    // On books over SCARCITY_BIDS bids a bid takes the offers and certificates the bids still to come need least
    // (scarcity.ts).
    const scarcity = scarce ? new Scarcity(state.prep, { pairStart, pairOffer }, pressure) : undefined;
    state.scarcity = scarcity;
    if (scarcity !== undefined) for (let i = 0; i < sequence.length; i++) scarcity.spread(sequence[i], 1);
    for (let i = 0; i < sequence.length; i++) {
      const b = sequence[i];
      if (choosing) spread(b, -1);
      scarcity?.spread(b, -1);
      scheduleBid(b);
    }
    // Every bid has had its turn: nothing is still to come, so the scarcity weighs nothing now.
    state.scarcity = undefined;
    // Bids still short of their VCU try again at their start (or any start if unplaced).
    for (let i = 0; i < sequence.length; i++) if (state.remaining[sequence[i]] > 0) scheduleBid(sequence[i]);
  };
  run(order);
  // Pass 3: on small and mid-size books a second schedule takes bids by density alone, and the
  // better of the two is kept.
  let sequence: readonly number[] = order;
  const rerun = (next: readonly number[], scarce: boolean) => {
    const kept = state;
    const fresh = prepareSchedule(book, options);
    state = new ScheduleState(fresh, book, options.platformFeeBps, undoable, scarce, reroute, checks);
    run(next);
    if (state.welfare <= kept.welfare * (1 + 1e-12)) state = kept;
    else sequence = next;
  };
  // The second order may be the first (always with one bid, as in a quote): the schedule is
  // deterministic, so running it again would only repeat the first.
  const byDensity = order.length <= budget.secondOrderBids ? [...order].sort((x, y) => density[y] - density[x]) : order;
  const reordered = byDensity.some((b, i) => b !== order[i]);
  if (reordered) rerun(byDensity, spareScarce);
  // On small books a certificate's price can weigh more than the hour it spares: both orders run
  // again buying the cheapest certificates, and the best of the schedules is kept.
  if (spareScarce && order.length <= CHEAPEST_RERUN_BIDS) {
    rerun(order, false);
    if (reordered) rerun(byDensity, false);
  }
  // Pass 4: re-insert dropped bids. For a bid left short of its VCU, the worthiest first, the bids
  // in its way are taken out, it is placed at one of its starts, then they and the short bids sharing
  // an offer with them are scheduled again; the best start is kept when the welfare rises, and every
  // other try is undone exactly from an undo log (ScheduleState.piecesOf / putBack). Repeats while
  // moves pay, within the budget of moves for the book's size.
  const small = bids.length <= LOCAL_SEARCH_BIDS;
  const moveBudget = small ? LOCAL_SEARCH_MOVES : budget.largeLocalSearchMoves;
  if (undoable && moveBudget > 0) {
    // Per compute offer, the bids that may use it (CSR): a move reschedules only the bids taken out
    // and the short bids that share an offer with them, not every short bid of the book.
    const offerFrom = new Int32Array(computes.length + 1);
    for (let p = 0; p < pairCount; p++) offerFrom[pairOffer[p] + 1]++;
    for (let c = 0; c < computes.length; c++) offerFrom[c + 1] += offerFrom[c];
    const offerBids = new Int32Array(pairCount);
    const fill = offerFrom.slice(0, computes.length);
    for (let b = 0; b < bids.length; b++)
      for (let p = pairStart[b]; p < pairStart[b + 1]; p++) offerBids[fill[pairOffer[p]]++] = b;
    // Each bid's place in the sequence: the bids of a move are scheduled again in that order.
    const rank = new Int32Array(bids.length);
    for (let i = 0; i < sequence.length; i++) rank[sequence[i]] = i;
    // Bids already listed in this move (the move's number), for the blockers and for the others.
    const blockerMark = new Int32Array(bids.length).fill(-1);
    const affectedMark = new Int32Array(bids.length).fill(-1);
    let moves = 0;
    let tried = 0;
    for (let improved = true; improved && moves < moveBudget; ) {
      improved = false;
      const short = sequence.filter((b) => state.remaining[b] > 0).sort((x, y) => worthOf[y] - worthOf[x]);
      for (const u of short) {
        if (moves >= moveBudget) break;
        moves += bids[u].firstStart < bids[u].lastStart ? 1 : 1 / FIXED_MOVES_PER_MOVE;
        if (state.remaining[u] <= 0) continue;
        const move = tried++;
        const bid = bids[u];
        // The bids in its way: on its offers in the hours it could run, and for a green bid those
        // holding certificates of its origin pool in those hours (regions as a bit mask). The bid
        // itself, when served in part, is one of them.
        const blockers: number[] = [];
        const block = (v: number) => {
          if (blockerMark[v] === move) return;
          blockerMark[v] = move;
          blockers.push(v);
        };
        const from = bid.firstStart;
        const to = bid.lastStart + bid.duration;
        let pool = 0;
        for (let p = pairStart[u]; p < pairStart[u + 1]; p++) {
          state.holdersOfOffer(pairOffer[p], from, to, block);
          pool |= poolRegions(bid.order.certificateOrigin, computes[pairOffer[p]].region);
        }
        if (bid.order.minGreenBps > 0) state.holdersOfCertificates(pool, from, to, block);
        // Scheduled again after it: the blockers and (on books up to LOCAL_SEARCH_BIDS bids) the short
        // bids sharing an offer with them.
        const others: number[] = [];
        for (const v of blockers) {
          if (v !== u && affectedMark[v] !== move) {
            affectedMark[v] = move;
            others.push(v);
          }
          if (!small) continue;
          for (let p = pairStart[v]; p < pairStart[v + 1]; p++)
            for (let i = offerFrom[pairOffer[p]]; i < offerFrom[pairOffer[p] + 1]; i++) {
              const w = offerBids[i];
              if (w === u || affectedMark[w] === move || state.remaining[w] <= 0 || blockerMark[w] === move) continue;
              affectedMark[w] = move;
              others.push(w);
            }
        }
        others.sort((x, y) => rank[x] - rank[y]);
        // The undo log: every bid the move may change, as it is now.
        const involved = others.concat(u);
        const log = involved.map((v) => state.piecesOf(v));
        const before = state.welfare;
        const removed = blockerMark[u] === move ? blockers : blockers.concat(u);
        // One try: returns the welfare it reaches, the state left as the try made it.
        const attempt = (s: number): number => {
          // The Wh and hours freed may give stuck pieces and failed reroutes room again.
          state.removeAll(removed);
          for (let p = pairStart[u]; p < pairStart[u + 1] && state.remaining[u] > 0; p++)
            state.place(u, pairOffer[p], s, state.remaining[u]);
          if (state.remaining[u] === bid.remaining) return Number.NEGATIVE_INFINITY;
          for (const v of others) if (state.remaining[v] > 0) scheduleBid(v);
          return state.welfare;
        };
        // Certificates rerouted for other bids during a try are logged and given back with it.
        const undo = () => {
          state.undoReroutes((v) => v === u || affectedMark[v] === move);
          state.removeAll(involved, false);
          for (const taken of log) state.putBack(taken);
          state.rewindHolders();
          state.welfare = before;
        };
        // Each start of the bid in turn (the bids taken out are rescheduled around it), the best
        // kept: tried again after the others were undone, unless it was the last.
        const starts = bid.lastStart - bid.firstStart + 1;
        const tries = bids.length <= CHEAPEST_RERUN_BIDS ? LOCAL_SEARCH_STARTS : LOCAL_SEARCH_STARTS_LARGE;
        const step = Math.max(1, Math.ceil(starts / tries));
        let best = before;
        let bestStart = -1;
        let open = false;
        // On small books a move may reroute as much as a fresh schedule; on larger ones not at all.
        state.openMove(small ? undefined : 0);
        for (let s = bid.firstStart; s <= bid.lastStart; s += step) {
          const welfare = attempt(s);
          const better = welfare > best * (1 + 1e-12);
          open = better && s + step > bid.lastStart;
          if (better) {
            best = welfare;
            bestStart = s;
          }
          if (!open) undo();
        }
        // Tried again, a start may reroute differently (the reroute marks stay): kept only if it pays.
        if (bestStart >= 0 && !open && attempt(bestStart) <= before * (1 + 1e-12)) {
          undo();
          bestStart = -1;
        }
        state.closeMove();
        if (bestStart >= 0) improved = true;
      }
    }
  }

  // Pass 5 (large books that reroute): green bids left short take the place of bids holding their
  // certificates, which are scheduled again where they can (moves.ts).
  if (reroute && large)
    moveGreenHolders(state, sequence, { pairStart, pairOffer }, scheduleBid, budget.greenHolderMoves);
  // Pass 6 (the same books): the worthiest flexible bids served in part start again where the final
  // state suits them best (moves.ts).
  if (reroute && large) replaceShortFlexible(state, sequence, bestStarts, placeAt, budget.replaced);

  /** The least free VCU of offer `c` (whose window holds them) over hours [s, s + d), as state.freeVcu. */
  function freeVcu(c: number, s: number, d: number): number {
    const computeFree = state.prep.computeFree;
    const from = computeOffset[c] + s - computeStart[c];
    let free = Infinity;
    for (let k = 0; k < d && free > 0; k++) if (computeFree[from + k] < free) free = computeFree[from + k];
    return free;
  }

  function scheduleBid(b: number): void {
    const bid = bids[b];
    const fixed = state.start[b];
    const first = fixed >= 0 ? fixed : bid.firstStart;
    const last = fixed >= 0 ? fixed : bid.lastStart;
    topCount = 0;
    // One start only (a fixed job, or a start fixed by an earlier piece): place.ts decides exactly.
    if (first === last) {
      topStart[0] = first;
      topCount = 1;
    } else scoreStarts(b, first, last);
    for (let t = 0; t < topCount; t++) if (placeAt(b, topStart[t]) > 0 || state.start[b] >= 0) break;
  }

  /** Places what it can of bid `b` at start `s`, its offers best first; returns the VCU placed. */
  function placeAt(b: number, s: number): number {
    const pairFrom = pairStart[b];
    const pairTo = pairStart[b + 1];
    const d = bids[b].duration;
    const scarcity = state.scarcity;
    const ranked = scarcity !== undefined && pairTo - pairFrom > 1;
    let placed = 0;
    const count = ranked ? scarcity.rankOffers(b, pairProfit, s) : pairTo - pairFrom;
    for (let i = 0; i < count && state.remaining[b] > 0; i++) {
      const p = ranked ? scarcity.ranked[i] : pairFrom + i;
      const c = pairOffer[p];
      // An offer full in some hour of the job takes nothing (place would find the same).
      if (computeStart[c] > s || s + d > computeEnd[c] || freeVcu(c, s, d) <= 0) continue;
      placed += state.place(b, c, s, state.remaining[b]);
    }
    return placed;
  }

  /** The best starts of flexible bid `b` with no piece placed, best first (at most TRIED_STARTS). */
  function bestStarts(b: number): number[] {
    topCount = 0;
    scoreStarts(b, bids[b].firstStart, bids[b].lastStart);
    return Array.from(topStart.subarray(0, topCount));
  }

  /** Pass 2's ranking of a flexible bid's starts `first` … `last`: the best TRIED_STARTS into topStart. */
  function scoreStarts(b: number, first: number, last: number): void {
    const bid = bids[b];
    const pairFrom = pairStart[b];
    const pairTo = pairStart[b + 1];
    const origin = bid.order.certificateOrigin;
    const minShare = bid.order.minGreenBps / 10_000;
    const d = bid.duration;
    if (poolLeft.length < touchedPool.length * d) poolLeft = new Float64Array(touchedPool.length * d);
    const hours = last - first + d;
    if (bidPoolSupply.length < bidPool.length * hours) bidPoolSupply = new Float64Array(bidPool.length * hours);
    let bidPoolCount = 0;
    const computeFree = state.prep.computeFree;
    readPressure();
    // While bids are still to come (books over SCARCITY_BIDS bids), what they ask of the start's
    // offer-hours and certificate pool makes it cost more (pressed: its VCU-hours' share of that), as
    // Scarcity.rankOffers prices it (pressedScore), here with each pool's pressure read once per start
    // and the offer-hours' in the loop that reads them anyway.
    const scarcity = state.scarcity;
    const meanPricePerWh = state.prep.meanPricePerWh;
    for (let s = first; s <= last; s++) {
      let left = state.remaining[b];
      let value = 0;
      let pressed = 0;
      let spare = 0;
      let capacity = 0;
      let greenShare = -1;
      touchedCount = 0;
      for (let p = pairFrom; p < pairTo && left > 0; p++) {
        const c = pairOffer[p];
        if (computeStart[c] > s || s + d > computeEnd[c]) continue;
        // The least free VCU over the job's hours, as freeVcu but inline and without its early exit
        // at a full hour (a branch on the data per hour); only whether it is positive matters then.
        const hour = computeOffset[c] + s - computeStart[c];
        let free = computeFree[hour];
        for (let k = 1; k < d; k++) free = Math.min(free, computeFree[hour + k]);
        if (free <= 0) continue;
        let q = Math.min(free, left);
        let slotOf = -1;
        if (minShare > 0) {
          // As place.ts will: only as many VCU as the origin pool's certificates can cover, the
          // pool's Wh already promised to this bid's earlier offers at this start taken off.
          const region = computeRegion[c];
          const pool = certificatePool(origin, region);
          if (pool < 0) continue;
          // The few pools touched at this start (a search of the whole scratch array would read stale ones).
          let slot = 0;
          while (slot < touchedCount && touchedPool[slot] !== pool) slot++;
          if (slot === touchedCount) {
            slot = touchedCount++;
            touchedPool[slot] = pool;
            let row = 0;
            while (row < bidPoolCount && bidPool[row] !== pool) row++;
            if (row === bidPoolCount) {
              bidPool[bidPoolCount++] = pool;
              for (let h = 0; h < hours; h++)
                bidPoolSupply[row * hours + h] = state.poolSupply(origin, region, first + h);
            }
            const at = row * hours + s - first;
            for (let k = 0; k < d; k++) poolLeft[slot * d + k] = bidPoolSupply[at + k];
            if (scarcity !== undefined) poolPressure[slot] = scarcity.poolPressure(origin, region, s, d);
          }
          slotOf = slot;
          const n = computeMilliWh[c] / 1000;
          // The Wh the pool can give the whole q, or (too few) the most VCU they cover.
          let available = covered(slot * d, d, n * q);
          if (available < minShare * d * n * q) {
            let lo = 0;
            let hi = q;
            while (lo < hi) {
              const mid = Math.ceil((lo + hi) / 2);
              if (covered(slot * d, d, n * mid) >= minShare * d * n * mid) lo = mid;
              else hi = mid - 1;
            }
            q = lo;
            if (q <= 0) continue;
            available = covered(slot * d, d, n * q);
          }
          if (greenShare < 0) greenShare = available / (d * n * q);
          const take = (minShare * d * n * q) / available;
          for (let k = 0; k < d; k++) poolLeft[slot * d + k] -= Math.min(poolLeft[slot * d + k], n * q) * take;
        }
        value += q * pairProfit[p];
        left -= q;
        let crowd = 0;
        if (scarcity === undefined) for (let k = 0; k < d; k++) crowd = Math.max(crowd, pressure[hour + k]);
        else {
          let busy = 0;
          for (let k = 0; k < d; k++) {
            crowd = Math.max(crowd, pressure[hour + k]);
            busy += Math.min(MAX_PRESSURE, pressure[hour + k] / computeCapacity[c]);
          }
          const score =
            slotOf < 0
              ? pressedScore(pairProfit[p], computeReserve[c], busy, d, 0, 0, 0)
              : pressedScore(
                  pairProfit[p],
                  computeReserve[c],
                  busy,
                  d,
                  (minShare * computeMilliWh[c]) / 1000,
                  meanPricePerWh,
                  poolPressure[slotOf],
                );
          pressed += q * (pairProfit[p] - score);
        }
        spare += free - q - crowd;
        capacity += computeCapacity[c];
      }
      if (value <= 0) continue;
      const tie = spare / capacity + Math.max(0, greenShare);
      consider(s, value * (1 + TIE_WEIGHT * tie) - START_PRESSURE_WEIGHT * pressed);
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
