import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { priceBundles } from "../../../backend/pricing/bundle.ts";
import { PRICING_CONFIG } from "../../../backend/pricing/config.ts";
import { nashBargain } from "../../../backend/pricing/nash.ts";
import { maxTotal, roundPayments } from "../../../backend/pricing/payments.ts";
import { checkBatch, clearBook } from "../../../backend/pricing/scheduling.ts";
import {
  bandwidthOffer,
  bid,
  book,
  computeOffer,
  energyOffer,
  JOB_HOURS,
  JOB_START,
  NOW,
  orderBookOf,
  validMatch,
} from "./fixtures/orders.ts";
import { randomTimeBook, TIME_BOOK_NOW } from "./schedule/fixtures/books.ts";

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

describe("pricing scheduled bundles", () => {
  const rules = { now: TIME_BOOK_NOW, platformFeeBps: 30 };

  it("prices every bundle of a scheduled batch inside every order's limit, with an explanation that adds up", () => {
    for (const seed of [51, 52, 53]) {
      const b = orderBookOf(randomTimeBook({ orders: 400, seed }));
      const cleared = clearBook(b, rules);
      assert.ok(cleared.matches.length > 0, `seed ${seed} schedules nothing`);
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
        // The quantities, hours and orders are the scheduled ones; only payments changed.
        const original = cleared.matches.find((x) => x.bidId === m.bidId && x.computeOfferId === m.computeOfferId)!;
        assert.equal(m.vcu, original.vcu);
        assert.equal(m.start, original.start);
        assert.deepEqual(
          m.energyLots.map((l) => [l.offerId, l.hour, l.wh]),
          original.energyLots.map((l) => [l.offerId, l.hour, l.wh]),
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
    const [buyer, compute, energy, energy2] = p.parties;
    assert.equal(energy2.role, "energy");
    // Buyer keeps 0 at disagreement; compute supplier's outside option is 0.6 × its going rate;
    // energy supplier's is the grid feed-in price for the same kWh.
    const [first] = p.parties.filter((x) => x.role === "energy");
    assert.equal(first, energy);
    assert.equal(energy.disagreement, (PRICING_CONFIG.energy.gridFeedInPricePerKwh * 21_875) / 1000);
    assert.ok(compute.disagreement > 0);
    assert.equal(p.disagreementBasis, "outside-options");
    // Gains over disagreement are proportional to weights (no reserve binds here).
    const gain = (x: typeof buyer) => x.utility - x.disagreement;
    assert.ok(Math.abs(gain(buyer) / gain(compute) - 1) < 1e-9);
    // The energy weight is shared by the lots in proportion to their Wh: two equal hours, a quarter each.
    assert.ok(Math.abs(gain(energy) / gain(buyer) - 0.25) < 1e-9);
    assert.ok(Math.abs(gain(energy2) / gain(buyer) - 0.25) < 1e-9);
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
    // 100 VCU-h at 821,875 all-in with no fee: the limit equals compute + energy (2 × 1,093,750) at reserve.
    const b = book({
      bids: [bid({ limitPricePerVcuHour: 821_875n })],
      computeOffers: [computeOffer()],
      energyOffers: [energyOffer()],
    });
    const [p] = priceBundles(b, [validMatch()], { now: NOW, platformFeeBps: 0 });
    assert.equal(p.surplus, 0n);
    assert.equal(p.match.computePayment, 80_000_000n);
    assert.deepEqual(
      p.match.energyLots.map((l) => l.payment),
      [1_093_750n, 1_093_750n],
    );
  });

  it("prices a bundle that crosses regions, and refuses one whose orders are missing", () => {
    // Compute in the Yangtze delta (east grid) with a wind device in Inner Mongolia: origin "anywhere".
    const b = book({
      bids: [bid({ certificateOrigin: 2 })],
      computeOffers: [computeOffer({ region: 2 })],
      energyOffers: [energyOffer()],
      bandwidthOffers: [bandwidthOffer()],
    });
    // 100 Mbps in each of the job's 2 hours at 2,000 per Mbps-hour.
    const m = validMatch({ bandwidthOfferId: 30n, bandwidthPayment: 400_000n });
    const [p] = priceBundles(b, [m], { now: NOW, platformFeeBps: 30 });
    assert.deepEqual(
      p.parties.map((x) => x.role),
      ["buyer", "compute", "energy", "energy", "bandwidth"],
    );
    assert.equal(p.parties.at(-1)!.reserve, 400_000n);
    assert.ok(p.match.bandwidthPayment >= 400_000n);
    assert.deepEqual(checkBatch(b, [p.match], { now: NOW, platformFeeBps: 30 }).violations, [undefined]);
    assert.throws(() => priceBundles(book(), [m], { now: NOW, platformFeeBps: 30 }), /not in the book/);
  });

  it("charges a link once per bid: a second match of the bid on the same link has no bandwidth party", () => {
    const b = book({
      bids: [bid({ certificateOrigin: 2 })],
      computeOffers: [computeOffer({ region: 2 }), computeOffer({ id: 11n, region: 2 })],
      energyOffers: [energyOffer()],
      bandwidthOffers: [bandwidthOffer()],
    });
    const half = { vcu: 25n, computePayment: 40_000_000n };
    const lots = JOB_HOURS.map((hour) => ({ offerId: 20n, hour, wh: 10_938n, payment: 546_900n }));
    const first = validMatch({ ...half, energyLots: lots, bandwidthOfferId: 30n, bandwidthPayment: 400_000n });
    const second = { ...first, computeOfferId: 11n, bandwidthPayment: 0n };
    const [p1, p2] = priceBundles(b, [first, second], { now: NOW, platformFeeBps: 30 });
    assert.ok(p1.parties.some((x) => x.role === "bandwidth"));
    assert.ok(!p2.parties.some((x) => x.role === "bandwidth"));
    assert.equal(p2.match.bandwidthPayment, 0n);
    assert.deepEqual(checkBatch(b, [p1.match, p2.match], { now: NOW, platformFeeBps: 30 }).violations, [
      undefined,
      undefined,
    ]);
    // A bid that reserved the link in an earlier batch (the book says so) rides on that reservation.
    const reserved = book({
      ...b,
      bids: [bid({ certificateOrigin: 2, reservedLinks: [30n], start: JOB_START, remainingVcu: 25 })],
    });
    const [p3] = priceBundles(reserved, [second], { now: NOW, platformFeeBps: 30 });
    assert.equal(p3.match.bandwidthPayment, 0n);
  });

  it("loads the compute supplier's going rate by the utilisation of the job's own hours", () => {
    const idle = book({ bids: [bid()], computeOffers: [computeOffer()], energyOffers: [energyOffer()] });
    // The same offer with the job's two hours 90% sold (other hours idle), then the whole day 90% sold.
    const busyJob = new Map(JOB_HOURS.map((h) => [h, 225]));
    const jobBusy = book({ ...idle, computeOffers: [computeOffer({ usedVcu: busyJob })] });
    const rules = { now: NOW, platformFeeBps: 0 };
    const outside = (b: typeof idle) =>
      priceBundles(b, [validMatch()], rules)[0].parties.find((x) => x.role === "compute")!.disagreement;
    assert.ok(outside(jobBusy) > outside(idle), "busy job hours raise the outside option");
    const otherHoursBusy = new Map(Array.from({ length: 24 }, (_, i) => [NOW + i * 3600, 225] as [number, number]));
    for (const h of JOB_HOURS) otherHoursBusy.delete(h);
    const elsewhereBusy = book({ ...idle, computeOffers: [computeOffer({ usedVcu: otherHoursBusy })] });
    assert.equal(outside(elsewhereBusy), outside(idle), "hours the job does not occupy do not count");
  });
});
