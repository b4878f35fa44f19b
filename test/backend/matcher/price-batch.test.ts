// Clearing and pricing as the matcher calls it, without a chain: every proposed match is one the
// contract accepts, and every party's numbers and sentence are there for the API.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { clearAndPrice } from "../../../backend/matcher/price-batch.ts";
import { checkBatch } from "../../../backend/pricing/index.ts";
import type { BookBid, OrderBook } from "../../../protocol/book.ts";
import type { Match } from "../../../protocol/orders.ts";

const a = (n: number) => `0x${n.toString(16).padStart(40, "0")}` as const;
const H = 3_600;
const start = 555_556 * H; // on the hour
const end = start + 4 * H;
const matchPayments = (m: Match) =>
  m.computePayment + m.bandwidthPayment + m.energyLots.reduce((s, l) => s + l.payment, 0n);

const job = (o: Partial<BookBid>): BookBid => ({
  id: 1n,
  buyer: a(1),
  hardwareClass: 2,
  acceptableRegions: 1n << 7n,
  buyerRegion: 2,
  earliestStart: start,
  latestEnd: end,
  durationHours: 2,
  vcu: 20,
  remainingVcu: 20,
  start: 0,
  limitPricePerVcuHour: 2_500_000n,
  minGreenBps: 5_000,
  certificateOrigin: 1,
  bandwidthMbps: 50n,
  maxLatencyMs: 40,
  expiry: start,
  ...o,
});

/**
 * A flexible GPU job computing in Gansu for a buyer in the Yangtze delta (a link, certificates from a
 * Ningxia wind farm in the same north-west grid), a fixed CPU job in the delta itself, and a bid below
 * every reserve.
 */
const book: OrderBook = {
  bids: [
    job({}),
    job({
      id: 2n,
      buyer: a(2),
      hardwareClass: 0,
      acceptableRegions: 1n << 2n,
      durationHours: 4,
      vcu: 10,
      remainingVcu: 10,
      limitPricePerVcuHour: 1_000_000n,
      minGreenBps: 0,
      bandwidthMbps: 0n,
      maxLatencyMs: 0,
    }),
    // Asks for less than any offer's reserve: clears nothing.
    job({ id: 3n, buyer: a(3), buyerRegion: 7, limitPricePerVcuHour: 1_000n, minGreenBps: 0, bandwidthMbps: 0n }),
  ],
  computeOffers: [
    {
      id: 1n,
      supplier: a(10),
      hardwareClass: 2,
      region: 7,
      windowStart: start - H,
      windowEnd: end + H,
      vcu: 100,
      usedVcu: new Map([[start, 30]]),
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
      windowStart: start - H,
      windowEnd: end + H,
      vcu: 50,
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
      deviceId: 4n,
      source: 1,
      region: 8,
      firstHour: start - H,
      whPerHour: Array.from({ length: 6 }, () => 100_000n),
      reservePricePerKwh: 40_000n,
      expiry: start,
    },
  ],
  bandwidthOffers: [
    {
      id: 1n,
      supplier: a(30),
      fromRegion: 7,
      toRegion: 2,
      mbps: 1_000,
      latencyMs: 30,
      windowStart: start - H,
      windowEnd: end + H,
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
