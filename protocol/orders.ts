// Order and match shapes as the market contract knows them (DESIGN.md §3). Backend, indexer and
// frontend import these; the contract's structs mirror them field for field. All integers are
// bigint-free `number`s only where they are small (ids of enums, regions, bps); amounts are bigint.
//
// Units: quantities in VCU-hours, energy in Wh, money in settlement-token base units (6 decimals),
// times in unix seconds, shares in bps, PUE in thousandths.

import type { RegionCode } from "./units.ts";

/** A compute supplier's offer: capacity of one hardware class in one region over a time window. */
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
  expiry: number; // no match after this time
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
  filled: bigint; // Mbps already matched
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
  acceptableRegions: bigint; // bitmask: bit r set ⇔ region code r accepted
  buyerRegion: RegionCode; // where the results are consumed; bandwidth is needed from elsewhere
  windowStart: number;
  windowEnd: number;
  vcuHours: bigint;
  filled: bigint;
  limitPricePerVcuHour: bigint; // all-in: compute + energy + bandwidth + platform fee
  minGreenBps: number; // minimum share of the job's energy covered by certificates
  bandwidthMbps: bigint; // needed when the compute region differs from buyerRegion
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

export const DEAL_STATUSES = ["Active", "Reported", "Disputed", "Finalized", "Cancelled"] as const;
export type DealStatus = (typeof DEAL_STATUSES)[number];
