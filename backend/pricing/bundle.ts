// Stage 2 (docs/pricing.md, "Nash bargaining"): price each cleared bundle by weighted Nash bargaining between the buyer
// and its suppliers, and turn the division into whole token payments the contract accepts.
//
// The pie. With the platform fee on top, the buyer can pay its suppliers at most
// V = max{T : T + ⌊T·fee/10⁴⌋ ≤ limit × VCU-hours}. Utilities are measured in payments: a supplier's
// uᵢ is what it is paid, the buyer's u_B = V − Σ payments (the budget it keeps; its money saved is
// that plus the fee saved on it — a positive rescaling, to which the Nash solution is invariant).
// So Σ u = V.
//
// Disagreement points are outside options: the buyer keeps its money (0); a compute supplier sells
// the capacity elsewhere at its going rate (the dynamic price of its good) with probability
// outsideOptionShare; an energy supplier feeds the kWh into the grid at the feed-in price; a network
// supplier resells the link like a compute supplier. Bounds are the orders' limits: no supplier
// below its reserve payment (rounded up, as the contract checks). When outside options add up to
// more than the bundle can pay — the clearing matched on reserves, which the suppliers consented to —
// the reserves themselves serve as disagreement points.
//
// Core caps. A supplier the book could replace cannot hold the bundle to ransom: if another offer r
// could serve the same part (same rules as the contract's checks, with the capacity r has left after
// the whole batch), everyone else could do the deal with r and share V − cost(r), so the coalition
// without supplier i demands Σ_{j≠i} u_j ≥ V − cost(r), that is u_i ≤ cost(r) (the bound nashBargain
// gets; see bargainInCore). The cap is never below i's own reserve: when r is cheaper still, the
// clearer had its reasons to pick i (capacity, region, green share) and i's consent stands. A capped
// supplier whose cap does not exceed its disagreement value has nothing to bargain over: it is paid
// its cap, and the others bargain over the rest.
//
// Rounding: each supplier gets ⌊uᵢ⌋, and the base units left to reach round(Σ uᵢ) go one each to
// the largest fractional parts below their caps. Every payment stays ≥ its reserve (uᵢ ≥ reserve, an
// integer) and ≤ its cap, the payments sum exactly to the bundle's total T, and T ≤ V keeps
// payments + fee within the bid's limit.

import type { BandwidthOffer, Bid, ComputeOffer, EnergyOffer, Match } from "../../protocol/orders.ts";
import { HARDWARE_CLASSES } from "../../protocol/units.ts";
import { energyNeededWh, regionAccepted } from "./clearing/feasibility.ts";
import type { MarketRules, OrderBook } from "./clearing/types.ts";
import { PRICING_CONFIG, type PricingConfig } from "./config.ts";
import { nashBargain } from "./nash.ts";
import { bandwidthBasePrice, computeBasePrice, computeUtilisation, dynamicPrice } from "./price.ts";

export type PartyRole = "buyer" | "compute" | "energy" | "bandwidth";

/** One party's side of a bundle, as the API explains it. Money in token base units. */
export type PartyShare = {
  role: PartyRole;
  orderId: bigint;
  account: `0x${string}`;
  /** Supplier: the least its order accepts (reserve × quantity, rounded up). Buyer: its limit × VCU-hours. */
  reserve: bigint;
  /** What the party gets without this deal (its outside option), in the bargaining's units. */
  disagreement: number;
  /** Bargaining power (Nash weight). */
  weight: number;
  /** The bargaining solution before rounding: supplier's payment, or the budget the buyer keeps. */
  utility: number;
  /** Supplier: what it is paid. Buyer: what it is charged (payments + platform fee). */
  payment: bigint;
  /** Share of the bundle's surplus (limit × VCU-hours − Σ reserves) this party takes, in bps. */
  surplusShareBps: number;
  /**
   * Supplier the book could replace: reserve cost of the cheapest other offer that could serve the
   * same part. Its payment is capped at max(reserve, replacementCost) (the core constraint). Absent
   * when no other offer could.
   */
  replacementCost?: bigint;
};

