// POST /api/quote: a bid described the way a buyer thinks of it (the answer's shape is protocol/api.ts).
//
// Money is in settlement-token base units (6 decimals: "1500000" = 1.5 tokens), like every amount of
// the API and the chain (docs/market-rules.md, "Units"); only the UI converts to token units. Shares are basis points.
import { z } from "zod";

import { QUOTE_LIMITS } from "../../../protocol/quote-limits.ts";
import { HARDWARE_CLASSES } from "../../../protocol/units.ts";
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
