// Conversion of priced matches into the struct `settle` takes.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import fc from "fast-check";
import { decodeFunctionData, encodeFunctionData } from "viem";

import { InvalidMatchError, toSettleMatch } from "../../../backend/matcher/to-settle-match.ts";
import { marketAbi } from "../../../protocol/generated/abis.ts";
import type { Match } from "../../../protocol/orders.ts";

const H = 3_600;
const T = 500_000 * H;
const base: Match = {
  bidId: 3n,
  computeOfferId: 1n,
  start: T,
  vcu: 10n,
  computePayment: 15_000_000n,
  energyLots: [],
  bandwidthOfferId: 0n,
  bandwidthPayment: 0n,
};

describe("toSettleMatch", () => {
  it("orders energy lots by ascending (offer, hour) and merges lots of one offer-hour, keeping totals", () => {
    const m = toSettleMatch({
      ...base,
      energyLots: [
        { offerId: 9n, hour: T + H, wh: 100n, payment: 7n },
        { offerId: 2n, hour: T, wh: 50n, payment: 3n },
        { offerId: 9n, hour: T, wh: 30n, payment: 2n },
        { offerId: 9n, hour: T + H, wh: 25n, payment: 1n },
      ],
    });
    assert.deepEqual(m.energyLots, [
      { offerId: 2n, hour: T, wh: 50n, payment: 3n },
      { offerId: 9n, hour: T, wh: 30n, payment: 2n },
      { offerId: 9n, hour: T + H, wh: 125n, payment: 8n },
    ]);
  });

  it("keeps every lot's Wh and payment for any lot list (property)", () => {
    const lot = fc.record({
      offerId: fc.bigInt({ min: 1n, max: 20n }),
      hour: fc.integer({ min: 0, max: 3 }).map((i) => T + i * H),
      wh: fc.bigInt({ min: 1n, max: 10n ** 12n }),
      payment: fc.bigInt({ min: 0n, max: 10n ** 12n }),
    });
    fc.assert(
      fc.property(fc.array(lot, { maxLength: 12 }), (lots) => {
        const m = toSettleMatch({ ...base, energyLots: lots });
        for (let i = 1; i < m.energyLots.length; i++) {
          const [a, b] = [m.energyLots[i - 1], m.energyLots[i]];
          assert.ok(a.offerId < b.offerId || (a.offerId === b.offerId && a.hour < b.hour), "strictly ascending");
        }
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
      energyLots: [{ offerId: 4n, hour: T, wh: 1n, payment: 2n }],
      bandwidthOfferId: 5n,
      bandwidthPayment: 6n,
    });
    const data = encodeFunctionData({ abi: marketAbi, functionName: "settle", args: [[m]] });
    const decoded = decodeFunctionData({ abi: marketAbi, data });
    assert.equal(decoded.functionName, "settle");
    assert.deepEqual(decoded.args, [[m]]);
  });

  it("names a field outside its ABI type, a time off the hour, a lot of offer 0 and a bandwidth payment without an offer", () => {
    assert.throws(
      () => toSettleMatch({ ...base, computePayment: -1n }),
      (e: unknown) => e instanceof InvalidMatchError && /computePayment/.test(e.message),
    );
    assert.throws(() => toSettleMatch({ ...base, vcu: 2n ** 256n }), /vcu outside uint256/);
    assert.throws(() => toSettleMatch({ ...base, start: T + 60 }), /start \d+, not an hour start/);
    assert.throws(
      () => toSettleMatch({ ...base, energyLots: [{ offerId: 3n, hour: T + 1, wh: 1n, payment: 1n }] }),
      /energyLots\[0\]\.hour/,
    );
    assert.throws(
      () => toSettleMatch({ ...base, energyLots: [{ offerId: 0n, hour: T, wh: 1n, payment: 1n }] }),
      /offer 0/,
    );
    assert.throws(() => toSettleMatch({ ...base, bandwidthPayment: 5n }), /without a bandwidth offer/);
  });
});
