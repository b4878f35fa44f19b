// GET /api/proposals: which page of the latest batch, optionally only one bid's matches (the answer's
// shape is protocol/api.ts).
import { z } from "zod";

import { uintAmount } from "./common.ts";

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
