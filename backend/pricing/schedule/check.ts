// An independent statement of every check the time-matched market contract makes on a match (the
// lead's design for issue 12, "Matches"; docs/pricing.md, "Scheduling in hours"), in exact bigint
// arithmetic, in the contract's order. Both schedulers are tested against it and the benchmark runs
// every fast batch through it. The contract's roundings:
//   • energy need per hour:  needPerHour = ⌊vcu × whPerVcuHour × pueMilli / 1000⌋ Wh
//   • green share:           Σ lots × 10⁴ ≥ minGreenBps × needPerHour × durationHours, and in each
//                            hour Σ lots of that hour ≤ needPerHour
//   • energy lot:            payment × 1000 ≥ reservePricePerKwh × Wh
//   • bandwidth (first match of the bid on the link): payment ≥ reserve × Mbps × durationHours
//   • all-in:                Σ payments + ⌊Σ payments × feeBps / 10⁴⌋ ≤ limit × vcu × durationHours

import {
  GRID_AREA_OF_REGION,
  HOUR,
  type HourlyBandwidthOffer,
  type HourlyComputeOffer,
  type HourlyEnergyOffer,
  ORIGIN,
  type ScheduledMatch,
  type ScheduleRules,
  type ScheduleViolation,
  type TimedBid,
  type TimedBook,
} from "./types.ts";

export type ScheduleCheck = {
  /** One entry per match: undefined when it settles, else why the contract skips it. */
  violations: (ScheduleViolation | undefined)[];
  /** Welfare of the matches that settle, in base units. */
  welfare: number;
};

/** Facility Wh one hour of the match needs, as the contract computes it. */
export function needPerHourWh(vcu: number, offer: HourlyComputeOffer): bigint {
  return (BigInt(vcu) * offer.whPerVcuHour * BigInt(offer.pueMilli)) / 1000n;
}

/** Whether a bid's certificate-origin rule lets certificates generated in `energyRegion` cover compute in `computeRegion`. */
export function originAllows(origin: number, computeRegion: number, energyRegion: number): boolean {
  if (origin === ORIGIN.Anywhere) return true;
  if (origin === ORIGIN.ComputeRegion) return computeRegion === energyRegion;
  if (origin === ORIGIN.GridArea) {
    const area = GRID_AREA_OF_REGION[computeRegion];
    return area !== undefined && area === GRID_AREA_OF_REGION[energyRegion];
  }
  return false;
}

export function regionAccepted(bid: TimedBid, region: number): boolean {
  return ((bid.acceptableRegions >> BigInt(region)) & 1n) === 1n;
}

/** Remaining Wh of an energy offer's hour `hour` (unix seconds), 0 outside its hours. */
export function energyLeftWh(offer: HourlyEnergyOffer, hour: number): bigint {
  const i = (hour - offer.firstHour) / HOUR;
  if (!Number.isInteger(i) || i < 0 || i >= offer.whPerHour.length) return 0n;
  return offer.whPerHour[i] - (offer.soldWhPerHour?.[i] ?? 0n);
}

/** Bid value minus every supplier's reserve cost of one match (the link's only on its first match). */
export function scheduledMatchWelfare(
  m: ScheduledMatch,
  bid: TimedBid,
  compute: HourlyComputeOffer,
  lots: readonly { wh: bigint; offer: HourlyEnergyOffer }[],
  firstOnLink: HourlyBandwidthOffer | undefined,
): number {
  const vcuHours = BigInt(m.vcu * bid.durationHours);
  let w = Number((bid.limitPricePerVcuHour - compute.reservePricePerVcuHour) * vcuHours);
  for (const { wh, offer } of lots) w -= Number(offer.reservePricePerKwh * wh) / 1000;
  if (firstOnLink !== undefined)
    w -= Number(firstOnLink.reservePricePerMbpsHour * bid.bandwidthMbps * BigInt(bid.durationHours));
  return w;
}

/**
 * Checks a batch in order, as the contract settles it: every match against the orders' state after
 * the earlier valid matches of the batch; a skipped match consumes nothing.
 */
export function checkSchedule(
  book: TimedBook,
  matches: readonly ScheduledMatch[],
  rules: ScheduleRules,
): ScheduleCheck {
  const state = new BatchState(book);
  const violations: (ScheduleViolation | undefined)[] = [];
  let welfare = 0;
  for (const m of matches) {
    const outcome = checkOne(m, state, rules);
    if (typeof outcome === "string") {
      violations.push(outcome);
      continue;
    }
    violations.push(undefined);
    welfare += outcome.welfare;
    state.apply(m, outcome.bid, outcome.firstOnLink);
  }
  return { violations, welfare };
}

