// Clearing and pricing as the matcher calls it, without a chain: every proposed match is one the
// contract accepts, and every party's numbers and sentence are there for the API.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { clearAndPrice } from "../../../backend/matcher/price-batch.ts";
import { checkBatch, matchPayments, type OrderBook } from "../../../backend/pricing/index.ts";

const a = (n: number) => `0x${n.toString(16).padStart(40, "0")}` as const;
const start = 2_000_000_000;
const end = start + 4 * 3_600;

const book: OrderBook = {
  bids: [
    {
      id: 1n,
      buyer: a(1),
      hardwareClass: 2,
      acceptableRegions: 1n << 4n,
      buyerRegion: 2,
      windowStart: start,
      windowEnd: end,
      vcuHours: 100n,
      filled: 0n,
      limitPricePerVcuHour: 2_500_000n,
      minGreenBps: 5_000,
      bandwidthMbps: 50n,
      maxLatencyMs: 40,
      expiry: start,
    },
    {
      id: 2n,
      buyer: a(2),
      hardwareClass: 0,
      acceptableRegions: 1n << 2n,
      buyerRegion: 2,
      windowStart: start,
      windowEnd: end,
      vcuHours: 40n,
      filled: 0n,
      limitPricePerVcuHour: 1_000_000n,
      minGreenBps: 0,
      bandwidthMbps: 0n,
      maxLatencyMs: 0,
      expiry: start,
    },
    // Asks for less than any offer's reserve: clears nothing.
    {
      id: 3n,
      buyer: a(3),
      hardwareClass: 2,
      acceptableRegions: 1n << 4n,
      buyerRegion: 4,
      windowStart: start,
      windowEnd: end,
      vcuHours: 10n,
      filled: 0n,
      limitPricePerVcuHour: 1_000n,
      minGreenBps: 0,
      bandwidthMbps: 0n,
      maxLatencyMs: 0,
      expiry: start,
    },
  ],
  computeOffers: [
    {
      id: 1n,
      supplier: a(10),
      hardwareClass: 2,
      region: 4,
      windowStart: start - 3_600,
      windowEnd: end + 3_600,
      vcuHours: 1_000n,
      filled: 200n,
      reservePricePerVcuHour: 1_500_000n,
      whPerVcuHour: 2_000n,
      pueMilli: 1_250,
      expiry: start,
    },
    {
      id: 2n,
      supplier: a(11),
      hardwareClass: 0,
      region: 2,
      windowStart: start - 3_600,
      windowEnd: end + 3_600,
      vcuHours: 500n,
      filled: 0n,
      reservePricePerVcuHour: 500_000n,
      whPerVcuHour: 500n,
      pueMilli: 1_100,
      expiry: start,
    },
  ],
  energyOffers: [
    {
      id: 1n,
      supplier: a(20),
      batchId: 1n,
      source: 1,
      region: 4,
      wh: 1_000_000n,
      filled: 0n,
      reservePricePerKwh: 40_000n,
      expiry: start,
    },
  ],
  bandwidthOffers: [
    {
      id: 1n,
      supplier: a(30),
      fromRegion: 4,
      toRegion: 2,
      mbps: 1_000n,
      filled: 0n,
      latencyMs: 30,
      windowStart: start - 3_600,
      windowEnd: end + 3_600,
      reservePricePerMbpsHour: 10_000n,
      expiry: start,
    },
  ],
};
const rules = { now: start - 86_400, platformFeeBps: 30 };

describe("clearAndPrice", () => {
  const { proposed, unpriced } = clearAndPrice(book, rules);

  it("prices every match of an honest book", () => {
    assert.deepEqual(unpriced, []);
  });

  it("proposes only matches the contract accepts, bargained above the suppliers' reserves", () => {
    assert.deepEqual(proposed.map((p) => p.match.bidId).sort(), [1n, 2n]);
    assert.deepEqual(
      checkBatch(
        book,
        proposed.map((p) => p.match),
        rules,
      ).violations,
      [undefined, undefined],
    );
    for (const { match, parties } of proposed) {
      const buyer = parties.find((p) => p.role === "buyer")!;
      const paid = matchPayments(match);
      assert.equal(buyer.payment, paid + (paid * 30n) / 10_000n, "the buyer pays the suppliers plus the fee");
      assert.ok(buyer.payment <= buyer.reserve, "within the bid's limit");
      const suppliers = parties.filter((p) => p.role !== "buyer");
      assert.equal(
        suppliers.reduce((s, p) => s + p.payment, 0n),
        paid,
        "the parties' payments are the match's",
      );
      assert.ok(suppliers.every((p) => p.payment >= p.reserve));
      assert.ok(
        suppliers.some((p) => p.payment > p.reserve),
        "the surplus is shared, not all kept by the buyer",
      );
    }
  });

  it("explains every party with its numbers", () => {
    for (const { parties, surplus } of proposed) {
      assert.ok(surplus > 0n);
      for (const p of parties) {
        assert.ok(Number.isInteger(p.surplusShareBps) && p.surplusShareBps >= 0 && p.surplusShareBps <= 10_000);
        assert.ok(p.weight > 0);
        assert.equal(typeof p.disagreement, "bigint");
        assert.match(p.explanation, new RegExp(String(p.payment)));
      }
    }
  });
});

describe("clearAndPrice with a poisoned pair in the book", () => {
  // A bid and a compute offer of hardware class 7, which the market stores (any uint8) but pricing
  // has no parameters for: they clear against each other, and their bundle cannot be priced.
  const poisoned: OrderBook = {
    ...book,
    bids: [
      ...book.bids,
      { ...book.bids[1], id: 7n, buyer: a(7), hardwareClass: 7, acceptableRegions: 1n << 3n, buyerRegion: 3 },
    ],
    computeOffers: [
      ...book.computeOffers,
      { ...book.computeOffers[1], id: 7n, supplier: a(17), hardwareClass: 7, region: 3 },
    ],
  };

  it("still prices the honest pairs, exactly as without the poisoned ones", () => {
    const { proposed, unpriced } = clearAndPrice(poisoned, rules);
    const honest = clearAndPrice(book, rules).proposed;
    assert.deepEqual(proposed, honest);
    assert.deepEqual(
      unpriced.map((u) => [u.match.bidId, u.match.computeOfferId]),
      [[7n, 7n]],
    );
    assert.match(unpriced[0].reason, /hardware class 7/);
  });
});