export type BundleProposal = {
  /** The match with Nash-bargained payments, ready for `settle`. */
  match: Match;
  /** The bid's limit × VCU-hours: what the bundle is worth to the buyer. */
  value: bigint;
  /** Σ suppliers' reserve payments. */
  reserveCost: bigint;
  /** value − reserveCost, shared among buyer, suppliers and the platform fee. */
  surplus: bigint;
  /** Σ suppliers' payments. */
  total: bigint;
  /** Platform fee on `total`, as the contract charges it (rounded down). */
  fee: bigint;
  feeShareBps: number;
  parties: PartyShare[];
  /** Which disagreement points the bargaining used (see the module comment). */
  disagreementBasis: "outside-options" | "reserves";
};

export type BundlePricingOptions = MarketRules & {
  config?: PricingConfig;
  /** Utilisation of a compute offer's market for the going rate; default: its class and region over the bid's window in the book. */
  utilisation?: (offer: ComputeOffer, bid: Bid) => number;
  /**
   * Capacity the batch takes from each order, keyed "c:id", "e:id", "w:id" (compute, energy,
   * bandwidth); a replacement must fit in what is left. Default: the priced bundle's own use.
   */
  batchUse?: ReadonlyMap<string, bigint>;
};

/** Prices every match of a cleared batch; the book must hold the matches' orders. */
export function priceBundles(
  book: OrderBook,
  matches: readonly Match[],
  options: BundlePricingOptions,
): BundleProposal[] {
  const index = {
    bids: new Map(book.bids.map((o) => [o.id, o])),
    computes: new Map(book.computeOffers.map((o) => [o.id, o])),
    energies: new Map(book.energyOffers.map((o) => [o.id, o])),
    links: new Map(book.bandwidthOffers.map((o) => [o.id, o])),
  };
  // Going rates need the utilisation of each compute offer's market: scan only its class and region.
  const markets = new Map<number, ComputeOffer[]>();
  for (const o of book.computeOffers) {
    const key = o.hardwareClass * 65_536 + o.region;
    const list = markets.get(key) ?? [];
    list.push(o);
    markets.set(key, list);
  }
  const utilisation =
    options.utilisation ??
    ((offer: ComputeOffer, bid: Bid) =>
      computeUtilisation(markets.get(offer.hardwareClass * 65_536 + offer.region) ?? [], {
        hardwareClass: HARDWARE_CLASSES[offer.hardwareClass],
        region: offer.region,
        windowStart: bid.windowStart,
        windowEnd: bid.windowEnd,
      }));
  const batchUse = options.batchUse ?? bandwidthUseOf(matches, (m) => index.bids.get(m.bidId)?.bandwidthMbps ?? 0n);
  return matches.map((m) => {
    const bid = index.bids.get(m.bidId);
    const compute = index.computes.get(m.computeOfferId);
    const link = m.bandwidthOfferId === 0n ? undefined : index.links.get(m.bandwidthOfferId);
    const energies = m.energyLots.map((l) => index.energies.get(l.offerId));
    if (
      bid === undefined ||
      compute === undefined ||
      (m.bandwidthOfferId !== 0n && link === undefined) ||
      energies.some((e) => e === undefined)
    ) {
      throw new RangeError(`match of bid ${m.bidId} names an order that is not in the book`);
    }
    return priceBundle({ match: m, bid, compute, energies: energies as EnergyOffer[], link }, book, {
      ...options,
      utilisation,
      batchUse,
    });
  });
}

export type Bundle = {
  match: Match;
  bid: Bid;
  compute: ComputeOffer;
  energies: EnergyOffer[];
  link: BandwidthOffer | undefined;
};

