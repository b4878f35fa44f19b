// The quote route reads a body with a direct check and leaves anything it is unsure of to zod
// (backend/api/schemas/quote.ts, readQuoteRequest): the direct check must never accept a body zod
// refuses, nor read one differently.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import fc from "fast-check";
import { HttpProblem } from "../../../backend/api/problem.ts";
import { QuoteRequest, quickQuoteRequest, readQuoteRequest } from "../../../backend/api/schemas/quote.ts";
import { quoteBodies } from "./quote-bodies.ts";

const HOUR = 3_600;
const NOW = 1_900_000_800;

/** Either the direct check leaves the body to zod, or zod accepts it with the same result. */
function assertAgrees(body: unknown): void {
  const quick = quickQuoteRequest(body);
  if (quick === undefined) return;
  const zod = QuoteRequest.safeParse(body);
  assert.ok(zod.success, `accepted directly, refused by zod: ${JSON.stringify(body, (_k, v) => v)}`);
  assert.deepStrictEqual(quick, zod.data);
}

const valid = JSON.parse(quoteBodies({ now: NOW, count: 1 })[0]) as Record<string, unknown>;
const { earliestStart, durationHours } = QuoteRequest.parse(valid);
/** Times around the valid body's window and durations around its job: the cross-field checks' edges. */
const nearValid = [
  ...[-1, 0, 1, durationHours - 1, durationHours, durationHours + 1, 743, 744, 745].map(
    (k) => earliestStart + k * HOUR,
  ),
  ...[durationHours - 1, durationHours + 1, durationHours + 2, durationHours + 30],
];

/** Values a client might put in any field: right and wrong types, edges of every bound, near-misses. */
const tricky = fc.oneof(
  fc.constantFrom<unknown>(
    0,
    -0,
    1,
    -1,
    1.5,
    2 ** 32 - 1,
    2 ** 32,
    2 ** 40 - 1,
    2 ** 53,
    Number.MAX_SAFE_INTEGER,
    Infinity,
    null,
    true,
    "",
    "0",
    "01",
    "1",
    "-1",
    "1.0",
    " 1",
    "1000000000000",
    "1000000000001",
    "16777215",
    "16777216",
    "gpu-training",
    "cpu-hpc",
    "gansu",
    "Gansu",
    "anywhere",
    "grid-area",
    "compute-region",
    [],
    ["gansu"],
    [8, "gansu", 8],
    Array.from({ length: 65 }, () => 8),
    {},
    "2030-01-01T00:00:00Z",
    "2030-01-01T00:00:00.000Z",
    "2030-01-01T00:30:00Z",
    "2030-02-29T00:00:00Z",
    "2028-02-29T00:00:00Z",
    "2030-01-01T24:00:00Z",
    "2030-01-01T00:00:00+00:00",
    "2030-01-01T00:00:00.0001Z",
    "1960-01-01T00:00:00Z",
    "0000-01-01T00:00:00Z",
    1_893_456_000,
    1_893_456_001,
    NOW - (NOW % HOUR),
    NOW - (NOW % HOUR) + 169 * HOUR,
    NOW - (NOW % HOUR) + 745 * HOUR,
    10_000,
    10_001,
    65_535,
    65_536,
    168,
    169,
  ),
  fc.constantFrom(...nearValid),
  fc.anything(),
);
const fields = [...Object.keys(QuoteRequest.shape), "unknownField", "__proto__"];

describe("reading a quote request", () => {
  it("reads every benchmark body directly, as zod reads it", () => {
    const bodies = quoteBodies({ now: NOW, count: 1_200 }).map((b) => JSON.parse(b) as unknown);
    for (const body of bodies) {
      const quick = quickQuoteRequest(body);
      assert.ok(quick !== undefined, JSON.stringify(body));
      assert.deepStrictEqual(quick, QuoteRequest.parse(body));
    }
  });

  it("never accepts a body zod refuses, nor reads one differently", () => {
    assert.ok(fields.length > 12, "the schema's fields are known");
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...fields), fc.option(tricky, { nil: undefined })), {
          minLength: 1,
          maxLength: 3,
        }),
        (changes) => {
          const body: Record<string, unknown> = { ...valid };
          for (const [field, value] of changes) {
            if (value === undefined) delete body[field];
            else if (field === "__proto__")
              Object.defineProperty(body, field, { value, enumerable: true, configurable: true, writable: true });
            else body[field] = value;
          }
          assertAgrees(JSON.parse(JSON.stringify(body)));
          assertAgrees(body);
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it("refuses a wrong body with zod's errors, naming the field", () => {
    const problem = (() => {
      try {
        readQuoteRequest({ ...valid, vcu: 0 });
      } catch (err) {
        return err;
      }
    })();
    assert.ok(problem instanceof HttpProblem);
    assert.deepEqual(
      problem.errors?.map((e) => e.field),
      ["vcu"],
    );
  });
});