/** The orders' state as the batch consumes it. */
class BatchState {
  readonly bids: Map<bigint, TimedBid>;
  readonly computes: Map<bigint, HourlyComputeOffer>;
  readonly energies: Map<bigint, HourlyEnergyOffer>;
  readonly links: Map<bigint, HourlyBandwidthOffer>;
  private readonly filled = new Map<bigint, number>();
  private readonly starts = new Map<bigint, number>();
  private readonly computeUsed = new Map<string, number>();
  private readonly energySold = new Map<string, bigint>();
  private readonly linkUsed = new Map<string, bigint>();
  private readonly reserved = new Set<string>();

  constructor(book: TimedBook) {
    this.bids = new Map(book.bids.map((o) => [o.id, o]));
    this.computes = new Map(book.computeOffers.map((o) => [o.id, o]));
    this.energies = new Map(book.energyOffers.map((o) => [o.id, o]));
    this.links = new Map(book.bandwidthOffers.map((o) => [o.id, o]));
    for (const bid of book.bids) for (const link of bid.reservedLinks ?? []) this.reserved.add(`${bid.id}:${link}`);
  }

  remainingVcu(bid: TimedBid): number {
    return bid.vcu - bid.filledVcu - (this.filled.get(bid.id) ?? 0);
  }
  start(bid: TimedBid): number {
    return bid.start !== 0 ? bid.start : (this.starts.get(bid.id) ?? 0);
  }
  computeUsedAt(offer: HourlyComputeOffer, hour: number): number {
    return (offer.usedVcu?.get(hour) ?? 0) + (this.computeUsed.get(`${offer.id}:${hour}`) ?? 0);
  }
  energyLeftAt(offer: HourlyEnergyOffer, hour: number): bigint {
    return energyLeftWh(offer, hour) - (this.energySold.get(`${offer.id}:${hour}`) ?? 0n);
  }
  linkUsedAt(link: HourlyBandwidthOffer, hour: number): bigint {
    return (link.usedMbps?.get(hour) ?? 0n) + (this.linkUsed.get(`${link.id}:${hour}`) ?? 0n);
  }
  isReserved(bid: TimedBid, linkId: bigint): boolean {
    return this.reserved.has(`${bid.id}:${linkId}`);
  }

  apply(m: ScheduledMatch, bid: TimedBid, firstOnLink: HourlyBandwidthOffer | undefined): void {
    this.filled.set(bid.id, (this.filled.get(bid.id) ?? 0) + m.vcu);
    if (bid.start === 0) this.starts.set(bid.id, m.start);
    for (let h = 0; h < bid.durationHours; h++) {
      const key = `${m.computeOfferId}:${m.start + h * HOUR}`;
      this.computeUsed.set(key, (this.computeUsed.get(key) ?? 0) + m.vcu);
      if (firstOnLink !== undefined) {
        const linkKey = `${firstOnLink.id}:${m.start + h * HOUR}`;
        this.linkUsed.set(linkKey, (this.linkUsed.get(linkKey) ?? 0n) + bid.bandwidthMbps);
      }
    }
    if (firstOnLink !== undefined) this.reserved.add(`${bid.id}:${firstOnLink.id}`);
    for (const lot of m.energyLots) {
      const key = `${lot.offerId}:${lot.hour}`;
      this.energySold.set(key, (this.energySold.get(key) ?? 0n) + lot.wh);
    }
  }
}

type Passed = { welfare: number; bid: TimedBid; firstOnLink: HourlyBandwidthOffer | undefined };