/** Prices one bundle (its orders given); `book` supplies the market around it for going rates. */
export function priceBundle(bundle: Bundle, book: OrderBook, options: BundlePricingOptions): BundleProposal {
  const config = options.config ?? PRICING_CONFIG;
  const { match, bid, compute, link } = bundle;
  const q = match.vcuHours;
  const value = bid.limitPricePerVcuHour * q;
  const budget = maxTotal(value, options.platformFeeBps);
  const hours = (bid.windowEnd - bid.windowStart) / 3600;
  const weights = config.bargaining.weights;
  const share = config.bargaining.outsideOptionShare;

  type Supplier = {
    role: PartyRole;
    orderId: bigint;
    account: `0x${string}`;
    reserve: bigint;
    outside: number;
    weight: number;
    replacementCost: bigint | undefined;
  };
  const replacements = replacementsFor(
    bundle,
    book,
    options.now,
    options.batchUse ?? bandwidthUseOf([match], () => bid.bandwidthMbps),
  );
  const suppliers: Supplier[] = [];
  const utilisation =
    options.utilisation?.(compute, bid) ??
    computeUtilisation(book.computeOffers, {
      hardwareClass: HARDWARE_CLASSES[compute.hardwareClass],
      region: compute.region,
      windowStart: bid.windowStart,
      windowEnd: bid.windowEnd,
    });
  const goingRate = dynamicPrice(
    computeBasePrice(
      {
        hardwareClass: HARDWARE_CLASSES[compute.hardwareClass],
        reliability: config.compute.referenceReliability,
        slaTier: "basic",
        energyType: "grid",
        greenShareBps: 0,
      },
      config,
    ),
    utilisation,
    config,
  );
  suppliers.push({
    role: "compute",
    orderId: compute.id,
    account: compute.supplier,
    reserve: compute.reservePricePerVcuHour * q,
    outside: share.compute * goingRate * Number(q),
    weight: weights.compute,
    replacementCost: replacements.compute(),
  });
  const greenWh = match.energyLots.reduce((s, l) => s + l.wh, 0n);
  match.energyLots.forEach((lot, i) => {
    const offer = bundle.energies[i];
    suppliers.push({
      role: "energy",
      orderId: offer.id,
      account: offer.supplier,
      reserve: ceilDiv(offer.reservePricePerKwh * lot.wh, 1000n),
      outside: (config.energy.gridFeedInPricePerKwh * Number(lot.wh)) / 1000,
      weight: (weights.energy * Number(lot.wh)) / Number(greenWh),
      replacementCost: replacements.energy(lot.wh, lot.offerId),
    });
  });
  if (link !== undefined) {
    const linkLoad = Number(link.filled) / Number(link.mbps);
    const mbpsSeconds = bid.bandwidthMbps * BigInt(bid.windowEnd - bid.windowStart);
    suppliers.push({
      role: "bandwidth",
      orderId: link.id,
      account: link.supplier,
      reserve: ceilDiv(link.reservePricePerMbpsHour * mbpsSeconds, 3600n),
      outside:
        share.bandwidth *
        dynamicPrice(bandwidthBasePrice(link.latencyMs, config), linkLoad, config) *
        Number(bid.bandwidthMbps) *
        hours,
      weight: weights.bandwidth,
      replacementCost: replacements.link(link.id),
    });
  }

  const reserveCost = suppliers.reduce((s, p) => s + p.reserve, 0n);
  if (reserveCost > budget) throw new RangeError(`bundle of bid ${bid.id} costs more at reserve than its limit allows`);
  const caps = suppliers.map((p) =>
    p.replacementCost === undefined ? undefined : p.replacementCost > p.reserve ? p.replacementCost : p.reserve,
  );
  const weightList = [weights.buyer, ...suppliers.map((p) => p.weight)];
  const bargain = (d: number[]) =>
    bargainInCore(
      Number(budget),
      d,
      weightList,
      [undefined, ...suppliers.map((p) => Number(p.reserve))],
      [undefined, ...caps.map((c) => (c === undefined ? undefined : Number(c)))],
    );
  let basis: BundleProposal["disagreementBasis"] = "outside-options";
  let disagreement = [0, ...suppliers.map((p) => p.outside)];
  let result = bargain(disagreement);
  if (result === undefined) {
    basis = "reserves";
    disagreement = [0, ...suppliers.map((p) => Math.min(p.outside, Number(p.reserve)))];
    result = bargain(disagreement);
  }
  // No surplus at all (the limit exactly covers the reserves): everyone gets its reserve.
  const utilities = result ?? [0, ...suppliers.map((p) => Number(p.reserve))];
  const payments = roundPayments(
    utilities.slice(1),
    suppliers.map((p) => p.reserve),
    budget,
    caps,
  );
  const total = payments.reduce((s, p) => s + p, 0n);
  const fee = (total * BigInt(options.platformFeeBps)) / 10_000n;
  const surplus = value - reserveCost;
  const bps = (part: bigint) => (surplus === 0n ? 0 : Number((part * 10_000n * 1_000_000n) / surplus) / 1_000_000);

  let k = 0;
  const priced: Match = {
    ...match,
    computePayment: payments[k++],
    energyLots: match.energyLots.map((l) => ({ ...l, payment: payments[k++] })),
    bandwidthPayment: link === undefined ? 0n : payments[k++],
  };
  const parties: PartyShare[] = [
    {
      role: "buyer",
      orderId: bid.id,
      account: bid.buyer,
      reserve: value,
      disagreement: 0,
      weight: weights.buyer,
      utility: utilities[0],
      payment: total + fee,
      surplusShareBps: bps(value - total - fee),
    },
    ...suppliers.map((p, i) => ({
      role: p.role,
      orderId: p.orderId,
      account: p.account,
      reserve: p.reserve,
      disagreement: disagreement[i + 1],
      weight: p.weight,
      utility: utilities[i + 1],
      payment: payments[i],
      surplusShareBps: bps(payments[i] - p.reserve),
      ...(p.replacementCost === undefined ? {} : { replacementCost: p.replacementCost }),
    })),
  ];
  return {
    match: priced,
    value,
    reserveCost,
    surplus,
    total,
    fee,
    feeShareBps: bps(fee),
    parties,
    disagreementBasis: basis,
  };
}

