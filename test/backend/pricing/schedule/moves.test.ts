import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkSchedule } from "../../../../backend/pricing/schedule/check.ts";
import { moveGreenHolders, replaceShortFlexible } from "../../../../backend/pricing/schedule/moves.ts";
import { ScheduleState } from "../../../../backend/pricing/schedule/place.ts";
import { prepareSchedule } from "../../../../backend/pricing/schedule/prepare.ts";
import type { TimedBook } from "../../../../backend/pricing/schedule/types.ts";
import { randomTimeBook, TIME_BOOK_NOW } from "./fixtures/books.ts";
import { bid, book, computeOffer, energyOffer, H, RULES, T0 } from "./fixtures/orders.ts";

describe("the move pass (holders make room for a green job)", () => {
  // A (1 h anywhere in [T0, T0 + 2 h), 100 % green) is placed first at T0 + 1 h and takes the only
  // certificates of that hour; B (1 h at T0 + 1 h, 100 % green) can use nothing else. A 1 h job has
  // no other hour to reroute its certificates to: only a new start frees them.
  const green = { durationHours: 1, minGreenBps: 10_000, buyerRegion: 8, acceptableRegions: 1n << 8n };
  const a = bid({ ...green, id: 10n, latestEnd: T0 + 2 * H, expiry: T0 + 2 * H });
  const b = bid({ ...green, id: 11n, earliestStart: T0 + H, latestEnd: T0 + 2 * H, expiry: T0 + 2 * H });
  const bookOf = (limitA: bigint, otherHourWh: bigint): TimedBook =>
    book({
      bids: [{ ...a, limitPricePerVcuHour: limitA }, b],
      computeOffers: [computeOffer({ id: 2n, region: 8, vcu: 8 })],
      energyOffers: [
        energyOffer({ id: 20n, firstHour: T0, whPerHour: [0n, 600n], expiry: T0 + 2 * H }),
        energyOffer({ id: 21n, deviceId: 6n, firstHour: T0, whPerHour: [otherHourWh, 0n], expiry: T0 + 2 * H }),
      ],
    });
  const setUp = (hand: TimedBook) => {
    const prep = prepareSchedule(hand, RULES);
    const state = new ScheduleState(prep, hand, RULES.platformFeeBps, false, true, true);
    const pairStart = Int32Array.from([0, 1, 2]);
    const pairOffer = Int32Array.from([prep.bids[0].candidates[0], prep.bids[1].candidates[0]]);
    // The scheduler's placement, reduced: the first start of the bid's window where a piece fits.
    const scheduleBid = (v: number) => {
      for (let s = prep.bids[v].firstStart; s <= prep.bids[v].lastStart && state.start[v] < 0; s++)
        state.place(v, pairOffer[v], s, state.remaining[v]);
    };
    assert.equal(state.place(0, pairOffer[0], prep.bids[0].firstStart + 1, 4), 4);
    assert.equal(state.place(1, pairOffer[1], prep.bids[1].firstStart, 4), 0, "B finds its hour's certificates held");
    const move = () => moveGreenHolders(state, [1, 0], { pairStart, pairOffer }, scheduleBid, budget);
    return { prep, state, move };
  };
  const budget = { tries: 8, holders: 4, starts: 4 };
  const lots = (state: ScheduleState, id: bigint) =>
    state.matches.filter((m) => m.bidId === id).flatMap((m) => m.energyLots.map((l) => [l.offerId, l.hour, l.wh]));
  const settles = (hand: TimedBook, state: ScheduleState) => {
    const check = checkSchedule(hand, state.matches, RULES);
    assert.deepEqual(
      check.violations.filter((v) => v !== undefined),
      [],
    );
    assert.ok(Math.abs(check.welfare - state.welfare) <= 1e-6 * Math.max(1, check.welfare));
  };

  it("moves the flexible holder to another start when that serves the job that needs its hour", () => {
    const hand = bookOf(1000n, 600n);
    const { state, move } = setUp(hand);
    const before = state.welfare;
    assert.equal(move(), 1);
    assert.deepEqual(lots(state, 10n), [[21n, T0, 600n]]);
    assert.deepEqual(lots(state, 11n), [[20n, T0 + H, 600n]]);
    assert.ok(state.welfare > before);
    settles(hand, state);
  });

  it("undoes a move that loses welfare, leaving every piece, capacity and certificate as it was", () => {
    // No certificates at T0: A cannot start again, and it earns more than B would.
    const hand = bookOf(2000n, 0n);
    const { prep, state, move } = setUp(hand);
    const welfare = state.welfare;
    const matches = state.matches;
    const [free, left, supply] = [prep.computeFree.slice(), prep.energy.left.slice(), prep.energy.supplyAll.slice()];
    assert.equal(move(), 0);
    assert.deepEqual(state.matches, matches);
    assert.deepEqual(prep.computeFree, free);
    assert.deepEqual(prep.energy.left, left);
    assert.deepEqual(prep.energy.supplyAll, supply);
    assert.equal(state.start[1], -1);
    assert.ok(Math.abs(state.welfare - welfare) <= 1e-9 * welfare);
    settles(hand, state);
  });
});

