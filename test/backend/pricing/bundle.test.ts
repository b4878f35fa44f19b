import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { priceBundles } from "../../../backend/pricing/bundle.ts";
import { clearFast } from "../../../backend/pricing/clearing/fast.ts";
import { checkBatch } from "../../../backend/pricing/clearing/feasibility.ts";
import { PRICING_CONFIG } from "../../../backend/pricing/config.ts";
import { nashBargain } from "../../../backend/pricing/nash.ts";
import { maxTotal, roundPayments } from "../../../backend/pricing/payments.ts";
import { BOOK_NOW, randomBook } from "./fixtures/books.ts";
import { bandwidthOffer, bid, book, computeOffer, energyOffer, NOW, validMatch } from "./fixtures/orders.ts";

describe("rounding utilities to payments", () => {
  it("keeps every payment at or above its reserve, sums exactly, and stays within the budget", () => {
    const input = fc.integer({ min: 1, max: 8 }).chain((n) =>
      fc.record({
        reserves: fc.array(fc.bigInt({ min: 0n, max: 10n ** 12n }), { minLength: n, maxLength: n }),
        weights: fc.array(fc.double({ min: 0.05, max: 10, noNaN: true }), { minLength: n + 1, maxLength: n + 1 }),
        surplus: fc.bigInt({ min: 0n, max: 10n ** 12n }),
      }),
    );
    fc.assert(
      fc.property(input, ({ reserves, weights, surplus }) => {
        const budget = reserves.reduce((s, r) => s + r, 0n) + surplus;
        const result = nashBargain({
          total: Number(budget),
          disagreement: [0, ...reserves.map((r) => Number(r) * 0.7)],
          weights,
          bounds: [{}, ...reserves.map((r) => ({ min: Number(r) }))],
        });
        const utilities = result.agreed ? result.utilities.slice(1) : reserves.map(Number);
        const payments = roundPayments(utilities, reserves, budget);
        const total = payments.reduce((s, p) => s + p, 0n);
        payments.forEach((p, i) => assert.ok(p >= reserves[i]));
        assert.ok(total <= budget);
        // Each payment is its utility rounded down or up (never further), the sum exactly the target.
        payments.forEach((p, i) => assert.ok(Math.abs(Number(p) - utilities[i]) < 1 + 1e-6 * utilities[i]));
        const target = BigInt(Math.round(utilities.reduce((s, u) => s + u, 0)));
        assert.equal(total, target > budget ? budget : target);
      }),
      { numRuns: 400, seed: 41 },
    );
  });

  it("finds the largest total whose rounded-down fee still fits the limit", () => {
    assert.equal(maxTotal(120_000_000n, 30), 119_641_077n);
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 15n }), fc.integer({ min: 0, max: 2000 }), (value, feeBps) => {
        const t = maxTotal(value, feeBps);
        const fee = (x: bigint) => (x * BigInt(feeBps)) / 10_000n;
        assert.ok(t + fee(t) <= value);
        assert.ok(t + 1n + fee(t + 1n) > value);
      }),
      { numRuns: 300, seed: 43 },
    );
  });
});

