// The handlers' shared helpers that turn event values into column values.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { regionsOf } from "../../../indexer/handlers/util.ts";

describe("handler helpers", () => {
  it("lists the regions of a bid's mask, lowest first, up to region 255", () => {
    assert.deepEqual(regionsOf(0), []);
    assert.deepEqual(regionsOf(1), [0]);
    assert.deepEqual(regionsOf("10"), [1, 3]);
    assert.deepEqual(regionsOf(0b1000_0001n), [0, 7]);
    assert.deepEqual(regionsOf((1n << 255n).toString()), [255]);
    assert.deepEqual(
      regionsOf(((1n << 256n) - 1n).toString()),
      Array.from({ length: 256 }, (_, r) => r),
    );
    // Every bit on its own, as a decimal string (uint256 arguments arrive so).
    for (let r = 0; r < 256; r++) assert.deepEqual(regionsOf((1n << BigInt(r)).toString()), [r]);
  });
});