/** The largest total T of suppliers' payments with T + ⌊T·feeBps/10⁴⌋ ≤ value. */
export function maxTotal(value: bigint, feeBps: number): bigint {
  let total = (value * 10_000n) / BigInt(10_000 + feeBps);
  while (total + 1n + ((total + 1n) * BigInt(feeBps)) / 10_000n <= value) total++;
  return total;
}

/**
 * Whole payments from real utilities: ⌊uᵢ⌋ each, then one more base unit to the largest fractional
 * parts until the sum is round(Σ uᵢ), kept within [Σ reserves, budget] and each payment within
 * [reserveᵢ, capᵢ] (caps ≥ reserves; a payment at its cap takes no more units, so the sum falls
 * short of the target only by units the caps refuse). Each uᵢ ≥ reserveᵢ.
 */
export function roundPayments(
  utilities: readonly number[],
  reserves: readonly bigint[],
  budget: bigint,
  caps: readonly (bigint | undefined)[] = [],
): bigint[] {
  const floors = utilities.map((u, i) => {
    const f = BigInt(Math.floor(u));
    const cap = caps[i];
    return f < reserves[i] ? reserves[i] : cap !== undefined && f > cap ? cap : f;
  });
  const floorSum = floors.reduce((s, v) => s + v, 0n);
  let target = BigInt(Math.round(utilities.reduce((s, u) => s + u, 0)));
  if (target > budget) target = budget;
  if (target < floorSum) target = floorSum;
  const order = utilities.map((u, i) => ({ i, frac: u - Math.floor(u) })).sort((a, b) => b.frac - a.frac || a.i - b.i);
  const payments = [...floors];
  // Σ fractional parts < n, so one unit each suffices; what a cap refuses stays with the buyer.
  let left = target - floorSum;
  for (const { i } of order) {
    if (left === 0n) break;
    const cap = caps[i];
    if (cap !== undefined && payments[i] >= cap) continue;
    payments[i]++;
    left--;
  }
  return payments;
}

/**
 * Weighted Nash bargaining with per-party minimums and core caps uᵢ ≤ capᵢ. Parties whose cap does
 * not exceed their disagreement value are paid their cap and sit out (see the module comment).
 * Undefined when no division gives every bargaining party more than its disagreement value.
 *
 * Under budget balance the coalition constraint Σ_{j≠i} u_j ≥ total − capᵢ is the same set as the
 * bound uᵢ ≤ capᵢ, so it goes to nashBargain as a bound: the exact water-filling regime. Stated as
 * coalitions, caps a few base units wide beside a surplus of billions stall nashBargain's
 * active-set method ("did not converge").
 */
