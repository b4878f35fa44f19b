// The sample rules: a batch with any bad sample is refused whole, each fault named.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { checkBatch, MAX_WATTS } from "../../../backend/metering/series.ts";

const window = { windowStart: 1_000, windowEnd: 5_000 };
const reasons = (faults: ReturnType<typeof checkBatch>) => faults.map((f) => `${f.index}:${f.reason}`);

describe("checkBatch", () => {
  it("accepts an increasing series inside the window after what is stored", () => {
    assert.deepEqual(
      checkBatch(
        [
          { t: 1_001, w: 0 },
          { t: 1_002, w: MAX_WATTS },
        ],
        window,
        1_000,
        2_000,
      ),
      [],
    );
  });

  it("names negative, absurd, fractional, out-of-window and future samples", () => {
    const faults = checkBatch(
      [
        { t: 1_100, w: -1 },
        { t: 1_101, w: MAX_WATTS + 1 },
        { t: 1_102, w: 1.5 },
        { t: 999, w: 1 },
        { t: 5_001, w: 1 },
        { t: 2_100, w: 1 },
        { t: Number.NaN, w: 1 },
      ],
      window,
      null,
      2_000,
    );
    assert.deepEqual(reasons(faults), [
      "0:negative",
      "1:absurd",
      "2:malformed",
      "3:out-of-window",
      "4:out-of-window",
      "5:future",
      "6:malformed",
    ]);
  });

  it("calls a repeated second a duplicate and an earlier one late, against the store and inside the batch", () => {
    const faults = checkBatch(
      [
        { t: 1_500, w: 1 },
        { t: 1_400, w: 1 },
        { t: 1_600, w: 1 },
        { t: 1_600, w: 1 },
      ],
      window,
      1_500,
      2_000,
    );
    assert.deepEqual(reasons(faults), ["0:duplicate", "1:late", "3:duplicate"]);
  });
});
