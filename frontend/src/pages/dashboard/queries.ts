// The dashboard's one query: indexer `stats` over a window of chain time, with volume and price
// history per resource (aliases, so one round trip serves every chart).

export type Interval = "HOUR" | "DAY" | "WEEK";
export type Resource = "COMPUTE" | "ENERGY" | "BANDWIDTH";
export const RESOURCES: readonly Resource[] = ["COMPUTE", "ENERGY", "BANDWIDTH"];

export type VolumeBucket = { start: number; quantity: string; value: string; trades: number };
export type Candle = {
  start: number;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string;
  value: string;
  trades: number;
};

export type Stats = {
  from: number | null;
  to: number | null;
  interval: Interval;
  totals: { resource: Resource; quantityUnit: string; quantity: string; value: string; trades: number }[];
  computeVolume: VolumeBucket[];
  energyVolume: VolumeBucket[];
  bandwidthVolume: VolumeBucket[];
  computePrice: Candle[];
  energyPrice: Candle[];
  bandwidthPrice: Candle[];
  deals: { opened: number; active: number; reported: number; disputed: number; finalized: number; cancelled: number };
  greenShareBps: number | null;
  contractedGreenShareBps: number | null;
  whRetired: string;
  gCo2eAvoided: string;
  creditsRetired: string;
};

export type StatsData = { stats: Stats; status: { chainTime: number | null } };

const candle = "start open high low close volume value trades";
const bucket = "start quantity value trades";

export const STATS_QUERY = `
  query Dashboard($from: Int, $interval: Interval!) {
    status { chainTime }
    stats(from: $from, interval: $interval) {
      from to interval
      totals { resource quantityUnit quantity value trades }
      computeVolume: volume(resource: COMPUTE) { ${bucket} }
      energyVolume: volume(resource: ENERGY) { ${bucket} }
      bandwidthVolume: volume(resource: BANDWIDTH) { ${bucket} }
      computePrice: priceHistory(resource: COMPUTE) { ${candle} }
      energyPrice: priceHistory(resource: ENERGY) { ${candle} }
      bandwidthPrice: priceHistory(resource: BANDWIDTH) { ${candle} }
      deals { opened active reported disputed finalized cancelled }
      greenShareBps contractedGreenShareBps whRetired gCo2eAvoided creditsRetired
    }
  }
`;

/** The windows a visitor can pick, each with the bucket size that gives a readable chart. */
export const RANGES = [
  { id: "day", seconds: 86_400, interval: "HOUR" },
  { id: "month", seconds: 30 * 86_400, interval: "DAY" },
  { id: "all", seconds: null, interval: "WEEK" },
] as const satisfies readonly { id: string; seconds: number | null; interval: Interval }[];
export type RangeId = (typeof RANGES)[number]["id"];
