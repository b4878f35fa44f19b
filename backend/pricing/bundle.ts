// Stage 2 (DESIGN.md §5): price each cleared bundle by weighted Nash bargaining between the buyer
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
// Rounding: each supplier gets ⌊uᵢ⌋, and the base units left to reach round(Σ uᵢ) go one each to
// the largest fractional parts. Every payment stays ≥ its reserve (uᵢ ≥ reserve, an integer), the
// payments sum exactly to the bundle's total T, and T ≤ V keeps payments + fee within the bid's limit.

import type { BandwidthOffer, Bid, ComputeOffer, EnergyOffer, Match } from "../../protocol/orders.ts";
import { HARDWARE_CLASSES } from "../../protocol/units.ts";
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
};

/** Prices every match of a cleared batch; the book must hold the matches' orders. */
export function priceBundles(book: OrderBook, matches: readonly Match[], options: BundlePricingOptions): BundleProposal[] {
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
  return matches.map((m) => {
    const bid = index.bids.get(m.bidId);
    const compute = index.computes.get(m.computeOfferId);
    const link = m.bandwidthOfferId === 0n ? undefined : index.links.get(m.bandwidthOfferId);
    const energies = m.energyLots.map((l) => index.energies.get(l.offerId));
    if (bid === undefined || compute === undefined || (m.bandwidthOfferId !== 0n && link === undefined) || energies.some((e) => e === undefined)) {
      throw new RangeError(`match of bid ${m.bidId} names an order that is not in the book`);
    }
    return priceBundle({ match: m, bid, compute, energies: energies as EnergyOffer[], link }, book, { ...options, utilisation });
  });
}

export type Bundle = { match: Match; bid: Bid; compute: ComputeOffer; energies: EnergyOffer[]; link: BandwidthOffer | undefined };

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

  type Supplier = { role: PartyRole; orderId: bigint; account: `0x${string}`; reserve: bigint; outside: number; weight: number };
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
    computeBasePrice({
      hardwareClass: HARDWARE_CLASSES[compute.hardwareClass],
      reliability: config.compute.referenceReliability,
      slaTier: "basic",
      energyType: "grid",
      greenShareBps: 0,
    }, config),
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
      outside: share.bandwidth * dynamicPrice(bandwidthBasePrice(link.latencyMs, config), linkLoad, config) * Number(bid.bandwidthMbps) * hours,
      weight: weights.bandwidth,
    });
  }

  const reserveCost = suppliers.reduce((s, p) => s + p.reserve, 0n);
  if (reserveCost > budget) throw new RangeError(`bundle of bid ${bid.id} costs more at reserve than its limit allows`);
  const bounds = [{}, ...suppliers.map((p) => ({ min: Number(p.reserve) }))];
  const weightList = [weights.buyer, ...suppliers.map((p) => p.weight)];
  let basis: BundleProposal["disagreementBasis"] = "outside-options";
  let disagreement = [0, ...suppliers.map((p) => p.outside)];
  let result = nashBargain({ total: Number(budget), disagreement, weights: weightList, bounds });
  if (!result.agreed) {
    basis = "reserves";
    disagreement = [0, ...suppliers.map((p) => Math.min(p.outside, Number(p.reserve)))];
    result = nashBargain({ total: Number(budget), disagreement, weights: weightList, bounds });
  }
  // No surplus at all (the limit exactly covers the reserves): everyone gets its reserve.
  const utilities = result.agreed ? result.utilities : [0, ...suppliers.map((p) => Number(p.reserve))];
  const payments = roundPayments(
    utilities.slice(1),
    suppliers.map((p) => p.reserve),
    budget,
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
    })),
  ];
  return { match: priced, value, reserveCost, surplus, total, fee, feeShareBps: bps(fee), parties, disagreementBasis: basis };
}

/** The largest total T of suppliers' payments with T + ⌊T·feeBps/10⁴⌋ ≤ value. */
export function maxTotal(value: bigint, feeBps: number): bigint {
  let total = (value * 10_000n) / BigInt(10_000 + feeBps);
  while (total + 1n + ((total + 1n) * BigInt(feeBps)) / 10_000n <= value) total++;
  return total;
}

/**
 * Whole payments from real utilities: ⌊uᵢ⌋ each, then one more base unit to the largest fractional
 * parts until the sum is round(Σ uᵢ), kept within [Σ reserves, budget]. Each uᵢ ≥ reserveᵢ.
 */
export function roundPayments(utilities: readonly number[], reserves: readonly bigint[], budget: bigint): bigint[] {
  const floors = utilities.map((u, i) => {
    const f = BigInt(Math.floor(u));
    return f < reserves[i] ? reserves[i] : f;
  });
  const floorSum = floors.reduce((s, v) => s + v, 0n);
  let target = BigInt(Math.round(utilities.reduce((s, u) => s + u, 0)));
  if (target > budget) target = budget;
  if (target < floorSum) target = floorSum;
  const order = utilities.map((u, i) => ({ i, frac: u - Math.floor(u) })).sort((a, b) => b.frac - a.frac || a.i - b.i);
  const payments = [...floors];
  for (let left = target - floorSum, k = 0; left > 0n; left--, k = (k + 1) % order.length) payments[order[k].i]++;
  return payments;
}

function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}
