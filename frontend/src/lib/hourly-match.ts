// Hour-by-hour matching of a job's energy with green certificates (docs/carbon-accounting.md,
// "Time matching"): certificate Wh count only in the hour they were generated, and in each hour only
// up to what the job needed (or, once reported, consumed) in it. Pure, so the pages and tests agree.
import { BPS } from "../../../protocol/units.ts";

/** One job hour as the quote, the indexer's DealHour or a chart names it (Wh as decimal strings or bigints). */
export type MatchHour = {
  start: number;
  needWh: string | bigint;
  greenWh: string | bigint;
  meteredWh?: string | bigint | null;
  retiredWh?: string | bigint | null;
};

export type HourlyCoverage = {
  /** Σ each hour's need, or its metered Wh once every hour is reported. */
  baseWh: bigint;
  /** Σ min(green, base) per hour: what time-matched certificates can cover. */
  matchedWh: bigint;
  /** matchedWh ÷ baseWh in bps (0 when there is no energy). */
  shareBps: number;
  /** Hours where certificates cover the whole base. */
  fullHours: number;
  /** Whether the base is metered energy (every hour reported) rather than the need. */
  metered: boolean;
};

const min = (a: bigint, b: bigint) => (a < b ? a : b);

/** How much of a job's energy its certificates cover hour by hour. */
export function hourlyCoverage(hours: readonly MatchHour[]): HourlyCoverage {
  const metered = hours.length > 0 && hours.every((h) => h.meteredWh !== null && h.meteredWh !== undefined);
  let baseWh = 0n;
  let matchedWh = 0n;
  let fullHours = 0;
  for (const h of hours) {
    const base = BigInt(metered ? h.meteredWh! : h.needWh);
    const matched = min(BigInt(h.greenWh), base);
    baseWh += base;
    matchedWh += matched;
    if (base > 0n && matched === base) fullHours += 1;
  }
  const shareBps = baseWh === 0n ? 0 : Number((matchedWh * BigInt(BPS)) / baseWh);
  return { baseWh, matchedWh, shareBps, fullHours, metered };
}
