// The replacement search behind the core caps (docs/pricing.md, "Core caps"). A supplier the book could replace cannot hold the bundle to ransom: if another offer r
// could serve the same part (same rules as the contract's checks, with the capacity r has left in
// each of the job's hours after the whole batch), everyone else could do the deal with r and share V − cost(r), so the coalition
// without supplier i demands Σ_{j≠i} u_j ≥ V − cost(r), that is u_i ≤ cost(r) (the bound nashBargain
// gets; see bargainInCore in payments.ts). The cap is never below i's own reserve: when r is cheaper
// still, the clearer had its reasons to pick i (capacity, region, green share) and i's consent stands. A capped
// supplier whose cap does not exceed its disagreement value has nothing to bargain over: it is paid
// its cap, and the others bargain over the rest.

import {
  type BookBandwidthOffer,
  type BookComputeOffer,
  type BookEnergyOffer,
  bandwidthFreeMbps,
  computeFreeVcu,
  energyLeftWh,
  type OrderBook,
} from "../../protocol/book.ts";
import { hoursOf } from "../../protocol/hours.ts";
import type { Match } from "../../protocol/orders.ts";
import { SECONDS_PER_HOUR } from "../../protocol/units.ts";
import type { Bundle } from "./bundle.ts";
import { ceilDiv } from "./payments.ts";
import { needPerHourWh, originAllows } from "./schedule/check.ts";

/** Capacity taken from offers of one kind, by offer id and hour (unix seconds). */
export type UseByOffer = ReadonlyMap<bigint, ReadonlyMap<number, bigint>>;

/**
 * Capacity a batch takes from each offer in each hour: compute VCU, energy Wh, bandwidth Mbps (the
 * kinds number their offers apart, so each has its own map). Kept by id and hour, not by a text key
 * per hour, so neither building it nor a replacement search's look-ups make strings.
 */
export type CapacityUse = { compute: UseByOffer; energy: UseByOffer; link: UseByOffer };

/**
 * Capacity a list of matches takes from each offer in each hour. `reservation` says how long a
 * match's job runs and the Mbps it reserves on its link (0 when an earlier match of the bid already did).
 */
export function capacityTakenBy(
  matches: readonly Match[],
  reservation: (m: Match, i: number) => { durationHours: number; mbps: bigint },
): CapacityUse {
  const compute = new Map<bigint, Map<number, bigint>>();
  const energy = new Map<bigint, Map<number, bigint>>();
  const link = new Map<bigint, Map<number, bigint>>();
  const hoursOfOffer = (use: Map<bigint, Map<number, bigint>>, id: bigint) => {
    let byHour = use.get(id);
    if (byHour === undefined) {
      byHour = new Map();
      use.set(id, byHour);
    }
    return byHour;
  };
  const add = (byHour: Map<number, bigint>, hour: number, amount: bigint) => {
    const taken = byHour.get(hour);
    byHour.set(hour, taken === undefined ? amount : taken + amount);
  };
  for (let i = 0; i < matches.length; i++) {
    const m = matches[i];
    const { durationHours, mbps } = reservation(m, i);
    const computeHours = hoursOfOffer(compute, m.computeOfferId);
    const linkHours = m.bandwidthOfferId !== 0n && mbps > 0n ? hoursOfOffer(link, m.bandwidthOfferId) : undefined;
    const end = m.start + durationHours * SECONDS_PER_HOUR;
    for (let hour = m.start; hour < end; hour += SECONDS_PER_HOUR) {
      add(computeHours, hour, m.vcu);
      if (linkHours !== undefined) add(linkHours, hour, mbps);
    }
    for (const l of m.energyLots) add(hoursOfOffer(energy, l.offerId), l.hour, l.wh);
  }
  return { compute, energy, link };
}

// The book's offers arranged for replacement searches, each list sorted by reserve, cheapest first.
// Built once per offer list (books are replaced, never mutated: backend/book/book-source.ts), so the
// bundles of many quotes against one book share them.
const energyIndexes = new WeakMap<readonly BookEnergyOffer[], BookEnergyOffer[]>();
const linkIndexes = new WeakMap<readonly BookBandwidthOffer[], Map<number, BookBandwidthOffer[]>>();
const computeIndexes = new WeakMap<readonly BookComputeOffer[], Map<number, BookComputeOffer[]>>();
const routeKey = (a: number, b: number) => Math.min(a, b) * 65_536 + Math.max(a, b);
const marketKey = (hardwareClass: number, region: number) => hardwareClass * 65_536 + region;

