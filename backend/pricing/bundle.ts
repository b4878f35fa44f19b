// Stage 2 (docs/pricing.md, "Nash bargaining"): price each cleared bundle by weighted Nash bargaining
// between the buyer and its suppliers, and turn the division into whole token payments the contract
// accepts. Each bundle is priced on its own: one that cannot be priced fails alone (priceEachBundle).
//
// The pie. With the platform fee on top, the buyer can pay its suppliers at most
// V = max{T : T + ⌊T·fee/10⁴⌋ ≤ limit × VCU-hours}, VCU-hours = vcu × durationHours. Utilities are measured in payments: a supplier's
// uᵢ is what it is paid, the buyer's u_B = V − Σ payments (the budget it keeps; its money saved is
// that plus the fee saved on it — a positive rescaling, to which the Nash solution is invariant).
// So Σ u = V.
//
// Disagreement points are outside options: the buyer keeps its money (0); a compute supplier sells
// the job's hours elsewhere at its going rate (the dynamic price of its good, loaded by the
// utilisation of those hours) with probability
// outsideOptionShare; an energy supplier feeds the kWh into the grid at the feed-in price; a network
// supplier resells the link like a compute supplier; a match riding on its bid's earlier reservation of
// the link has no bandwidth party (the contract charges the link once per bid). Bounds are the orders' limits: no supplier
// below its reserve payment (rounded up, as the contract checks). When outside options add up to
// more than the bundle can pay — the clearing matched on reserves, which the suppliers consented to —
// the reserves themselves serve as disagreement points.
//
// Core caps (a supplier the book could replace is paid at most what its replacement would cost) come
// from replacements.ts; the division into whole payments from payments.ts.

import type { BookBandwidthOffer, BookBid, BookComputeOffer, BookEnergyOffer, OrderBook } from "../../protocol/book.ts";
import type { Match } from "../../protocol/orders.ts";
import { HARDWARE_CLASSES, SECONDS_PER_HOUR } from "../../protocol/units.ts";
import { PRICING_CONFIG, type PricingConfig } from "./config.ts";
import { mapPacked } from "./packed.ts";
import { bargainInCore, ceilDiv, maxTotal, roundPayments } from "./payments.ts";
import { bandwidthBasePrice, computeBasePrice, computeUtilisation, dynamicPrice } from "./price.ts";
import { type CapacityUse, capacityTakenBy, replacementsFor } from "./replacements.ts";
import type { MarketRules } from "./scheduling.ts";

export type PartyRole = "buyer" | "compute" | "energy" | "bandwidth";

/** One party's side of a bundle, as the API explains it. Money in token base units. */
export type PartyShare = {
  role: PartyRole;
  orderId: bigint;
  account: `0x${string}`;
  /** Supplier: the least its order accepts (reserve × quantity, rounded up). Buyer: its limit × VCU-hours (vcu × durationHours). */
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
  /**
   * Utilisation of a compute offer's market for the going rate; default: its class and region over
   * the hours the job occupies (from `start`), in the book.
   */
  utilisation?: (offer: BookComputeOffer, bid: BookBid, start: number) => number;
  /**
   * Capacity the batch takes from each order in each hour (compute VCU, energy Wh, bandwidth Mbps,
   * replacements.ts capacityTakenBy); a replacement must fit in what is left. Default: the priced
   * bundle's own use.
   */
  batchUse?: CapacityUse;
};

/** One match of a batch priced, or the reason it could not be. */
export type PricedBundle = { ok: true; proposal: BundleProposal } | { ok: false; match: Match; error: Error };

/**
 * Prices every match of a cleared batch; throws the first match's error when one cannot be priced.
 * The book must hold the matches' orders.
 */
export function priceBundles(
  book: OrderBook,
  matches: readonly Match[],
  options: BundlePricingOptions,
): BundleProposal[] {
  return mapPacked(priceEachBundle(book, matches, options), (p) => {
    if (!p.ok) throw p.error;
    return p.proposal;
  });
}

