// Turns an order book into the clearers' working form: the live orders with their remaining
// capacity, and for every bid the compute offers that can serve it (hardware class, window, region)
// with the bandwidth offers that can carry the traffic when the regions differ (route, window,
// latency). Capacity competition and energy are decided later by each clearer.

import type { BandwidthOffer, Bid, ComputeOffer, EnergyOffer } from "./pool-orders.ts";
import type { MarketRules, OrderBook } from "./types.ts";

export type LiveBid = {
  order: Bid;
  remaining: number; // VCU-hours
  limit: number; // token base units per VCU-hour
  hours: number; // length of the window
  seconds: number;
  mbps: number; // bandwidth needed when served from another region
  greenShare: number; // minGreenBps / 10⁴
};
export type LiveCompute = { order: ComputeOffer; remaining: number; reserve: number; milliWhPerVcuHour: number };
export type LiveEnergy = { order: EnergyOffer; remaining: number; pricePerKwh: number; pricePerWh: number };
export type LiveLink = { order: BandwidthOffer; remaining: number; pricePerMbpsHour: number };

/**
 * The ways bids can be served, one arc per compatible (bid, compute offer) pair, as parallel arrays
 * (large books have hundreds of thousands of arcs).
 */
export type Arcs = {
  count: number; // the arrays may be longer; entries from `count` on are unused
  bid: Int32Array; // index into PreparedBook.bids
  compute: Int32Array; // index into PreparedBook.computes
  /** Index into PreparedBook.linkLists of the eligible bandwidth offers, or −1 when local. */
  linkList: Int32Array;
  /** Certificate Wh per VCU-hour at the bid's minimum green share (rational, before rounding up). */
  greenPerVcu: Float64Array;
};

export type PreparedBook = {
  bids: LiveBid[];
  computes: LiveCompute[];
  energies: LiveEnergy[]; // cheapest first, ties by ascending id
  links: LiveLink[];
  /** Eligible bandwidth offers of one (bid, remote region), indices into `links`. */
  linkLists: number[][];
  /** Lowest reserve price per Mbps-hour in each link list. */
  linkListCheapest: number[];
  arcs: Arcs;
  /** What each live offer has left, parallel to `computes`, `energies`, `links`: copy before changing. */
  remaining: { compute: Float64Array; energy: Float64Array; link: Float64Array };
};

// Books are replaced, never mutated (backend/book/book-source.ts), so an offer list's identity marks
// a book version: a quote clears one bid against the same offers thousands of times, and each list's
// preparation (liveness filter, sort, window index) is done once per list and expiry instead.
// Prepared for `now`, a list stays right for every later time until its next live offer expires.
type Prepared<T> = { value: T; from: number; until: number };

function preparedFor<K extends object, T>(
  cache: WeakMap<K, Prepared<T>>,
  key: K,
  now: number,
  prepare: (live: (expiry: number) => boolean) => T,
): T {
  const cached = cache.get(key);
  if (cached !== undefined && cached.from <= now && now < cached.until) return cached.value;
  let until = Number.POSITIVE_INFINITY;
  const value = prepare((expiry) => {
    if (expiry <= now) return false;
    if (expiry < until) until = expiry;
    return true;
  });
  cache.set(key, { value, from: now, until });
  return value;
}

type PreparedComputes = {
  computes: LiveCompute[];
  /** By (class, region), sorted by window start. */
  buckets: Map<number, WindowBucket>;
  regions: number[];
  regionBits: bigint[];
  /** Flat copies of what the scan and the realisation read, so they do not chase order objects. */
  milli: Float64Array;
  remaining: Float64Array;
};
type PreparedLinks = {
  links: LiveLink[];
  /** By route, sorted by window start. */
  buckets: Map<number, WindowBucket>;
  latency: Float64Array;
  remaining: Float64Array;
};

const preparedComputes = new WeakMap<readonly ComputeOffer[], Prepared<PreparedComputes>>();
const preparedEnergies = new WeakMap<
  readonly EnergyOffer[],
  Prepared<{ energies: LiveEnergy[]; remaining: Float64Array }>
>();
const preparedLinks = new WeakMap<readonly BandwidthOffer[], Prepared<PreparedLinks>>();

