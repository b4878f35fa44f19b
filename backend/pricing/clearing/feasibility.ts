// An independent statement of every check the market contract makes on a match (issue 2, DESIGN.md
// §4), in exact integer arithmetic. Both clearers are tested against it, and the matcher can run it
// before submitting. Where the contract's integer rounding is not pinned down, the check takes the
// stricter reading, so a match that passes here passes any of the roundings:
//   • energy lot:   payment × 1000 ≥ reservePricePerKwh × Wh             (payment ≥ ⌈reserve·kWh⌉)
//   • bandwidth:    payment × 3600 ≥ reservePricePerMbpsHour × Mbps × window seconds of the bid
//   • green share:  green × 10⁷ ≥ minGreenBps × vcuHours × whPerVcuHour × pueMilli
//                   green × 10³ ≤ vcuHours × whPerVcuHour × pueMilli    (never more than needed)
//   • all-in:       (Σ payments) × (10⁴ + feeBps) ≤ 10⁴ × limitPricePerVcuHour × vcuHours
//                   (equivalent to Σ + ⌈fee⌉ ≤ limit, so it also holds with a rounded-down fee)

import type { BandwidthOffer, Bid, ComputeOffer, EnergyOffer, Match } from "../../../protocol/orders.ts";
import type { MarketRules, OrderBook } from "./types.ts";

export type MatchViolation =
  | "ZeroQuantity"
  | "UnknownBid"
  | "BidExpired"
  | "UnknownComputeOffer"
  | "ComputeOfferExpired"
  | "HardwareClassMismatch"
  | "WindowOutsideComputeOffer"
  | "RegionNotAccepted"
  | "BidCapacityExceeded"
  | "ComputeCapacityExceeded"
  | "ComputePaymentBelowReserve"
  | "BandwidthMissing"
  | "BandwidthNotNeeded"
  | "UnknownBandwidthOffer"
  | "BandwidthOfferExpired"
  | "BandwidthRouteMismatch"
  | "WindowOutsideBandwidthOffer"
  | "LatencyAboveBound"
  | "BandwidthCapacityExceeded"
  | "BandwidthPaymentBelowReserve"
  | "UnknownEnergyOffer"
  | "EnergyOfferExpired"
  | "DuplicateEnergyLot"
  | "EmptyEnergyLot"
  | "EnergyCapacityExceeded"
  | "EnergyPaymentBelowReserve"
  | "GreenShareBelowMinimum"
  | "GreenAboveEnergyNeeded"
  | "AboveBidLimit";

export type BatchCheck = {
  /** One entry per match: undefined when the match settles, else why the contract skips it. */
  violations: (MatchViolation | undefined)[];
  /** Welfare of the matches that settle (token base units). */
  welfare: number;
};

/** Energy in Wh a match needs, times 1000 (exact: vcuHours × whPerVcuHour × pueMilli). */
export function energyNeededMilliWh(vcuHours: bigint, offer: ComputeOffer): bigint {
  return vcuHours * offer.whPerVcuHour * BigInt(offer.pueMilli);
}

/** Smallest whole Wh of certificates that meets the bid's minimum green share for `vcuHours`. */
export function minimumGreenWh(vcuHours: bigint, bid: Bid, offer: ComputeOffer): bigint {
  const need = BigInt(bid.minGreenBps) * energyNeededMilliWh(vcuHours, offer);
  return (need + 9_999_999n) / 10_000_000n;
}

/** Reserve cost of the bandwidth a match takes from `offer` for the bid's window, times 3600. */
export function bandwidthReserveTimes3600(bid: Bid, offer: BandwidthOffer): bigint {
  return offer.reservePricePerMbpsHour * bid.bandwidthMbps * BigInt(bid.windowEnd - bid.windowStart);
}

export function regionAccepted(bid: Bid, region: number): boolean {
  return ((bid.acceptableRegions >> BigInt(region)) & 1n) === 1n;
}

