// The open book as the exchange reads it (from the chain's events or the indexer): the contract's
// order shapes (orders.ts) with the hourly usage the contract keeps apart from them
// (IMarket.computeUsedOf, bandwidthUsedOf, energyRemainingOf; docs/market-rules.md, "Hours").
// Backend book sources produce it, pricing and the matcher read it. Hours are keyed by their start
// (unix seconds); an hour that is absent is unused.

import type { BandwidthOffer, Bid, ComputeOffer, EnergyOffer } from "./orders.ts";

/** A bid with the links on which its job's Mbps are already reserved (once per bid and link). */
export type BookBid = Bid & { reservedLinks?: readonly bigint[] };

/** A compute offer with the VCU already sold in each hour of its window. */
export type BookComputeOffer = ComputeOffer & { usedVcu?: ReadonlyMap<number, number> };

/**
 * An energy offer with the Wh already sold of each of its hours (aligned with `whPerHour`), and
 * whether the registry has suspended its device (the market then sells none of its Wh), when the
 * source knows it.
 */
export type BookEnergyOffer = EnergyOffer & { soldWhPerHour?: readonly bigint[]; deviceSuspended?: boolean };

/** A link with the Mbps already reserved in each hour of its window. */
export type BookBandwidthOffer = BandwidthOffer & { usedMbps?: ReadonlyMap<number, number> };

export type OrderBook = {
  bids: readonly BookBid[];
  computeOffers: readonly BookComputeOffer[];
  energyOffers: readonly BookEnergyOffer[];
  bandwidthOffers: readonly BookBandwidthOffer[];
};

/** VCU of `offer` still free in the hour starting at `hour` (0 outside its window). */
export function computeFreeVcu(offer: BookComputeOffer, hour: number): number {
  if (hour < offer.windowStart || hour >= offer.windowEnd) return 0;
  return Math.max(0, offer.vcu - (offer.usedVcu?.get(hour) ?? 0));
}

/** Mbps of `offer` still free in the hour starting at `hour` (0 outside its window). */
export function bandwidthFreeMbps(offer: BookBandwidthOffer, hour: number): number {
  if (hour < offer.windowStart || hour >= offer.windowEnd) return 0;
  return Math.max(0, offer.mbps - (offer.usedMbps?.get(hour) ?? 0));
}

/** Wh of `offer` still for sale in the hour starting at `hour` (0 outside its hours). */
export function energyLeftWh(offer: BookEnergyOffer, hour: number): bigint {
  const i = (hour - offer.firstHour) / 3600;
  if (!Number.isInteger(i) || i < 0 || i >= offer.whPerHour.length) return 0n;
  const left = offer.whPerHour[i] - (offer.soldWhPerHour?.[i] ?? 0n);
  return left > 0n ? left : 0n;
}