/**
 * Prices every match of a cleared batch, each on its own: a match that cannot be priced (an order
 * missing from the book, a value pricing has no parameter for) comes back with its error and takes
 * no other match down with it.
 *
 * @example
 * for (const p of priceEachBundle(book, matches, rules)) if (!p.ok) log.warn(p.error.message);
 */
export function priceEachBundle(
  book: OrderBook,
  matches: readonly Match[],
  options: BundlePricingOptions,
): PricedBundle[] {
  const index = {
    bids: new Map(book.bids.map((o) => [o.id, o])),
    computes: byId(book.computeOffers),
    energies: byId(book.energyOffers),
    links: byId(book.bandwidthOffers),
  };
  // Going rates need the utilisation of each compute offer's market: scan only its class and region.
  const markets = marketsOf(book.computeOffers);
  const utilisation =
    options.utilisation ??
    ((offer: BookComputeOffer, bid: BookBid, start: number) =>
      marketUtilisation(markets.get(offer.hardwareClass * 65_536 + offer.region) ?? [], offer, {
        start,
        end: start + bid.durationHours * SECONDS_PER_HOUR,
      }));
  // A bid's Mbps are reserved on a link once: by its first match there, in the book or in this batch.
  // Links by bid, kept apart by id pairs rather than a text key per match.
  const reserved = new Map<bigint, Set<bigint>>();
  for (const b of book.bids) {
    if (b.reservedLinks === undefined || b.reservedLinks.length === 0) continue;
    const links = reserved.get(b.id);
    if (links === undefined) reserved.set(b.id, new Set(b.reservedLinks));
    else for (const l of b.reservedLinks) links.add(l);
  }
  const reservesLink = mapPacked(matches, (m) => {
    if (m.bandwidthOfferId === 0n) return false;
    let links = reserved.get(m.bidId);
    if (links === undefined) {
      links = new Set();
      reserved.set(m.bidId, links);
    } else if (links.has(m.bandwidthOfferId)) return false;
    links.add(m.bandwidthOfferId);
    return true;
  });
  const batchUse =
    options.batchUse ??
    capacityTakenBy(matches, (m, i) => {
      const bid = index.bids.get(m.bidId);
      return {
        durationHours: bid?.durationHours ?? 0,
        mbps: reservesLink[i] ? (bid?.bandwidthMbps ?? 0n) : 0n,
      };
    });
  const bundleOptions: BundlePricingOptions = { ...options, utilisation, batchUse };
  return mapPacked(matches, (m, i): PricedBundle => {
    try {
      return { ok: true, proposal: priceOne(m, reservesLink[i]) };
    } catch (err) {
      if (!(err instanceof Error)) throw err;
      return { ok: false, match: m, error: err };
    }
  });

  function priceOne(m: Match, reservesLink: boolean): BundleProposal {
    const bid = index.bids.get(m.bidId);
    const compute = index.computes.get(m.computeOfferId);
    const link = m.bandwidthOfferId === 0n ? undefined : index.links.get(m.bandwidthOfferId);
    const energies = mapPacked(m.energyLots, (l) => index.energies.get(l.offerId));
    if (
      bid === undefined ||
      compute === undefined ||
      (m.bandwidthOfferId !== 0n && link === undefined) ||
      energies.some((e) => e === undefined)
    ) {
      throw new RangeError(`match of bid ${m.bidId} names an order that is not in the book`);
    }
    return priceBundle(
      { match: m, bid, compute, energies: energies as BookEnergyOffer[], link, reservesLink },
      book,
      bundleOptions,
    );
  }
}

// Books are replaced, never mutated (backend/book/book-source.ts): offer lists are indexed once per
// list, not once per call, since a quote prices one bid's bundles against the same lists many times.
const idIndexes = new WeakMap<readonly { id: bigint }[], Map<bigint, unknown>>();
const marketIndexes = new WeakMap<readonly BookComputeOffer[], Map<number, BookComputeOffer[]>>();

