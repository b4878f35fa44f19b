// The pricing layer's public surface (pure functions, no I/O). Backend API and matcher import from
// here only. Exact clearing (clearing/exact.ts) and the Lagrangian bound (clearing/relaxation.ts)
// are left out on purpose: exact.ts loads the HiGHS WebAssembly solver when imported, which the API,
// matcher and demo never need; the benchmark and the tests that compare clearers import them directly.

export {
  type Bundle,
  type BundlePricingOptions,
  type BundleProposal,
  type PartyRole,
  type PartyShare,
  type PricedBundle,
  priceBundle,
  priceBundles,
  priceEachBundle,
} from "./bundle.ts";
export { clearFast } from "./clearing/fast.ts";
export {
  type BatchCheck,
  checkBatch,
  energyNeededWh,
  type MatchViolation,
  matchPayments,
} from "./clearing/feasibility.ts";
export type { Clear, ClearingOptions, ClearingResult, MarketRules, OrderBook } from "./clearing/types.ts";
export { type EnergyType, PRICING_CONFIG, type PricingConfig, SLA_TIERS, type SlaTier } from "./config.ts";
export { type BargainInput, type BargainResult, nashBargain } from "./nash.ts";
export { maxTotal, roundPayments } from "./payments.ts";
export {
  bandwidthBasePrice,
  type ComputeGood,
  computeBasePrice,
  computeUtilisation,
  dynamicPrice,
  energyBasePrice,
  loadFactor,
  qualityFactor,
} from "./price.ts";
export { checkSchedule, type ScheduleCheck } from "./schedule/check.ts";
export { scheduleFast } from "./schedule/fast.ts";
export type {
  CertificateOrigin,
  HourlyBandwidthOffer,
  HourlyComputeOffer,
  HourlyEnergyLot,
  HourlyEnergyOffer,
  ScheduledMatch,
  ScheduleOptions,
  ScheduleResult,
  ScheduleRules,
  ScheduleViolation,
  TimedBid,
  TimedBook,
} from "./schedule/types.ts";
