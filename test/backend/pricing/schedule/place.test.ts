import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkSchedule } from "../../../../backend/pricing/schedule/check.ts";
import { ScheduleState } from "../../../../backend/pricing/schedule/place.ts";
import { prepareSchedule, routeKey } from "../../../../backend/pricing/schedule/prepare.ts";
import type { TimedBook } from "../../../../backend/pricing/schedule/types.ts";
import { randomTimeBook, TIME_BOOK_NOW } from "./fixtures/books.ts";
import { bid, book, computeOffer, energyOffer, H, RULES, T0 } from "./fixtures/orders.ts";

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

  it("copies into a spare copy's arrays the same state a fresh copy has, leaving the original untouched", () => {
    const spare = state.clone();
    for (let b = 0; b < prep.bids.length; b += 3) spare.remove(b);
    const spareLeft = spare.prep.energy.left;
    const into = state.clone(spare);
    const fresh = state.clone();
    assert.equal(into.prep.energy.left, spareLeft, "the spare's certificate slots are written over, not replaced");
    assert.deepEqual(into.prep.computeFree, fresh.prep.computeFree);
    assert.deepEqual(into.prep.linkFree, fresh.prep.linkFree);
    assert.deepEqual(into.prep.energy.left, fresh.prep.energy.left);
    assert.deepEqual(into.prep.energy.supplyRegion, fresh.prep.energy.supplyRegion);
    assert.deepEqual(into.prep.energy.supplyArea, fresh.prep.energy.supplyArea);
    assert.deepEqual(into.prep.energy.supplyAll, fresh.prep.energy.supplyAll);
    assert.deepEqual(into.matches, fresh.matches);
    assert.equal(into.welfare, fresh.welfare);
    // Both change apart from then on, and from the state they copy.
    into.remove(0);
    fresh.remove(1);
    assert.notDeepEqual(into.matches, fresh.matches);
    assert.equal(state.matches.length, placed);
    assert.notEqual(into.prep.energy.left, state.prep.energy.left);
  });

  it("keeps no holder lists when asked not to, and places and removes the same as one that does", () => {
    const plain = new ScheduleState(
      prepareSchedule(book, rules),
      book,
      rules.platformFeeBps,
      true,
      false,
      false,
      0,
      false,
    );
    const held = new ScheduleState(prepareSchedule(book, rules), book, rules.platformFeeBps, true);
    for (const s of [plain, held])
      for (let b = 0; b < prep.bids.length; b++)
        for (const c of prep.bids[b].candidates)
          s.place(b, c, Math.max(prep.bids[b].firstStart, prep.computes[c].start), 1e9);
    for (const s of [plain, held]) for (let b = 0; b < prep.bids.length; b += 2) s.remove(b);
    assert.deepEqual(plain.matches, held.matches);
    assert.deepEqual(plain.prep.energy.left, held.prep.energy.left);
    const blockers = (s: ScheduleState) => {
      let n = 0;
      for (let c = 0; c < prep.computes.length; c++) s.holdersOfOffer(c, 0, prep.span, () => n++);
      return n;
    };
    assert.ok(blockers(held) > 0);
    assert.equal(blockers(plain), 0);
  });

  const listed = (walk: (visit: (b: number) => void) => void) => {
    const found = new Set<number>();
    walk((b) => found.add(b));
    return [...found].sort((x, y) => x - y);
  };

  it("names the bids holding a compute offer in given hours (pass 4's blockers), before and after a take-out", () => {
    const holders = (s: ScheduleState, c: number, from: number, to: number) =>
      [
        ...new Set(
          s.matches
            .map((m) => ({ m, b: prep.bids.findIndex((x) => x.order.id === m.bidId) }))
            .filter(({ m, b }) => {
              const h = m.start / 3600 - prep.base;
              return m.computeOfferId === prep.computes[c].order.id && h < to && h + prep.bids[b].duration > from;
            })
            .map(({ b }) => b),
        ),
      ].sort((x, y) => x - y);
    const copy = state.clone();
    const some = prep.bids.map((_, i) => i).filter((i) => copy.start[i] >= 0 && i % 4 === 1);
    const taken = some.map((b) => copy.takeOut(b));
    const half = taken.filter((_, i) => i % 2 === 0);
    for (const t of half) copy.putBack(t);
    let nonEmpty = 0;
    for (let c = 0; c < prep.computes.length; c++)
      for (const [from, to] of [
        [0, prep.span],
        [prep.computes[c].start, prep.computes[c].start + 2],
      ]) {
        for (const s of [state, copy]) {
          const expected = holders(s, c, from, to);
          if (expected.length > 0) nonEmpty++;
          assert.deepEqual(
            listed((visit) => s.holdersOfOffer(c, from, to, visit)),
            expected,
          );
        }
      }
    assert.ok(nonEmpty > 10);
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
        listed((visit) => state.holdersOfCertificates(regions, from, to, visit)),
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

  it("puts the same record back twice without the links a try in between bought (pass 4's undone tries)", () => {
    // Each bid 1 VCU on its first candidate away from the buyer: served in part, holding a link.
    const fresh = prepareSchedule(book, rules);
    const state = new ScheduleState(fresh, book, rules.platformFeeBps, true);
    for (let b = 0; b < fresh.bids.length; b++) {
      const c = fresh.bids[b].candidates.find((c) => fresh.computes[c].region !== fresh.bids[b].order.buyerRegion);
      if (c !== undefined) state.place(b, c, Math.max(fresh.bids[b].firstStart, fresh.computes[c].start), 1);
    }
    let exercised = 0;
    for (let b = 0; b < prep.bids.length && exercised < 5; b++) {
      const links = state.piecesOf(b).links;
      if (state.start[b] < 0 || state.remaining[b] <= 0 || links === undefined) continue;
      const buyer = prep.bids[b].order.buyerRegion;
      const held = new Set(state.piecesOf(b).pieces.map((t) => t.offer));
      // An offer it holds nothing of, on a route it holds no link on.
      const other = prep.bids[b].candidates.find(
        (c) =>
          !held.has(c) && prep.computes[c].region !== buyer && !links.has(routeKey(prep.computes[c].region, buyer)),
      );
      if (other === undefined) continue;
      const copy = state.clone();
      const record = copy.takeOut(b);
      copy.putBack(record);
      // A try: the bid's link bought on that route, then undone.
      const tried = copy.matches.length;
      if (copy.place(b, other, record.start, 1) === 0 || copy.matches[tried].bandwidthPayment === 0n) continue;
      copy.removeAll([b], false);
      copy.putBack(record);
      // Placed again, it must buy its link again: the undone try's link is not the bid's any more.
      assert.ok(copy.place(b, other, record.start, 1) > 0);
      const check = checkSchedule(book, copy.matches, rules);
      assert.deepEqual(
        check.violations.filter((v) => v !== undefined),
        [],
      );
      exercised++;
    }
    assert.ok(exercised > 0, "no bid took a link on another route");
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

describe("a state that reroutes certificates (green pieces short of their hours' certificates)", () => {
  // Job A (2 h from T0, 50 % green: 600 Wh of its 2 × 600 Wh need) takes the cheaper second hour;
  // job B (1 h at T0 + 1 h, 100 % green) can use nothing but that hour. Each has its own compute offer.
  const a = bid({ id: 10n, latestEnd: T0 + 2 * H, expiry: T0 + 2 * H });
  const b = bid({
    id: 11n,
    earliestStart: T0 + H,
    latestEnd: T0 + 2 * H,
    durationHours: 1,
    minGreenBps: 10_000,
    buyerRegion: 8,
    acceptableRegions: 1n << 8n,
    expiry: T0 + 2 * H,
  });
  const bookOf = (firstHourPricePerKwh: bigint, limitA: bigint): TimedBook =>
    book({
      bids: [{ ...a, limitPricePerVcuHour: limitA }, b],
      computeOffers: [computeOffer({ id: 1n, vcu: 4 }), computeOffer({ id: 2n, region: 8, vcu: 4 })],
      energyOffers: [
        energyOffer({ id: 20n, firstHour: T0, whPerHour: [0n, 600n], expiry: T0 + 2 * H }),
        energyOffer({
          id: 21n,
          deviceId: 6n,
          firstHour: T0,
          whPerHour: [600n, 0n],
          reservePricePerKwh: firstHourPricePerKwh,
          expiry: T0 + 2 * H,
        }),
      ],
    });
  const schedule = (hand: TimedBook, reroute: boolean, checksPerBid?: number) => {
    const prep = prepareSchedule(hand, RULES);
    const state = new ScheduleState(prep, hand, RULES.platformFeeBps, false, true, reroute, checksPerBid);
    const [onA, onB] = [prep.bids[0].candidates[0], prep.bids[1].candidates[0]];
    assert.equal(state.place(0, onA, prep.bids[0].firstStart, 4), 4);
    return { state, placedB: state.place(1, onB, prep.bids[1].firstStart, 4) };
  };
  const lots = (state: ScheduleState, id: bigint) =>
    state.matches.filter((m) => m.bidId === id).flatMap((m) => m.energyLots.map((l) => [l.offerId, l.hour, l.wh]));

  it("moves the holder's certificates to another hour of its job, so that the job needing that hour is served", () => {
    const hand = bookOf(60n, 1000n);
    const without = schedule(hand, false);
    assert.equal(without.placedB, 0, "without rerouting B finds its hour sold");
    const { state, placedB } = schedule(hand, true);
    assert.equal(placedB, 4);
    assert.deepEqual(lots(state, 10n), [[21n, T0, 600n]]);
    assert.deepEqual(lots(state, 11n), [[20n, T0 + H, 600n]]);
    const check = checkSchedule(hand, state.matches, RULES);
    assert.deepEqual(
      check.violations.filter((v) => v !== undefined),
      [],
    );
    assert.ok(Math.abs(check.welfare - state.welfare) <= 1e-6 * check.welfare, "welfare counts the dearer Wh");
    assert.ok(state.welfare > without.state.welfare);
  });

  it("asks holders to move only while its budget of checks per bid lasts", () => {
    const hand = bookOf(60n, 1000n);
    // Two bids: half a check per bid is the one check B needs; none leaves A's certificates alone.
    assert.equal(schedule(hand, true, 0.5).placedB, 4);
    const spent = schedule(hand, true, 0);
    assert.equal(spent.placedB, 0);
    assert.deepEqual(lots(spent.state, 10n), [[20n, T0 + H, 600n]]);
  });

  it("leaves the holder's certificates where they are when the dearer ones would break its all-in limit", () => {
    // A pays 800 for compute; 600 Wh at 50/kWh fit its limit of 110 × 8 with the fee, at 200/kWh not.
    const hand = bookOf(200n, 110n);
    const { state, placedB } = schedule(hand, true);
    assert.equal(placedB, 0);
    assert.deepEqual(lots(state, 10n), [[20n, T0 + H, 600n]]);
  });

  it("undoes a move's rerouting exactly: the holder's certificates, lots and match as before (pass 4)", () => {
    const hand = bookOf(60n, 1000n);
    const prep = prepareSchedule(hand, RULES);
    const state = new ScheduleState(prep, hand, RULES.platformFeeBps, true, true, true);
    state.place(0, prep.bids[0].candidates[0], prep.bids[0].firstStart, 4);
    const matches = state.matches;
    const [left, supply, welfare] = [prep.energy.left.slice(), prep.energy.supplyAll.slice(), state.welfare];
    state.openMove();
    const log = state.piecesOf(1);
    assert.equal(state.place(1, prep.bids[1].candidates[0], prep.bids[1].firstStart, 4), 4);
    assert.deepEqual(lots(state, 10n), [[21n, T0, 600n]], "A's certificates moved for B");
    state.undoReroutes((v) => v === 1);
    state.removeAll([1], false);
    state.putBack(log);
    state.closeMove();
    assert.deepEqual(state.matches, matches);
    assert.deepEqual(prep.energy.left, left);
    assert.deepEqual(prep.energy.supplyAll, supply);
    assert.ok(Math.abs(state.welfare - welfare) <= 1e-9 * welfare);
    // The holder lists name A on its certificate again, and the reroute budget is whole: B is served again.
    const named = new Set<number>();
    state.holdersOfCertificates(-1, 0, prep.span, (v) => named.add(v));
    assert.deepEqual([...named], [0]);
    assert.equal(state.place(1, prep.bids[1].candidates[0], prep.bids[1].firstStart, 4), 4);
    const check = checkSchedule(hand, state.matches, RULES);
    assert.deepEqual(
      check.violations.filter((v) => v !== undefined),
      [],
    );
  });

  it("gives back the rerouted certificates when the holder is removed", () => {
    const hand = bookOf(60n, 1000n);
    const prep = prepareSchedule(hand, RULES);
    const left = prep.energy.left.slice();
    const state = new ScheduleState(prep, hand, RULES.platformFeeBps, true, true, true);
    state.place(0, prep.bids[0].candidates[0], prep.bids[0].firstStart, 4);
    assert.equal(state.place(1, prep.bids[1].candidates[0], prep.bids[1].firstStart, 4), 4);
    state.removeAll([0, 1]);
    assert.deepEqual(state.prep.energy.left, left);
    assert.equal(state.matches.length, 0);
    assert.ok(Math.abs(state.welfare) < 1e-6);
  });
});
