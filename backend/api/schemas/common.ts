// Building blocks shared by the API's schemas. Amounts are integers in base units (docs/market-rules.md, "Units"):
// JSON numbers are accepted while they are exact (safe integers), decimal strings at any size up to
// the field's bound, and every amount goes out as a decimal string (protocol/api.ts).
import { z } from "zod";

import { BPS, REGIONS, type RegionCode } from "../../../protocol/units.ts";

const DIGITS = /^(0|[1-9][0-9]*)$/;

/** A non-negative integer given as a JSON number or a decimal string, parsed to bigint within [min, max]. */
export function uintAmount(min: bigint, max: bigint) {
  return z
    .union([z.string(), z.number()], { error: "expected an integer as a number or a decimal string" })
    .transform((value, ctx): bigint => {
      if (typeof value === "number" && !Number.isSafeInteger(value)) {
        ctx.addIssue({ code: "custom", message: "expected an integer; send large amounts as a decimal string" });
        return z.NEVER;
      }
      if (typeof value === "string" && !DIGITS.test(value)) {
        ctx.addIssue({
          code: "custom",
          message: "expected a decimal string of digits without sign, point or leading zeros",
        });
        return z.NEVER;
      }
      const n = BigInt(value);
      if (n < min || n > max) {
        ctx.addIssue({ code: "custom", message: `must be between ${min} and ${max}` });
        return z.NEVER;
      }
      return n;
    });
}

/** A region named by its name (`cn-east`) or its on-chain code (2). */
export const regionRef = z
  .union([z.string(), z.number()], { error: "expected a region name or code" })
  .transform((value, ctx): RegionCode => {
    const region = REGIONS.find((r) => r.name === value || r.code === value);
    if (region === undefined) {
      ctx.addIssue({
        code: "custom",
        message: `unknown region ${JSON.stringify(value)}; expected one of ${REGIONS.map((r) => `${r.name} (${r.code})`).join(", ")}`,
      });
      return z.NEVER;
    }
    return region.code;
  });

/** Times are uint40 on chain. */
const MAX_UNIX_SECONDS = 2 ** 40 - 1;

/** A point in time as unix seconds or as an ISO 8601 date-time with an offset. */
export const timestamp = z
  .union(
    [
      z
        .int({ error: "expected whole unix seconds" })
        .min(0, "must not be before 1970")
        .max(MAX_UNIX_SECONDS, "too far in the future"),
      z.iso.datetime({
        offset: true,
        error: "expected an ISO 8601 date-time with offset (2030-01-01T00:00:00Z) or unix seconds",
      }),
    ],
    {
      error: "expected unix seconds or an ISO 8601 date-time with offset",
    },
  )
  .transform((value): number => (typeof value === "number" ? value : Math.floor(Date.parse(value) / 1000)));

export const bps = z
  .int({ error: "expected an integer number of basis points" })
  .min(0, "must be at least 0 bps")
  .max(BPS, `must be at most ${BPS} bps (100%)`);
