// The pricing layer's public surface (pure functions, no I/O). Backend API and matcher import from
// here only. The exact scheduler (schedule/exact.ts) and the welfare bound (schedule/bound.ts) are
// left out on purpose: the exact one loads the HiGHS WebAssembly solver when imported, which the API,
// matcher and demo never need; the benchmark and the tests that compare schedulers import them directly.

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
export { checkSchedule, needPerHourWh, originAllows, type ScheduleCheck } from "./schedule/check.ts";
export { type EnergyHours, energyHoursOf } from "./schedule/energy-hours.ts";
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
export {
  type BatchCheck,
  type ClearingResult,
  checkBatch,
  clearBook,
  fromScheduledMatch,
  type MarketRules,
  type MatchViolation,
  toScheduledMatch,
  toTimedBook,
} from "./scheduling.ts";
