// POST /api/quote: a bid described the way a buyer thinks of it.
//
// Money is in settlement-token base units (6 decimals: "1500000" = 1.5 tokens), like every amount of
// the API and the chain (DESIGN.md §2); only the UI converts to token units. Shares are basis points.
import { z } from "zod";

import { HARDWARE_CLASSES } from "../../../protocol/units.ts";
import { amountOut, bps, regionRef, timestamp, uintAmount } from "./common.ts";
import { ProposedMatchOut } from "./proposals.ts";

/**
 * Bounds are the contract's field widths (a bid nobody could post is not worth quoting), tightened
 * where pricing needs it: it holds amounts in doubles, exact below 2^53 base units (9 billion
 * tokens), so a bid's whole escrow (limit × VCU-hours) must stay below that.
 */
export const QUOTE_LIMITS = {
  maxVcuHours: 1_000_000_000n,
  maxPricePerVcuHour: 1_000_000_000_000n, // 1 million tokens
  maxEscrow: BigInt(Number.MAX_SAFE_INTEGER),
  maxBandwidthMbps: 16_777_215n, // uint24, as the contract stores it
  maxWindowSeconds: 366 * 24 * 3600,
  maxLatencyMs: 65_535, // uint16, as the contract stores it
} as const;

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

const amount = amountOut;

export const QuoteResponse = z.object({
  /**
   * `priced`: the book fills some or all of the bid within its limit; `limit-too-low`: it would fill
   * only at a higher limit (see `minimumLimitPerVcuHour`); `infeasible`: no offer combination serves it.
   */
  outcome: z.enum(["priced", "limit-too-low", "infeasible"]),
  /** Unix seconds of the book the quote was computed against. */
  asOf: z.int(),
  bid: z.object({
    hardwareClass: z.enum(HARDWARE_CLASSES),
    acceptableRegions: z.array(z.string()),
    buyerRegion: z.string(),
    windowStart: z.int(),
    windowEnd: z.int(),
    vcuHours: amount,
    limitPricePerVcuHour: amount,
    minGreenBps: z.int(),
    bandwidthMbps: amount,
    maxLatencyMs: z.int(),
  }),
  /** VCU-hours the book can fill (at the bid's limit when priced, at the minimum limit otherwise). */
  filledVcuHours: amount,
  limitSufficient: z.boolean(),
  /** All-in price per VCU-hour (fee included, rounded up) at which the fill clears at every order's reserve. */
  minimumLimitPerVcuHour: amount.nullable(),
  /** Expected prices after bargaining, in base units rounded up; null unless priced. */
  price: z
    .object({
      perVcuHour: amount,
      computePerVcuHour: amount,
      energyPerKwh: amount.nullable(),
      bandwidthPerMbpsHour: amount.nullable(),
      fee: amount,
      total: amount,
    })
    .nullable(),
  /** Share of the job's energy the bundles cover with certificates, in bps; null when nothing fills. */
  greenShareBps: z.int().min(0).max(10_000).nullable(),
  /** Each bundle of the fill with its Nash bargain, party by party (empty unless priced); the buyer's orderId is 0. */
  bundles: z.array(
    ProposedMatchOut.omit({ bidId: true }).extend({
      region: z.string(),
      /** Platform fee on the bundle, as the contract charges it, and its part of the surplus. */
      fee: amount,
      feeShareBps: z.number().min(0).max(10_000),
    }),
  ),
  /** Why the bid is not (fully) served, in plain words. */
  reasons: z.array(z.string()),
});
export type QuoteResponse = z.input<typeof QuoteResponse>;
