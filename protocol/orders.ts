// Order and match shapes as the market contract knows them (docs/market-rules.md, "Flow of a trade").
// Backend, indexer and frontend import these; contracts/interfaces/IMarket.sol mirrors them. Small
// integers (enum indices, regions, bps, times, hours) are `number`s; ids, quantities and amounts are bigint.
//
// The deal's own shapes (terms, usage report, outcome) are not copied here: whoever needs them takes
// them from the ABI (protocol/generated/abis.ts), which cannot drift from the contract.
//
// Units: VCU (units at the same time) and VCU-hours, energy in Wh, money in settlement-token base
// units (6 decimals), times in unix seconds on the hour (protocol/hours.ts), shares in bps, PUE in
// thousandths, emission factors in gCO2e/kWh.
//
// On chain, region codes are uint8; a bid's acceptable regions are a uint32 bitmask, hence compute
// regions a bid can accept have codes 0..31.
//
// Hours rule: a compute offer sells `vcu` units in each hour of its window and a link `mbps` in each
// hour; the chain keeps the used amount per hour. A bid's job of `vcu` units runs `durationHours`
// consecutive hours starting at an hour in [earliestStart, latestEnd − durationHours × 3600]; its
// first match fixes the start and every later match uses it. Energy lots are Wh of one device-hour
// from an energy offer, inside the job's hours. Orders match while block.timestamp < expiry, and
// expiry ≤ windowEnd (latestEnd for bids) for orders with a window.

import type { RegionCode } from "./units.ts";

/** A compute supplier's offer: `vcu` units of one hardware class in one region in every hour of a window. */
export type ComputeOffer = {
  id: bigint;
  supplier: `0x${string}`;
  hardwareClass: number; // index into HARDWARE_CLASSES
  region: RegionCode;
  windowStart: number; // [windowStart, windowEnd) unix seconds, on the hour
  windowEnd: number;
  vcu: number; // units available at the same time, in every hour; 0 once cancelled
  reservePricePerVcuHour: bigint; // token base units per VCU-hour
  whPerVcuHour: bigint; // IT energy per VCU-hour, before PUE
  pueMilli: number; // facility PUE × 1000 (1.25 → 1250), ≥ 1000
  expiry: number; // matches need block.timestamp < expiry
};

/**
 * An energy supplier's offer: forward Wh of named hours of one device (hour i starts at
 * firstHour + i × 3600). No certificate moves at posting or settlement; at finalisation the market
 * retires the sold Wh from the supplier's balance of each device-hour (docs/market-rules.md, "Certificates").
 */
export type EnergyOffer = {
  id: bigint;
  supplier: `0x${string}`;
  deviceId: bigint;
  source: number; // index into ENERGY_SOURCES (copied from the device)
  region: RegionCode; // generation region (copied from the device)
  firstHour: number; // unix seconds, on the hour
  whPerHour: bigint[]; // offered Wh of each hour
  reservePricePerKwh: bigint; // token base units per kWh
  expiry: number;
};

/** A network supplier's offer: a link between two regions (either direction), `mbps` in every hour of a window. */
export type BandwidthOffer = {
  id: bigint;
  supplier: `0x${string}`;
  fromRegion: RegionCode;
  toRegion: RegionCode;
  mbps: number; // in every hour; each job reserves its bid's Mbps in its own hours, once per link
  latencyMs: number; // guaranteed bound
  windowStart: number;
  windowEnd: number;
  reservePricePerMbpsHour: bigint;
  expiry: number;
};

/** Where a bid's certificates may come from, judged against the compute region (IMarket.CertificateOrigin). */
export const CERTIFICATE_ORIGINS = ["compute-region", "grid-area", "anywhere"] as const;
export type CertificateOrigin = (typeof CERTIFICATE_ORIGINS)[number];
/** The origin the web and the API use when a buyer names none. */
export const DEFAULT_CERTIFICATE_ORIGIN: CertificateOrigin = "grid-area";

/** A buyer's bid for a job; vcu × durationHours × limitPricePerVcuHour is escrowed at posting. */
export type Bid = {
  id: bigint;
  buyer: `0x${string}`;
  hardwareClass: number;
  acceptableRegions: bigint; // uint32 bitmask: bit r set ⇔ compute region code r (0..31) accepted
  buyerRegion: RegionCode; // where the results are consumed; bandwidth is needed from elsewhere
  earliestStart: number; // the job runs inside [earliestStart, latestEnd), on the hour
  latestEnd: number;
  durationHours: number; // a fixed job has durationHours × 3600 = latestEnd − earliestStart
  vcu: number; // units at the same time, for every hour of the job
  remainingVcu: number;
  start: number; // 0 until the first match fixes the job's start hour
  limitPricePerVcuHour: bigint; // all-in: compute + energy + bandwidth + platform fee
  minGreenBps: number; // minimum share of the job's energy covered by time-matched certificates
  certificateOrigin: number; // index into CERTIFICATE_ORIGINS
  bandwidthMbps: bigint; // reserved on the link in the job's hours when the compute region ≠ buyerRegion
  maxLatencyMs: number;
  expiry: number;
};

/** Wh of one hour (`hour`: its start, unix seconds) bought from an energy offer for a match. */
export type EnergyLot = { offerId: bigint; hour: number; wh: bigint; payment: bigint };

/**
 * One bundle the matcher proposes; the contract checks it against every order's own limits. The match
 * serves `vcu` units of the bid's job from `start` for the bid's durationHours (vcu × durationHours
 * VCU-hours). Lots are strictly ascending by (offerId, hour).
 */
export type Match = {
  bidId: bigint;
  computeOfferId: bigint;
  start: number;
  vcu: bigint;
  computePayment: bigint;
  energyLots: EnergyLot[];
  bandwidthOfferId: bigint; // 0n = none
  bandwidthPayment: bigint; // may be 0n when an earlier match of the bid already reserved this link
};

/** Why `settle` skipped a match (IMarket.SkipReason; the index is the on-chain enum value, 0 never emitted). */
export const SKIP_REASONS = [
  "None",
  "ZeroQuantity",
  "BidNotOpen",
  "BidExpired",
  "BidQuantityExceeded",
  "ComputeOfferNotOpen",
  "ComputeOfferExpired",
  "ComputeCapacityExceeded",
  "HardwareClassMismatch",
  "WindowNotCovered",
  "RegionNotAccepted",
  "ComputePaymentBelowReserve",
  "EnergyLotsNotAscending",
  "EnergyOfferNotOpen",
  "EnergyOfferExpired",
  "EnergyQuantityExceeded",
  "EnergyPaymentBelowReserve",
  "GreenShareBelowMinimum",
  "GreenAboveNeed",
  "BandwidthMissing",
  "BandwidthNotNeeded",
  "BandwidthOfferNotOpen",
  "BandwidthOfferExpired",
  "BandwidthRouteMismatch",
  "BandwidthWindowNotCovered",
  "BandwidthCapacityExceeded",
  "LatencyAboveMaximum",
  "BandwidthPaymentBelowReserve",
  "PriceAboveLimit",
  "MatcherIsParty",
  "EnergyDeviceSuspended",
  "StartOutsideWindow",
  "StartMismatch",
  "LotOutsideJobHours",
  "OriginNotAccepted",
  "StartPassed",
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export const DEAL_STATUSES = ["Active", "Reported", "Disputed", "Finalized", "Cancelled"] as const;
export type DealStatus = (typeof DEAL_STATUSES)[number];
