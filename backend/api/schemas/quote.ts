// POST /api/quote: a bid described the way a buyer thinks of it (the answer's shape is protocol/api.ts):
// a job of `vcu` units for `durationHours` consecutive hours, starting anywhere in
// [earliestStart, latestEnd − durationHours] (a fixed job: durationHours = the window's hours).
//
// Money is in settlement-token base units (6 decimals: "1500000" = 1.5 tokens), like every amount of
// the API and the chain (docs/market-rules.md, "Units"); only the UI converts to token units. Shares
// are basis points; times are whole UTC hours (docs/market-rules.md, "Hours").
import { z } from "zod";

import { isOnHour } from "../../../protocol/hours.ts";
import { CERTIFICATE_ORIGINS, DEFAULT_CERTIFICATE_ORIGIN } from "../../../protocol/orders.ts";
import { QUOTE_LIMITS } from "../../../protocol/quote-limits.ts";
import { BPS, HARDWARE_CLASSES, REGIONS, type RegionCode, SECONDS_PER_HOUR } from "../../../protocol/units.ts";
import { validate } from "../validate.ts";
import { bps, regionRef, timestamp, uintAmount } from "./common.ts";

const hardwareClass = z.enum(HARDWARE_CLASSES, {
  error: `expected one of ${HARDWARE_CLASSES.join(", ")}`,
});
const certificateOrigin = z.enum(CERTIFICATE_ORIGINS, {
  error: `expected one of ${CERTIFICATE_ORIGINS.join(", ")}`,
});
const hourStart = timestamp.refine(isOnHour, "must be on the hour (a multiple of 3600 s, e.g. 2030-01-01T05:00:00Z)");

export const QuoteRequest = z
  .strictObject({
    hardwareClass,
    acceptableRegions: z
      .array(regionRef, { error: "expected a list of region names or codes" })
      .min(1, "name at least one region")
      .max(64, "at most 64 regions"),
    buyerRegion: regionRef,
    vcu: z
      .int({ error: "expected a whole number of VCU (units at the same time)" })
      .min(1, "must be at least 1")
      .max(QUOTE_LIMITS.maxVcu, `must be at most ${QUOTE_LIMITS.maxVcu}`),
    durationHours: z
      .int({ error: "expected a whole number of hours" })
      .min(1, "must be at least 1 hour")
      .max(QUOTE_LIMITS.maxDurationHours, `a job lasts at most ${QUOTE_LIMITS.maxDurationHours} hours`),
    earliestStart: hourStart,
    latestEnd: hourStart,
    limitPricePerVcuHour: uintAmount(1n, QUOTE_LIMITS.maxPricePerVcuHour),
    minGreenBps: bps.default(0),
    certificateOrigin: certificateOrigin.default(DEFAULT_CERTIFICATE_ORIGIN),
    bandwidthMbps: uintAmount(0n, QUOTE_LIMITS.maxBandwidthMbps).default(0n),
    maxLatencyMs: z.int().min(1).max(QUOTE_LIMITS.maxLatencyMs).default(QUOTE_LIMITS.maxLatencyMs),
  })
  .superRefine((q, ctx) => {
    // Fields that failed their own checks still reach here (zod goes on to name every problem): the
    // escrow is judged only on a VCU count and duration that are themselves valid.
    const sized = q.vcu <= QUOTE_LIMITS.maxVcu && q.durationHours <= QUOTE_LIMITS.maxDurationHours;
    if (sized && q.limitPricePerVcuHour * BigInt(q.vcu) * BigInt(q.durationHours) > QUOTE_LIMITS.maxEscrow) {
      ctx.addIssue({
        code: "custom",
        path: ["limitPricePerVcuHour"],
        message: `limit × vcu × durationHours must not exceed ${QUOTE_LIMITS.maxEscrow} base units`,
      });
    }
    const windowHours = (q.latestEnd - q.earliestStart) / SECONDS_PER_HOUR;
    if (q.latestEnd <= q.earliestStart) {
      ctx.addIssue({ code: "custom", path: ["latestEnd"], message: "must be after earliestStart" });
    } else if (windowHours > QUOTE_LIMITS.maxWindowHours) {
      ctx.addIssue({
        code: "custom",
        path: ["latestEnd"],
        message: `the window [earliestStart, latestEnd) spans at most ${QUOTE_LIMITS.maxWindowHours} hours`,
      });
    } else if (Number.isInteger(windowHours) && q.durationHours > windowHours) {
      ctx.addIssue({
        code: "custom",
        path: ["durationHours"],
        message: `${q.durationHours} hours do not fit in the ${windowHours}-hour window [earliestStart, latestEnd)`,
      });
    }
  });
export type QuoteRequest = z.output<typeof QuoteRequest>;

// The quote route reads every body through `readQuoteRequest`: a direct check of the well-formed
// bodies buyers send, which costs a fraction of zod's, and zod for anything else, so that a body is
// refused with exactly the errors zod names. The direct check accepts a body only where
// `QuoteRequest` accepts it with the same result (test/backend/api/quote-request.test.ts holds the two
// together on the benchmark's bodies and thousands of altered ones); where in doubt it leaves the
// body to zod.