function checkOne(m: ScheduledMatch, s: BatchState, rules: ScheduleRules): ScheduleViolation | Passed {
  // 1. quantities and availability
  if (m.vcu <= 0 || !Number.isInteger(m.vcu)) return "ZeroQuantity";
  const bid = s.bids.get(m.bidId);
  if (bid === undefined || s.remainingVcu(bid) <= 0) return "BidNotOpen";
  if (bid.expiry <= rules.now) return "BidExpired";
  if (m.vcu > s.remainingVcu(bid)) return "BidQuantityExceeded";
  // 2. the start
  const duration = bid.durationHours;
  const end = m.start + duration * HOUR;
  if (m.start % HOUR !== 0 || m.start < bid.earliestStart || end > bid.latestEnd) return "StartOutsideWindow";
  if (m.start < rules.now) return "StartPassed";
  const fixed = s.start(bid);
  if (fixed !== 0 && fixed !== m.start) return "StartMismatch";
  // 3. compute
  const compute = s.computes.get(m.computeOfferId);
  if (compute === undefined) return "ComputeOfferNotOpen";
  if (compute.expiry <= rules.now) return "ComputeOfferExpired";
  if (compute.hardwareClass !== bid.hardwareClass) return "HardwareClassMismatch";
  if (!regionAccepted(bid, compute.region)) return "RegionNotAccepted";
  if (m.start < compute.windowStart || end > compute.windowEnd) return "WindowNotCovered";
  for (let t = m.start; t < end; t += HOUR)
    if (s.computeUsedAt(compute, t) + m.vcu > compute.vcu) return "ComputeCapacityExceeded";
  const vcuHours = BigInt(m.vcu * duration);
  if (m.computePayment < compute.reservePricePerVcuHour * vcuHours) return "ComputePaymentBelowReserve";
  // 4. energy lots
  const lots: { wh: bigint; offer: HourlyEnergyOffer }[] = [];
  const greenByHour = new Map<number, bigint>();
  let previous: { offerId: bigint; hour: number } | undefined;
  let green = 0n;
  for (const lot of m.energyLots) {
    if (
      previous !== undefined &&
      (lot.offerId < previous.offerId || (lot.offerId === previous.offerId && lot.hour <= previous.hour))
    )
      return "EnergyLotsNotAscending";
    previous = lot;
    if (lot.hour % HOUR !== 0 || lot.hour < m.start || lot.hour >= end) return "LotOutsideJobHours";
    const offer = s.energies.get(lot.offerId);
    if (offer === undefined || s.energyLeftAt(offer, lot.hour) <= 0n) return "EnergyOfferNotOpen";
    if (offer.expiry <= rules.now) return "EnergyOfferExpired";
    if (offer.deviceSuspended === true) return "EnergyDeviceSuspended";
    if (lot.wh <= 0n) return "ZeroQuantity";
    if (lot.wh > s.energyLeftAt(offer, lot.hour)) return "EnergyQuantityExceeded";
    if (!originAllows(bid.certificateOrigin, compute.region, offer.region)) return "OriginNotAccepted";
    if (lot.payment * 1000n < offer.reservePricePerKwh * lot.wh) return "EnergyPaymentBelowReserve";
    greenByHour.set(lot.hour, (greenByHour.get(lot.hour) ?? 0n) + lot.wh);
    green += lot.wh;
    lots.push({ wh: lot.wh, offer });
  }
  // 5. green per hour and the minimum share on hourly-matched energy
  const need = needPerHourWh(m.vcu, compute);
  for (const wh of greenByHour.values()) if (wh > need) return "GreenAboveNeed";
  if (green * 10_000n < BigInt(bid.minGreenBps) * need * BigInt(duration)) return "GreenShareBelowMinimum";
  // 6. bandwidth
  let firstOnLink: HourlyBandwidthOffer | undefined;
  if (compute.region === bid.buyerRegion) {
    if (m.bandwidthOfferId !== 0n || m.bandwidthPayment !== 0n) return "BandwidthNotNeeded";
  } else {
    if (m.bandwidthOfferId === 0n) return "BandwidthMissing";
    const link = s.links.get(m.bandwidthOfferId);
    if (link === undefined) return "BandwidthOfferNotOpen";
    if (link.expiry <= rules.now) return "BandwidthOfferExpired";
    const route =
      (link.fromRegion === compute.region && link.toRegion === bid.buyerRegion) ||
      (link.toRegion === compute.region && link.fromRegion === bid.buyerRegion);
    if (!route) return "BandwidthRouteMismatch";
    if (link.latencyMs > bid.maxLatencyMs) return "LatencyAboveMaximum";
    if (m.start < link.windowStart || end > link.windowEnd) return "BandwidthWindowNotCovered";
    if (!s.isReserved(bid, link.id)) {
      for (let t = m.start; t < end; t += HOUR)
        if (s.linkUsedAt(link, t) + bid.bandwidthMbps > link.mbps) return "BandwidthCapacityExceeded";
      if (m.bandwidthPayment < link.reservePricePerMbpsHour * bid.bandwidthMbps * BigInt(duration))
        return "BandwidthPaymentBelowReserve";
      firstOnLink = link;
    }
  }
  // 7. the all-in limit
  const total = m.computePayment + m.bandwidthPayment + m.energyLots.reduce((sum, l) => sum + l.payment, 0n);
  if (total + (total * BigInt(rules.platformFeeBps)) / 10_000n > bid.limitPricePerVcuHour * vcuHours)
    return "PriceAboveLimit";
  return { welfare: scheduledMatchWelfare(m, bid, compute, lots, firstOnLink), bid, firstOnLink };
}
