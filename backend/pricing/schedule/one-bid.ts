// The fast scheduler (fast.ts) for a book of one bid, as a quote asks it (docs/pricing.md, "Quotes"):
// the same passes with the same arithmetic, so the same matches, but prepared for that bid alone.
// prepare.ts lays out every live compute offer and link of the book hour by hour, the certificate
// slots of every green region and the book's mean certificate price; a single bid needs only its
// candidate compute offers, the links of the routes from their regions to its buyer, and certificates
// only when it asks for a green share (without one the energy estimate is multiplied by zero and no
// slot is read). Pass 3 (a second order of bids) cannot differ from the first with one bid; pass 4
// (re-insertion) is kept, since a bid left short of its VCU may do better at another start.
//
// test/backend/pricing/schedule/one-bid.test.ts holds it equal to scheduleFast on thousands of random
// one-bid books: a change to fast.ts's passes must be made here too.

import { changeableOver, energyRange, liveEnergy, meanPricePerWhOver, sharedEnergySlots } from "./one-bid-energy.ts";
import { ScheduleState } from "./place.ts";
import {
  certificatePool,
  cheapestLinkPrice,
  EnergyBuffers,
  type EnergySlots,
  type LiveBid,
  type LiveCompute,
  type LiveLink,
  type PreparedSchedule,
  poolRegions,
  prepareEnergy,
  REGION_SLOTS,
  routeKey,
} from "./prepare.ts";
import {
  HOUR,
  type HourlyBandwidthOffer,
  type HourlyComputeOffer,
  type ScheduleOptions,
  type ScheduleResult,
  type TimedBook,
} from "./types.ts";

// As in fast.ts.
const TRIED_STARTS = 8;
const LOCAL_SEARCH_MOVES = 64;
const LOCAL_SEARCH_STARTS = 24;
const TIE_WEIGHT = 1e-3;

// Scratch arrays reused from quote to quote (a schedule runs to its end before the next starts):
// typed arrays cost more to allocate than a one-bid schedule spends in most of them.
const scratch = {
  linkFloor: new Float64Array(REGION_SLOTS),
  pressure: new Float32Array(1024),
  topStart: new Int32Array(TRIED_STARTS),
  topScore: new Float64Array(TRIED_STARTS),
  touchedPool: new Int32Array(64),
  poolLeft: new Float64Array(64 * 24),
  // The quote's free capacities and certificate slots: read and changed only while its schedule runs
  // (a copied state copies them), and every element a quote reads is written by its preparation.
  computeFree: new Int32Array(1024),
  linkFree: new Float64Array(256),
  /** Per candidate compute offer: its index in the book's list. */
  candidateAt: new Int32Array(64),
  /** Per link of the book's list: its index in the quote's links (−1: not live for it). */
  linkAt: new Int32Array(64),
  energy: new EnergyBuffers(),
};

/** The hours a book is cut to (clearBook's cut: offers outside them dropped, windows clamped to them). */
export type ScheduleHours = { from: number; to: number };

const NO_ENERGY: EnergySlots = {
  offer: new Int32Array(0),
  hour: new Int32Array(0),
  region: new Int8Array(0),
  pricePerKwh: new Float64Array(0),
  left: new Float64Array(0),
  cellStart: new Int32Array(1),
  cellSlots: new Int32Array(0),
  supplyRegion: new Float64Array(0),
  supplyArea: new Float64Array(0),
  supplyAll: new Float64Array(0),
};

/**
 * Schedules a book of at most one bid as scheduleFast would the same book cut to `hours` (default:
 * uncut). A book of more bids is an error: the one-bid preparation knows nothing of competition.
 *
 * @example
 * const { matches } = scheduleOneBid({ ...book, bids: [bid] }, { now, platformFeeBps: 30 });
 */
