import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkSchedule } from "../../../../backend/pricing/schedule/check.ts";
import { ScheduleState } from "../../../../backend/pricing/schedule/place.ts";
import { prepareSchedule } from "../../../../backend/pricing/schedule/prepare.ts";
import type { TimedBid, TimedBook } from "../../../../backend/pricing/schedule/types.ts";
import { bid, book, computeOffer, energyOffer, H, RULES, T0 } from "./fixtures/orders.ts";

// place.ts prices a piece in doubles while every amount is a whole number below 2⁵³ and in bigint
// beyond: either way the payments and the all-in limit must be exactly the contract's.

/** One VCU for one hour at T0 on one compute offer in region 8: the VCU placed and the match. */
function placeOne(order: Partial<TimedBid>, hand: Partial<TimedBook>, reservePricePerVcuHour = 100n) {
  const b = bid({
    start: T0,
    latestEnd: T0 + H,
    durationHours: 1,
    vcu: 1,
    buyerRegion: 8,
    acceptableRegions: 1n << 8n,
    ...order,
  });
  const whole = book({ ...hand, bids: [b], computeOffers: [computeOffer({ region: 8, reservePricePerVcuHour })] });
  const prep = prepareSchedule(whole, RULES);
  const state = new ScheduleState(prep, whole, RULES.platformFeeBps, false, true);
  const placed = state.place(0, prep.bids[0].candidates[0], prep.bids[0].firstStart, 1);
  return { placed, match: state.matches[0], whole };
}

/** The contract's all-in: payments plus the platform fee rounded down. */
const allIn = (total: bigint) => total + (total * BigInt(RULES.platformFeeBps)) / 10_000n;

describe("a piece's payments and all-in limit (place.ts)", () => {
  it("accepts a bid whose limit is exactly the all-in with the fee rounded down, and refuses one a unit below", () => {
    const reserve = 9_999n; // fee 29.997 → 29
    const at = placeOne({ minGreenBps: 0, limitPricePerVcuHour: allIn(reserve) }, {}, reserve);
    assert.equal(at.placed, 1);
    assert.equal(at.match.computePayment, reserve);
    assert.equal(placeOne({ minGreenBps: 0, limitPricePerVcuHour: allIn(reserve) - 1n }, {}, reserve).placed, 0);
  });

  it("decides the all-in limit exactly when the payments pass 2⁵³ (where doubles round)", () => {
    const reserve = 2n ** 53n + 1n;
    const at = placeOne({ minGreenBps: 0, limitPricePerVcuHour: allIn(reserve) }, {}, reserve);
    assert.equal(at.placed, 1);
    assert.equal(at.match.computePayment, reserve);
    assert.equal(placeOne({ minGreenBps: 0, limitPricePerVcuHour: allIn(reserve) - 1n }, {}, reserve).placed, 0);
  });

  it("charges each certificate lot its Wh at the reserve price rounded up, below and beyond 2⁵³", () => {
    // 150 Wh an hour (100 Wh/VCU-hour × PUE 1.5), all green.
    for (const price of [33n, 2n ** 60n + 7n]) {
      const energyOffers = [energyOffer({ reservePricePerKwh: price })];
      const { placed, match, whole } = placeOne(
        { minGreenBps: 10_000, limitPricePerVcuHour: 2n ** 80n },
        { energyOffers },
      );
      assert.equal(placed, 1);
      assert.deepEqual(
        match.energyLots.map((l) => [l.wh, l.payment]),
        [[150n, (price * 150n + 999n) / 1000n]],
      );
      assert.deepEqual(
        checkSchedule(whole, [match], RULES).violations.filter((v) => v !== undefined),
        [],
      );
    }
  });

  it("refuses a green piece whose certificates take the all-in a unit past the limit", () => {
    const energyOffers = [energyOffer({ reservePricePerKwh: 33n })];
    const total = 100n + (33n * 150n + 999n) / 1000n; // compute 100 + certificates ⌈4.95⌉ = 5
    const fits = placeOne({ minGreenBps: 10_000, limitPricePerVcuHour: allIn(total) }, { energyOffers });
    assert.equal(fits.placed, 1);
    assert.equal(
      placeOne({ minGreenBps: 10_000, limitPricePerVcuHour: allIn(total) - 1n }, { energyOffers }).placed,
      0,
    );
  });
});
