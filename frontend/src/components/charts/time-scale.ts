import type uPlot from "uplot";

import { formatTime, type Locale } from "../../lib/format.ts";

/**
 * A time axis that stays readable with one point: uPlot widens a zero-width range by orders of
 * magnitude (one trade drew an axis years wide), so a single instant gets an hour either side.
 */
export const timeScale: uPlot.Scale = {
  time: true,
  range: (_u, min, max) => (min === max ? [min - 3_600, max + 3_600] : [min, max]),
};

const HOUR = 3_600;

/** "14:00": an hour as the market trades it, in UTC on a 24-hour clock (docs/market-rules.md#hours). */
export function formatUtcHour(unixSeconds: number, locale: Locale): string {
  return new Intl.DateTimeFormat(locale, {
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    timeZone: "UTC",
  }).format(unixSeconds * 1000);
}

function formatUtcDay(unixSeconds: number, locale: Locale): string {
  return new Intl.DateTimeFormat(locale, { month: "short", day: "numeric", timeZone: "UTC" }).format(
    unixSeconds * 1000,
  );
}

/**
 * An hour axis in whole UTC hours written on a 24-hour clock, as the pages write times: uPlot's own
 * time axis ticks and labels in the browser's zone on a 12-hour clock ("2pm"). The first tick and
 * each new UTC day carry the date on a second line.
 */
export function utcHourAxis(locale: Locale): Pick<uPlot.Axis, "values" | "incrs" | "space"> {
  return {
    incrs: [HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, 24 * HOUR],
    space: 44,
    values: (_u, splits) =>
      splits.map((s, i) => {
        const hour = formatUtcHour(s, locale);
        const newDay = i === 0 || Math.floor(s / 86_400) !== Math.floor(splits[i - 1] / 86_400);
        return newDay ? `${hour}\n${formatUtcDay(s, locale)}` : hour;
      }),
  };
}

/** The legend's time for an hour's bar (drawn in the middle of the hour): the hour it starts, in UTC. */
export function utcHourLegend(locale: Locale) {
  return (_u: uPlot, v: number | null) => (v == null ? "—" : formatTime(Math.floor(v / HOUR) * HOUR, locale, "UTC"));
}
