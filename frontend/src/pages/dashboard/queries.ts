// The dashboard's reads: indexer `stats` over a window of chain time, with volume and price history
// per resource (aliases, so one round trip serves every chart), compute prices per hardware class
// (a CPU-hour and a GPU-hour are different goods: one line each), and the span of the market's
// history, which picks the period the page opens on.
import { graphql, type ResultOf, type VariablesOf } from "../../lib/graphql-documents.ts";

export type Interval = VariablesOf<typeof STATS_QUERY>["interval"];
export type Resource = "COMPUTE" | "ENERGY" | "BANDWIDTH";
export const RESOURCES: readonly Resource[] = ["COMPUTE", "ENERGY", "BANDWIDTH"];

export const STATS_QUERY = graphql(`
  query Dashboard($from: Int, $interval: Interval!) {
    status { chainTime }
    stats(from: $from, interval: $interval) {
      from to interval
      totals { resource quantityUnit quantity value trades }
      computeVolume: volume(resource: COMPUTE) { start quantity value trades }
      energyVolume: volume(resource: ENERGY) { start quantity value trades }
      bandwidthVolume: volume(resource: BANDWIDTH) { start quantity value trades }
      energyPrice: priceHistory(resource: ENERGY) { start open high low close volume value trades }
      bandwidthPrice: priceHistory(resource: BANDWIDTH) { start open high low close volume value trades }
      deals { opened active reported disputed finalized cancelled }
      greenShareBps timeMatchedGreenBps contractedGreenShareBps whRetired gCo2eAvoided creditsRetired
    }
  }
`);
export type StatsData = ResultOf<typeof STATS_QUERY>;
export type Stats = StatsData["stats"];
export type VolumeBucket = Stats["computeVolume"][number];

/** Compute prices of one hardware class over the same window. */
export const CLASS_PRICES_QUERY = graphql(`
  query DashboardClassPrices($from: Int, $interval: Interval!, $hardwareClass: String!) {
    stats(from: $from, interval: $interval) {
      priceHistory(resource: COMPUTE, hardwareClass: $hardwareClass) { start open high low close volume value trades }
    }
  }
`);
export type Candle = ResultOf<typeof CLASS_PRICES_QUERY>["stats"]["priceHistory"][number];

/** When trading began (day buckets over all history) and chain time now. */
export const SPAN_QUERY = graphql(`
  query DashboardSpan {
    status { chainTime }
    stats(interval: DAY) {
      computeVolume: volume(resource: COMPUTE) { start }
      energyVolume: volume(resource: ENERGY) { start }
      bandwidthVolume: volume(resource: BANDWIDTH) { start }
    }
  }
`);
export type SpanData = ResultOf<typeof SPAN_QUERY>;

/** The windows a visitor can pick, shortest first, each with the bucket size that gives a readable chart. */
export const RANGES = [
  { id: "day", seconds: 86_400, interval: "HOUR" },
  { id: "week", seconds: 7 * 86_400, interval: "HOUR" },
  { id: "month", seconds: 30 * 86_400, interval: "DAY" },
  { id: "all", seconds: null, interval: "WEEK" },
] as const satisfies readonly { id: string; seconds: number | null; interval: Interval }[];
export type RangeId = (typeof RANGES)[number]["id"];

/**
 * Every region's hours: green certificate energy offered there and sold to deals, against the energy
 * deals computing there need (docs/indexer.md, regionHours).
 */
export const REGION_HOURS_QUERY = graphql(`
  query DashboardRegionHours($from: Int!, $to: Int!) {
    regionHours(from: $from, to: $to) { region start greenOfferedWh greenSoldWh demandWh }
  }
`);
export type RegionHourRow = ResultOf<typeof REGION_HOURS_QUERY>["regionHours"][number];
