import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkSchedule } from "../../../../backend/pricing/schedule/check.ts";
import { scheduleFast } from "../../../../backend/pricing/schedule/fast.ts";
import { prepareSchedule } from "../../../../backend/pricing/schedule/prepare.ts";
import { pressedScore, Scarcity } from "../../../../backend/pricing/schedule/scarcity.ts";
import { randomTimeBook, TIME_BOOK_NOW } from "./fixtures/books.ts";
import { bid, book, computeOffer, energyOffer, H, RULES, T0 } from "./fixtures/orders.ts";

// Two fixed 2 h jobs of 4 VCU at T0, both 100 % green from their compute region. Job A may run in
// Gansu (7) on offer X, a little cheaper, or in Jiangsu (2) on offer Y; job B only in Gansu, on
// offer Z. Gansu's device has exactly B's 600 Wh an hour; Jiangsu's has plenty.
const fixed = { earliestStart: T0, latestEnd: T0 + 2 * H, expiry: T0 + 2 * H, minGreenBps: 10_000 };
const a = bid({ ...fixed, id: 10n, acceptableRegions: (1n << 7n) | (1n << 2n), certificateOrigin: 0 });
const b = bid({ ...fixed, id: 11n, buyer: "0x0000000000000000000000000000000000000b02", certificateOrigin: 0 });
const x = computeOffer({ id: 1n });
const y = computeOffer({ id: 2n, supplier: "0x0000000000000000000000000000000000000c02", region: 2 });
const z = computeOffer({ id: 3n, supplier: "0x0000000000000000000000000000000000000c03" });
const gansu = energyOffer({ id: 20n, region: 7, whPerHour: [600n, 600n], expiry: T0 + 2 * H });
const jiangsu = energyOffer({
  id: 21n,
  deviceId: 6n,
  supplier: "0x0000000000000000000000000000000000000e02",
  region: 2,
  whPerHour: [5000n, 5000n],
  expiry: T0 + 2 * H,
});
const twoJobs = book({ bids: [a, b], computeOffers: [x, y, z], energyOffers: [gansu, jiangsu] });

/** The prepared book with A's pairs (X, Y) and B's (Z), X estimated 10 a VCU-hour above Y. */
function prepared() {
  const prep = prepareSchedule(twoJobs, RULES);
  const bidOf = (id: bigint) => prep.bids.findIndex((l) => l.order.id === id);
  const offerOf = (id: bigint) => prep.computes.findIndex((c) => c.order.id === id);
  const [ia, ib] = [bidOf(10n), bidOf(11n)];
  const pairStart = new Int32Array(prep.bids.length + 1);
  const lists = new Map([
    [ia, [offerOf(1n), offerOf(2n)]],
    [ib, [offerOf(3n)]],
  ]);
  const pairOffer: number[] = [];
  const pairProfit: number[] = [];
  const profits = new Map([
    [offerOf(1n), 900],
    [offerOf(2n), 890],
    [offerOf(3n), 900],
  ]);
  for (let i = 0; i < prep.bids.length; i++) {
    for (const c of lists.get(i) ?? []) {
      pairOffer.push(c);
      pairProfit.push(profits.get(c) ?? 0);
    }
    pairStart[i + 1] = pairOffer.length;
  }
  const pairs = { pairStart, pairOffer: Int32Array.from(pairOffer) };
  const computeAsked = new Float32Array(prep.computeFree.length);
  return {
    prep,
    ia,
    ib,
    offerOf,
    computeAsked,
    pairProfit: Float64Array.from(pairProfit),
    /** A's pair on X; its pair on Y follows. */
    onX: pairStart[ia],
    scarcity: new Scarcity(prep, pairs, computeAsked),
  };
}