function byId<T extends { id: bigint }>(offers: readonly T[]): Map<bigint, T> {
  let index = idIndexes.get(offers) as Map<bigint, T> | undefined;
  if (index === undefined) {
    index = new Map(offers.map((o) => [o.id, o]));
    idIndexes.set(offers, index);
  }
  return index;
}

function marketsOf(offers: readonly BookComputeOffer[]): Map<number, BookComputeOffer[]> {
  let markets = marketIndexes.get(offers);
  if (markets === undefined) {
    markets = new Map();
    for (const o of offers) {
      const key = o.hardwareClass * 65_536 + o.region;
      const list = markets.get(key) ?? [];
      list.push(o);
      markets.set(key, list);
    }
    marketIndexes.set(offers, markets);
  }
  return markets;
}

// Per market list and hour: the VCU its offers put up and have sold in that hour (computeUtilisation's
// two sums, one hour at a time), summed once per book version and hour, not once per bundle.
const marketHourIndexes = new WeakMap<readonly BookComputeOffer[], Map<number, { offered: number; used: number }>>();
const marketJobIndexes = new WeakMap<readonly BookComputeOffer[], Map<number, Map<number, number>>>();

/**
 * computeUtilisation of one market (class and region) over the job's hours, from per-hour sums.
 * The sums are whole VCU, so adding them by hour instead of by offer gives the same numbers; a window
 * or job off the hour (which admitted books do not have) takes computeUtilisation's own walk.
 */
function marketUtilisation(
  market: readonly BookComputeOffer[],
  offer: BookComputeOffer,
  job: { start: number; end: number },
): number {
  const walk = () =>
    computeUtilisation(market, {
      hardwareClass: HARDWARE_CLASSES[offer.hardwareClass],
      region: offer.region,
      ...job,
    });
  if (!(job.end > job.start) || job.start % SECONDS_PER_HOUR !== 0) return walk();
  let byHour = marketHourIndexes.get(market);
  if (byHour === undefined) {
    if (market.some((o) => o.windowStart % SECONDS_PER_HOUR !== 0)) return walk();
    byHour = new Map();
    marketHourIndexes.set(market, byHour);
  }
  // Many bundles share a job's hours: its utilisation is kept by (start hour, hours), the same
  // sums in the same order as the walk below.
  // Kept by hours, then start hour: small integers, which Maps hash fastest.
  const hours = (job.end - job.start) / SECONDS_PER_HOUR;
  let byJob: Map<number, number> | undefined;
  if (Number.isInteger(hours)) {
    let byHours = marketJobIndexes.get(market);
    if (byHours === undefined) {
      byHours = new Map();
      marketJobIndexes.set(market, byHours);
    }
    byJob = byHours.get(hours);
    if (byJob === undefined) {
      byJob = new Map();
      byHours.set(hours, byJob);
    }
    const known = byJob.get(job.start / SECONDS_PER_HOUR);
    if (known !== undefined) return known;
  }
  let offered = 0;
  let used = 0;
  for (let hour = job.start; hour < job.end; hour += SECONDS_PER_HOUR) {
    let sums = byHour.get(hour);
    if (sums === undefined) {
      sums = { offered: 0, used: 0 };
      for (const o of market) {
        if (hour < o.windowStart || hour >= o.windowEnd) continue;
        sums.offered += o.vcu;
        sums.used += Math.min(o.vcu, o.usedVcu?.get(hour) ?? 0);
      }
      byHour.set(hour, sums);
    }
    offered += sums.offered;
    used += sums.used;
  }
  const utilisation = offered === 0 ? 1 : used / offered;
  byJob?.set(job.start / SECONDS_PER_HOUR, utilisation);
  return utilisation;
}

export type Bundle = {
  match: Match;
  bid: BookBid;
  compute: BookComputeOffer;
  energies: BookEnergyOffer[];
  link: BookBandwidthOffer | undefined;
  /**
   * Whether this match reserves the bid's Mbps on `link` (the bid's first match there); a later
   * match rides on that reservation and pays the link nothing. Default: unless the book says the
   * bid already reserved it.
   */
  reservesLink?: boolean;
};

