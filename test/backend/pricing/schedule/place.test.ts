import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkSchedule } from "../../../../backend/pricing/schedule/check.ts";
import { ScheduleState } from "../../../../backend/pricing/schedule/place.ts";
import { prepareSchedule } from "../../../../backend/pricing/schedule/prepare.ts";
import { randomTimeBook, TIME_BOOK_NOW } from "./fixtures/books.ts";

const rules = { now: TIME_BOOK_NOW, platformFeeBps: 30 };

describe("an undoable schedule state (pass 4 of the fast scheduler)", () => {
  const book = randomTimeBook({ orders: 400, seed: 3 });
  const prep = prepareSchedule(book, rules);
  const free = prep.computeFree.slice();
  const links = prep.linkFree.slice();
  const wh = prep.energy.left.slice();
  const supply = prep.energy.supplyAll.slice();
  const state = new ScheduleState(prep, book, rules.platformFeeBps, true);
  for (let b = 0; b < prep.bids.length; b++)
    for (const c of prep.bids[b].candidates)
      state.place(b, c, Math.max(prep.bids[b].firstStart, prep.computes[c].start), 1e9);
  const placed = state.matches.length;

  it("places pieces that all settle", () => {
    assert.ok(placed > 10, `only ${placed} pieces placed`);
    const check = checkSchedule(book, state.matches, rules);
    assert.deepEqual(
      check.violations.filter((v) => v !== undefined),
      [],
    );
  });

  it("gives back every VCU-hour, certificate Wh, link Mbps and the welfare when its bids are removed", () => {
    const copy = state.clone();
    for (let b = 0; b < prep.bids.length; b++) copy.remove(b);
    assert.equal(copy.matches.length, 0);
    assert.ok(Math.abs(copy.welfare) <= 1e-6 * Math.max(1, state.welfare), `welfare left ${copy.welfare}`);
    assert.deepEqual(copy.prep.computeFree, free);
    assert.deepEqual(copy.prep.linkFree, links);
    assert.deepEqual(copy.prep.energy.left, wh);
    assert.deepEqual(copy.prep.energy.supplyAll, supply);
    assert.deepEqual(
      Array.from(copy.remaining),
      Array.from(prep.bids, (b) => b.remaining),
    );
    assert.ok(copy.start.every((s) => s === -1));
  });

  it("leaves the state it was cloned from untouched", () => {
    assert.equal(state.matches.length, placed);
    assert.notDeepEqual(state.prep.computeFree, free);
    const check = checkSchedule(book, state.matches, rules);
    assert.ok(Math.abs(check.welfare - state.welfare) <= 1e-6 * Math.max(1, check.welfare));
  });

  it("names the bids holding certificates of given regions and hours (pass 4's green blockers)", () => {
    const region = new Map(book.energyOffers.map((e) => [e.id, e.region]));
    const holders = (regions: number, from: number, to: number) =>
      [
        ...new Set(
          state.matches
            .filter((m) =>
              m.energyLots.some((l) => {
                const h = l.hour / 3600 - prep.base;
                return h >= from && h < to && ((regions >>> (region.get(l.offerId) ?? 0)) & 1) === 1;
              }),
            )
            .map((m) => prep.bids.findIndex((b) => b.order.id === m.bidId)),
        ),
      ].sort((x, y) => x - y);
    const lot = state.matches.flatMap((m) => m.energyLots)[0];
    const h = lot.hour / 3600 - prep.base;
    const cases: [number, number, number][] = [
      [1 << (region.get(lot.offerId) ?? 0), h, h + 1],
      [-1, h - 12, h + 12],
      [-1, 0, prep.span],
      [0, 0, prep.span],
    ];
    for (const [regions, from, to] of cases) {
      const expected = holders(regions, from, to);
      assert.deepEqual(
        state.bidsOnCertificates(regions, from, to).sort((x, y) => x - y),
        expected,
      );
      if (regions !== 0) assert.ok(expected.length > 0);
    }
  });

  it("removes several bids at once exactly as one by one", () => {
    const some = prep.bids.map((_, i) => i).filter((i) => state.start[i] >= 0 && i % 3 === 0);
    assert.ok(some.length > 3);
    const together = state.clone();
    together.removeAll(some);
    const apart = state.clone();
    for (const b of some) apart.remove(b);
    assert.deepEqual(together.matches, apart.matches);
    assert.deepEqual(together.prep.computeFree, apart.prep.computeFree);
    assert.deepEqual(together.prep.energy.left, apart.prep.energy.left);
    assert.deepEqual(together.prep.linkFree, apart.prep.linkFree);
    assert.equal(
      together.matches.length,
      state.matches.filter((m) => !some.some((b) => prep.bids[b].order.id === m.bidId)).length,
    );
    assert.ok(Math.abs(together.welfare - apart.welfare) <= 1e-6 * Math.max(1, state.welfare));
  });

  it("removes one bid's pieces and keeps the others'", () => {
    const copy = state.clone();
    const b = prep.bids.findIndex((_, i) => state.start[i] >= 0);
    copy.remove(b);
    const id = prep.bids[b].order.id;
    assert.ok(copy.matches.length < placed);
    assert.ok(copy.matches.every((m) => m.bidId !== id));
    assert.equal(copy.matches.length, state.matches.filter((m) => m.bidId !== id).length);
    const check = checkSchedule(book, copy.matches, rules);
    assert.ok(Math.abs(check.welfare - copy.welfare) <= 1e-6 * Math.max(1, check.welfare));
  });
});
