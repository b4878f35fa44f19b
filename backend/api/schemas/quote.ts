// POST /api/quote: a bid described the way a buyer thinks of it (the answer's shape is protocol/api.ts).
//
// Money is in settlement-token base units (6 decimals: "1500000" = 1.5 tokens), like every amount of
// the API and the chain (docs/market-rules.md, "Units"); only the UI converts to token units. Shares are basis points.
import { z } from "zod";

import { QUOTE_LIMITS } from "../../../protocol/quote-limits.ts";
import { BPS, HARDWARE_CLASSES, REGIONS, type RegionCode } from "../../../protocol/units.ts";
import { bps, regionRef, timestamp, uintAmount } from "./common.ts";

const hardwareClass = z.enum(HARDWARE_CLASSES, {
  error: `expected one of ${HARDWARE_CLASSES.join(", ")}`,
});

export const QuoteRequest = z
  .strictObject({
    hardwareClass,
    acceptableRegions: z
      .array(regionRef, { error: "expected a list of region names or codes" })
      .min(1, "name at least one region")
      .max(64, "at most 64 regions"),
    buyerRegion: regionRef,
    window: z.strictObject(
      { start: timestamp, end: timestamp },
      { error: "expected { start, end } in unix seconds or ISO 8601" },
    ),
    vcuHours: uintAmount(1n, QUOTE_LIMITS.maxVcuHours),
    limitPricePerVcuHour: uintAmount(1n, QUOTE_LIMITS.maxPricePerVcuHour),
    minGreenBps: bps.default(0),
    bandwidthMbps: uintAmount(0n, QUOTE_LIMITS.maxBandwidthMbps).default(0n),
    maxLatencyMs: z.int().min(1).max(QUOTE_LIMITS.maxLatencyMs).default(QUOTE_LIMITS.maxLatencyMs),
  })
  .superRefine((q, ctx) => {
    if (q.limitPricePerVcuHour * q.vcuHours > QUOTE_LIMITS.maxEscrow) {
      ctx.addIssue({
        code: "custom",
        path: ["limitPricePerVcuHour"],
        message: `limit × vcuHours must not exceed ${QUOTE_LIMITS.maxEscrow} base units`,
      });
    }
    if (q.window.end <= q.window.start) {
      ctx.addIssue({ code: "custom", path: ["window", "end"], message: "must be after window.start" });
    } else if (q.window.end - q.window.start > QUOTE_LIMITS.maxWindowSeconds) {
      ctx.addIssue({
        code: "custom",
        path: ["window", "end"],
        message: `window longer than ${QUOTE_LIMITS.maxWindowSeconds} s`,
      });
    }
  });
export type QuoteRequest = z.output<typeof QuoteRequest>;

const CLASS_NAMES: ReadonlySet<string> = new Set(HARDWARE_CLASSES);
const REGION_BY_REF = new Map<unknown, RegionCode>(
  REGIONS.flatMap((r) => [[r.name, r.code] as const, [r.code, r.code] as const]),
);
const QUOTE_FIELDS: ReadonlySet<string> = new Set(Object.keys(QuoteRequest.shape));
const DIGITS = /^(0|[1-9][0-9]*)$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;

function amount(value: unknown, min: bigint, max: bigint): bigint | undefined {
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) return undefined;
  } else if (typeof value !== "string" || !DIGITS.test(value)) return undefined;
  const n = BigInt(value);
  return n >= min && n <= max ? n : undefined;
}

function unixSeconds(value: unknown): number | undefined {
  if (typeof value === "number")
    return Number.isSafeInteger(value) && value >= 0 && value <= 2 ** 40 - 1 ? value : undefined;
  // Only the plain UTC form whose date exists (it survives a round trip); anything else goes to zod.
  if (typeof value !== "string" || !ISO_UTC.test(value)) return undefined;
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) return undefined;
  const back = new Date(ms).toISOString();
  return back === value || back === `${value.slice(0, 19)}.000Z` ? Math.floor(ms / 1000) : undefined;
}

function boundedInt(value: unknown, min: number, max: number): number | undefined {
  return Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max
    ? (value as number)
    : undefined;
}

/**
 * `QuoteRequest.parse` for the bodies clients send almost always, without zod's machinery: a body
 * every field of which is in its plain form (names or codes, unix seconds or `…Z` times, amounts as
 * safe integers or digit strings) and valid gets the value zod gives; anything else, valid or not,
 * is undefined, and `QuoteRequest` decides and names what is wrong. test/backend/api holds the two
 * to the same answers.
 */
export function parsePlainQuoteRequest(body: unknown): QuoteRequest | undefined {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return undefined;
  const b = body as Record<string, unknown>;
  for (const key in b) if (!QUOTE_FIELDS.has(key)) return undefined;
  const { hardwareClass, acceptableRegions, window } = b;
  if (typeof hardwareClass !== "string" || !CLASS_NAMES.has(hardwareClass)) return undefined;
  if (!Array.isArray(acceptableRegions) || acceptableRegions.length < 1 || acceptableRegions.length > 64)
    return undefined;
  const regions: RegionCode[] = [];
  for (const ref of acceptableRegions) {
    const code = REGION_BY_REF.get(ref);
    if (code === undefined) return undefined;
    regions.push(code);
  }
  const buyerRegion = REGION_BY_REF.get(b.buyerRegion);
  if (buyerRegion === undefined) return undefined;
  if (typeof window !== "object" || window === null || Array.isArray(window)) return undefined;
  const w = window as Record<string, unknown>;
  for (const key in w) if (key !== "start" && key !== "end") return undefined;
  const start = unixSeconds(w.start);
  const end = unixSeconds(w.end);
  const vcuHours = amount(b.vcuHours, 1n, QUOTE_LIMITS.maxVcuHours);
  const limit = amount(b.limitPricePerVcuHour, 1n, QUOTE_LIMITS.maxPricePerVcuHour);
  const minGreenBps = b.minGreenBps === undefined ? 0 : boundedInt(b.minGreenBps, 0, BPS);
  const bandwidthMbps = b.bandwidthMbps === undefined ? 0n : amount(b.bandwidthMbps, 0n, QUOTE_LIMITS.maxBandwidthMbps);
  const maxLatencyMs =
    b.maxLatencyMs === undefined ? QUOTE_LIMITS.maxLatencyMs : boundedInt(b.maxLatencyMs, 1, QUOTE_LIMITS.maxLatencyMs);
  if (
    start === undefined ||
    end === undefined ||
    end <= start ||
    end - start > QUOTE_LIMITS.maxWindowSeconds ||
    vcuHours === undefined ||
    limit === undefined ||
    limit * vcuHours > QUOTE_LIMITS.maxEscrow ||
    minGreenBps === undefined ||
    bandwidthMbps === undefined ||
    maxLatencyMs === undefined
  )
    return undefined;
  return {
    hardwareClass: hardwareClass as QuoteRequest["hardwareClass"],
    acceptableRegions: regions,
    buyerRegion,
    window: { start, end },
    vcuHours,
    limitPricePerVcuHour: limit,
    minGreenBps,
    bandwidthMbps,
    maxLatencyMs,
  };
}