describe("the move pass takes out fixed holders too", () => {
  // A and B both need the 600 Wh of T0 + 1 h (1 h jobs fixed to that hour, 100 % green, 4 VCU):
  // A was placed first and holds them all. A fixed job has no other start: the move pays only when
  // B earns more from those Wh than A did.
  const fixedGreen = {
    durationHours: 1,
    minGreenBps: 10_000,
    buyerRegion: 8,
    acceptableRegions: 1n << 8n,
    earliestStart: T0 + H,
    latestEnd: T0 + 2 * H,
    expiry: T0 + 2 * H,
  };
  const setUp = (limitA: bigint, limitB: bigint) => {
    const hand = book({
      bids: [
        bid({ ...fixedGreen, id: 10n, limitPricePerVcuHour: limitA }),
        bid({ ...fixedGreen, id: 11n, limitPricePerVcuHour: limitB }),
      ],
      computeOffers: [computeOffer({ id: 2n, region: 8, vcu: 8 })],
      energyOffers: [energyOffer({ id: 20n, firstHour: T0, whPerHour: [0n, 600n], expiry: T0 + 2 * H })],
    });
    const prep = prepareSchedule(hand, RULES);
    const state = new ScheduleState(prep, hand, RULES.platformFeeBps, false, true, true);
    const pairOffer = Int32Array.from([prep.bids[0].candidates[0], prep.bids[1].candidates[0]]);
    const hour = prep.bids[0].firstStart;
    assert.equal(prep.bids[0].lastStart, hour, "A is fixed");
    assert.equal(state.place(0, pairOffer[0], hour, 4), 4);
    assert.equal(state.place(1, pairOffer[1], hour, 4), 0, "B finds its hour's certificates held");
    const scheduleBid = (v: number) => state.place(v, pairOffer[v], hour, state.remaining[v]);
    const move = () =>
      moveGreenHolders(state, [1, 0], { pairStart: Int32Array.from([0, 1, 2]), pairOffer }, scheduleBid, {
        tries: 8,
        holders: 4,
        starts: 4,
      });
    return { hand, state, move };
  };
  const served = (state: ScheduleState) => state.matches.map((m) => [m.bidId, m.vcu]);

  it("gives the Wh to the job that earns more from them", () => {
    const { hand, state, move } = setUp(1000n, 2000n);
    const before = state.welfare;
    assert.equal(move(), 1);
    assert.deepEqual(served(state), [[11n, 4]]);
    assert.ok(state.welfare > before);
    assert.deepEqual(
      checkSchedule(hand, state.matches, RULES).violations.filter((v) => v !== undefined),
      [],
    );
  });

  it("leaves them with the holder that earns more", () => {
    const { state, move } = setUp(2000n, 1000n);
    const welfare = state.welfare;
    assert.equal(move(), 0);
    assert.deepEqual(served(state), [[10n, 4]]);
    assert.ok(Math.abs(state.welfare - welfare) <= 1e-9 * welfare);
  });
});