function bargainInCore(
  total: number,
  d: readonly number[],
  w: readonly number[],
  min: readonly (number | undefined)[],
  cap: readonly (number | undefined)[],
): number[] | undefined {
  const pinned = cap.map((c, i) => c !== undefined && c <= d[i]);
  const free = d.map((_, i) => i).filter((i) => !pinned[i]);
  const rest = total - cap.reduce((s: number, c, i) => (pinned[i] ? s + c! : s), 0);
  const result = nashBargain({
    total: rest,
    disagreement: free.map((i) => d[i]),
    weights: free.map((i) => w[i]),
    bounds: free.map((i) => ({ min: min[i], max: cap[i] })),
  });
  if (!result.agreed) return undefined;
  const utilities = cap.map((c) => c ?? 0);
  free.forEach((i, k) => (utilities[i] = result.utilities[k]));
  return utilities;
}

/** Capacity a list of matches takes from each offer, keyed as `BundlePricingOptions.batchUse`. */
function bandwidthUseOf(matches: readonly Match[], mbpsOf: (m: Match) => bigint): Map<string, bigint> {
  const use = new Map<string, bigint>();
  const add = (key: string, amount: bigint) => use.set(key, (use.get(key) ?? 0n) + amount);
  for (const m of matches) {
    add(`c:${m.computeOfferId}`, m.vcuHours);
    for (const l of m.energyLots) add(`e:${l.offerId}`, l.wh);
    if (m.bandwidthOfferId !== 0n) add(`w:${m.bandwidthOfferId}`, mbpsOf(m));
  }
  return use;
}

function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}

/** The book's offers arranged for replacement searches; built once per book. */
type ReplacementIndex = {
  /** Energy offers, cheapest reserve first. */
  energies: EnergyOffer[];
  /** Links by unordered region pair, cheapest reserve first. */
  links: Map<number, BandwidthOffer[]>;
  /** Compute offers by hardware class and region, cheapest reserve first. */
  computes: Map<number, ComputeOffer[]>;
};

const replacementIndexes = new WeakMap<OrderBook, ReplacementIndex>();
const routeKey = (a: number, b: number) => Math.min(a, b) * 65_536 + Math.max(a, b);
const marketKey = (hardwareClass: number, region: number) => hardwareClass * 65_536 + region;

function replacementIndex(book: OrderBook): ReplacementIndex {
  let index = replacementIndexes.get(book);
  if (index !== undefined) return index;
  const group = <T>(items: readonly T[], key: (o: T) => number, price: (o: T) => bigint) => {
    const groups = new Map<number, T[]>();
    for (const o of items) {
      const list = groups.get(key(o)) ?? [];
      list.push(o);
      groups.set(key(o), list);
    }
    for (const list of groups.values()) list.sort((a, b) => (price(a) < price(b) ? -1 : price(a) > price(b) ? 1 : 0));
    return groups;
  };
  index = {
    energies:
      group(
        book.energyOffers,
        () => 0,
        (o) => o.reservePricePerKwh,
      ).get(0) ?? [],
    links: group(
      book.bandwidthOffers,
      (o) => routeKey(o.fromRegion, o.toRegion),
      (o) => o.reservePricePerMbpsHour,
    ),
    computes: group(
      book.computeOffers,
      (o) => marketKey(o.hardwareClass, o.region),
      (o) => o.reservePricePerVcuHour,
    ),
  };
  replacementIndexes.set(book, index);
  return index;
}

/**
 * Reserve cost of the cheapest other offer in the book that could take over one supplier's part of
 * a bundle, with every other part unchanged, under the contract's checks (feasibility.ts) and with
 * the capacity it has left after `use`. Undefined when none could. A replacement compute offer with
 * a higher energy need also pays for the certificate Wh the minimum green share then lacks (at the
 * cheapest energy offer that has them); with a lower need the lots shrink, at no saving counted.
 */
function replacementsFor(bundle: Bundle, book: OrderBook, now: number, use: ReadonlyMap<string, bigint>) {
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
