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
import { HARDWARE_CLASSES, SECONDS_PER_HOUR } from "../../../protocol/units.ts";
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
