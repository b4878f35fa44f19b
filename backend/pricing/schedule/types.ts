// Shapes of the time-matched market (issue 12; docs/pricing.md, "Scheduling in hours") as the
// scheduler, its checker and its exact reference know them. They mirror the lead's design of the
// market contract (hourly compute capacity, bids with a duration inside a window, forward energy
// offers per device-hour, links with Mbps per hour); protocol/orders.ts is reconciled with them when
// the contract lands.
//
// Units as everywhere in the market: money in settlement-token base units (bigint), energy in Wh,
// times in unix seconds on the hour, shares in bps, PUE in thousandths. Capacities the contract
// packs as uint32 (VCU per hour) are `number`s.

/** Seconds in an hour; every time in this market is a multiple of it. */
export const HOUR = 3600;
/** Longest offer or bid window (31 days). */
export const MAX_WINDOW_HOURS = 744;
/** Longest job. */
export const MAX_JOB_HOURS = 168;

/** Where the certificates of a bid's lots may come from, judged against the compute offer's region. */
export const CERTIFICATE_ORIGINS = ["ComputeRegion", "GridArea", "Anywhere"] as const;
export type CertificateOrigin = (typeof CERTIFICATE_ORIGINS)[number];
/** On-chain enum values of `CERTIFICATE_ORIGINS` (the index). */
export const ORIGIN = { ComputeRegion: 0, GridArea: 1, Anywhere: 2 } as const;

/**
 * The regional grid (grid area) each compute hub's region code sits in, as the design's table fixes
 * it: 1 京津冀 and 5 内蒙古 → north, 2 长三角 → east, 3 粤港澳 and 6 贵州 → south, 4 成渝 → southwest,
 * 7 甘肃 and 8 宁夏 → northwest. protocol/units.ts gains the same column (`gridArea`).
 */
export const GRID_AREA_OF_REGION: Readonly<Record<number, GridArea>> = {
  1: "north",
  2: "east",
  3: "south",
  4: "southwest",
  5: "north",
  6: "south",
  7: "northwest",
  8: "northwest",
};
export type GridArea = "north" | "east" | "south" | "southwest" | "northwest";

/** A compute offer: `vcu` units at the same time in every hour of [windowStart, windowEnd). */
export type HourlyComputeOffer = {
  id: bigint;
  supplier: `0x${string}`;
  hardwareClass: number;
  region: number;
  windowStart: number;
  windowEnd: number;
  /** Capacity: VCU available in each hour of the window (uint32 on chain). */
  vcu: number;
  /** VCU already sold per hour, keyed by hour start (unix seconds); absent hours are free. */
  usedVcu?: ReadonlyMap<number, number>;
  reservePricePerVcuHour: bigint;
  whPerVcuHour: bigint;
  pueMilli: number;
  expiry: number;
};

/**
 * A bid for a job of `vcu` units for `durationHours` consecutive hours starting anywhere in
 * [earliestStart, latestEnd − durationHours·3600]. A fixed job has durationHours·3600 = latestEnd −
 * earliestStart.
 */
export type TimedBid = {
  id: bigint;
  buyer: `0x${string}`;
  hardwareClass: number;
  acceptableRegions: bigint;
  buyerRegion: number;
  earliestStart: number;
  latestEnd: number;
  durationHours: number;
  vcu: number;
  /** VCU already served by earlier matches (the contract stores vcu − filledVcu as remaining). */
  filledVcu: number;
  /** The start fixed by the bid's first match; 0 while none. */
  start: number;
  limitPricePerVcuHour: bigint;
  minGreenBps: number;
  /** Index into CERTIFICATE_ORIGINS. */
  certificateOrigin: number;
  bandwidthMbps: bigint;
  maxLatencyMs: number;
  expiry: number;
  /** Links on which earlier matches already reserved this bid's Mbps (once per bid and link). */
  reservedLinks?: readonly bigint[];
};

