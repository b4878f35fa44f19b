// Conversion of priced matches into the struct `settle` takes.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import fc from "fast-check";
import { decodeFunctionData, encodeFunctionData } from "viem";

import { InvalidMatchError, toSettleMatch } from "../../../backend/matcher/to-settle-match.ts";
import { marketAbi } from "../../../protocol/generated/abis.ts";
import type { Match } from "../../../protocol/orders.ts";

const base: Match = {
  bidId: 3n,
  computeOfferId: 1n,
  vcuHours: 10n,
  computePayment: 15_000_000n,
  energyLots: [],
  bandwidthOfferId: 0n,
  bandwidthPayment: 0n,
};

describe("toSettleMatch", () => {
  it("orders energy lots by ascending offer id and merges lots of one offer, keeping totals", () => {
    const m = toSettleMatch({
      ...base,
      energyLots: [
        { offerId: 9n, wh: 100n, payment: 7n },
        { offerId: 2n, wh: 50n, payment: 3n },
        { offerId: 9n, wh: 25n, payment: 1n },
      ],
    });
    assert.deepEqual(m.energyLots, [
      { offerId: 2n, wh: 50n, payment: 3n },
      { offerId: 9n, wh: 125n, payment: 8n },
    ]);
  });

  it("keeps every lot's Wh and payment for any lot list (property)", () => {
    const lot = fc.record({
      offerId: fc.bigInt({ min: 1n, max: 20n }),
      wh: fc.bigInt({ min: 1n, max: 10n ** 12n }),
      payment: fc.bigInt({ min: 0n, max: 10n ** 12n }),
    });
    fc.assert(
      fc.property(fc.array(lot, { maxLength: 12 }), (lots) => {
        const m = toSettleMatch({ ...base, energyLots: lots });
        const ids = m.energyLots.map((l) => l.offerId);
        for (let i = 1; i < ids.length; i++) assert.ok(ids[i - 1] < ids[i], "strictly ascending");
        const sum = (ls: readonly { wh: bigint; payment: bigint }[], f: "wh" | "payment") =>
          ls.reduce((s, l) => s + l[f], 0n);
        assert.equal(sum(m.energyLots, "wh"), sum(lots, "wh"));
        assert.equal(sum(m.energyLots, "payment"), sum(lots, "payment"));
      }),
    );
  });

  it("produces calldata the market's ABI encodes and decodes to the same batch", () => {
    const m = toSettleMatch({
      ...base,
      energyLots: [{ offerId: 4n, wh: 1n, payment: 2n }],
      bandwidthOfferId: 5n,
      bandwidthPayment: 6n,
    });
    const data = encodeFunctionData({ abi: marketAbi, functionName: "settle", args: [[m]] });
    const decoded = decodeFunctionData({ abi: marketAbi, data });
    assert.equal(decoded.functionName, "settle");
    assert.deepEqual(decoded.args, [[m]]);
  });

  it("names a field outside uint256, a lot of offer 0 and a bandwidth payment without an offer", () => {
    assert.throws(
      () => toSettleMatch({ ...base, computePayment: -1n }),
      (e: unknown) => e instanceof InvalidMatchError && /computePayment/.test(e.message),
    );
    assert.throws(() => toSettleMatch({ ...base, vcuHours: 2n ** 256n }), /vcuHours outside uint256/);
    assert.throws(() => toSettleMatch({ ...base, energyLots: [{ offerId: 0n, wh: 1n, payment: 1n }] }), /offer 0/);
    assert.throws(() => toSettleMatch({ ...base, bandwidthPayment: 5n }), /without a bandwidth offer/);
  });
});
