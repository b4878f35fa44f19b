// The field limits of a quote, shared by the pricing API (which refuses a bid beyond them) and the
// web market (which checks a bid before asking for a quote). Plain numbers, no zod: the web bundle
// imports this file.
import { MAX_JOB_HOURS, MAX_WINDOW_HOURS } from "./hours.ts";

/**
 * Bounds are the contract's field widths and hour limits (a bid nobody could post is not worth
 * quoting), tightened where pricing needs it: it holds amounts in doubles, exact below 2^53 base
 * units (9 billion tokens), so a bid's whole escrow (limit × vcu × durationHours) must stay below that.
 */
export const QUOTE_LIMITS = {
  maxVcu: 4_294_967_295, // uint32, as the contract stores it: units at the same time
  maxDurationHours: MAX_JOB_HOURS,
  maxWindowHours: MAX_WINDOW_HOURS,
  maxWindowSeconds: MAX_WINDOW_HOURS * 3_600,
  maxPricePerVcuHour: 1_000_000_000_000n, // 1 million tokens
  maxEscrow: BigInt(Number.MAX_SAFE_INTEGER),
  maxBandwidthMbps: 16_777_215n, // uint24, as the contract stores it
  maxLatencyMs: 65_535, // uint16, as the contract stores it
} as const;
