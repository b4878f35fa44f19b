// The pricing layer's public surface (pure functions, no I/O). Backend API and matcher import from
// here only.

export { nashBargain, type BargainInput, type BargainResult } from "./nash.ts";
export { PRICING_CONFIG, SLA_TIERS, type EnergyType, type PricingConfig, type SlaTier } from "./config.ts";
export {
  bandwidthBasePrice,
  computeBasePrice,
  computeUtilisation,
  dynamicPrice,
  energyBasePrice,
  loadFactor,
  qualityFactor,
  type ComputeGood,
} from "./price.ts";
export type { Clear, ClearingOptions, ClearingResult, MarketRules, OrderBook } from "./clearing/types.ts";
export { clearFast } from "./clearing/fast.ts";
export { clearExact, welfareUpperBound } from "./clearing/exact.ts";
export { lagrangianWelfareBound } from "./clearing/relaxation.ts";
export { checkBatch, energyNeededWh, matchPayments, type BatchCheck, type MatchViolation } from "./clearing/feasibility.ts";
export {
  maxTotal,
  priceBundle,
  priceBundles,
  roundPayments,
  type Bundle,
  type BundlePricingOptions,
  type BundleProposal,
  type PartyRole,
  type PartyShare,
} from "./bundle.ts";