function group<T>(items: readonly T[], key: (o: T) => number, price: (o: T) => bigint): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const o of items) {
    const list = groups.get(key(o)) ?? [];
    list.push(o);
    groups.set(key(o), list);
  }
  for (const list of groups.values()) list.sort((a, b) => (price(a) < price(b) ? -1 : price(a) > price(b) ? 1 : 0));
  return groups;
}

/** A compute offer list's fields a replacement search tests on every offer, as columns. */
type ComputeColumns = {
  reserve: bigint[];
  id: bigint[];
  expiry: Float64Array;
  windowStart: Float64Array;
  windowEnd: Float64Array;
};
const computeColumns = new WeakMap<readonly BookComputeOffer[], ComputeColumns>();

function computeColumnsOf(offers: readonly BookComputeOffer[]): ComputeColumns {
  return cached(computeColumns, offers, () => {
    const n = offers.length;
    const c: ComputeColumns = {
      reserve: new Array<bigint>(n),
      id: new Array<bigint>(n),
      expiry: new Float64Array(n),
      windowStart: new Float64Array(n),
      windowEnd: new Float64Array(n),
    };
    for (let k = 0; k < n; k++) {
      const o = offers[k];
      c.reserve[k] = o.reservePricePerVcuHour;
      c.id[k] = o.id;
      c.expiry[k] = o.expiry;
      c.windowStart[k] = o.windowStart;
      c.windowEnd[k] = o.windowEnd;
    }
    return c;
  });
}

function cached<K extends object, V>(cache: WeakMap<K, V>, key: K, build: (key: K) => V): V {
  let value = cache.get(key);
  if (value === undefined) {
    value = build(key);
    cache.set(key, value);
  }
  return value;
}

function replacementIndex(book: OrderBook) {
  return {
    energies: cached(
      energyIndexes,
      book.energyOffers,
      (offers) =>
        group(
          offers,
          () => 0,
          (o) => o.reservePricePerKwh,
        ).get(0) ?? [],
    ),
    links: cached(linkIndexes, book.bandwidthOffers, (offers) =>
      group(
        offers,
        (o) => routeKey(o.fromRegion, o.toRegion),
        (o) => o.reservePricePerMbpsHour,
      ),
    ),
    computes: cached(computeIndexes, book.computeOffers, (offers) =>
      group(
        offers,
        (o) => marketKey(o.hardwareClass, o.region),
        (o) => o.reservePricePerVcuHour,
      ),
    ),
  };
}

/**
 * Reserve cost of the cheapest other offer in the book that could take over one supplier's part of
 * a bundle, with every other part and the job's hours unchanged, under the contract's checks and
 * with the capacity it has left in each job hour after `use`. Undefined when none could. A
 * replacement compute offer with a higher energy need also pays for the certificate Wh the minimum
 * green share then lacks (at the cheapest energy offer the bid's origin rule allows with that many
 * Wh left in the job's hours); with a lower need the lots shrink, at no saving counted.
 */
