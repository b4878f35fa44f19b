// From a power series to energy per hour of the deal. docs/metering.md, "From samples to Wh".
//
// The rule, exact and the same for everyone who recomputes it:
// - between two consecutive samples at most MAX_GAP_SECONDS apart, power is the straight line
//   between them (trapezoid rule); a longer gap, and the time before the first and after the last
//   sample, count no energy and are listed as gaps;
// - a segment that crosses an hour boundary is cut there (power interpolated on the line), the
//   first piece's energy rounded down to the milliwatt-second and the second piece getting the rest,
//   so no energy is created or lost by the cut;
// - hour i of a deal is [windowStart + 3600·i, windowStart + 3600·(i+1)), the last one ending at
//   windowEnd; its Wh is its milliwatt-seconds / 3,600,000 rounded down, and the total is the sum
//   of the hours (never more than was metered).
import { MAX_GAP_SECONDS, type MeteredWindow, type Sample } from "./series.ts";

export const HOUR_SECONDS = 3_600;
const MWS_PER_WH = 3_600_000;

/** One hour of a deal: its start (unix seconds) and the Wh metered in it. */
export type HourEnergy = { start: number; wh: number };
/** A stretch with no bridged power: [from, to] in unix seconds. */
export type Gap = { from: number; to: number };

export type Energy = {
  hours: HourEnergy[];
  /** The sum of `hours[].wh`: what the usage report's whConsumed carries. */
  totalWh: number;
  /** Stretches longer than MAX_GAP_SECONDS without samples, including the window's edges. */
  gaps: Gap[];
};

/** Hours of a deal's window, in order. */
export function hourStarts({ windowStart, windowEnd }: MeteredWindow): number[] {
  const starts: number[] = [];
  for (let start = windowStart; start < windowEnd; start += HOUR_SECONDS) starts.push(start);
  return starts;
}

/**
 * Integrates a strictly increasing series (see series.ts) over the deal's hours.
 *
 * @example
 * integrate([{ t: 0, w: 3600 }, { t: 3600, w: 3600 }], { windowStart: 0, windowEnd: 3600 })
 * // → { hours: [{ start: 0, wh: 3600 }], totalWh: 3600, gaps: [] }
 */
export function integrate(series: readonly Sample[], window: MeteredWindow, maxGap = MAX_GAP_SECONDS): Energy {
  // A bridged segment then crosses at most one hour boundary.
  if (!(maxGap < HOUR_SECONDS)) throw new RangeError(`maxGap ${maxGap} must be under an hour`);
  const starts = hourStarts(window);
  // Milliwatt-seconds per hour; a full hour at 1 GW is 3.6e15, inside a double's exact integers.
  const mws = new Array<number>(starts.length).fill(0);
  const gaps: Gap[] = [];
  const hourOf = (t: number) => Math.floor((t - window.windowStart) / HOUR_SECONDS);

  if (series.length === 0) {
    gaps.push({ from: window.windowStart, to: window.windowEnd });
  } else {
    if (series[0].t - window.windowStart > maxGap) gaps.push({ from: window.windowStart, to: series[0].t });
    for (let i = 1; i < series.length; i++) {
      const a = series[i - 1];
      const b = series[i];
      const d = b.t - a.t;
      if (d > maxGap) {
        gaps.push({ from: a.t, to: b.t });
        continue;
      }
      // (wa + wb) · d / 2 W·s = (wa + wb) · d · 500 mW·s, an exact integer.
      const whole = (a.w + b.w) * d * 500;
      const hour = hourOf(a.t);
      const boundary = window.windowStart + (hour + 1) * HOUR_SECONDS;
      if (b.t <= boundary) {
        mws[hour] += whole;
        continue;
      }
      // Cut at the boundary: the first piece is ∫ from a.t to boundary of the line, in mW·s, rounded
      // down; BigInt because its numerator can pass 2^53 before the division.
      const x = BigInt(boundary - a.t);
      const first = Number((x * (2n * BigInt(a.w) * BigInt(d) + BigInt(b.w - a.w) * x) * 500n) / BigInt(d));
      mws[hour] += first;
      mws[hour + 1] += whole - first;
    }
    const last = series[series.length - 1].t;
    if (window.windowEnd - last > maxGap) gaps.push({ from: last, to: window.windowEnd });
  }
  const hours = starts.map((start, i) => ({ start, wh: Math.floor(mws[i] / MWS_PER_WH) }));
  return { hours, totalWh: hours.reduce((sum, h) => sum + h.wh, 0), gaps };
}
