// The market's units, fixed once (docs/market-rules.md, "Units"; the codes are listed in
// docs/reference.md) and imported by backend, indexer and frontend.
// Every on-chain and API quantity is an integer in these base units; only the UI converts.

/** Settlement token decimals on the local chain (a stablecoin-like ERC-20). */
export const TOKEN_DECIMALS = 6;
/** Carbon credit token decimals: 1 token = 1 kgCO2e, so one base unit = 1 gCO2e. */
export const CREDIT_DECIMALS = 3;
/** Basis points: shares and fees are integers out of 10,000. */
export const BPS = 10_000;
/** PUE is stored as an integer in thousandths (1.25 → 1250), so it stays integral on chain. */
export const PUE_SCALE = 1_000;
/** Default grid emission factor in gCO2e per kWh (0.61 kgCO2/kWh, China's 2023 provincial average). */
export const DEFAULT_GRID_FACTOR_G_PER_KWH = 610;

export const WH_PER_KWH = 1_000;
export const SECONDS_PER_HOUR = 3_600;

/**
 * Hardware classes of compute offers and bids (a VCU-hour is normalised within one class); the index
 * is the on-chain code, and the contracts refuse any other (MarketCodes.HARDWARE_CLASS_COUNT).
 */
export const HARDWARE_CLASSES = ["cpu-general", "cpu-hpc", "gpu-inference", "gpu-training"] as const;
export type HardwareClass = (typeof HARDWARE_CLASSES)[number];

/** Generation sources of certificate batches; the index is the on-chain enum value. */
export const ENERGY_SOURCES = ["solar", "wind", "hydro", "biomass", "geothermal", "nuclear"] as const;
export type EnergySource = (typeof ENERGY_SOURCES)[number];

/**
 * Regions are `uint8` codes on chain, exactly these: the contracts refuse any other code
 * (contracts/libraries/MarketCodes.sol MAX_REGION; test/contracts/protocol/codes.test.ts keeps both in step).
 * `gridFactor` is the default per-region emission factor in gCO2e/kWh.
 */
export const REGIONS = [
  { code: 1, name: "cn-north", label: { en: "North China", zh: "华北" }, gridFactor: 610 },
  { code: 2, name: "cn-east", label: { en: "East China", zh: "华东" }, gridFactor: 610 },
  { code: 3, name: "cn-south", label: { en: "South China", zh: "华南" }, gridFactor: 610 },
  { code: 4, name: "cn-northwest", label: { en: "Northwest China", zh: "西北" }, gridFactor: 610 },
  { code: 5, name: "cn-southwest", label: { en: "Southwest China", zh: "西南" }, gridFactor: 610 },
  { code: 6, name: "cn-central", label: { en: "Central China", zh: "华中" }, gridFactor: 610 },
] as const;
export type RegionCode = number;