function prepareComputes(offers: readonly ComputeOffer[], live: (expiry: number) => boolean): PreparedComputes {
  const computes: LiveCompute[] = [];
  for (const o of offers) {
    const remaining = Number(o.vcuHours - o.filled);
    if (remaining <= 0 || !live(o.expiry)) continue;
    computes.push({
      order: o,
      remaining,
      reserve: Number(o.reservePricePerVcuHour),
      milliWhPerVcuHour: Number(o.whPerVcuHour) * o.pueMilli,
    });
  }
  // Offers indexed by (class, region) or by route, sorted by window start, with the longest window
  // per bucket: an offer covering a bid's window starts no earlier than bid end − longest window.
  const buckets = windowIndex(
    computes.map((c) => c.order.hardwareClass * 65_536 + c.order.region),
    computes.map((c) => c.order),
  );
  const regions = [...new Set(computes.map((c) => c.order.region))].sort((a, b) => a - b);
  return {
    computes,
    buckets,
    regions,
    regionBits: regions.map((r) => 1n << BigInt(r)),
    milli: Float64Array.from(computes, (c) => c.milliWhPerVcuHour),
    remaining: Float64Array.from(computes, (c) => c.remaining),
  };
}

function prepareEnergies(
  offers: readonly EnergyOffer[],
  live: (expiry: number) => boolean,
): { energies: LiveEnergy[]; remaining: Float64Array } {
  const energies = offers
    .filter((e) => e.wh > e.filled && live(e.expiry))
    .map((e) => ({
      order: e,
      remaining: Number(e.wh - e.filled),
      pricePerKwh: Number(e.reservePricePerKwh),
      pricePerWh: Number(e.reservePricePerKwh) / 1000,
    }))
    .sort((a, b) => a.pricePerWh - b.pricePerWh || (a.order.id < b.order.id ? -1 : 1));
  return { energies, remaining: Float64Array.from(energies, (e) => e.remaining) };
}

function prepareLinks(offers: readonly BandwidthOffer[], live: (expiry: number) => boolean): PreparedLinks {
  const links: LiveLink[] = offers
    .filter((w) => w.mbps > w.filled && w.fromRegion !== w.toRegion && live(w.expiry))
    .map((w) => ({
      order: w,
      remaining: Number(w.mbps - w.filled),
      pricePerMbpsHour: Number(w.reservePricePerMbpsHour),
    }));
  return {
    links,
    buckets: windowIndex(
      links.map((w) => routeKey(w.order.fromRegion, w.order.toRegion)),
      links.map((w) => w.order),
    ),
    latency: Float64Array.from(links, (w) => w.order.latencyMs),
    remaining: Float64Array.from(links, (w) => w.remaining),
  };
}

/**
 * Collects the live orders and every compatible (bid, compute offer) pair. The offers' part is
 * shared between calls on the same offer lists: never mutate a PreparedBook's offers.
 */