/** Whether a bandwidth offer can carry a bid's traffic from `computeRegion` (capacity aside). */
export function bandwidthServes(bid: Bid, computeRegion: number, offer: BandwidthOffer, now: number): boolean {
  const route =
    (offer.fromRegion === computeRegion && offer.toRegion === bid.buyerRegion) ||
    (offer.toRegion === computeRegion && offer.fromRegion === bid.buyerRegion);
  return (
    route &&
    offer.expiry >= now &&
    offer.windowStart <= bid.windowStart &&
    bid.windowEnd <= offer.windowEnd &&
    offer.latencyMs <= bid.maxLatencyMs
  );
}

/** Whether a compute offer can serve a bid at all (capacity aside). */
export function computeServes(bid: Bid, offer: ComputeOffer, now: number): boolean {
  return (
    offer.expiry >= now &&
    offer.hardwareClass === bid.hardwareClass &&
    offer.windowStart <= bid.windowStart &&
    bid.windowEnd <= offer.windowEnd &&
    regionAccepted(bid, offer.region)
  );
}

/** Total suppliers' payment of a match (before the platform fee). */
export function matchPayments(match: Match): bigint {
  return match.computePayment + match.bandwidthPayment + match.energyLots.reduce((s, l) => s + l.payment, 0n);
}

/**
 * Checks a batch in order, as the contract settles it: every match against its orders' remaining
 * capacity after the earlier valid matches of the batch; a failing match is skipped and consumes
 * nothing.
 */
export function checkBatch(book: OrderBook, matches: readonly Match[], rules: MarketRules): BatchCheck {
  const bids = new Map(book.bids.map((o) => [o.id, o]));
  const computes = new Map(book.computeOffers.map((o) => [o.id, o]));
  const energies = new Map(book.energyOffers.map((o) => [o.id, o]));
  const links = new Map(book.bandwidthOffers.map((o) => [o.id, o]));
  const used = new Map<string, bigint>(); // key "kind:id" → amount consumed in this batch
  const take = (key: string) => used.get(key) ?? 0n;
  const violations: (MatchViolation | undefined)[] = [];
  let welfare = 0;

  for (const m of matches) {
    const bid = bids.get(m.bidId);
    const compute = computes.get(m.computeOfferId);
    const link = m.bandwidthOfferId === 0n ? undefined : links.get(m.bandwidthOfferId);
    const lots = m.energyLots.map((l) => ({ lot: l, offer: energies.get(l.offerId) }));
    const violation = checkOne(m, bid, compute, m.bandwidthOfferId, link, lots, rules, take);
    violations.push(violation);
    if (violation !== undefined || bid === undefined || compute === undefined) continue;
    used.set(`b:${bid.id}`, take(`b:${bid.id}`) + m.vcuHours);
    used.set(`c:${compute.id}`, take(`c:${compute.id}`) + m.vcuHours);
    if (link !== undefined) used.set(`w:${link.id}`, take(`w:${link.id}`) + bid.bandwidthMbps);
    for (const { lot } of lots) used.set(`e:${lot.offerId}`, take(`e:${lot.offerId}`) + lot.wh);
    welfare += matchWelfare(m, bid, compute, link, lots.map(({ lot, offer }) => ({ wh: lot.wh, offer: offer! })));
  }
  return { violations, welfare };
}

/** Bid value minus every supplier's reserve cost of one match, in token base units. */
export function matchWelfare(
  m: Match,
  bid: Bid,
  compute: ComputeOffer,
  link: BandwidthOffer | undefined,
  lots: readonly { wh: bigint; offer: EnergyOffer }[],
): number {
  let w = Number((bid.limitPricePerVcuHour - compute.reservePricePerVcuHour) * m.vcuHours);
  for (const { wh, offer } of lots) w -= Number(offer.reservePricePerKwh * wh) / 1000;
  if (link !== undefined) w -= Number(bandwidthReserveTimes3600(bid, link)) / 3600;
  return w;
}

