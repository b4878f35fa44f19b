// The replacement search behind the core caps (docs/pricing.md, "Core caps"). A supplier the book could replace cannot hold the bundle to ransom: if another offer r
// could serve the same part (same rules as the contract's checks, with the capacity r has left after
// the whole batch), everyone else could do the deal with r and share V − cost(r), so the coalition
// without supplier i demands Σ_{j≠i} u_j ≥ V − cost(r), that is u_i ≤ cost(r) (the bound nashBargain
// gets; see bargainInCore in payments.ts). The cap is never below i's own reserve: when r is cheaper
// still, the clearer had its reasons to pick i (capacity, region, green share) and i's consent stands. A capped
// supplier whose cap does not exceed its disagreement value has nothing to bargain over: it is paid
// its cap, and the others bargain over the rest.

import type { BandwidthOffer, ComputeOffer, EnergyOffer, Match } from "../../protocol/orders.ts";
import type { Bundle } from "./bundle.ts";
import { energyNeededWh, regionAccepted } from "./clearing/feasibility.ts";
import type { OrderBook } from "./clearing/types.ts";
import { ceilDiv } from "./payments.ts";

/** Capacity a list of matches takes from each offer, keyed as `BundlePricingOptions.batchUse`. */
export function capacityTakenBy(matches: readonly Match[], mbpsOf: (m: Match) => bigint): Map<string, bigint> {
  const use = new Map<string, bigint>();
  const add = (key: string, amount: bigint) => use.set(key, (use.get(key) ?? 0n) + amount);
  for (const m of matches) {
    add(`c:${m.computeOfferId}`, m.vcuHours);
    for (const l of m.energyLots) add(`e:${l.offerId}`, l.wh);
    if (m.bandwidthOfferId !== 0n) add(`w:${m.bandwidthOfferId}`, mbpsOf(m));
  }
  return use;
}

// The book's offers arranged for replacement searches, each list sorted by reserve, cheapest first.
// Built once per offer list (books are replaced, never mutated: backend/book/book-source.ts), so the
// bundles of many quotes against one book share them.
const energyIndexes = new WeakMap<readonly EnergyOffer[], EnergyOffer[]>();
const linkIndexes = new WeakMap<readonly BandwidthOffer[], Map<number, BandwidthOffer[]>>();
const computeIndexes = new WeakMap<readonly ComputeOffer[], Map<number, ComputeOffer[]>>();
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
 * a bundle, with every other part unchanged, under the contract's checks (feasibility.ts) and with
 * the capacity it has left after `use`. Undefined when none could. A replacement compute offer with
 * a higher energy need also pays for the certificate Wh the minimum green share then lacks (at the
 * cheapest energy offer that has them); with a lower need the lots shrink, at no saving counted.
 */
export function replacementsFor(bundle: Bundle, book: OrderBook, now: number, use: ReadonlyMap<string, bigint>) {
  const { match, bid, compute, link } = bundle;
  const index = replacementIndex(book);
  const left = (kind: string, id: bigint, total: bigint, filled: bigint) =>
    total - filled - (use.get(`${kind}:${id}`) ?? 0n);
  const green = match.energyLots.reduce((s, l) => s + l.wh, 0n);
  const routes = (l: BandwidthOffer, region: number) =>
    (l.fromRegion === region && l.toRegion === bid.buyerRegion) ||
    (l.toRegion === region && l.fromRegion === bid.buyerRegion);
  // Offers are sorted by reserve, so the first that qualifies is the cheapest.
  function cheapestEnergy(wh: bigint, except: bigint): bigint | undefined {
    for (const o of index.energies) {
      if (o.id === except || o.expiry <= now || left("e", o.id, o.wh, o.filled) < wh) continue;
      return ceilDiv(o.reservePricePerKwh * wh, 1000n);
    }
    return undefined;
  }
  return {
    compute(): bigint | undefined {
      // Another region only where the bundle's link (or no link, at the buyer's region) still serves.
      const regions = [compute.region];
      if (bid.buyerRegion !== compute.region) regions.push(bid.buyerRegion);
      let best: bigint | undefined;
      for (const region of regions) {
        if (!regionAccepted(bid, region)) continue;
        for (const o of index.computes.get(marketKey(bid.hardwareClass, region)) ?? []) {
          if (o.id === compute.id || o.expiry <= now || o.windowStart > bid.windowStart || bid.windowEnd > o.windowEnd)
            continue;
          if (left("c", o.id, o.vcuHours, o.filled) < match.vcuHours) continue;
          if (region !== bid.buyerRegion && (link === undefined || !routes(link, region))) continue;
          const lacking = ceilDiv(energyNeededWh(match.vcuHours, o) * BigInt(bid.minGreenBps), 10_000n) - green;
          const energyCost = lacking > 0n ? cheapestEnergy(lacking, 0n) : 0n;
          if (energyCost === undefined) continue;
          const cost = o.reservePricePerVcuHour * match.vcuHours + energyCost;
          if (best === undefined || cost < best) best = cost;
        }
      }
      return best;
    },
    energy: cheapestEnergy,
    link(linkId: bigint): bigint | undefined {
      const mbpsSeconds = bid.bandwidthMbps * BigInt(bid.windowEnd - bid.windowStart);
      for (const o of index.links.get(routeKey(compute.region, bid.buyerRegion)) ?? []) {
        if (o.id === linkId || o.expiry <= now || o.windowStart > bid.windowStart || bid.windowEnd > o.windowEnd)
          continue;
        if (o.latencyMs > bid.maxLatencyMs || left("w", o.id, o.mbps, o.filled) < bid.bandwidthMbps) continue;
        return ceilDiv(o.reservePricePerMbpsHour * mbpsSeconds, 3600n);
      }
      return undefined;
    },
  };
}