export function prepareBook(book: OrderBook, rules: MarketRules): PreparedBook {
  const now = rules.now;
  const bids: LiveBid[] = [];
  for (const b of book.bids) {
    const remaining = Number(b.vcuHours - b.filled);
    if (remaining <= 0 || b.expiry <= now || b.windowEnd <= b.windowStart) continue;
    bids.push({
      order: b,
      remaining,
      limit: Number(b.limitPricePerVcuHour),
      hours: (b.windowEnd - b.windowStart) / 3600,
      seconds: b.windowEnd - b.windowStart,
      mbps: Number(b.bandwidthMbps),
      greenShare: b.minGreenBps / 10_000,
    });
  }
  const {
    computes,
    buckets: computeBuckets,
    regions,
    regionBits,
    milli: computeMilli,
    remaining: computeRemaining,
  } = preparedFor(preparedComputes, book.computeOffers, now, (live) => prepareComputes(book.computeOffers, live));
  const { energies, remaining: energyRemaining } = preparedFor(preparedEnergies, book.energyOffers, now, (live) =>
    prepareEnergies(book.energyOffers, live),
  );
  const {
    links,
    buckets: linkBuckets,
    latency: linkLatency,
    remaining: linkRemaining,
  } = preparedFor(preparedLinks, book.bandwidthOffers, now, (live) => prepareLinks(book.bandwidthOffers, live));

  let arcs = emptyArcs(bids.length * 8);
  const linkLists: number[][] = [];
  const linkListCheapest: number[] = [];
  for (let bi = 0; bi < bids.length; bi++) {
    const lb = bids[bi];
    const b = lb.order;
    const mbps = Number(b.bandwidthMbps);
    for (let r = 0; r < regions.length; r++) {
      if ((b.acceptableRegions & regionBits[r]) === 0n) continue;
      const region = regions[r];
      const bucket = computeBuckets.get(b.hardwareClass * 65_536 + region);
      if (bucket === undefined) continue;
      let list = -1;
      if (region !== b.buyerRegion) {
        const route = linkBuckets.get(routeKey(region, b.buyerRegion));
        if (route === undefined) continue;
        const eligible: number[] = [];
        for (let k = firstCandidate(route, b); k < route.starts.length && route.starts[k] <= b.windowStart; k++) {
          const w = route.items[k];
          if (route.ends[k] >= b.windowEnd && linkLatency[w] <= b.maxLatencyMs && linkRemaining[w] >= mbps)
            eligible.push(w);
        }
        if (eligible.length === 0) continue;
        list = linkLists.length;
        linkLists.push(eligible);
        linkListCheapest.push(Math.min(...eligible.map((w) => links[w].pricePerMbpsHour)));
      }
      for (let k = firstCandidate(bucket, b); k < bucket.starts.length && bucket.starts[k] <= b.windowStart; k++) {
        if (bucket.ends[k] < b.windowEnd) continue;
        const ci = bucket.items[k];
        if (arcs.count === arcs.bid.length) arcs = grow(arcs);
        const a = arcs.count++;
        arcs.bid[a] = bi;
        arcs.compute[a] = ci;
        arcs.linkList[a] = list;
        arcs.greenPerVcu[a] = (lb.greenShare * computeMilli[ci]) / 1000;
      }
    }
  }
  return {
    bids,
    computes,
    energies,
    links,
    linkLists,
    linkListCheapest,
    arcs,
    remaining: { compute: computeRemaining, energy: energyRemaining, link: linkRemaining },
  };
}

function emptyArcs(capacity: number): Arcs {
  return {
    count: 0,
    bid: new Int32Array(capacity),
    compute: new Int32Array(capacity),
    linkList: new Int32Array(capacity),
    greenPerVcu: new Float64Array(capacity),
  };
}

function grow(arcs: Arcs): Arcs {
  const bigger = emptyArcs(Math.max(16, arcs.bid.length * 2));
  bigger.bid.set(arcs.bid);
  bigger.compute.set(arcs.compute);
  bigger.linkList.set(arcs.linkList);
  bigger.greenPerVcu.set(arcs.greenPerVcu);
  bigger.count = arcs.count;
  return bigger;
}

type WindowBucket = { starts: number[]; ends: number[]; items: number[]; longest: number };

function routeKey(a: number, b: number): number {
  return a < b ? a * 65_536 + b : b * 65_536 + a;
}

function windowIndex(keys: number[], windows: { windowStart: number; windowEnd: number }[]): Map<number, WindowBucket> {
  const starts = Float64Array.from(windows, (w) => w.windowStart);
  const order = new Int32Array(windows.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  order.sort((x, y) => starts[x] - starts[y]);
  const buckets = new Map<number, WindowBucket>();
  for (const i of order) {
    let bucket = buckets.get(keys[i]);
    if (bucket === undefined) buckets.set(keys[i], (bucket = { starts: [], ends: [], items: [], longest: 0 }));
    const w = windows[i];
    bucket.starts.push(w.windowStart);
    bucket.ends.push(w.windowEnd);
    bucket.items.push(i);
    bucket.longest = Math.max(bucket.longest, w.windowEnd - w.windowStart);
  }
  return buckets;
}

/** First position in a bucket whose offer could contain the bid's window (by start time). */
function firstCandidate(bucket: WindowBucket, bid: Bid): number {
  let lo = 0;
  let hi = bucket.starts.length;
  const earliest = bid.windowEnd - bucket.longest;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (bucket.starts[mid] < earliest) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Bandwidth reserve cost of serving `bid` over `link` for the bid's window, token base units. */
export function linkCost(bid: LiveBid, link: LiveLink): number {
  return link.pricePerMbpsHour * bid.mbps * bid.hours;
}