export function replacementsFor(bundle: Bundle, book: OrderBook, now: number, use: CapacityUse) {
  const { match, bid, compute, link } = bundle;
  const index = replacementIndex(book);
  const start = match.start;
  const end = start + bid.durationHours * SECONDS_PER_HOUR;
  const jobHours = hoursOf(start, end);
  const used = (kind: UseByOffer, id: bigint, hour: number) => kind.get(id)?.get(hour) ?? 0n;
  const green = match.energyLots.reduce((s, l) => s + l.wh, 0n);
  const routes = (l: BookBandwidthOffer, region: number) =>
    (l.fromRegion === region && l.toRegion === bid.buyerRegion) ||
    (l.toRegion === region && l.fromRegion === bid.buyerRegion);
  const inWindow = (o: { windowStart: number; windowEnd: number }) => o.windowStart <= start && end <= o.windowEnd;
  // Offers are sorted by reserve, so the first that qualifies is the cheapest.
  function cheapestEnergy(wh: bigint, hour: number, computeRegion: number, except: bigint): bigint | undefined {
    for (const o of index.energies) {
      if (o.id === except || o.expiry <= now || !originAllows(bid.certificateOrigin, computeRegion, o.region)) continue;
      if (energyLeftWh(o, hour) - used(use.energy, o.id, hour) < wh) continue;
      return ceilDiv(o.reservePricePerKwh * wh, 1000n);
    }
    return undefined;
  }
  // Each energy offer's Wh left over the job's hours, summed once per bundle: every replacement
  // compute offer searches the same energy offers for the Wh it lacks.
  const leftOverJob = new Map<BookEnergyOffer, bigint>();
  function cheapestEnergyOverJob(wh: bigint, computeRegion: number): bigint | undefined {
    for (const o of index.energies) {
      if (o.expiry <= now || !originAllows(bid.certificateOrigin, computeRegion, o.region)) continue;
      let left = leftOverJob.get(o);
      if (left === undefined) {
        left = jobHours.reduce((s, h) => s + energyLeftWh(o, h) - used(use.energy, o.id, h), 0n);
        leftOverJob.set(o, left);
      }
      if (left < wh) continue;
      return ceilDiv(o.reservePricePerKwh * wh, 1000n);
    }
    return undefined;
  }
  // Whether compute offer o has fewer than the match's VCU left in some job hour after the batch; in plain
  // numbers for an offer the batch does not touch (VCU counts are uint32).
  // The batch's use of the offer is looked up once per offer, not once per hour.
  const vcu = Number(match.vcu);
  const computeShort = (o: BookComputeOffer) => {
    const taken = use.compute.get(o.id);
    for (const h of jobHours) {
      if (
        taken === undefined
          ? computeFreeVcu(o, h) < vcu
          : BigInt(computeFreeVcu(o, h)) - (taken.get(h) ?? 0n) < match.vcu
      )
        return true;
    }
    return false;
  };
  // The same for a link and the bid's Mbps (uint24 on chain, so exact as a number).
  const mbps = Number(bid.bandwidthMbps);
  const linkShort = (o: BookBandwidthOffer) => {
    const taken = use.link.get(o.id);
    for (const h of jobHours) {
      if (
        taken === undefined
          ? bandwidthFreeMbps(o, h) < mbps
          : BigInt(bandwidthFreeMbps(o, h)) - (taken.get(h) ?? 0n) < bid.bandwidthMbps
      )
        return true;
    }
    return false;
  };
  return {
    compute(): bigint | undefined {
      // Another region only where the bundle's link (or no link, at the buyer's region) still serves.
      const regions = [compute.region];
      if (bid.buyerRegion !== compute.region) regions.push(bid.buyerRegion);
      const vcuHours = match.vcu * BigInt(bid.durationHours);
      let best: bigint | undefined;
      for (const region of regions) {
        if (((bid.acceptableRegions >> BigInt(region)) & 1n) !== 1n) continue;
        // A region the bundle's link does not serve holds no replacement at all.
        if (region !== bid.buyerRegion && (link === undefined || !routes(link, region))) continue;
        const offers = index.computes.get(marketKey(bid.hardwareClass, region));
        if (offers === undefined) continue;
        // The offers' reserves, ids, expiries and windows as columns (the book's offer objects come in
        // many shapes; reading their fields one by one was most of this walk's time).
        const c = computeColumnsOf(offers);
        for (let k = 0; k < offers.length; k++) {
          // Cheapest reserve first and energy never negative: an offer whose compute alone costs the
          // best found so far, and every offer after it, cannot beat it.
          if (best !== undefined && c.reserve[k] * vcuHours >= best) break;
          if (c.id[k] === compute.id || c.expiry[k] <= now || !(c.windowStart[k] <= start && end <= c.windowEnd[k])) {
            continue;
          }
          const o = offers[k];
          if (computeShort(o)) continue;
          const need = needPerHourWh(Number(match.vcu), o) * BigInt(bid.durationHours);
          const lacking = ceilDiv(need * BigInt(bid.minGreenBps), 10_000n) - green;
          const energyCost = lacking > 0n ? cheapestEnergyOverJob(lacking, region) : 0n;
          if (energyCost === undefined) continue;
          const cost = c.reserve[k] * vcuHours + energyCost;
          if (best === undefined || cost < best) best = cost;
        }
      }
      return best;
    },
    energy(wh: bigint, hour: number, except: bigint): bigint | undefined {
      return cheapestEnergy(wh, hour, compute.region, except);
    },
    link(linkId: bigint): bigint | undefined {
      for (const o of index.links.get(routeKey(compute.region, bid.buyerRegion)) ?? []) {
        if (o.id === linkId || o.expiry <= now || !inWindow(o) || o.latencyMs > bid.maxLatencyMs) continue;
        if (linkShort(o)) continue;
        return o.reservePricePerMbpsHour * bid.bandwidthMbps * BigInt(bid.durationHours);
      }
      return undefined;
    },
  };
}
