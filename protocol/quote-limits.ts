// The field limits of a quote, shared by the pricing API (which refuses a bid beyond them) and the
// web market (which checks a bid before asking for a quote). Plain numbers, no zod: the web bundle
// imports this file.

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