/** Forward Wh of consecutive hours of one device, starting at `firstHour` (unix seconds on the hour). */
export type HourlyEnergyOffer = {
  id: bigint;
  supplier: `0x${string}`;
  deviceId: bigint;
  source: number;
  region: number;
  firstHour: number;
  /** Wh offered in hour firstHour + i·3600. */
  whPerHour: readonly bigint[];
  /** Wh of each hour already sold (same length as whPerHour; absent: none). */
  soldWhPerHour?: readonly bigint[];
  reservePricePerKwh: bigint;
  /** The device is suspended by the registry: its Wh cannot be sold. */
  deviceSuspended?: boolean;
  expiry: number;
};

/** A link between two regions (either direction) with `mbps` in every hour of its window. */
export type HourlyBandwidthOffer = {
  id: bigint;
  supplier: `0x${string}`;
  fromRegion: number;
  toRegion: number;
  mbps: bigint;
  /** Mbps already reserved per hour, keyed by hour start. */
  usedMbps?: ReadonlyMap<number, bigint>;
  latencyMs: number;
  windowStart: number;
  windowEnd: number;
  reservePricePerMbpsHour: bigint;
  expiry: number;
};

/** Certificate Wh of one device-hour bought for a match. */
export type HourlyEnergyLot = { offerId: bigint; hour: number; wh: bigint; payment: bigint };

/**
 * One bundle: `vcu` units of the compute offer for the bid's durationHours from `start`, energy lots
 * strictly ascending by (offerId, hour), and a link when the compute region is not the buyer's.
 */
export type ScheduledMatch = {
  bidId: bigint;
  computeOfferId: bigint;
  start: number;
  vcu: number;
  computePayment: bigint;
  energyLots: HourlyEnergyLot[];
  bandwidthOfferId: bigint;
  bandwidthPayment: bigint;
};

export type TimedBook = {
  bids: readonly TimedBid[];
  computeOffers: readonly HourlyComputeOffer[];
  energyOffers: readonly HourlyEnergyOffer[];
  bandwidthOffers: readonly HourlyBandwidthOffer[];
};

export type ScheduleRules = {
  /** Unix seconds at which the batch settles; orders match while now < expiry. */
  now: number;
  platformFeeBps: number;
};

export type ScheduleOptions = ScheduleRules & {
  /** Exact scheduler only: HiGHS wall-clock budget in seconds (default 60). */
  timeLimitSeconds?: number;
};

export type ScheduleResult = {
  algorithm: "fast" | "exact";
  /** Reserve-priced bundles (stage 2 replaces the payments). */
  matches: ScheduledMatch[];
  /** Σ limit × vcu × durationHours − every supplier's reserve cost, in base units. */
  welfare: number;
  status: "optimal" | "time-limit" | "heuristic";
  /** Exact only: HiGHS's proven upper bound on the welfare of any feasible batch. */
  upperBound?: number;
  elapsedMs: number;
};

/** Why the contract skips a scheduled match: today's reasons that still apply and the new ones. */
export type ScheduleViolation =
  | "ZeroQuantity"
  | "BidNotOpen"
  | "BidExpired"
  | "BidQuantityExceeded"
  | "StartOutsideWindow"
  | "StartPassed"
  | "StartMismatch"
  | "ComputeOfferNotOpen"
  | "ComputeOfferExpired"
  | "HardwareClassMismatch"
  | "RegionNotAccepted"
  | "WindowNotCovered"
  | "ComputeCapacityExceeded"
  | "ComputePaymentBelowReserve"
  | "EnergyLotsNotAscending"
  | "LotOutsideJobHours"
  | "EnergyOfferNotOpen"
  | "EnergyOfferExpired"
  | "EnergyDeviceSuspended"
  | "EnergyQuantityExceeded"
  | "OriginNotAccepted"
  | "EnergyPaymentBelowReserve"
  | "GreenAboveNeed"
  | "GreenShareBelowMinimum"
  | "BandwidthMissing"
  | "BandwidthNotNeeded"
  | "BandwidthOfferNotOpen"
  | "BandwidthOfferExpired"
  | "BandwidthRouteMismatch"
  | "BandwidthWindowNotCovered"
  | "LatencyAboveMaximum"
  | "BandwidthCapacityExceeded"
  | "BandwidthPaymentBelowReserve"
  | "PriceAboveLimit";
