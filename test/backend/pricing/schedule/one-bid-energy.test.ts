// What the one-bid scheduler shares between the quotes of a book version
// (backend/pricing/schedule/one-bid-energy.ts): the live energy offers, the certificate slots of the
// offers' whole range, and the mean certificate price from per-hour sums. Each must give what
// prepare.ts gives a quote laid out on its own; the schedules themselves are held to scheduleFast's
// by one-bid.test.ts.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { bidOf } from "../../../../backend/api/quote.ts";
import { QuoteRequest } from "../../../../backend/api/schemas/quote.ts";
import { admitBook } from "../../../../backend/book/admit.ts";
import { scheduleOneBid } from "../../../../backend/pricing/schedule/one-bid.ts";
import {
  energyRange,
  liveEnergy,
  meanPricePerWhOver,
  sharedEnergySlots,
} from "../../../../backend/pricing/schedule/one-bid-energy.ts";
import { meanEnergyPricePerWh, prepareEnergy } from "../../../../backend/pricing/schedule/prepare.ts";
import type { TimedBook } from "../../../../backend/pricing/schedule/types.ts";
import { bidHours, toTimedBook } from "../../../../backend/pricing/scheduling.ts";
import { marketBook } from "../../api/market-book.ts";
import { quoteBodies } from "../../api/quote-bodies.ts";
import { randomTimeBook, TIME_BOOK_NOW } from "./fixtures/books.ts";

const NOW = 1_900_000_800;
const HOUR = 3_600;

const market = admitBook(marketBook({ now: NOW })).book;
/** The API's market book without bids, as the scheduler reads it (its offer lists are the market's own). */
function marketTimedBook(): TimedBook {
  return toTimedBook({ ...market, bids: [] });
}

/** Every window [base, base + span) from before the offers' range to after it, on hour steps. */
function* windows(book: TimedBook): Generator<[number, number]> {
  const range = energyRange(book.energyOffers);
  for (let base = range.base - 3; base <= range.base + range.span + 2; base += 1)
    for (const span of [1, 2, 5, 17, 48, range.span + 6]) yield [base, span];
}

describe("the one-bid scheduler's shared certificates", () => {
  it("gives meanEnergyPricePerWh's estimate to the last bit over every window, from exact sums or by its own sum", () => {
    const timed = marketTimedBook();
    // Some prices so high that price × Wh passes 2^53 beside ordinary ones: the per-hour sums are not
    // exact (summed in another order they round differently), so the estimate is summed as before.
    const dear: TimedBook = {
      ...timed,
      energyOffers: timed.energyOffers.map((e) => ({
        ...e,
        reservePricePerKwh: e.id % 3n === 0n ? (e.reservePricePerKwh << 40n) + e.id : e.reservePricePerKwh,
      })),
    };
    const seeded = randomTimeBook({ orders: 400, seed: 5, flexibleShare: 0.5, compatibleOffers: 6 });
    let compared = 0;
    let priced = 0;
    for (const [book, now] of [
      [timed, NOW],
      [dear, NOW],
      [seeded, TIME_BOOK_NOW],
      [seeded, TIME_BOOK_NOW + 30 * HOUR],
    ] as const) {
      const live = liveEnergy(book.energyOffers, now);
      for (const [base, span] of windows(book)) {
        const expected = meanEnergyPricePerWh(book, live, base, span);
        assert.equal(meanPricePerWhOver(book, live, base, span), expected, `window ${base} + ${span}`);
        compared++;
        if (expected > 0) priced++;
      }
    }
    assert.ok(compared > 1_000 && priced > compared / 2, `${priced} of ${compared} windows priced`);
  });

  it("hands out the same live list while the same offers are live, and a new one once an offer expires", () => {
    const book = marketTimedBook();
    const first = liveEnergy(book.energyOffers, NOW);
    assert.equal(liveEnergy(book.energyOffers, NOW + 1), first);
    const soonest = Math.min(...book.energyOffers.map((e) => e.expiry));
    const later = liveEnergy(book.energyOffers, soonest);
    assert.notEqual(later, first);
    assert.ok(later.length < first.length);
    assert.ok(later.every(({ e }) => e.expiry > soonest));
  });

  it("lays out every region's slots over the offers' range as prepareEnergy does, and no schedule changes them", () => {
    const book = marketTimedBook();
    const live = liveEnergy(book.energyOffers, NOW);
    const { base, span } = energyRange(book.energyOffers);
    const before = structuredClone(sharedEnergySlots(book, live));
    const { order, ...slots } = before;
    assert.deepEqual(slots, prepareEnergy(book, live, base, span, -1));
    // The purchase order it keeps: every slot once, by price, then offer, then hour, and its rank the inverse.
    assert.ok(order !== undefined);
    assert.equal(order.slots.length, slots.left.length);
    for (let i = 0; i < order.slots.length; i++) {
      assert.equal(order.rank[order.slots[i]], i);
      if (i === 0) continue;
      const [x, y] = [order.slots[i - 1], order.slots[i]];
      const key = (s: number) => [slots.pricePerKwh[s], slots.offer[s], slots.hour[s]];
      const [kx, ky] = [key(x), key(y)];
      const before = kx[0] < ky[0] || (kx[0] === ky[0] && (kx[1] < ky[1] || (kx[1] === ky[1] && kx[2] < ky[2])));
      assert.ok(before, `slot ${x} ${kx} is bought before slot ${y} ${ky}`);
    }
    // Green quotes of every origin rule scheduled on the shared slots buy certificates from copies of them.
    let green = 0;
    for (const body of quoteBodies({ now: NOW, count: 300 })) {
      const request = QuoteRequest.parse(JSON.parse(body));
      const oneBid = toTimedBook({ ...market, bids: [bidOf(request, NOW)] });
      const result = scheduleOneBid(oneBid, { now: NOW, platformFeeBps: 30 }, bidHours(oneBid, NOW));
      if (result.matches.some((m) => m.energyLots.length > 0)) green++;
    }
    assert.ok(green > 50, `${green} quotes bought certificates`);
    assert.equal(sharedEnergySlots(book, live), sharedEnergySlots(book, live));
    assert.deepEqual(sharedEnergySlots(book, live), before);
  });
});
