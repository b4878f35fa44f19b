import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { clearExact, welfareUpperBound } from "../../../backend/pricing/clearing/exact.ts";
import { clearFast } from "../../../backend/pricing/clearing/fast.ts";
import { checkBatch } from "../../../backend/pricing/clearing/feasibility.ts";
import { lagrangianWelfareBound } from "../../../backend/pricing/clearing/relaxation.ts";
import type { ClearingResult, OrderBook } from "../../../backend/pricing/clearing/types.ts";
import { BOOK_NOW, randomBook } from "./fixtures/books.ts";
import { bandwidthOffer, bid, book, computeOffer, energyOffer, NOW } from "./fixtures/pool-orders.ts";

const rules = { now: BOOK_NOW, platformFeeBps: 30 };

function assertAllSettle(b: OrderBook, result: ClearingResult, r = rules): void {
  const check = checkBatch(b, result.matches, r);
  const broken = check.violations.map((v, i) => [i, v]).filter(([, v]) => v !== undefined);
  assert.deepEqual(broken, [], `${result.algorithm} proposed matches the contract would skip`);
  assert.ok(
    Math.abs(check.welfare - result.welfare) <= 1e-6 * Math.max(1, check.welfare),
    "reported welfare is the checker's",
  );
}

describe("clearing random books", () => {
  // Balanced books (compute ≈ demand), some with scarce certificates or denser compatibility.
  const books = [
    ...[1, 2, 3, 4, 5, 6].map((seed) => ({ orders: 60, seed })),
    ...[7, 8, 9].map((seed) => ({ orders: 120, seed })),
    ...[10, 11, 12].map((seed) => ({ orders: 60, seed, energyCoverage: 0.3 })),
    ...[13, 14].map((seed) => ({ orders: 50, seed, compatibleOffers: 25 })),
  ];
  for (const shape of books) {
    it(`matches only what the contract accepts and the fast clearer is within 0.5% of the optimum (${JSON.stringify(shape)})`, () => {
      const b = randomBook(shape);
      const exact = clearExact(b, { ...rules, timeLimitSeconds: 30 });
      const fast = clearFast(b, rules);
      assertAllSettle(b, exact);
      assertAllSettle(b, fast);
      assert.equal(exact.status, "optimal");
      assert.ok(exact.upperBound !== undefined && exact.welfare <= exact.upperBound * (1 + 1e-6) + 1);
      // Against HiGHS's proven bound, which is at least the best feasible batch's welfare.
      assert.ok(fast.welfare >= 0.995 * exact.upperBound, `fast ${fast.welfare} vs bound ${exact.upperBound}`);
      assert.ok(fast.matches.length > 0);
    });
  }

  it("bounds the welfare from above with the LP relaxation, by HiGHS and by its Lagrangian dual alike", () => {
    for (const [seed, energyCoverage] of [
      [21, 1.1],
      [22, 1.1],
      [23, 0.3],
    ]) {
      const b = randomBook({ orders: 300, seed, energyCoverage });
      const bound = welfareUpperBound(b, rules);
      const dual = lagrangianWelfareBound(b, rules);
      const fast = clearFast(b, rules);
      assert.ok(bound.optimal && bound.bound !== undefined);
      assert.ok(Math.abs(dual.bound - bound.bound) <= 1e-7 * bound.bound, `${dual.bound} vs ${bound.bound}`);
      assert.ok(fast.welfare <= bound.bound * (1 + 1e-9));
      assert.ok(fast.welfare >= 0.99 * bound.bound);
    }
  });

  it("never matches expired or filled orders", () => {
    const b = randomBook({ orders: 300, seed: 31 });
    const expire = <T extends { expiry: number }>(xs: readonly T[]) =>
      xs.map((o, i) => (i % 3 === 0 ? { ...o, expiry: BOOK_NOW } : o));
    const aged: OrderBook = {
      bids: expire(b.bids).map((o, i) => (i % 5 === 1 ? { ...o, filled: o.vcuHours } : o)),
      computeOffers: expire(b.computeOffers),
      energyOffers: expire(b.energyOffers),
      bandwidthOffers: expire(b.bandwidthOffers),
    };
    const dead = new Set([
      ...aged.bids.filter((o) => o.expiry <= BOOK_NOW || o.filled === o.vcuHours).map((o) => `b${o.id}`),
      ...aged.computeOffers.filter((o) => o.expiry <= BOOK_NOW).map((o) => `c${o.id}`),
      ...aged.energyOffers.filter((o) => o.expiry <= BOOK_NOW).map((o) => `e${o.id}`),
      ...aged.bandwidthOffers.filter((o) => o.expiry <= BOOK_NOW).map((o) => `w${o.id}`),
    ]);
    for (const result of [clearFast(aged, rules), clearExact(aged, { ...rules, timeLimitSeconds: 30 })]) {
      assertAllSettle(aged, result);
      assert.ok(result.matches.length > 0);
      for (const m of result.matches) {
        assert.ok(!dead.has(`b${m.bidId}`) && !dead.has(`c${m.computeOfferId}`) && !dead.has(`w${m.bandwidthOfferId}`));
        for (const lot of m.energyLots) assert.ok(!dead.has(`e${lot.offerId}`));
      }
    }
  });
});