/** Prices one bundle (its orders given); `book` supplies the market around it for going rates. */
export function priceBundle(bundle: Bundle, book: OrderBook, options: BundlePricingOptions): BundleProposal {
  const config = options.config ?? PRICING_CONFIG;
  const { match, bid, compute, link } = bundle;
  // The market stores any uint8; a class without pricing parameters would turn every price into NaN.
  const hardwareClass = HARDWARE_CLASSES[compute.hardwareClass];
  if (hardwareClass === undefined) {
    throw new RangeError(`compute offer ${compute.id} has hardware class ${compute.hardwareClass}, which has no price`);
  }
  const q = match.vcu * BigInt(bid.durationHours);
  const value = bid.limitPricePerVcuHour * q;
  const budget = maxTotal(value, options.platformFeeBps);
  const hours = bid.durationHours;
  const jobEnd = match.start + hours * SECONDS_PER_HOUR;
  const reservesLink = link !== undefined && (bundle.reservesLink ?? !(bid.reservedLinks ?? []).includes(link.id));
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
    options.batchUse ??
      capacityTakenBy([match], () => ({ durationHours: hours, mbps: reservesLink ? bid.bandwidthMbps : 0n })),
  );
  const suppliers: Supplier[] = [];
  const utilisation =
    options.utilisation?.(compute, bid, match.start) ??
    computeUtilisation(book.computeOffers, { hardwareClass, region: compute.region, start: match.start, end: jobEnd });
  const goingRate = dynamicPrice(
    computeBasePrice(
      {
        hardwareClass,
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
      replacementCost: replacements.energy(lot.wh, lot.hour, lot.offerId),
    });
  });
  if (link !== undefined && reservesLink) {
    // The link's load over the job's hours: Mbps reserved ÷ Mbps offered.
    let reservedMbps = 0;
    for (let h = match.start; h < jobEnd; h += SECONDS_PER_HOUR) reservedMbps += link.usedMbps?.get(h) ?? 0;
    const linkLoad = link.mbps === 0 ? 1 : reservedMbps / (link.mbps * hours);
    suppliers.push({
      role: "bandwidth",
      orderId: link.id,
      account: link.supplier,
      reserve: link.reservePricePerMbpsHour * bid.bandwidthMbps * BigInt(hours),
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
  const caps = mapPacked(suppliers, (p) =>
    p.replacementCost === undefined ? undefined : p.replacementCost > p.reserve ? p.replacementCost : p.reserve,
  );
  // The buyer first, then the suppliers: weights, minimums (reserves) and caps as bargainInCore takes them.
  const weightList: number[] = [weights.buyer];
  const minList: (number | undefined)[] = [undefined];
  const capList: (number | undefined)[] = [undefined];
  for (let i = 0; i < suppliers.length; i++) {
    weightList.push(suppliers[i].weight);
    minList.push(Number(suppliers[i].reserve));
    const c = caps[i];
    capList.push(c === undefined ? undefined : Number(c));
  }
  const bargain = (d: number[]) => bargainInCore(Number(budget), d, weightList, minList, capList);
  let basis: BundleProposal["disagreementBasis"] = "outside-options";
  let disagreement = [0, ...mapPacked(suppliers, (p) => p.outside)];
  let result = bargain(disagreement);
  if (result === undefined) {
    basis = "reserves";
    disagreement = [0, ...mapPacked(suppliers, (p) => Math.min(p.outside, Number(p.reserve)))];
    result = bargain(disagreement);
  }
  // No surplus at all (the limit exactly covers the reserves): everyone gets its reserve.
  const utilities = result ?? [0, ...mapPacked(suppliers, (p) => Number(p.reserve))];
  const payments = roundPayments(
    utilities.slice(1),
    mapPacked(suppliers, (p) => p.reserve),
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
    energyLots: mapPacked(match.energyLots, (l) => ({ ...l, payment: payments[k++] })),
    bandwidthPayment: link !== undefined && reservesLink ? payments[k++] : 0n,
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
    ...mapPacked(suppliers, (p, i) => ({
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