describe("a move ruled out before anyone is taken out (ScheduleState.couldPlace)", () => {
  it("counts the certificates the holders would give back, and rules out the job without them", () => {
    const green = { durationHours: 1, minGreenBps: 10_000, buyerRegion: 8, acceptableRegions: 1n << 8n };
    const hand = book({
      bids: [
        bid({ ...green, id: 10n, latestEnd: T0 + 2 * H, expiry: T0 + 2 * H }),
        bid({ ...green, id: 11n, earliestStart: T0 + H, latestEnd: T0 + 2 * H, expiry: T0 + 2 * H }),
      ],
      computeOffers: [computeOffer({ id: 2n, region: 8, vcu: 8 })],
      energyOffers: [energyOffer({ id: 20n, firstHour: T0, whPerHour: [0n, 600n], expiry: T0 + 2 * H })],
    });
    const prep = prepareSchedule(hand, RULES);
    const state = new ScheduleState(prep, hand, RULES.platformFeeBps, false, true, true);
    const c = prep.bids[0].candidates[0];
    const hour = prep.bids[1].firstStart;
    assert.equal(state.place(0, c, hour, 4), 4);
    assert.equal(state.couldPlace(1, c, hour, []), false, "every certificate of the hour is A's");
    assert.equal(state.couldPlace(1, c, hour, [0]), true, "A taken out gives them back");
    assert.equal(state.couldPlace(1, c, hour - 1, [0]), false, "outside B's window nothing fits");
  });

  it("rules out only placements that would place nothing (400-order book, every bid at two starts)", () => {
    const rules = { now: TIME_BOOK_NOW, platformFeeBps: 30 };
    const hand = randomTimeBook({ orders: 400, seed: 5, flexibleShare: 0.5 });
    const prep = prepareSchedule(hand, rules);
    const state = new ScheduleState(prep, hand, rules.platformFeeBps);
    let ruledOut = 0;
    let placed = 0;
    for (let b = 0; b < prep.bids.length; b++)
      for (const s of [prep.bids[b].firstStart, prep.bids[b].lastStart])
        for (const c of prep.bids[b].candidates) {
          const possible = state.couldPlace(b, c, s, []);
          const q = state.place(b, c, s, 1e9);
          if (!possible) {
            ruledOut++;
            assert.equal(q, 0, `bid ${b} placed ${q} VCU on offer ${c} at ${s} although ruled out`);
          } else if (q > 0) placed++;
        }
    // Both outcomes occur, or the test would prove nothing.
    assert.ok(ruledOut > 50 && placed > 50, `ruled out ${ruledOut}, placed ${placed}`);
  });
});

describe("the move pass's undo log (takeOut, putBack)", () => {
  it("puts bids back with the same pieces, capacities, certificates and links", () => {
    const rules = { now: TIME_BOOK_NOW, platformFeeBps: 30 };
    const hand = randomTimeBook({ orders: 400, seed: 3 });
    const prep = prepareSchedule(hand, rules);
    const state = new ScheduleState(prep, hand, rules.platformFeeBps, true);
    for (let b = 0; b < prep.bids.length; b++)
      for (const c of prep.bids[b].candidates)
        state.place(b, c, Math.max(prep.bids[b].firstStart, prep.computes[c].start), 1e9);
    const key = (m: { bidId: bigint; computeOfferId: bigint; bandwidthOfferId: bigint }) =>
      `${m.bidId}/${m.computeOfferId}/${m.bandwidthOfferId}`;
    const before = state.matches.map(key).sort();
    const arrays = () => [prep.computeFree.slice(), prep.linkFree.slice(), prep.energy.left.slice()];
    const [free, links, left] = arrays();
    const welfare = state.welfare;
    // Placed bids with a link first: their links must come back reserved once, not twice.
    const placed = prep.bids.map((_, b) => b).filter((b) => state.start[b] >= 0);
    const chosen = [
      ...placed.filter((b) => state.matches.some((m) => m.bidId === prep.bids[b].order.id && m.bandwidthOfferId > 0n)),
      ...placed,
    ].slice(0, 6);
    assert.ok(chosen.length === 6);
    const taken = chosen.map((b) => state.takeOut(b));
    assert.ok(state.matches.length < before.length);
    for (const t of taken.reverse()) state.putBack(t);
    assert.deepEqual(state.matches.map(key).sort(), before);
    assert.deepEqual(arrays(), [free, links, left]);
    assert.ok(Math.abs(state.welfare - welfare) <= 1e-9 * welfare);
    const check = checkSchedule(hand, state.matches, rules);
    assert.deepEqual(
      check.violations.filter((v) => v !== undefined),
      [],
    );
    // A bid put back places on as before (its links known again): nothing more fits it at its start.
    for (const b of chosen) for (const c of prep.bids[b].candidates) state.place(b, c, state.start[b], 1e9);
    assert.deepEqual(
      checkSchedule(hand, state.matches, rules).violations.filter((v) => v !== undefined),
      [],
    );
  });
});