describe("scarcity-aware assignment (scarcity.ts)", () => {
  it("ranks a green bid's offers by profit when no bid to come needs their certificates", () => {
    const { prep, ia, onX, pairProfit, scarcity } = prepared();
    assert.equal(scarcity.rankOffers(ia, pairProfit, prep.bids[ia].firstStart), 2);
    assert.deepEqual([...scarcity.ranked.subarray(0, 2)], [onX, onX + 1]);
  });

  it("puts a green bid on the offer whose certificate pool the bids to come do not need", () => {
    const { prep, ia, ib, onX, pairProfit, scarcity } = prepared();
    const s = prep.bids[ia].firstStart;
    scarcity.spread(ib, 1);
    scarcity.rankOffers(ia, pairProfit, s);
    assert.equal(scarcity.ranked[0], onX + 1, "Y (Jiangsu) first: B needs all of Gansu's Wh in A's hours");
    // Once B's turn has come its ask is off, and the profit order is back.
    scarcity.spread(ib, -1);
    scarcity.rankOffers(ia, pairProfit, s);
    assert.equal(scarcity.ranked[0], onX);
  });

  it("prices a green bid's start on an offer by what the bids to come ask of its pool (poolPressure, pressedScore: a start's score)", () => {
    const { prep, ia, ib, offerOf, scarcity } = prepared();
    const bid = prep.bids[ia];
    const s = bid.firstStart;
    const [x, y] = [prep.computes[offerOf(1n)], prep.computes[offerOf(2n)]];
    const pool = (c: typeof x) => scarcity.poolPressure(bid.order.certificateOrigin, c.region, s, bid.duration);
    const green = (c: typeof x) => ((bid.order.minGreenBps / 10_000) * c.milliWhPerVcuHour) / 1000;
    const score = (c: typeof x, profit: number) =>
      pressedScore(profit, c.reserve, 0, bid.duration, green(c), prep.meanPricePerWh, pool(c));
    assert.ok(green(x) > 0, "A is a green bid");
    assert.equal(pool(x), 0, "nothing to come: no pressure");
    assert.equal(score(x, 900), 900, "…and the profit itself");
    scarcity.spread(ib, 1);
    assert.ok(pool(x) > 0, "B needs Gansu's Wh in A's hours");
    assert.equal(pool(y), 0, "nobody to come asks for Jiangsu");
    assert.ok(score(x, 900) < score(y, 890), "X's lead of 10 is outweighed");
    scarcity.spread(ib, -1);
    assert.equal(pool(x), 0);
  });

  it("puts a bid on the offer whose hours the bids to come ask less of", () => {
    const { prep, ia, onX, offerOf, computeAsked, pairProfit, scarcity } = prepared();
    const s = prep.bids[ia].firstStart;
    const compute = prep.computes[offerOf(1n)];
    // Bids to come ask 4 × X's free VCU in A's hours: X's VCU-hour is priced up 0.4 × its reserve.
    for (let k = 0; k < 2; k++) computeAsked[compute.offset + s - compute.start + k] = 40;
    scarcity.rankOffers(ia, pairProfit, s);
    assert.equal(scarcity.ranked[0], onX + 1);
  });

  it("makes the certificate chooser's key dearer in cells the bids to come ask for, and only while they do", () => {
    const { prep, ib, scarcity } = prepared();
    const cell = 7 * prep.span + prep.bids[ib].firstStart;
    assert.equal(scarcity.cellFactor(cell, 600), 1);
    scarcity.spread(ib, 1);
    assert.equal(scarcity.cellFactor(cell, 600), 2, "B asks all of the cell's 600 Wh: pressure 1");
    scarcity.spread(ib, -1);
    assert.equal(scarcity.cellFactor(cell, 600), 1);
  });

  it("gives every schedule of a book over 1,000 bids (where it runs) to the checker without a violation", () => {
    for (const flexibleShare of [0, 0.5]) {
      const seeded = randomTimeBook({ orders: 3_000, seed: 3, flexibleShare });
      const rules = { now: TIME_BOOK_NOW, platformFeeBps: 30 };
      const result = scheduleFast(seeded, rules);
      assert.ok(seeded.bids.length > 1_000 && result.matches.length > 0);
      assert.deepEqual(
        checkSchedule(seeded, result.matches, rules).violations.filter((v) => v !== undefined),
        [],
      );
    }
  });
});
