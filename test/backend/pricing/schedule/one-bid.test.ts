// The one-bid scheduler (backend/pricing/schedule/one-bid.ts) must give the general fast scheduler's
// answer on every one-bid book: quotes are held to what the matcher would settle.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { bidOf } from "../../../../backend/api/quote.ts";
import { QuoteRequest } from "../../../../backend/api/schemas/quote.ts";
import { admitBook } from "../../../../backend/book/admit.ts";
import { scheduleFast } from "../../../../backend/pricing/schedule/fast.ts";
import { scheduleOneBid } from "../../../../backend/pricing/schedule/one-bid.ts";
import type { ScheduleResult, TimedBid, TimedBook } from "../../../../backend/pricing/schedule/types.ts";
import { bidHours, clearBook, cutToHours, toTimedBook } from "../../../../backend/pricing/scheduling.ts";
import { marketBook } from "../../api/market-book.ts";
import { quoteBodies } from "../../api/quote-bodies.ts";
import { randomTimeBook, rng, TIME_BOOK_NOW } from "./fixtures/books.ts";

const rules = { now: TIME_BOOK_NOW, platformFeeBps: 30 };
const HOUR = 3_600;

const answer = (r: ScheduleResult) => ({ matches: r.matches, welfare: r.welfare });

/** Each bid of a seeded book alone on it, as written and with its window, size, limit and green terms varied. */
function oneBidBooks(seed: number, flexibleShare: number): TimedBook[] {
  const book = randomTimeBook({ orders: 120, seed, flexibleShare, compatibleOffers: 6 });
  const random = rng(seed * 7919);
  const books: TimedBook[] = [];
  for (const bid of book.bids) {
    books.push({ ...book, bids: [bid] });
    const wider = Math.floor(random() * 30);
    const varied: TimedBid = {
      ...bid,
      latestEnd: bid.latestEnd + wider * HOUR,
      vcu: 1 + Math.floor(random() * 200),
      limitPricePerVcuHour: (bid.limitPricePerVcuHour * BigInt(60 + Math.floor(random() * 150))) / 100n,
      minGreenBps: [0, 1, 2_500, 5_000, 10_000][Math.floor(random() * 5)],
      certificateOrigin: Math.floor(random() * 3),
      bandwidthMbps: BigInt([0, 10, 100, 1_000][Math.floor(random() * 4)]),
      maxLatencyMs: [5, 30, 200][Math.floor(random() * 3)],
    };
    books.push({ ...book, bids: [varied] });
  }
  return books;
}

describe("the one-bid scheduler", () => {
  it("gives scheduleFast's matches and welfare on thousands of random one-bid books, uncut and cut to the bid's hours", () => {
    let compared = 0;
    let matched = 0;
    for (let seed = 1; seed <= 24; seed++) {
      for (const book of oneBidBooks(seed, seed % 3 === 0 ? 0 : 0.7)) {
        const fast = scheduleFast(book, rules);
        assert.deepEqual(answer(scheduleOneBid(book, rules)), answer(fast), `seed ${seed}, bid ${book.bids[0].id}`);
        const hours = bidHours(book, rules.now);
        if (hours !== undefined) {
          assert.deepEqual(
            answer(scheduleOneBid(book, rules, hours)),
            answer(scheduleFast(cutToHours(book, hours), rules)),
            `seed ${seed}, bid ${book.bids[0].id}, cut`,
          );
        }
        compared++;
        if (fast.matches.length > 0) matched++;
      }
    }
    assert.ok(compared >= 2_500, `${compared} books`);
    // Not a vacuous comparison: most bids are served, some by several offers.
    assert.ok(matched >= compared / 4, `${matched} of ${compared} served`);
  });

  it("gives scheduleFast's answer to 1,200 quote bodies against the API's market book (clearBook's path)", () => {
    const now = 1_900_000_800;
    const book = admitBook(marketBook({ now })).book;
    let split = 0;
    for (const body of quoteBodies({ now, count: 1_200 })) {
      const bid = bidOf(QuoteRequest.parse(JSON.parse(body)), now);
      const oneBid = { ...book, bids: [bid] };
      const timed = toTimedBook(oneBid);
      const hours = bidHours(timed, now);
      const fast = scheduleFast(hours === undefined ? timed : cutToHours(timed, hours), { now, platformFeeBps: 30 });
      const cleared = clearBook(oneBid, { now, platformFeeBps: 30 });
      assert.deepEqual(
        cleared.matches.map((m) => ({ ...m, vcu: Number(m.vcu) })),
        fast.matches,
        body,
      );
      assert.equal(cleared.welfare, fast.welfare, body);
      if (fast.matches.length > 1) split++;
    }
    assert.ok(split > 0, "some quotes are served by several offers");
  });

  it("refuses a book of two bids", () => {
    const book = randomTimeBook({ orders: 40, seed: 3 });
    assert.throws(() => scheduleOneBid({ ...book, bids: book.bids.slice(0, 2) }, rules), /one bid, not 2/);
  });
});
