// GET /api/proposals: which page of the latest batch, optionally only one bid's matches.
import { z } from "zod";

import { PartyTermsOut } from "./bargain.ts";
import { amountOut, uintAmount } from "./common.ts";

const UINT256_MAX = 2n ** 256n - 1n;

/** Query strings are text; numbers are parsed here so `?limit=abc` names `limit`. */
const queryInt = (min: number, max: number, fallback: number) =>
  z
    .string({ error: "expected a single integer" })
    .regex(/^[0-9]{1,9}$/, "expected a non-negative integer")
    .transform(Number)
    .pipe(z.int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`))
    .default(fallback);

export const ProposalsQuery = z.strictObject({
  bidId: uintAmount(0n, UINT256_MAX).optional(),
  offset: queryInt(0, 1_000_000_000, 0),
  limit: queryInt(1, 500, 100),
});
export type ProposalsQuery = z.output<typeof ProposalsQuery>;

export const ProposedMatchOut = z.object({
  bidId: amountOut,
  computeOfferId: amountOut,
  vcuHours: amountOut,
  computePayment: amountOut,
  energyLots: z.array(z.object({ offerId: amountOut, wh: amountOut, payment: amountOut })),
  bandwidthOfferId: amountOut,
  bandwidthPayment: amountOut,
  surplus: amountOut,
  parties: z.array(PartyTermsOut),
});

export const ProposalsResponse = z.object({
  batch: z.object({ id: amountOut, clearedAt: z.int(), matchCount: z.int() }).nullable(),
  matches: z.array(ProposedMatchOut),
  page: z.object({ offset: z.int(), limit: z.int(), total: z.int() }),
});
export type ProposalsResponse = z.input<typeof ProposalsResponse>;
