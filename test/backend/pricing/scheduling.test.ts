// Stage 1 as the matcher and the quote call it (backend/pricing/scheduling.ts): the contract's shapes
// in and out of the scheduler, jobs never scheduled in the past, and the checker naming the skip
// reason of a match the market would refuse.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { scheduleFast } from "../../../backend/pricing/schedule/fast.ts";
import { checkBatch, clearBook, fromScheduledMatch, toScheduledMatch } from "../../../backend/pricing/scheduling.ts";
import {
  bandwidthOffer,
  bid,
  book,
  computeOffer,
  energyOffer,
  H,
  JOB_START,
  NOW,
  orderBookOf,
  validMatch,
} from "./fixtures/orders.ts";
import { randomTimeBook, TIME_BOOK_NOW } from "./schedule/fixtures/books.ts";

const rules = { now: NOW, platformFeeBps: 30 };

describe("clearBook", () => {
  it("schedules a job of the contract's shapes into a match settle takes: start, VCU and lots inside the job's hours", () => {
    const b = book({ bids: [bid()], computeOffers: [computeOffer()], energyOffers: [energyOffer()] });
    const { matches } = clearBook(b, rules);
    assert.equal(matches.length, 1);
    const [m] = matches;
    assert.equal(m.start, JOB_START);
    assert.equal(m.vcu, 50n);
    assert.ok(m.energyLots.every((l) => l.hour >= JOB_START && l.hour < JOB_START + 2 * H));
    assert.deepEqual(checkBatch(b, matches, rules).violations, [undefined]);
  });

  it("never starts a job in the past, even when its window began hours ago", () => {
    const late = NOW + 5 * H + 600; // the batch settles ten minutes into an hour
    const b = book({
      bids: [bid({ earliestStart: NOW, latestEnd: NOW + 12 * H, expiry: NOW + 12 * H })],
      computeOffers: [computeOffer()],
      energyOffers: [energyOffer()],
    });
    const { matches } = clearBook(b, { ...rules, now: late });
    assert.equal(matches.length, 1);
    assert.equal(matches[0].start, NOW + 6 * H, "the next whole hour");
    // The market refuses the past start though the bid's window allows it, and so does the checker.
    const past = { ...matches[0], start: NOW + 2 * H, energyLots: [] };
    const noGreen = book({
      ...b,
      bids: [bid({ earliestStart: NOW, latestEnd: NOW + 12 * H, minGreenBps: 0, expiry: NOW + 12 * H })],
    });
    assert.deepEqual(checkBatch(noGreen, [past], { ...rules, now: late }).violations, ["StartPassed"]);
    assert.deepEqual(checkBatch(noGreen, [past], { ...rules, now: NOW + 2 * H }).violations, [undefined]);
  });

  it("adds no VCU to a job whose fixed start has passed: the market would skip it (StartPassed)", () => {
    const running = bid({
      start: JOB_START,
      earliestStart: NOW,
      latestEnd: NOW + 12 * H,
      remainingVcu: 20,
      minGreenBps: 0,
      expiry: NOW + 12 * H,
    });
    const b = book({ bids: [running], computeOffers: [computeOffer()] });
    assert.deepEqual(clearBook(b, { ...rules, now: JOB_START + 60 }).matches, []);
    assert.equal(clearBook(b, { ...rules, now: JOB_START }).matches.length, 1);
  });

  it("keeps the start an earlier match fixed", () => {
    const b = book({
      bids: [bid({ start: JOB_START + H, earliestStart: NOW, latestEnd: NOW + 12 * H, remainingVcu: 20 })],
      computeOffers: [computeOffer()],
      energyOffers: [energyOffer()],
    });
    const { matches } = clearBook(b, rules);
    assert.deepEqual(
      matches.map((m) => [m.start, m.vcu]),
      [[JOB_START + H, 20n]],
    );
  });
});

describe("clearBook on seeded books", () => {
  it("schedules only matches the market accepts, as much welfare as the scheduler finds on the uncut book", () => {
    for (let seed = 1; seed <= 8; seed++) {
      const timed = randomTimeBook({ orders: 300, seed });
      const b = orderBookOf(timed);
      const r = { now: TIME_BOOK_NOW, platformFeeBps: 30 };
      const cut = clearBook(b, r);
      assert.ok(cut.matches.length > 0, `seed ${seed}`);
      assert.deepEqual(
        checkBatch(b, cut.matches, r).violations.filter((v) => v !== undefined),
        [],
      );
      assert.equal(cut.welfare, scheduleFast(timed, r).welfare, `seed ${seed}`);
    }
  });
});

describe("checkBatch", () => {
  it("names the reason the market would skip a match, and lets the rest of the batch through", () => {
    const b = book({
      bids: [
        bid(),
        bid({ id: 2n, start: JOB_START + H }),
        bid({ id: 3n, acceptableRegions: 1n << 2n, certificateOrigin: 0 }),
        bid({ id: 4n }),
      ],
      computeOffers: [computeOffer(), computeOffer({ id: 11n, region: 2 })],
      energyOffers: [energyOffer()],
      bandwidthOffers: [bandwidthOffer()],
    });
    const violations = checkBatch(
      b,
      [
        validMatch({ bidId: 2n }), // bid 2's job already starts an hour later
        validMatch(),
        validMatch({ bidId: 3n, computeOfferId: 11n, bandwidthOfferId: 30n, bandwidthPayment: 400_000n }),
        validMatch({ bidId: 4n, energyLots: [{ offerId: 20n, hour: JOB_START + 2 * H, wh: 1n, payment: 1n }] }),
      ],
      rules,
    ).violations;
    assert.deepEqual(violations, ["StartMismatch", undefined, "OriginNotAccepted", "LotOutsideJobHours"]);
  });

  it("round-trips the contract's match through the scheduler's", () => {
    const m = validMatch({ bandwidthOfferId: 30n, bandwidthPayment: 5n });
    assert.deepEqual(fromScheduledMatch(toScheduledMatch(m)), m);
    assert.equal(
      toScheduledMatch({ ...m, vcu: 2n ** 40n }).vcu,
      -1,
      "a VCU count no uint32 holds cannot pass as valid",
    );
  });
});
