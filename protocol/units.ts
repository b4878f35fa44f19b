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
 * Grid areas: China's regional power grids, `uint8` codes 1 .. MAX_GRID_AREA on chain
 * (contracts/libraries/MarketCodes.sol). A bid whose certificate origin is "grid-area" takes
 * certificates only from devices in the grid area of its compute region (docs/carbon-accounting.md).
 */
export const GRID_AREAS = [
  { code: 1, name: "north", label: { en: "North China Grid", zh: "华北电网" } },
  { code: 2, name: "east", label: { en: "East China Grid", zh: "华东电网" } },
  { code: 3, name: "south", label: { en: "China Southern Grid", zh: "南方电网" } },
  { code: 4, name: "southwest", label: { en: "Southwest China Grid", zh: "西南电网" } },
  { code: 5, name: "northwest", label: { en: "Northwest China Grid", zh: "西北电网" } },
] as const;
export type GridAreaCode = (typeof GRID_AREAS)[number]["code"];

/**
 * Regions are China's national compute hubs (东数西算), `uint8` codes on chain, exactly these: the
 * contracts refuse any other code (contracts/libraries/MarketCodes.sol MAX_REGION and its grid-area
 * table; test/contracts/protocol/codes.test.ts keeps both in step). `gridArea` is the regional grid the
 * hub sits in (Inner Mongolia's Mengxi grid is dispatched with North China); `gridFactor` is the
 * default per-region emission factor in gCO2e/kWh.
 */
export const REGIONS = [
  {
    code: 1,
    name: "beijing-tianjin-hebei",
    label: { en: "Beijing–Tianjin–Hebei", zh: "京津冀" },
    gridArea: 1,
    gridFactor: 610,
  },
  { code: 2, name: "yangtze-delta", label: { en: "Yangtze River Delta", zh: "长三角" }, gridArea: 2, gridFactor: 610 },
  {
    code: 3,
    name: "guangdong-hk-macao",
    label: { en: "Guangdong–Hong Kong–Macao", zh: "粤港澳" },
    gridArea: 3,
    gridFactor: 610,
  },
  { code: 4, name: "chengdu-chongqing", label: { en: "Chengdu–Chongqing", zh: "成渝" }, gridArea: 4, gridFactor: 610 },
  { code: 5, name: "inner-mongolia", label: { en: "Inner Mongolia", zh: "内蒙古" }, gridArea: 1, gridFactor: 610 },
  { code: 6, name: "guizhou", label: { en: "Guizhou", zh: "贵州" }, gridArea: 3, gridFactor: 610 },
  { code: 7, name: "gansu", label: { en: "Gansu", zh: "甘肃" }, gridArea: 5, gridFactor: 610 },
  { code: 8, name: "ningxia", label: { en: "Ningxia", zh: "宁夏" }, gridArea: 5, gridFactor: 610 },
] as const satisfies readonly {
  code: number;
  name: string;
  label: { en: string; zh: string };
  gridArea: GridAreaCode;
  gridFactor: number;
}[];
export type RegionCode = number;
export type RegionName = (typeof REGIONS)[number]["name"];

/** A region's on-chain code by its name in REGIONS (the one list of regions). */
export function regionCode(name: RegionName): RegionCode {
  const region = REGIONS.find((r) => r.name === name);
  if (region === undefined) throw new Error(`protocol/units.ts lists no region ${name}`);
  return region.code;
}

/** Every region's code by a name for code (the demo's scenario and the tests write `REGION.Gansu`). */
export const REGION = {
  BeijingTianjinHebei: regionCode("beijing-tianjin-hebei"),
  YangtzeDelta: regionCode("yangtze-delta"),
  GuangdongHkMacao: regionCode("guangdong-hk-macao"),
  ChengduChongqing: regionCode("chengdu-chongqing"),
  InnerMongolia: regionCode("inner-mongolia"),
  Guizhou: regionCode("guizhou"),
  Gansu: regionCode("gansu"),
  Ningxia: regionCode("ningxia"),
} as const;

/** The grid area a region sits in, or undefined for a code that is not a region. */
export function gridAreaOf(region: RegionCode): GridAreaCode | undefined {
  return REGIONS.find((r) => r.code === region)?.gridArea;
}
