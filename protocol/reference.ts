// The market's codes in one object, for clients that must not read protocol/units.ts: regions,
// hardware classes and energy sources as the contracts store them (uint8), with their names, and the
// decimals of the units. `GET /api/reference` (backend/api/routes/reference.ts) and the GraphQL
// `reference` query (indexer/graphql) serve it; docs/reference.md lists the same table.
import {
  BPS,
  CREDIT_DECIMALS,
  DEFAULT_GRID_FACTOR_G_PER_KWH,
  ENERGY_SOURCES,
  HARDWARE_CLASSES,
  PUE_SCALE,
  REGIONS,
  TOKEN_DECIMALS,
  WH_PER_KWH,
} from "./units.ts";

/** A code as stored on chain, and the name the API, GraphQL and the web use for it. */
export type NamedCode = { code: number; name: string };

export type RegionReference = NamedCode & {
  label: { en: string; zh: string };
  /** Default grid emission factor of the region, gCO2e per kWh (the admin may set another on chain). */
  gridFactorGPerKwh: number;
};

export type MarketReference = {
  regions: RegionReference[];
  hardwareClasses: NamedCode[];
  energySources: NamedCode[];
  units: {
    tokenDecimals: number;
    creditDecimals: number;
    bps: number;
    pueScale: number;
    whPerKwh: number;
    defaultGridFactorGPerKwh: number;
  };
};

export const MARKET_REFERENCE: MarketReference = {
  regions: REGIONS.map((r) => ({
    code: r.code,
    name: r.name,
    label: { en: r.label.en, zh: r.label.zh },
    gridFactorGPerKwh: r.gridFactor,
  })),
  hardwareClasses: HARDWARE_CLASSES.map((name, code) => ({ code, name })),
  energySources: ENERGY_SOURCES.map((name, code) => ({ code, name })),
  units: {
    tokenDecimals: TOKEN_DECIMALS,
    creditDecimals: CREDIT_DECIMALS,
    bps: BPS,
    pueScale: PUE_SCALE,
    whPerKwh: WH_PER_KWH,
    defaultGridFactorGPerKwh: DEFAULT_GRID_FACTOR_G_PER_KWH,
  },
};