describe("clearing hand-made books", () => {
  const r = { now: NOW, platformFeeBps: 30 };
  const both = (b: OrderBook) => [clearFast(b, r), clearExact(b, { ...r, timeLimitSeconds: 10 })];

  it("serves a bid from another region only over a link that meets its latency", () => {
    const remoteOnly = { bids: [bid()], computeOffers: [computeOffer({ region: 2 })], energyOffers: [energyOffer()] };
    for (const result of both(book({ ...remoteOnly, bandwidthOffers: [bandwidthOffer({ latencyMs: 41 })] }))) {
      assert.equal(result.matches.length, 0);
    }
    const withLink = book({
      ...remoteOnly,
      bandwidthOffers: [bandwidthOffer({ latencyMs: 41 }), bandwidthOffer({ id: 31n, latencyMs: 30 })],
    });
    for (const result of both(withLink)) {
      assertAllSettle(withLink, result, r);
      assert.equal(result.matches.length, 1);
      assert.equal(result.matches[0].bandwidthOfferId, 31n);
      assert.equal(result.matches[0].vcuHours, 100n);
    }
  });

  it("prefers the cheaper compute offer, splits a bid over offers and takes the cheapest certificates", () => {
    const b = book({
      bids: [bid({ vcuHours: 300n, minGreenBps: 10_000 })],
      computeOffers: [
        computeOffer({ id: 10n, vcuHours: 200n, reservePricePerVcuHour: 900_000n }),
        computeOffer({ id: 11n, vcuHours: 120n, reservePricePerVcuHour: 700_000n }),
      ],
      energyOffers: [
        energyOffer({ id: 20n, reservePricePerKwh: 60_000n }),
        energyOffer({ id: 21n, wh: 50_000n, reservePricePerKwh: 40_000n }),
      ],
    });
    for (const result of both(b)) {
      assertAllSettle(b, result, r);
      const byOffer = new Map(result.matches.map((m) => [m.computeOfferId, m]));
      assert.equal(byOffer.get(11n)?.vcuHours, 120n);
      assert.equal(byOffer.get(10n)?.vcuHours, 180n);
      // Full green share: every bundle carries exactly the energy it needs, cheap offer first.
      const used = result.matches.flatMap((m) => m.energyLots).filter((l) => l.offerId === 21n);
      assert.equal(
        used.reduce((s, l) => s + l.wh, 0n),
        50_000n,
      );
      for (const m of result.matches) {
        assert.equal(
          m.energyLots.reduce((s, l) => s + l.wh, 0n),
          (m.vcuHours * 700n * 1250n) / 1000n,
        );
      }
    }
  });

  it("leaves a bid unmatched when reserves plus fee exceed its limit", () => {
    // 800,000 + 50% × 875 Wh × 50/Wh = 821,875 per VCU-hour; +0.3% fee = 824,340 > 824,000.
    const b = book({
      bids: [bid({ limitPricePerVcuHour: 824_000n })],
      computeOffers: [computeOffer()],
      energyOffers: [energyOffer()],
    });
    for (const result of both(b)) assert.equal(result.matches.length, 0);
    const richer = book({ ...b, bids: [bid({ limitPricePerVcuHour: 824_400n })] });
    for (const result of both(richer)) {
      assertAllSettle(richer, result, r);
      assert.equal(result.matches.length, 1);
    }
  });

  it("serves the bids that value scarce certificates most", () => {
    const b = book({
      bids: [
        bid({ id: 1n, limitPricePerVcuHour: 1_000_000n, minGreenBps: 10_000 }),
        bid({ id: 2n, limitPricePerVcuHour: 1_500_000n, minGreenBps: 10_000 }),
      ],
      computeOffers: [computeOffer({ vcuHours: 1000n })],
      energyOffers: [energyOffer({ wh: 100_000n })], // 875 Wh per VCU-hour: enough for 114 of 200 VCU-hours
    });
    for (const result of both(b)) {
      assertAllSettle(b, result, r);
      const second = result.matches.find((m) => m.bidId === 2n);
      assert.equal(second?.vcuHours, 100n);
      assert.equal(result.matches.find((m) => m.bidId === 1n)?.vcuHours ?? 0n, 14n);
    }
  });
});
