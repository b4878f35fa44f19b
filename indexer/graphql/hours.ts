// The hourly views (docs/indexer.md, "Hours"): an offer's capacity per hour, a deal's hours, a
// certificate issue's device-hours, and the green supply and demand of each region per hour. Hours
// are named by their start in unix seconds (protocol/hours.ts).
import { certificateId, isOnHour, MAX_WINDOW_HOURS } from "../../protocol/hours.ts";
import { CERTIFICATE_ORIGINS } from "../../protocol/orders.ts";
import { GRID_AREAS, gridAreaOf, REGIONS, SECONDS_PER_HOUR } from "../../protocol/units.ts";
import type { CertificateHourRow, DealHourRow, OrderRow } from "../db/tables.ts";
import type { ApiContext } from "./context.ts";
import { userError } from "./errors.ts";
import { hoursOfOffer, regionHoursIn } from "./loaders.ts";

/** protocol/orders.ts name of an IMarket.CertificateOrigin code. */
export const originName = (code: number | null) =>
  code === null ? null : (CERTIFICATE_ORIGINS[code] ?? `origin-${code}`);

/** Checks an hour range argument: both on the hour, from < to, at most MAX_WINDOW_HOURS. */
function hourRange(from: number, to: number): void {
  if (!isOnHour(from)) throw userError("from", `${from} is not on the hour (a multiple of 3600)`);
  if (!isOnHour(to)) throw userError("to", `${to} is not on the hour (a multiple of 3600)`);
  if (to <= from) throw userError("to", "must be after from");
  if ((to - from) / SECONDS_PER_HOUR > MAX_WINDOW_HOURS) {
    throw userError("to", `at most ${MAX_WINDOW_HOURS} hours after from`);
  }
}

/**
 * An offer's capacity, use and free capacity in each hour of [from, to) ∩ its hours. Free capacity
 * is 0 once the offer is cancelled, filled or expired in chain time: nothing more can be sold.
 */
export async function offerHours(ctx: ApiContext, o: OrderRow, args: { from?: number | null; to?: number | null }) {
  if (o.kind === "bid") return [];
  const [start, end] = o.kind === "energy" ? [o.period_start!, o.period_end!] : [o.window_start!, o.window_end!];
  const from = args.from ?? start;
  const to = args.to ?? end;
  hourRange(from, to);
  const lo = Math.max(from, start);
  const hi = Math.min(to, end);
  if (hi <= lo) return [];
  const rows = new Map((await hoursOfOffer(ctx.db, o.kind, o.id, lo, hi)).map((h) => [Number(h.hour), h]));
  const open = o.status === "open" && Number(o.expiry) > (await ctx.view()).chainTime;
  // Compute and link hours without a row have sold nothing; energy hours without one were not offered.
  const capacity = o.kind === "compute" ? String(o.vcu) : o.kind === "bandwidth" ? o.quantity : "0";
  const out = [];
  for (let h = lo; h < hi; h += SECONDS_PER_HOUR) {
    const row = rows.get(h);
    const cap = BigInt(row?.capacity ?? capacity);
    const used = BigInt(row?.used ?? 0);
    out.push({ start: h, capacity: cap.toString(), used: used.toString(), free: (open ? cap - used : 0n).toString() });
  }
  return out;
}

export function mapDealHour(h: DealHourRow) {
  return {
    start: Number(h.hour),
    vcu: Number(h.vcu),
    vcuDelivered: h.vcu_delivered === null ? null : Number(h.vcu_delivered),
    needWh: h.need_wh,
    greenWh: h.green_wh,
    meteredWh: h.metered_wh,
    retiredWh: h.retired_wh,
  };
}

export function mapCertificateHour(h: CertificateHourRow) {
  const hour = Number(h.hour);
  return {
    start: hour,
    certificateId: () => certificateId(BigInt(h.device_id), hour).toString(),
    issuedWh: h.issued_wh,
    retiredWh: h.retired_wh,
  };
}

/** Every hour of [from, to) of every region (or one), zeros included, by region then hour. */
export async function regionHours(ctx: ApiContext, from: number, to: number, region: number | null | undefined) {
  hourRange(from, to);
  const regions = region == null ? REGIONS.map((r) => r.code) : [region];
  const area = (code: number) => GRID_AREAS.find((a) => a.code === gridAreaOf(code))?.name;
  if (region != null && area(region) === undefined) {
    throw userError("region", `no region ${region} (protocol/units.ts REGIONS: 1 .. ${REGIONS.length})`);
  }
  const rows = new Map(
    (await regionHoursIn(ctx.db, from, to, region ?? null)).map((r) => [`${r.region}/${Number(r.hour)}`, r]),
  );
  const out = [];
  for (const code of regions) {
    for (let h = from; h < to; h += SECONDS_PER_HOUR) {
      const r = rows.get(`${code}/${h}`);
      out.push({
        region: code,
        gridArea: area(code)!,
        start: h,
        greenOfferedWh: r?.green_offered_wh ?? "0",
        greenSoldWh: r?.green_sold_wh ?? "0",
        demandWh: r?.demand_wh ?? "0",
      });
    }
  }
  return out;
}