describe("pricing cleared bundles", () => {
  const rules = { now: BOOK_NOW, platformFeeBps: 30 };

  it("prices every bundle of a cleared batch inside every order's limit, with an explanation that adds up", () => {
    for (const seed of [51, 52, 53]) {
      const b = randomBook({ orders: 400, seed });
      const cleared = clearFast(b, rules);
      const proposals = priceBundles(b, cleared.matches, rules);
      assert.equal(proposals.length, cleared.matches.length);
      const check = checkBatch(
        b,
        proposals.map((p) => p.match),
        rules,
      );
      assert.deepEqual(
        check.violations.filter((v) => v !== undefined),
        [],
      );
      for (const p of proposals) {
        const m = p.match;
        const payments = [m.computePayment, m.bandwidthPayment, ...m.energyLots.map((l) => l.payment)];
        assert.equal(
          payments.reduce((s, x) => s + x, 0n),
          p.total,
        );
        assert.equal(p.fee, (p.total * 30n) / 10_000n);
        assert.ok(p.total + p.fee <= p.value);
        assert.equal(p.surplus, p.value - p.reserveCost);
        const [buyer, ...suppliers] = p.parties;
        assert.equal(buyer.role, "buyer");
        assert.equal(buyer.payment, p.total + p.fee);
        for (const s of suppliers) assert.ok(s.payment >= s.reserve, `${s.role} paid below reserve`);
        assert.equal(
          suppliers.reduce((s, x) => s + x.payment, 0n),
          p.total,
        );
        // Shares of the surplus: buyer, suppliers and the platform fee make up all of it.
        const shares = p.parties.reduce((s, x) => s + x.surplusShareBps, 0) + p.feeShareBps;
        if (p.surplus > 0n) assert.ok(Math.abs(shares - 10_000) < 1e-3, `shares sum to ${shares}`);
        // The quantities and orders are the cleared ones; only payments changed.
        const original = cleared.matches.find((x) => x.bidId === m.bidId && x.computeOfferId === m.computeOfferId)!;
        assert.equal(m.vcuHours, original.vcuHours);
        assert.deepEqual(
          m.energyLots.map((l) => [l.offerId, l.wh]),
          original.energyLots.map((l) => [l.offerId, l.wh]),
        );
      }
    }
  });

  it("splits a bundle's surplus by bargaining power, from outside options, with reserves as floors", () => {
    const b = book({
      bids: [bid()],
      computeOffers: [computeOffer({ reservePricePerVcuHour: 500_000n })],
      energyOffers: [energyOffer()],
    });
    const [p] = priceBundles(b, [validMatch({ computePayment: 50_000_000n })], { now: NOW, platformFeeBps: 0 });
    const [buyer, compute, energy] = p.parties;
    // Buyer keeps 0 at disagreement; compute supplier's outside option is 0.6 × its going rate;
    // energy supplier's is the grid feed-in price for the same kWh.
    assert.equal(energy.disagreement, (PRICING_CONFIG.energy.gridFeedInPricePerKwh * 43_750) / 1000);
    assert.ok(compute.disagreement > 0);
    assert.equal(p.disagreementBasis, "outside-options");
    // Gains over disagreement are proportional to weights (no reserve binds here).
    const gain = (x: typeof buyer) => x.utility - x.disagreement;
    assert.ok(Math.abs(gain(buyer) / gain(compute) - 1) < 1e-9);
    assert.ok(Math.abs(gain(energy) / gain(buyer) - 0.5) < 1e-9);
    assert.equal(p.total + p.fee + BigInt(Math.round(buyer.utility)), p.value);
  });

  it("falls back to reserves as disagreement points when outside options exceed what the bundle can pay", () => {
    const config = { ...PRICING_CONFIG, energy: { ...PRICING_CONFIG.energy, gridFeedInPricePerKwh: 10_000_000 } };
    const b = book({ bids: [bid()], computeOffers: [computeOffer()], energyOffers: [energyOffer()] });
    const [p] = priceBundles(b, [validMatch()], { now: NOW, platformFeeBps: 30, config });
    assert.equal(p.disagreementBasis, "reserves");
    assert.deepEqual(checkBatch(b, [p.match], { now: NOW, platformFeeBps: 30 }).violations, [undefined]);
    for (const s of p.parties.slice(1)) assert.ok(s.payment >= s.reserve);
    const energy = p.parties.find((x) => x.role === "energy")!;
    assert.equal(energy.disagreement, Number(energy.reserve)); // its outside option was capped at its reserve
    assert.ok(energy.payment > energy.reserve);
  });

  it("pays exactly the reserves when the bid's limit leaves no surplus", () => {
    // 100 VCU-h at 821,875 all-in with no fee: the limit equals compute + energy at reserve.
    const b = book({
      bids: [bid({ limitPricePerVcuHour: 821_875n })],
      computeOffers: [computeOffer()],
      energyOffers: [energyOffer()],
    });
    const [p] = priceBundles(b, [validMatch()], { now: NOW, platformFeeBps: 0 });
    assert.equal(p.surplus, 0n);
    assert.equal(p.match.computePayment, 80_000_000n);
    assert.equal(p.match.energyLots[0].payment, 2_187_500n);
  });

  it("prices a bundle that crosses regions, and refuses one whose orders are missing", () => {
    const b = book({
      bids: [bid()],
      computeOffers: [computeOffer({ region: 2 })],
      energyOffers: [energyOffer()],
      bandwidthOffers: [bandwidthOffer()],
    });
    const m = validMatch({ bandwidthOfferId: 30n, bandwidthPayment: 400_000n });
    const [p] = priceBundles(b, [m], { now: NOW, platformFeeBps: 30 });
    assert.deepEqual(
      p.parties.map((x) => x.role),
      ["buyer", "compute", "energy", "bandwidth"],
    );
    assert.ok(p.match.bandwidthPayment >= 400_000n);
    assert.deepEqual(checkBatch(b, [p.match], { now: NOW, platformFeeBps: 30 }).violations, [undefined]);
    assert.throws(() => priceBundles(book(), [m], { now: NOW, platformFeeBps: 30 }), /not in the book/);
  });
});
