// The market's codes in one object, for clients that must not read protocol/units.ts: regions (with
// the grid area each sits in), grid areas, hardware classes, energy sources and certificate origins as
// the contracts store them (uint8), with their names, the hour limits, and the decimals of the units. `GET /api/reference` (backend/api/routes/reference.ts) and the GraphQL
// `reference` query (indexer/graphql) serve it; docs/reference.md lists the same table.
import { MAX_JOB_HOURS, MAX_OFFER_HOURS, MAX_WINDOW_HOURS } from "./hours.ts";
import { CERTIFICATE_ORIGINS } from "./orders.ts";
import {
  BPS,
  CREDIT_DECIMALS,
  DEFAULT_GRID_FACTOR_G_PER_KWH,
  ENERGY_SOURCES,
  GRID_AREAS,
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
  /** Code of the regional grid the region sits in (`gridAreas`). */
  gridArea: number;
  /** Default grid emission factor of the region, gCO2e per kWh (the admin may set another on chain). */
  gridFactorGPerKwh: number;
};

export type MarketReference = {
  regions: RegionReference[];
  gridAreas: (NamedCode & { label: { en: string; zh: string } })[];
  hardwareClasses: NamedCode[];
  energySources: NamedCode[];
  /** Where a bid's certificates may come from, judged against its compute region (IMarket.CertificateOrigin). */
  certificateOrigins: NamedCode[];
  /** Longest window, job and energy offer, in hours (docs/market-rules.md, "Hours"). */
  hours: { maxWindowHours: number; maxJobHours: number; maxOfferHours: number };
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
    gridArea: r.gridArea,
    gridFactorGPerKwh: r.gridFactor,
  })),
  gridAreas: GRID_AREAS.map((a) => ({ code: a.code, name: a.name, label: { en: a.label.en, zh: a.label.zh } })),
  hardwareClasses: HARDWARE_CLASSES.map((name, code) => ({ code, name })),
  energySources: ENERGY_SOURCES.map((name, code) => ({ code, name })),
  certificateOrigins: CERTIFICATE_ORIGINS.map((name, code) => ({ code, name })),
  hours: { maxWindowHours: MAX_WINDOW_HOURS, maxJobHours: MAX_JOB_HOURS, maxOfferHours: MAX_OFFER_HOURS },
  units: {
    tokenDecimals: TOKEN_DECIMALS,
    creditDecimals: CREDIT_DECIMALS,
    bps: BPS,
    pueScale: PUE_SCALE,
    whPerKwh: WH_PER_KWH,
    defaultGridFactorGPerKwh: DEFAULT_GRID_FACTOR_G_PER_KWH,
  },
};
