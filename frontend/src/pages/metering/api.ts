// What the web asks the metering service (docs/metering.md, "Routes"): a deal's series downsampled
// for the load curve with its hourly Wh and whether it matches the on-chain report, and the report
// the compute supplier's form fills in. Pure helpers beside them: Wh as exact kWh text, and which
// certificate batches' generation periods cover each metered hour.
import { absoluteUrl } from "../../lib/config.tsx";

/** Buckets the load curve asks for: about one per pixel column of a wide card. */
export const CURVE_POINTS = 600;

export type MeteredHour = { start: number; wh: number };
export type Gap = { from: number; to: number };
export type CurvePoint = { t: number; w: number; min: number; max: number };

/** GET /api/metering/<id>?points=N, as the page uses it. */
export type MeteredSeries = {
  dealId: string;
  samples: number;
  complete: boolean;
  root: `0x${string}`;
  totalWh: number;
  hours: MeteredHour[];
  gaps: Gap[];
  windowStart: number;
  windowEnd: number;
  onChain: { vcuDelivered: string; whConsumed: string; meteringHash: string } | null;
  matchesOnChain: boolean | null;
  downsampled: { bucketSeconds: number } | null;
  series: CurvePoint[];
};

/** A zoomed stretch of the window, unix seconds (inclusive). */
export type CurveRange = { from: number; to: number };

/** The metering service answered with a problem (or not at all). */
export class MeteringProblem extends Error {
  readonly status: number;
  readonly type: string;
  constructor(status: number, type: string, detail: string) {
    super(detail);
    this.status = status;
    this.type = type;
  }
}

function meteringUrl(apiUrl: string, path: string): string {
  return absoluteUrl(`${apiUrl.replace(/\/$/, "")}/metering/${path}`);
}

/** The series path for a deal, whole window or a zoomed range, downsampled to `points` buckets. */
export function seriesPath(dealId: string, range: CurveRange | null, points = CURVE_POINTS): string {
  const query = new URLSearchParams({ points: String(points) });
  if (range !== null) {
    query.set("from", String(Math.max(0, Math.floor(range.from))));
    query.set("to", String(Math.max(0, Math.ceil(range.to))));
  }
  return `${dealId}?${query}`;
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { headers: { accept: "application/json, application/problem+json" } });
  const body = (await res.json().catch(() => null)) as (T & { type?: string; detail?: string; title?: string }) | null;
  if (!res.ok || body === null) {
    const type = body?.type?.split("/").pop() ?? "unavailable";
    throw new MeteringProblem(res.status, type, body?.detail ?? body?.title ?? `${res.status} ${res.statusText}`);
  }
  return body;
}

export function fetchMeteredSeries(apiUrl: string, dealId: string, range: CurveRange | null): Promise<MeteredSeries> {
  return getJson<MeteredSeries>(meteringUrl(apiUrl, seriesPath(dealId, range)));
}

/** GET /api/metering/<id>/report: the Wh and root a usage report carries (409 while the series has gaps). */
export type MeteredReport = { totalWh: number; root: `0x${string}`; samples: number; hours: MeteredHour[] };

export function fetchMeteredReport(apiUrl: string, dealId: string): Promise<MeteredReport> {
  return getJson<MeteredReport>(meteringUrl(apiUrl, `${dealId}/report`));
}

/** Whole Wh as kWh text without rounding ("1234567" Wh → "1234.567"), as the report form takes it. */
export function whToKwhText(wh: number | bigint): string {
  const value = BigInt(wh);
  const kwh = value / 1_000n;
  const rest = value % 1_000n;
  return rest === 0n ? kwh.toString() : `${kwh}.${rest.toString().padStart(3, "0").replace(/0+$/, "")}`;
}

export type CertificateBatch = { id: string; source: string; periodStart: number; periodEnd: number };

/** For each metered hour, the certificate batches whose generation period overlaps it. */
export function certificatesByHour(
  hours: readonly MeteredHour[],
  batches: readonly CertificateBatch[],
  hourSeconds = 3_600,
): { hour: MeteredHour; batches: CertificateBatch[] }[] {
  return hours.map((hour) => ({
    hour,
    batches: batches.filter((b) => b.periodStart < hour.start + hourSeconds && b.periodEnd > hour.start),
  }));
}