export function scheduleOneBid(book: TimedBook, options: ScheduleOptions, hours?: ScheduleHours): ScheduleResult {
  const started = performance.now();
  if (book.bids.length > 1) throw new RangeError(`scheduleOneBid schedules one bid, not ${book.bids.length}`);
  const prep = prepareOneBid(book, options, hours);
  const empty: ScheduleResult = {
    algorithm: "fast",
    matches: [],
    welfare: 0,
    status: "heuristic",
    elapsedMs: 0,
  };
  if (prep === undefined) return { ...empty, elapsedMs: performance.now() - started };
  const bid = prep.bids[0];
  const { computes } = prep;

  // Pass 1: the bid's candidates with their surplus estimate, best first (ties in candidate order).
  const feeFactor = 1 + options.platformFeeBps / 10_000;
  const linkFloor = scratch.linkFloor.fill(Number.NaN);
  const pairOffer: number[] = [];
  const pairProfit: number[] = [];
  const order = bid.order;
  for (let c = 0; c < computes.length; c++) {
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
    const profit = bid.limit - cost;
    let j = pairProfit.length;
    pairProfit.push(profit);
    pairOffer.push(c);
    while (j > 0 && pairProfit[j - 1] < profit) {
      pairProfit[j] = pairProfit[j - 1];
      pairOffer[j] = pairOffer[j - 1];
      j--;
    }
    pairProfit[j] = profit;
    pairOffer[j] = c;
  }
  const pairs = pairOffer.length;
  if (pairs === 0 || !(pairProfit[0] > 0)) return { ...empty, elapsedMs: performance.now() - started };

  // Undoable for pass 4's copies, without holder lists: with one bid there is no other bid in its way.
  let state = new ScheduleState(prep, book, options.platformFeeBps, true, false, false, 0, false);
  const d = bid.duration;

  // Pass 2. fast.ts spreads each bid's expected demand over its (offer, hour) cells and takes the
  // bid's own share off again before scheduling it; in single precision that leaves each cell the
  // rounding error of its share, which breaks ties between starts. The same residue is kept here.
  if (scratch.pressure.length < prep.computeFree.length) scratch.pressure = new Float32Array(prep.computeFree.length);
  const pressure = scratch.pressure.fill(0, 0, prep.computeFree.length);
  if (bid.firstStart < bid.lastStart) {
    let choices = 0;
    for (let p = 0; p < pairs; p++) {
      const compute = computes[pairOffer[p]];
      choices += Math.max(0, Math.min(bid.lastStart, compute.end - d) - Math.max(bid.firstStart, compute.start) + 1);
    }
    if (choices > 0) {
      for (const sign of [1, -1]) {
        const share = (sign * bid.remaining) / choices;
        for (let p = 0; p < pairs; p++) {
          const compute = computes[pairOffer[p]];
          const lo = Math.max(bid.firstStart, compute.start);
          const hi = Math.min(bid.lastStart, compute.end - d);
          if (lo > hi) continue;
          const at = compute.offset - compute.start;
          for (let h = lo; h < hi + d; h++) pressure[at + h] += share * (Math.min(hi, h) - Math.max(lo, h - d + 1) + 1);
        }
      }
    }
  }

  const { topStart, topScore, touchedPool } = scratch;
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
  let touchedCount = 0;
  if (scratch.poolLeft.length < 64 * d) scratch.poolLeft = new Float64Array(64 * d);
  const poolLeft = scratch.poolLeft;
  const covered = (at: number, need: number) => {
    let sum = 0;
    for (let k = 0; k < d; k++) sum += Math.min(poolLeft[at + k], need);
    return sum;
  };

  /** fast.ts's scheduleBid for bid 0. */
  const scheduleBid = () => {
    const origin = order.certificateOrigin;
    const minShare = order.minGreenBps / 10_000;
    const fixed = state.start[0];
    const first = fixed >= 0 ? fixed : bid.firstStart;
    const last = fixed >= 0 ? fixed : bid.lastStart;
    topCount = 0;
    if (first === last) {
      topStart[0] = first;
      topCount = 1;
    }
    for (let s = first; s <= last && first < last; s++) {
      let left = state.remaining[0];
      let value = 0;
      let spare = 0;
      let capacity = 0;
      let greenShare = -1;
      touchedCount = 0;
      for (let p = 0; p < pairs && left > 0; p++) {
        const c = pairOffer[p];
        const compute = computes[c];
        if (compute.start > s || s + d > compute.end) continue;
        const free = state.freeVcu(c, s, d);
        if (free <= 0) continue;
        let q = Math.min(free, left);
        if (minShare > 0) {
          const pool = certificatePool(origin, compute.region);
          if (pool < 0) continue;
          let slot = touchedPool.indexOf(pool);
          if (slot < 0 || slot >= touchedCount) {
            slot = touchedCount++;
            touchedPool[slot] = pool;
            for (let k = 0; k < d; k++) poolLeft[slot * d + k] = state.poolSupply(origin, compute.region, s + k);
          }
          const n = compute.milliWhPerVcuHour / 1000;
          if (covered(slot * d, n * q) < minShare * d * n * q) {
            let lo = 0;
            let hi = q;
            while (lo < hi) {
              const mid = Math.ceil((lo + hi) / 2);
              if (covered(slot * d, n * mid) >= minShare * d * n * mid) lo = mid;
              else hi = mid - 1;
            }
            q = lo;
          }
          if (q <= 0) continue;
          const available = covered(slot * d, n * q);
          if (greenShare < 0) greenShare = available / (d * n * q);
          const take = (minShare * d * n * q) / available;
          for (let k = 0; k < d; k++) poolLeft[slot * d + k] -= Math.min(poolLeft[slot * d + k], n * q) * take;
        }
        value += q * pairProfit[p];
        left -= q;
        let crowd = 0;
        const from = compute.offset + s - compute.start;
        for (let k = 0; k < d; k++) crowd = Math.max(crowd, pressure[from + k]);
        spare += free - q - crowd;
        capacity += compute.capacity;
      }
      if (value <= 0) continue;
      const tie = spare / capacity + Math.max(0, greenShare);
      consider(s, value * (1 + TIE_WEIGHT * tie));
    }
    for (let t = 0; t < topCount; t++) {
      const s = topStart[t];
      let placed = 0;
      for (let p = 0; p < pairs && state.remaining[0] > 0; p++) {
        const compute = computes[pairOffer[p]];
        if (compute.start > s || s + d > compute.end) continue;
        placed += state.place(0, pairOffer[p], s, state.remaining[0]);
      }
      if (placed > 0 || state.start[0] >= 0) break;
    }
  };
  scheduleBid();
  // fast.ts schedules a bid left short once more, from its fixed start. A bid that placed nothing
  // has no start fixed and a state unchanged (a piece that does not fit changes nothing in a state
  // that neither reroutes nor spares scarce hours), so that second scan would repeat the first.
  if (state.remaining[0] > 0 && state.remaining[0] < bid.remaining) scheduleBid();

  // Pass 4: left short of its VCU, the bid is taken out and placed again at each of its starts in
  // turn (offers best first), the best schedule kept while the welfare rises.
  // A copy tried and not kept lends its arrays to the next copy (ScheduleState.clone). A copy at
  // whose start nothing fitted is still the kept state without the bid (pieces that do not fit
  // change nothing), so the next start is tried on it as it is, not on a fresh copy: a bid that
  // fits nowhere costs one copy per move, not one per start.
  let spare: ScheduleState | undefined;
  let moves = 0;
  for (let improved = true; improved && moves < LOCAL_SEARCH_MOVES; ) {
    improved = false;
    if (state.remaining[0] <= 0) break;
    moves++;
    const kept = state;
    let best = kept;
    let without: ScheduleState | undefined;
    const starts = bid.lastStart - bid.firstStart + 1;
    const step = Math.max(1, Math.ceil(starts / LOCAL_SEARCH_STARTS));
    for (let s = bid.firstStart; s <= bid.lastStart; s += step) {
      if (without === undefined) {
        state = kept.clone(spare);
        spare = undefined;
        state.remove(0);
      } else state = without;
      without = undefined;
      for (let p = 0; p < pairs && state.remaining[0] > 0; p++) state.place(0, pairOffer[p], s, state.remaining[0]);
      if (state.remaining[0] === bid.remaining) without = state;
      else if (state.welfare > best.welfare * (1 + 1e-12)) {
        if (best !== kept) spare = best;
        best = state;
      } else spare = state;
    }
    spare ??= without;
    state = best;
    if (best !== kept) {
      improved = true;
      spare ??= kept;
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

/**
 * prepare.ts's PreparedSchedule of a one-bid book, laid out for that bid only: its candidate compute
 * offers (in prepare.ts's candidate order: by region, then window start, then book order), the links
 * of the routes from their regions to the buyer's, and certificate slots only for a green share.
 * Undefined when the bid cannot be scheduled at all (not live, or no candidate).
 */
function prepareOneBid(book: TimedBook, rules: ScheduleOptions, cut?: ScheduleHours): PreparedSchedule | undefined {
  const order = book.bids[0];
  if (order === undefined) return undefined;
  if (!(order.expiry > rules.now && order.vcu - order.filledVcu > 0 && order.durationHours > 0)) return undefined;
  // A window as clearBook's cut leaves it (undefined: the offer is cut away).
  const from = cut?.from ?? Number.NEGATIVE_INFINITY;
  const to = cut?.to ?? Number.POSITIVE_INFINITY;

  // The offers' fields from columns kept per list: a book's offer objects come in many shapes, and
  // reading their fields one by one cost more than the rest of this preparation.
  const offers = computeColumnsOf(book.computeOffers);
  const offerCount = book.computeOffers.length;
  let first = order.earliestStart;
  let last = order.latestEnd;
  for (let i = 0; i < offerCount; i++) {
    const windowStart = offers.windowStart[i];
    const windowEnd = offers.windowEnd[i];
    if (!(offers.expiry[i] > rules.now && offers.vcu[i] > 0) || !(windowStart < to && windowEnd > from)) continue;
    first = Math.min(first, Math.max(windowStart, from));
    last = Math.max(last, Math.min(windowEnd, to));
  }
  let base = Math.floor(first / HOUR);
  let span = Math.max(1, Math.ceil(last / HOUR) - base);
  const index = (t: number) => Math.floor(t / HOUR) - base;
  const clampHour = (h: number) => Math.min(Math.max(h, 0), span);

  const duration = order.durationHours;
  const fixedAt = order.start !== 0 ? index(order.start) : -1;
  const firstStart = fixedAt >= 0 ? fixedAt : Math.ceil(order.earliestStart / HOUR) - base;
  const lastStart = fixedAt >= 0 ? fixedAt : Math.floor(order.latestEnd / HOUR) - base - duration;
  if (firstStart > lastStart || firstStart < 0 || lastStart + duration > span) return undefined;
  if (fixedAt >= 0 && (order.start < order.earliestStart || order.start + duration * HOUR > order.latestEnd))
    return undefined;
  const limit = Number(order.limitPricePerVcuHour);
  const mask = Number(order.acceptableRegions & 0xffffffffn);

  // Candidates: the class, an accepted region, a window that holds the job at one of its starts, a
  // reserve under the limit.
  const computes: LiveCompute[] = [];
  if (scratch.candidateAt.length < offerCount) scratch.candidateAt = new Int32Array(2 * offerCount);
  // Per candidate: its index in the book's list (moved with it by the sort below).
  const candidateAt = scratch.candidateAt;
  for (let i = 0; i < offerCount; i++) {
    const windowStart = offers.windowStart[i];
    const windowEnd = offers.windowEnd[i];
    const region = offers.region[i];
    if (!(offers.expiry[i] > rules.now && offers.vcu[i] > 0) || !(windowStart < to && windowEnd > from)) continue;
    if (offers.hardwareClass[i] !== order.hardwareClass || region < 0 || region >= REGION_SLOTS) continue;
    if (((mask >>> region) & 1) === 0) continue;
    const start = clampHour(index(Math.max(windowStart, from)));
    const end = clampHour(index(Math.min(windowEnd, to)));
    if (Math.max(firstStart, start) > Math.min(lastStart, end - duration)) continue;
    const reserve = offers.reserve[i];
    if (reserve >= limit) continue;
    // prepare.ts's order: region, then window start, then book order (a stable insertion sort).
    let j = computes.length;
    computes.push({
      order: book.computeOffers[i],
      region,
      start,
      end,
      capacity: offers.vcu[i],
      reserve,
      milliWhPerVcuHour: offers.milliWhPerVcuHour[i],
      offset: 0,
    });
    const placed = computes[j];
    for (
      ;
      j > 0 &&
      (computes[j - 1].region > region || (computes[j - 1].region === region && computes[j - 1].start > start));
      j--
    ) {
      computes[j] = computes[j - 1];
      candidateAt[j] = candidateAt[j - 1];
    }
    computes[j] = placed;
    candidateAt[j] = i;
  }
  if (computes.length === 0) return undefined;
  let cells = 0;
  for (const c of computes) {
    c.offset = cells;
    cells += c.end - c.start;
  }
  if (scratch.computeFree.length < cells)
    scratch.computeFree = new Int32Array(Math.max(cells, 2 * scratch.computeFree.length));
  const computeFree = scratch.computeFree.subarray(0, cells);
  for (let k = 0; k < computes.length; k++) {
    const c = computes[k];
    const i = candidateAt[k];
    copyInts(computeFree, c.offset, c.end - c.start, offers.free[i], base + c.start - offers.firstHour[i]);
  }

  // Links of the routes from the candidates' regions to the buyer's, in book order; each route's list
  // and latency floors read from its order kept for the book version (routeOrdersOf).
  let routeMask = 0;
  for (const c of computes) if (c.region !== order.buyerRegion) routeMask |= 1 << c.region;
  const links: LiveLink[] = [];
  const routes = new Map<number, number[]>();
  const routeFloors: PreparedSchedule["routeFloors"] = new Map();
  let linkCells = 0;
  if (routeMask !== 0) {
    const offers = book.bandwidthOffers;
    if (scratch.linkAt.length < offers.length) scratch.linkAt = new Int32Array(2 * offers.length);
    const linkAt = scratch.linkAt;
    for (let i = 0; i < offers.length; i++) {
      const w = offers[i];
      linkAt[i] = -1;
      if (!(w.expiry > rules.now && w.mbps > 0n) || !(w.windowStart < to && w.windowEnd > from)) continue;
      const other =
        w.fromRegion === order.buyerRegion ? w.toRegion : w.toRegion === order.buyerRegion ? w.fromRegion : -1;
      if (other < 0 || other >= REGION_SLOTS || ((routeMask >>> other) & 1) === 0) continue;
      const start = clampHour(index(Math.max(w.windowStart, from)));
      const end = clampHour(index(Math.min(w.windowEnd, to)));
      linkAt[i] = links.length;
      links.push({
        order: w,
        start,
        end,
        mbps: Number(w.mbps),
        price: Number(w.reservePricePerMbpsHour),
        offset: linkCells,
      });
      linkCells += Math.max(0, end - start);
    }
    for (const route of routeOrdersOf(offers, order.buyerRegion)) {
      if (((routeMask >>> route.other) & 1) === 0) continue;
      const list: number[] = [];
      for (let k = 0; k < route.byPrice.length; k++)
        if (linkAt[route.byPrice[k]] >= 0) list.push(linkAt[route.byPrice[k]]);
      if (list.length === 0) continue;
      routes.set(route.key, list);
      // prepare.ts's sortRoutes: the cheapest price among the links of at most each latency.
      const latency = new Float64Array(list.length);
      const price = new Float64Array(list.length);
      let n = 0;
      for (let k = 0; k < route.byLatency.length; k++) {
        const w = linkAt[route.byLatency[k]];
        if (w < 0) continue;
        latency[n] = links[w].order.latencyMs;
        price[n] = n > 0 ? Math.min(links[w].price, price[n - 1]) : links[w].price;
        n++;
      }
      routeFloors.set(route.key, { latency, price });
    }
  }
  if (scratch.linkFree.length < linkCells)
    scratch.linkFree = new Float64Array(Math.max(linkCells, 2 * scratch.linkFree.length));
  const linkFree = scratch.linkFree.subarray(0, linkCells);
  for (const w of links) {
    const free = freeMbpsByHour(w.order);
    const shift = base + w.start - Math.floor(w.order.windowStart / HOUR) - w.offset;
    copyFloats(linkFree, w.offset, w.end - w.start, free, w.offset + shift);
  }

  const bid: LiveBid = {
    order,
    remaining: order.vcu - order.filledVcu,
    limit,
    duration,
    firstStart,
    lastStart,
    mbps: Number(order.bandwidthMbps),
    candidates: candidateList(computes.length),
  };

  // Certificates only for a green share: without one the energy estimate is multiplied by zero.
  let energy = NO_ENERGY;
  let meanPricePerWh = 0;
  if (order.minGreenBps > 0) {
    const live = liveEnergy(book.energyOffers, rules.now);
    meanPricePerWh = meanPricePerWhOver(book, live, base, span);
    // Hours are indices from an origin that only names them. A bid whose hours lie inside the energy
    // offers' schedules on the certificate slots laid out once for the book version, its hours counted
    // from the offers' first (one-bid-energy.ts); others lay out their own window's slots of their
    // pool's regions, as does a start fixed before the window (it would read as fixed from an earlier origin).
    const range = energyRange(book.energyOffers);
    const kept =
      order.start === 0 && range.base <= base && base + span <= range.base + range.span
        ? sharedEnergySlots(book, live)
        : undefined;
    let greenRegions = 0;
    for (const c of computes) greenRegions |= poolRegions(order.certificateOrigin, c.region);
    if (kept !== undefined) {
      const shift = base - range.base;
      for (const c of computes) {
        c.start += shift;
        c.end += shift;
      }
      for (const w of links) {
        w.start += shift;
        w.end += shift;
      }
      bid.firstStart += shift;
      bid.lastStart += shift;
      base = range.base;
      span = range.span;
      energy = changeableOver(kept, bid.firstStart, bid.lastStart + duration, greenRegions);
    } else {
      energy = prepareEnergy(book, live, base, span, greenRegions, scratch.energy);
    }
  }

  return {
    base,
    span,
    bids: [bid],
    computes,
    computeFree,
    links,
    linkFree,
    routes,
    routeFloors,
    energy,
    meanPricePerWh,
  };
}

/**
 * One route's links (indexes into the book's link list) ordered as prepare.ts's sortRoutes orders them:
 * by price, then order id (a strict order, so the live links of a quote read from it in this order are
 * the list sortRoutes would make of them), and that list again by latency (a stable sort, so the floors
 * of any subset read from it are sortRoutes' floors of that subset).
 */
type RouteOrder = { key: number; other: number; byPrice: Int32Array; byLatency: Int32Array };
const routeOrders = new WeakMap<TimedBook["bandwidthOffers"], Map<number, RouteOrder[]>>();

/** The routes of `links` from any region to `buyerRegion`, ordered once per link list (a book version's). */
function routeOrdersOf(links: TimedBook["bandwidthOffers"], buyerRegion: number): RouteOrder[] {
  let byBuyer = routeOrders.get(links);
  if (byBuyer === undefined) {
    byBuyer = new Map();
    routeOrders.set(links, byBuyer);
  }
  let orders = byBuyer.get(buyerRegion);
  if (orders === undefined) {
    const members = new Map<number, { other: number; list: number[] }>();
    for (let i = 0; i < links.length; i++) {
      const w = links[i];
      const other = w.fromRegion === buyerRegion ? w.toRegion : w.toRegion === buyerRegion ? w.fromRegion : -1;
      if (other < 0 || other >= REGION_SLOTS) continue;
      const key = routeKey(w.fromRegion, w.toRegion);
      const route = members.get(key);
      if (route === undefined) members.set(key, { other, list: [i] });
      else route.list.push(i);
    }
    orders = [];
    for (const [key, { other, list }] of members) {
      const price = (i: number) => Number(links[i].reservePricePerMbpsHour);
      list.sort((x, y) => price(x) - price(y) || Number(links[x].id - links[y].id));
      const byLatency = [...list].sort((x, y) => links[x].latencyMs - links[y].latencyMs);
      orders.push({ key, other, byPrice: Int32Array.from(list), byLatency: Int32Array.from(byLatency) });
    }
    byBuyer.set(buyerRegion, orders);
  }
  return orders;
}

// Books are replaced, never mutated (backend/book/book-source.ts): what an offer has free in each
// hour of its window is read from its sold-hours map, and a compute offer's reserve and energy need
// turned into numbers, once per book version, not once per quote. The free hours are kept per offer,
// not per list: a book version hands quotes a list per hardware class and set of regions (hundreds,
// book-index.ts), and a copy of the offers' week-long windows in each (~7 MB for the API benchmark's
// book) left a quote's reads scattered over memory no cache holds.
const freeMbpsIndexes = new WeakMap<HourlyBandwidthOffer, Float64Array>();
const freeVcuIndexes = new WeakMap<HourlyComputeOffer, Int32Array>();

/**
 * What the scheduler reads of a list's compute offers, in plain numbers as prepare.ts reads them, one
 * column per field (index: the offer's place in the list).
 */
type ComputeColumns = {
  expiry: Float64Array;
  vcu: Float64Array;
  windowStart: Float64Array;
  windowEnd: Float64Array;
  region: Float64Array;
  hardwareClass: Float64Array;
  reserve: Float64Array;
  milliWhPerVcuHour: Float64Array;
  /** The unix hour of each offer's window's first hour. */
  firstHour: Float64Array;
  /** Free VCU in each hour of each offer's window: offer i's hour k at free[i][k] (freeVcuByHour). */
  free: Int32Array[];
};
const computeColumns = new WeakMap<readonly HourlyComputeOffer[], ComputeColumns>();

function computeColumnsOf(list: readonly HourlyComputeOffer[]): ComputeColumns {
  let columns = computeColumns.get(list);
  if (columns === undefined) {
    const n = list.length;
    const float = () => new Float64Array(n);
    columns = {
      expiry: float(),
      vcu: float(),
      windowStart: float(),
      windowEnd: float(),
      region: float(),
      hardwareClass: float(),
      reserve: float(),
      milliWhPerVcuHour: float(),
      firstHour: float(),
      free: new Array<Int32Array>(n),
    };
    for (let i = 0; i < n; i++) {
      const offer = list[i];
      const first = Math.floor(offer.windowStart / HOUR);
      columns.expiry[i] = offer.expiry;
      columns.vcu[i] = offer.vcu;
      columns.windowStart[i] = offer.windowStart;
      columns.windowEnd[i] = offer.windowEnd;
      columns.region[i] = offer.region;
      columns.hardwareClass[i] = offer.hardwareClass;
      columns.reserve[i] = Number(offer.reservePricePerVcuHour);
      columns.milliWhPerVcuHour[i] = Number(offer.whPerVcuHour) * offer.pueMilli;
      columns.firstHour[i] = first;
      columns.free[i] = freeVcuByHour(offer);
    }
    computeColumns.set(list, columns);
  }
  return columns;
}

/** Free VCU in each hour of the compute offer's window (index 0: its first hour), as prepare.ts reads it. */
function freeVcuByHour(offer: HourlyComputeOffer): Int32Array {
  let free = freeVcuIndexes.get(offer);
  if (free === undefined) {
    const first = Math.floor(offer.windowStart / HOUR);
    free = new Int32Array(Math.max(0, Math.floor(offer.windowEnd / HOUR) - first));
    for (let k = 0; k < free.length; k++)
      free[k] = Math.max(0, offer.vcu - (offer.usedVcu?.get((first + k) * HOUR) ?? 0));
    freeVcuIndexes.set(offer, free);
  }
  return free;
}

/** Free Mbps in each hour of the link's window (index 0: its first hour), as prepare.ts reads it. */
function freeMbpsByHour(link: HourlyBandwidthOffer): Float64Array {
  let free = freeMbpsIndexes.get(link);
  if (free === undefined) {
    const first = Math.floor(link.windowStart / HOUR);
    const mbps = Number(link.mbps);
    free = new Float64Array(Math.max(0, Math.floor(link.windowEnd / HOUR) - first));
    for (let k = 0; k < free.length; k++)
      free[k] = Math.max(0, mbps - Number(link.usedMbps?.get((first + k) * HOUR) ?? 0n));
    freeMbpsIndexes.set(link, free);
  }
  return free;
}

/**
 * into[at .. at + count) = from[first .. first + count): plain loops in functions of their own, one per
 * element type, which the compiler keeps tight (a subarray view per offer costs more than the few
 * hours it holds).
 */
function copyInts(into: Int32Array, at: number, count: number, from: Int32Array, first: number): void {
  for (let k = 0; k < count; k++) into[at + k] = from[first + k];
}

function copyFloats(into: Float64Array, at: number, count: number, from: Float64Array, first: number): void {
  for (let k = 0; k < count; k++) into[at + k] = from[first + k];
}

/**
 * The candidates 0 .. count − 1 (prepare.ts's LiveBid field; the one-bid passes walk their own pairs
 * and never read it): a view of one list kept for every quote, since a new typed array of more than
 * 16 candidates is allocated outside V8's heap, at ~0.3 µs.
 */
let candidateIndexes = new Int32Array(0);
function candidateList(count: number): Int32Array {
  if (candidateIndexes.length < count) {
    candidateIndexes = new Int32Array(Math.max(count, 2 * candidateIndexes.length));
    for (let i = 0; i < candidateIndexes.length; i++) candidateIndexes[i] = i;
  }
  return candidateIndexes.subarray(0, count);
}
