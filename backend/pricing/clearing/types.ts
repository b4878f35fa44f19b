// Stage 1 (clearing) shapes shared by the exact and the fast clearer, the feasibility checker,
// bundle pricing and the matcher.

import type { BandwidthOffer, Bid, ComputeOffer, EnergyOffer, Match } from "./pool-orders.ts";

/** The open orders the market contract holds, as read from the chain or the indexer. */
export type OrderBook = {
  bids: readonly Bid[];
  computeOffers: readonly ComputeOffer[];
  energyOffers: readonly EnergyOffer[];
  bandwidthOffers: readonly BandwidthOffer[];
};

/** What the contract applies to every match besides the orders themselves. */
export type MarketRules = {
  /** Unix seconds at which the batch is expected to settle; an order matches only while now < expiry. */
  now: number;
  /** Platform fee in bps, charged to the buyer on top of the suppliers' payments. */
  platformFeeBps: number;
};

export type ClearingOptions = MarketRules & {
  /** Wall-clock budget for the exact clearer (HiGHS); ignored by the fast one. Default 60. */
  timeLimitSeconds?: number;
  /** Relative optimality gap at which the exact clearer stops (HiGHS mip_rel_gap). Default 1e-6. */
  mipGap?: number;
};

export type ClearingResult = {
  algorithm: "fast" | "exact";
  /**
   * The chosen bundles, each priced at its orders' reserves (rounded up to whole base units): the
   * cheapest pricing the contract accepts. Stage 2 (`priceBundles`) replaces these payments.
   */
  matches: Match[];
  /** Σ over matches of (bid limit × VCU-hours − every supplier's reserve cost), token base units. */
  welfare: number;
  /**
   * `optimal`: proven optimal (exact, within HiGHS's MIP gap). `time-limit`: the exact clearer
   * stopped at its budget with the best bundles found. `heuristic`: the fast clearer.
   */
  status: "optimal" | "time-limit" | "heuristic";
  /** Exact only: HiGHS's proven upper bound on the welfare of any feasible batch. */
  upperBound?: number;
  elapsedMs: number;
};

/** The common interface of both clearers. */
export type Clear = (book: OrderBook, options: ClearingOptions) => ClearingResult;
