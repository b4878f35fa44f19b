// An independent statement of every check the market contract makes on a match (contracts/
// libraries/MatchRules.sol, BatchSettlement.sol), in exact integer arithmetic. Both clearers are
// tested against it, and the matcher can run it before submitting. The contract's roundings:
//   • energy needed:  ⌊vcuHours × whPerVcuHour × pueMilli / 1000⌋ Wh
//   • green share:    green × 10⁴ ≥ needed × minGreenBps, and green ≤ needed
//   • energy lot:     payment ≥ ⌈reservePricePerKwh × Wh / 1000⌉
//   • bandwidth:      payment ≥ ⌈reservePricePerMbpsHour × Mbps × window seconds of the bid / 3600⌉
//   • all-in:         Σ payments + ⌊Σ payments × feeBps / 10⁴⌋ ≤ limitPricePerVcuHour × vcuHours
//   • expiry:         an order matches only while now < expiry

import type { BandwidthOffer, Bid, ComputeOffer, EnergyOffer, Match, SkipReason } from "./pool-orders.ts";
import type { MarketRules, OrderBook } from "./types.ts";

/** The contract's skip reasons. */
export type MatchViolation = Exclude<SkipReason, "None">;

export type BatchCheck = {
  /** One entry per match: undefined when the match settles, else why the contract skips it. */
  violations: (MatchViolation | undefined)[];
  /** Welfare of the matches that settle (token base units). */
  welfare: number;
};

/** Facility energy in Wh the VCU-hours of a match need, as the contract computes it. */
export function energyNeededWh(vcuHours: bigint, offer: ComputeOffer): bigint {
  return (vcuHours * offer.whPerVcuHour * BigInt(offer.pueMilli)) / 1000n;
}

/** Reserve cost of the bandwidth a match takes from `offer` for the bid's window, times 3600. */
export function bandwidthReserveTimes3600(bid: Bid, offer: BandwidthOffer): bigint {
  return offer.reservePricePerMbpsHour * bid.bandwidthMbps * BigInt(bid.windowEnd - bid.windowStart);
}

export function regionAccepted(bid: Bid, region: number): boolean {
  return ((bid.acceptableRegions >> BigInt(region)) & 1n) === 1n;
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
    welfare += matchWelfare(
      m,
      bid,
      compute,
      link,
      lots.map(({ lot, offer }) => ({ wh: lot.wh, offer: offer! })),
    );
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
  if (bid === undefined || bid.filled + used(`b:${bid.id}`) >= bid.vcuHours) return "BidNotOpen";
  if (bid.expiry <= rules.now) return "BidExpired";
  if (compute === undefined || compute.filled + used(`c:${compute.id}`) >= compute.vcuHours)
    return "ComputeOfferNotOpen";
  if (compute.expiry <= rules.now) return "ComputeOfferExpired";
  if (compute.hardwareClass !== bid.hardwareClass) return "HardwareClassMismatch";
  if (compute.windowStart > bid.windowStart || bid.windowEnd > compute.windowEnd) return "WindowNotCovered";
  if (!regionAccepted(bid, compute.region)) return "RegionNotAccepted";
  if (bid.filled + used(`b:${bid.id}`) + m.vcuHours > bid.vcuHours) return "BidQuantityExceeded";
  if (compute.filled + used(`c:${compute.id}`) + m.vcuHours > compute.vcuHours) return "ComputeQuantityExceeded";
  if (m.computePayment < compute.reservePricePerVcuHour * m.vcuHours) return "ComputePaymentBelowReserve";

  if (compute.region === bid.buyerRegion) {
    if (linkId !== 0n || m.bandwidthPayment !== 0n) return "BandwidthNotNeeded";
  } else {
    if (linkId === 0n) return "BandwidthMissing";
    if (link === undefined || link.filled + used(`w:${link.id}`) >= link.mbps) return "BandwidthOfferNotOpen";
    if (link.expiry <= rules.now) return "BandwidthOfferExpired";
    const route =
      (link.fromRegion === compute.region && link.toRegion === bid.buyerRegion) ||
      (link.toRegion === compute.region && link.fromRegion === bid.buyerRegion);
    if (!route) return "BandwidthRouteMismatch";
    if (link.windowStart > bid.windowStart || bid.windowEnd > link.windowEnd) return "BandwidthWindowNotCovered";
    if (link.latencyMs > bid.maxLatencyMs) return "LatencyAboveMaximum";
    if (link.filled + used(`w:${link.id}`) + bid.bandwidthMbps > link.mbps) return "BandwidthCapacityExceeded";
    if (m.bandwidthPayment * 3600n < bandwidthReserveTimes3600(bid, link)) return "BandwidthPaymentBelowReserve";
  }

  let previous = 0n;
  let green = 0n;
  for (const { lot, offer } of lots) {
    if (lot.offerId <= previous) return "EnergyLotsNotAscending";
    previous = lot.offerId;
    if (offer === undefined || offer.filled + used(`e:${offer.id}`) >= offer.wh) return "EnergyOfferNotOpen";
    if (offer.expiry <= rules.now) return "EnergyOfferExpired";
    if (lot.wh <= 0n) return "ZeroQuantity";
    if (offer.filled + used(`e:${offer.id}`) + lot.wh > offer.wh) return "EnergyQuantityExceeded";
    if (lot.payment * 1000n < offer.reservePricePerKwh * lot.wh) return "EnergyPaymentBelowReserve";
    green += lot.wh;
  }
  const needed = energyNeededWh(m.vcuHours, compute);
  if (green * 10_000n < needed * BigInt(bid.minGreenBps)) return "GreenShareBelowMinimum";
  if (green > needed) return "GreenAboveNeed";

  const total = matchPayments(m);
  if (total + (total * BigInt(rules.platformFeeBps)) / 10_000n > bid.limitPricePerVcuHour * m.vcuHours)
    return "PriceAboveLimit";
  return undefined;
}
