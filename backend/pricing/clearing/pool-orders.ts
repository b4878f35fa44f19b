// The order shapes of the market before whole hours (issue 12): VCU-hour pools over a window,
// certificate batches without hours, a link's Mbps for a bid's whole window. Only the pool clearer
// of this folder still speaks them; it is kept as the baseline row "100000" of
// `npm run bench:clearing` and is used by neither the matcher nor the quote API, which schedule in
// hours (backend/pricing/scheduling.ts, docs/pricing.md "Scheduling in hours"). Delete the folder
// with this file once the benchmark no longer compares against it.

/** A compute supplier's offer: capacity of one hardware class in one region over a time window. */
type RegionCode = number;

export type ComputeOffer = {
  id: bigint;
  supplier: `0x${string}`;
  hardwareClass: number; // index into HARDWARE_CLASSES
  region: RegionCode;
  windowStart: number; // [windowStart, windowEnd) unix seconds
  windowEnd: number;
  vcuHours: bigint; // total capacity
  filled: bigint; // VCU-hours already matched
  reservePricePerVcuHour: bigint; // token base units per VCU-hour
  whPerVcuHour: bigint; // IT energy per VCU-hour, before PUE
  pueMilli: number; // facility PUE × 1000 (1.25 → 1250), ≥ 1000
  expiry: number; // matches need block.timestamp < expiry
};

/** An energy supplier's offer: Wh of one certificate batch, escrowed in the market while offered. */
export type EnergyOffer = {
  id: bigint;
  supplier: `0x${string}`;
  batchId: bigint; // ERC-1155 id of the certificate batch
  source: number; // index into ENERGY_SOURCES (copied from the batch)
  region: RegionCode; // generation region (copied from the batch)
  wh: bigint; // total offered
  filled: bigint; // Wh already matched
  reservePricePerKwh: bigint; // token base units per kWh
  expiry: number;
};

/** A network supplier's offer: a link between two regions (either direction) over a window. */
export type BandwidthOffer = {
  id: bigint;
  supplier: `0x${string}`;
  fromRegion: RegionCode;
  toRegion: RegionCode;
  mbps: bigint; // total capacity
  filled: bigint; // Mbps already matched (each match reserves its bid's bandwidthMbps)
  latencyMs: number; // guaranteed bound
  windowStart: number;
  windowEnd: number;
  reservePricePerMbpsHour: bigint;
  expiry: number;
};

/** A buyer's bid for a compute job; vcuHours × limitPricePerVcuHour is escrowed at posting. */
export type Bid = {
  id: bigint;
  buyer: `0x${string}`;
  hardwareClass: number;
  acceptableRegions: bigint; // uint32 bitmask: bit r set ⇔ compute region code r (0..31) accepted
  buyerRegion: RegionCode; // where the results are consumed; bandwidth is needed from elsewhere
  windowStart: number;
  windowEnd: number;
  vcuHours: bigint;
  filled: bigint;
  limitPricePerVcuHour: bigint; // all-in: compute + energy + bandwidth + platform fee
  minGreenBps: number; // minimum share of the job's energy covered by certificates
  bandwidthMbps: bigint; // reserved on the link when the compute region differs from buyerRegion
  maxLatencyMs: number;
  expiry: number;
};

/** One lot of certificate Wh bought from an energy offer for a match. */
export type EnergyLot = { offerId: bigint; wh: bigint; payment: bigint };

/** One bundle the matcher proposes; the contract checks it against every order's own limits. */
export type Match = {
  bidId: bigint;
  computeOfferId: bigint;
  vcuHours: bigint;
  computePayment: bigint;
  energyLots: EnergyLot[];
  bandwidthOfferId: bigint; // 0n = none
  bandwidthPayment: bigint;
};

export const SKIP_REASONS = [
  "None",
  "ZeroQuantity",
  "BidNotOpen",
  "BidExpired",
  "BidQuantityExceeded",
  "ComputeOfferNotOpen",
  "ComputeOfferExpired",
  "ComputeQuantityExceeded",
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
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];