describe("placing again a flexible bid served in part (replaceShortFlexible)", () => {
  // A (4 VCU for 1 h anywhere in [T0, T0 + 2 h), 100 % green: 600 Wh) was placed at T0, where only
  // 300 Wh of certificates are for sale, so it got 2 VCU; T0 + 1 h has `laterWh`.
  const setUp = (laterWh: bigint) => {
    const hand = book({
      bids: [
        bid({
          id: 10n,
          durationHours: 1,
          minGreenBps: 10_000,
          buyerRegion: 8,
          acceptableRegions: 1n << 8n,
          latestEnd: T0 + 2 * H,
          expiry: T0 + 2 * H,
        }),
      ],
      computeOffers: [computeOffer({ id: 2n, region: 8, vcu: 8 })],
      energyOffers: [energyOffer({ id: 20n, firstHour: T0, whPerHour: [300n, laterWh], expiry: T0 + 2 * H })],
    });
    const prep = prepareSchedule(hand, RULES);
    const state = new ScheduleState(prep, hand, RULES.platformFeeBps, false, true, true);
    const c = prep.bids[0].candidates[0];
    const first = prep.bids[0].firstStart;
    assert.equal(state.place(0, c, first, 4), 2, "300 Wh cover 2 VCU");
    // The scheduler's ranking, reduced: the later start first, then its own.
    const replace = () =>
      replaceShortFlexible(
        state,
        [0],
        () => [first + 1, first],
        (v, s) => state.place(v, c, s, state.remaining[v]),
        { bids: 10, starts: 8 },
      );
    return { hand, prep, state, first, replace };
  };
  const lots = (state: ScheduleState) =>
    state.matches.flatMap((m) => m.energyLots.map((l) => [l.offerId, l.hour, l.wh]));

  it("moves it to the start that serves it whole", () => {
    const { hand, state, first, replace } = setUp(600n);
    const before = state.welfare;
    assert.equal(replace(), 1);
    assert.equal(state.start[0], first + 1);
    assert.equal(state.remaining[0], 0);
    assert.deepEqual(lots(state), [[20n, T0 + H, 600n]]);
    assert.ok(state.welfare > 1.9 * before);
    const check = checkSchedule(hand, state.matches, RULES);
    assert.deepEqual(
      check.violations.filter((v) => v !== undefined),
      [],
    );
    assert.ok(Math.abs(check.welfare - state.welfare) <= 1e-6 * Math.max(1, check.welfare));
  });

  it("puts it back as it was when no start serves it better", () => {
    const { prep, state, first, replace } = setUp(0n);
    const welfare = state.welfare;
    const matches = state.matches;
    const [free, left] = [prep.computeFree.slice(), prep.energy.left.slice()];
    assert.equal(replace(), 0);
    assert.deepEqual(state.matches, matches);
    assert.deepEqual(prep.computeFree, free);
    assert.deepEqual(prep.energy.left, left);
    assert.equal(state.start[0], first);
    assert.ok(Math.abs(state.welfare - welfare) <= 1e-9 * welfare);
  });
});