function checkOne(
  m: Match,
  bid: Bid | undefined,
  compute: ComputeOffer | undefined,
  linkId: bigint,
  link: BandwidthOffer | undefined,
  lots: { lot: Match["energyLots"][number]; offer: EnergyOffer | undefined }[],
  rules: MarketRules,
  used: (key: string) => bigint,
): MatchViolation | undefined {
  if (m.vcuHours <= 0n) return "ZeroQuantity";
  if (bid === undefined) return "UnknownBid";
  if (bid.expiry < rules.now) return "BidExpired";
  if (compute === undefined) return "UnknownComputeOffer";
  if (compute.expiry < rules.now) return "ComputeOfferExpired";
  if (compute.hardwareClass !== bid.hardwareClass) return "HardwareClassMismatch";
  if (compute.windowStart > bid.windowStart || bid.windowEnd > compute.windowEnd) return "WindowOutsideComputeOffer";
  if (!regionAccepted(bid, compute.region)) return "RegionNotAccepted";
  if (bid.filled + used(`b:${bid.id}`) + m.vcuHours > bid.vcuHours) return "BidCapacityExceeded";
  if (compute.filled + used(`c:${compute.id}`) + m.vcuHours > compute.vcuHours) return "ComputeCapacityExceeded";
  if (m.computePayment < compute.reservePricePerVcuHour * m.vcuHours) return "ComputePaymentBelowReserve";

  if (compute.region === bid.buyerRegion) {
    if (linkId !== 0n || m.bandwidthPayment !== 0n) return "BandwidthNotNeeded";
  } else {
    if (linkId === 0n) return "BandwidthMissing";
    if (link === undefined) return "UnknownBandwidthOffer";
    if (link.expiry < rules.now) return "BandwidthOfferExpired";
    const route =
      (link.fromRegion === compute.region && link.toRegion === bid.buyerRegion) ||
      (link.toRegion === compute.region && link.fromRegion === bid.buyerRegion);
    if (!route) return "BandwidthRouteMismatch";
    if (link.windowStart > bid.windowStart || bid.windowEnd > link.windowEnd) return "WindowOutsideBandwidthOffer";
    if (link.latencyMs > bid.maxLatencyMs) return "LatencyAboveBound";
    if (link.filled + used(`w:${link.id}`) + bid.bandwidthMbps > link.mbps) return "BandwidthCapacityExceeded";
    if (m.bandwidthPayment * 3600n < bandwidthReserveTimes3600(bid, link)) return "BandwidthPaymentBelowReserve";
  }

  const seen = new Set<bigint>();
  let green = 0n;
  for (const { lot, offer } of lots) {
    if (offer === undefined) return "UnknownEnergyOffer";
    if (offer.expiry < rules.now) return "EnergyOfferExpired";
    if (seen.has(lot.offerId)) return "DuplicateEnergyLot";
    seen.add(lot.offerId);
    if (lot.wh <= 0n) return "EmptyEnergyLot";
    if (offer.filled + used(`e:${offer.id}`) + lot.wh > offer.wh) return "EnergyCapacityExceeded";
    if (lot.payment * 1000n < offer.reservePricePerKwh * lot.wh) return "EnergyPaymentBelowReserve";
    green += lot.wh;
  }
  const needMilli = energyNeededMilliWh(m.vcuHours, compute);
  if (green * 10_000_000n < BigInt(bid.minGreenBps) * needMilli) return "GreenShareBelowMinimum";
  if (green * 1000n > needMilli) return "GreenAboveEnergyNeeded";

  const allIn = matchPayments(m) * BigInt(10_000 + rules.platformFeeBps);
  if (allIn > 10_000n * bid.limitPricePerVcuHour * m.vcuHours) return "AboveBidLimit";
  return undefined;
}
