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
import { scheduleFast } from "../../../../backend/pricing/schedule/fast.ts";
import { scheduleOneBid } from "../../../../backend/pricing/schedule/one-bid.ts";
import {
  energyRange,
  KEPT_LAYOUTS,
  liveEnergy,
  meanPricePerWhOver,
  sharedEnergySlots,
} from "../../../../backend/pricing/schedule/one-bid-energy.ts";
import { meanEnergyPricePerWh, prepareEnergy } from "../../../../backend/pricing/schedule/prepare.ts";
import type { TimedBook } from "../../../../backend/pricing/schedule/types.ts";
import { bidHours, cutToHours, toTimedBook } from "../../../../backend/pricing/scheduling.ts";
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

  it("lays out what prepareEnergy lays out over the offers' range, and no schedule changes it", () => {
    const book = marketTimedBook();
    const live = liveEnergy(book.energyOffers, NOW);
    const { base, span } = energyRange(book.energyOffers);
    const masks = [-1, 1 << 3, (1 << 8) | (1 << 5) | 1];
    const before = masks.map((m) => structuredClone(sharedEnergySlots(book, live, m)));
    masks.forEach((m, k) => assert.deepEqual(before[k], prepareEnergy(book, live, base, span, m)));
    // Green quotes scheduled on the shared slots buy certificates from copies of them.
    let green = 0;
    for (const body of quoteBodies({ now: NOW, count: 300 })) {
      const request = QuoteRequest.parse(JSON.parse(body));
      const oneBid = toTimedBook({ ...market, bids: [bidOf(request, NOW)] });
      const result = scheduleOneBid(oneBid, { now: NOW, platformFeeBps: 30 }, bidHours(oneBid, NOW));
      if (result.matches.some((m) => m.energyLots.length > 0)) green++;
    }
    assert.ok(green > 50, `${green} quotes bought certificates`);
    masks.forEach((m, k) => assert.deepEqual(sharedEnergySlots(book, live, m), before[k]));
  });

  it("keeps at most KEPT_LAYOUTS sets of regions per live list, and schedules the same without a kept layout", () => {
    // Its own offer list (a copy), so that filling its layouts leaves the other tests' alone.
    const book = { ...marketTimedBook(), energyOffers: [...market.energyOffers] };
    const live = liveEnergy(book.energyOffers, NOW);
    for (let regions = 1; regions <= KEPT_LAYOUTS; regions++)
      assert.notEqual(sharedEnergySlots(book, live, regions << 8), undefined);
    assert.equal(sharedEnergySlots(book, live, -1), undefined);
    const rules = { now: NOW, platformFeeBps: 30 };
    let green = 0;
    for (const body of quoteBodies({ now: NOW, count: 300 })) {
      const request = QuoteRequest.parse(JSON.parse(body));
      const timed = toTimedBook({ ...market, bids: [bidOf(request, NOW)] });
      const oneBid = { ...timed, energyOffers: book.energyOffers };
      const hours = bidHours(oneBid, NOW);
      const result = scheduleOneBid(oneBid, rules, hours);
      const fast = scheduleFast(hours === undefined ? oneBid : cutToHours(oneBid, hours), rules);
      assert.deepEqual(
        { matches: result.matches, welfare: result.welfare },
        { matches: fast.matches, welfare: fast.welfare },
        body,
      );
      if (result.matches.some((m) => m.energyLots.length > 0)) green++;
    }
    assert.ok(green > 50, `${green} quotes bought certificates`);
  });
});
