// The dashboard's numbers from one `stats` answer: headline figures stay exact (bigint, formatted
// by <Amount>); chart series become plain numbers in display units, which is all a chart needs.
import { TOKEN_DECIMALS, WH_PER_KWH } from "../../../../protocol/units.ts";
import {
  type Candle,
  RANGES,
  type RangeId,
  type Resource,
  type SpanData,
  type Stats,
  type VolumeBucket,
} from "./queries.ts";

export type Headline = {
  tradedValue: bigint;
  dealsOpened: number;
  dealsFinalized: number;
  vcuHours: bigint;
  greenShareBps: number | null;
  /** Certificate Wh retired in the hour they were generated ÷ metered Wh (finalised deals). */
  timeMatchedGreenBps: number | null;
  contractedGreenShareBps: number | null;
  whRetired: bigint;
  gCo2eAvoided: bigint;
  creditsRetired: bigint;
};

export function headline(stats: Stats): Headline {
  return {
    tradedValue: stats.totals.reduce((sum, t) => sum + BigInt(t.value), 0n),
    dealsOpened: stats.deals.opened,
    dealsFinalized: stats.deals.finalized,
    vcuHours: BigInt(stats.totals.find((t) => t.resource === "COMPUTE")?.quantity ?? "0"),
    greenShareBps: stats.greenShareBps,
    timeMatchedGreenBps: stats.timeMatchedGreenBps,
    contractedGreenShareBps: stats.contractedGreenShareBps,
    whRetired: BigInt(stats.whRetired),
    gCo2eAvoided: BigInt(stats.gCo2eAvoided),
    creditsRetired: BigInt(stats.creditsRetired),
  };
}

const TOKEN = 10 ** TOKEN_DECIMALS;

/** The unit each resource's volume and price are shown in (trades are priced per VCU-hour, kWh or Mbps-hour). */
export const RESOURCE_UNITS: Record<Resource, { quantity: string; per: string }> = {
  COMPUTE: { quantity: "VCU·h", per: "VCU·h" },
  ENERGY: { quantity: "kWh", per: "kWh" },
  BANDWIDTH: { quantity: "Mbps·h", per: "Mbps·h" },
};

export type Series = {
  x: number[];
  /** Traded value per bucket, in token units. */
  value: number[];
  /** Traded quantity per bucket, in RESOURCE_UNITS[resource].quantity. */
  quantity: number[];
  /** Closing, highest and lowest price per bucket, in token units per RESOURCE_UNITS[resource].per. */
  close: (number | null)[];
  high: (number | null)[];
  low: (number | null)[];
};

/** Most buckets a chart gets: beyond it, only the buckets with trades are drawn. */
const MAX_BUCKETS = 400;

type Axis = { from: number | null; to: number; step: number };

/**
 * Volume and price of one resource on one time axis: every bucket from the window's start (or the
 * first trade) to chain time, so quiet periods show as quiet rather than being skipped.
 */
export function resourceSeries(
  volume: readonly VolumeBucket[],
  prices: readonly Candle[],
  resource: Resource,
  axis?: Axis,
): Series {
  let starts = [...new Set([...volume.map((b) => b.start), ...prices.map((c) => c.start)])].sort((a, b) => a - b);
  if (axis && starts.length > 0) {
    const first = Math.floor((axis.from ?? starts[0]) / axis.step) * axis.step;
    const last = Math.max(starts.at(-1)!, Math.floor(axis.to / axis.step) * axis.step);
    if ((last - first) / axis.step < MAX_BUCKETS)
      starts = Array.from({ length: (last - first) / axis.step + 1 }, (_, i) => first + i * axis.step);
  }
  const quantityScale = resource === "ENERGY" ? WH_PER_KWH : 1;
  return {
    x: starts,
    value: starts.map((s) => Number(volume.find((b) => b.start === s)?.value ?? 0) / TOKEN),
    quantity: starts.map((s) => Number(volume.find((b) => b.start === s)?.quantity ?? 0) / quantityScale),
    close: priceSeries(starts, prices, "close"),
    high: priceSeries(starts, prices, "high"),
    low: priceSeries(starts, prices, "low"),
  };
}

/** One price of each bucket on the axis, in token units; null where nothing traded. */
export function priceSeries(x: readonly number[], prices: readonly Candle[], field: "close" | "high" | "low") {
  const at = new Map(prices.map((c) => [c.start, c]));
  return x.map((start) => {
    const c = at.get(start);
    return c ? Number(c[field]) / TOKEN : null;
  });
}

/** A class's candles as volume buckets: the volume chart of one hardware class. */
export function candleVolume(prices: readonly Candle[]): VolumeBucket[] {
  return prices.map((c) => ({ start: c.start, quantity: c.volume, value: c.value, trades: c.trades }));
}

/**
 * The period the dashboard opens on: the shortest that shows all of the market's history (a market
 * three days old opens on the week, in hours, not on a month of empty days); all time beyond a month.
 */
export function fittingRange(span: SpanData): RangeId {
  const starts = [span.stats.computeVolume, span.stats.energyVolume, span.stats.bandwidthVolume].flatMap((buckets) =>
    buckets.map((b) => b.start),
  );
  const now = span.status.chainTime;
  if (starts.length === 0 || now === null) return "month";
  const age = now - Math.min(...starts);
  return RANGES.find((r) => r.seconds !== null && age <= r.seconds)?.id ?? "all";
}

/** Start of the stats window: whole buckets back from chain time, so the query stays the same between blocks. */
export function windowStart(chainTime: number, seconds: number | null, bucket: number): number | null {
  if (seconds === null) return null;
  return Math.floor((chainTime - seconds) / bucket) * bucket;
}