const FIELDS = new Set([
  "hardwareClass",
  "acceptableRegions",
  "buyerRegion",
  "vcu",
  "durationHours",
  "earliestStart",
  "latestEnd",
  "limitPricePerVcuHour",
  "minGreenBps",
  "certificateOrigin",
  "bandwidthMbps",
  "maxLatencyMs",
]);
const CLASS_NAMES: ReadonlySet<unknown> = new Set(HARDWARE_CLASSES);
const ORIGIN_NAMES: ReadonlySet<unknown> = new Set(CERTIFICATE_ORIGINS);
/** Region codes by name and by code, as `regionRef` resolves them. */
const REGION_CODES = new Map<unknown, RegionCode>();
for (const r of REGIONS) {
  if (!REGION_CODES.has(r.name)) REGION_CODES.set(r.name, r.code);
  if (!REGION_CODES.has(r.code)) REGION_CODES.set(r.code, r.code);
}
const MAX_UNIX_SECONDS = 2 ** 40 - 1;
/** The ISO forms JSON clients send (`toISOString()`'s, or without the milliseconds), UTC only. */
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;
const DECIMAL = /^(0|[1-9][0-9]*)$/;

const isInt = (v: unknown, min: number, max: number): v is number =>
  typeof v === "number" && Number.isSafeInteger(v) && v >= min && v <= max;

/** A time on the hour as `timestamp` and the on-the-hour check read it; undefined: leave it to zod. */
function hourStartOf(v: unknown): number | undefined {
  let t: number;
  if (typeof v === "number") {
    if (!isInt(v, 0, MAX_UNIX_SECONDS)) return undefined;
    t = v;
  } else if (typeof v === "string" && ISO_UTC.test(v)) {
    const ms = Date.parse(v);
    // A real calendar date: it prints back as it was written (with or without milliseconds).
    if (!Number.isFinite(ms) || new Date(ms).toISOString() !== (v.length === 20 ? `${v.slice(0, 19)}.000Z` : v))
      return undefined;
    t = Math.floor(ms / 1000);
  } else return undefined;
  return t % SECONDS_PER_HOUR === 0 ? t : undefined;
}

/** An amount as `uintAmount(min, max)` reads it; undefined: leave it to zod. */
function amountOf(v: unknown, min: bigint, max: bigint): bigint | undefined {
  if (!(typeof v === "number" ? Number.isSafeInteger(v) : typeof v === "string" && DECIMAL.test(v))) return undefined;
  const n = BigInt(v as number | string);
  return n >= min && n <= max ? n : undefined;
}

/** `QuoteRequest.parse(body)` for a well-formed body; undefined for any body zod should judge. */
export function quickQuoteRequest(body: unknown): QuoteRequest | undefined {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return undefined;
  const b = body as Record<string, unknown>;
  for (const key of Object.keys(b)) if (!FIELDS.has(key)) return undefined;
  if (!CLASS_NAMES.has(b.hardwareClass)) return undefined;
  const regions = b.acceptableRegions;
  if (!Array.isArray(regions) || regions.length < 1 || regions.length > 64) return undefined;
  const acceptableRegions: RegionCode[] = [];
  for (const r of regions) {
    const code = REGION_CODES.get(r);
    if (code === undefined) return undefined;
    acceptableRegions.push(code);
  }
  const buyerRegion = REGION_CODES.get(b.buyerRegion);
  if (buyerRegion === undefined) return undefined;
  const { vcu, durationHours } = b;
  if (!isInt(vcu, 1, QUOTE_LIMITS.maxVcu) || !isInt(durationHours, 1, QUOTE_LIMITS.maxDurationHours)) return undefined;
  const earliestStart = hourStartOf(b.earliestStart);
  const latestEnd = hourStartOf(b.latestEnd);
  if (earliestStart === undefined || latestEnd === undefined) return undefined;
  const limitPricePerVcuHour = amountOf(b.limitPricePerVcuHour, 1n, QUOTE_LIMITS.maxPricePerVcuHour);
  if (limitPricePerVcuHour === undefined) return undefined;
  const minGreenBps = b.minGreenBps === undefined ? 0 : b.minGreenBps;
  if (!isInt(minGreenBps, 0, BPS)) return undefined;
  const certificateOrigin = b.certificateOrigin === undefined ? DEFAULT_CERTIFICATE_ORIGIN : b.certificateOrigin;
  if (!ORIGIN_NAMES.has(certificateOrigin)) return undefined;
  const bandwidthMbps =
    b.bandwidthMbps === undefined ? 0n : amountOf(b.bandwidthMbps, 0n, QUOTE_LIMITS.maxBandwidthMbps);
  if (bandwidthMbps === undefined) return undefined;
  const maxLatencyMs = b.maxLatencyMs === undefined ? QUOTE_LIMITS.maxLatencyMs : b.maxLatencyMs;
  if (!isInt(maxLatencyMs, 1, QUOTE_LIMITS.maxLatencyMs)) return undefined;
  // The schema's cross-field checks.
  if (limitPricePerVcuHour * BigInt(vcu) * BigInt(durationHours) > QUOTE_LIMITS.maxEscrow) return undefined;
  const windowHours = (latestEnd - earliestStart) / SECONDS_PER_HOUR;
  if (!(windowHours > 0 && windowHours <= QUOTE_LIMITS.maxWindowHours && durationHours <= windowHours))
    return undefined;
  return {
    hardwareClass: b.hardwareClass as QuoteRequest["hardwareClass"],
    acceptableRegions,
    buyerRegion,
    vcu,
    durationHours,
    earliestStart,
    latestEnd,
    limitPricePerVcuHour,
    minGreenBps,
    certificateOrigin: certificateOrigin as QuoteRequest["certificateOrigin"],
    bandwidthMbps,
    maxLatencyMs,
  };
}

/** The quote request in a body, or a 400 problem naming every wrong field (zod's errors). */
export function readQuoteRequest(body: unknown): QuoteRequest {
  return quickQuoteRequest(body) ?? validate(QuoteRequest, body, "body");
}
