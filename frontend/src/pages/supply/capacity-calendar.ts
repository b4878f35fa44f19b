// A supplier's capacity as an hours × days calendar (issue 12, "Web"): the offers' capacity and use
// of each hour summed over the supplier's offers of one kind, laid out by local day and hour. Pure,
// so the page and its tests agree on what a cell holds.
import { SECONDS_PER_HOUR } from "../../../../protocol/units.ts";

export type OfferHour = { start: number; capacity: string; used: string };

/** One hour of the calendar: Σ capacity and Σ used of every offer in it (0 / 0 = nothing offered). */
export type CalendarCell = { start: number; capacity: bigint; used: bigint };

/** One local day: its midnight and 24 cells, hour 0 first. */
export type CalendarDay = { start: number; cells: CalendarCell[] };

/** How full an hour is, for its colour: nothing offered, free, partly used, or fully used. */
export type CellLevel = "none" | "free" | "partly" | "full";

export function cellLevel(cell: CalendarCell): CellLevel {
  if (cell.capacity === 0n) return "none";
  if (cell.used === 0n) return "free";
  return cell.used >= cell.capacity ? "full" : "partly";
}

/**
 * `days` local days from `firstDay` (a local midnight, unix seconds), each of 24 hours, with every
 * offer's hours summed in. Hours outside the days are left out.
 */
export function calendarDays(
  offers: readonly { hours: readonly OfferHour[] }[],
  firstDay: number,
  days: number,
): CalendarDay[] {
  const byStart = new Map<number, CalendarCell>();
  const out: CalendarDay[] = [];
  for (let d = 0; d < days; d++) {
    // A local day is 24 h except across a daylight-saving change; hours are counted from its midnight.
    const start = firstDay + d * 24 * SECONDS_PER_HOUR;
    const cells = Array.from({ length: 24 }, (_, h) => {
      const cell = { start: start + h * SECONDS_PER_HOUR, capacity: 0n, used: 0n };
      byStart.set(cell.start, cell);
      return cell;
    });
    out.push({ start, cells });
  }
  for (const offer of offers)
    for (const hour of offer.hours) {
      const cell = byStart.get(hour.start);
      if (!cell) continue;
      cell.capacity += BigInt(hour.capacity);
      cell.used += BigInt(hour.used);
    }
  return out;
}
