import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { PRICING_CONFIG, SLA_TIERS } from "../../../backend/pricing/config.ts";
import {
  bandwidthBasePrice,
  type ComputeGood,
  computeBasePrice,
  computeUtilisation,
  dynamicPrice,
  energyBasePrice,
  loadFactor,
  qualityFactor,
} from "../../../backend/pricing/price.ts";
import type { BookComputeOffer } from "../../../protocol/book.ts";
import { HARDWARE_CLASSES } from "../../../protocol/units.ts";

const reference: ComputeGood = {
  hardwareClass: "gpu-training",
  reliability: 0.99,
  slaTier: "basic",
  energyType: "grid",
  greenShareBps: 0,
};
const near = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));

describe("base price", () => {
  it("is the reference price for the reference good and applies each documented factor", () => {
    assert.equal(computeBasePrice(reference), 2_500_000);
    assert.equal(computeBasePrice({ ...reference, hardwareClass: "cpu-general" }), 40_000);
    assert.ok(near(computeBasePrice({ ...reference, reliability: 0.999 }), 2_500_000 * 1.08)); // one more nine
    assert.ok(near(computeBasePrice({ ...reference, reliability: 0.9 }), 2_500_000 * 0.92)); // one nine fewer
    assert.ok(near(computeBasePrice({ ...reference, slaTier: "premium" }), 2_500_000 * 1.25));
    assert.ok(near(computeBasePrice({ ...reference, energyType: "solar", greenShareBps: 10_000 }), 2_500_000 * 1.06));
    assert.ok(near(computeBasePrice({ ...reference, energyType: "hydro", greenShareBps: 5_000 }), 2_500_000 * 1.02));
    assert.equal(computeBasePrice({ ...reference, energyType: "grid", greenShareBps: 10_000 }), 2_500_000);
    assert.equal(energyBasePrice("wind"), 50_000);
    assert.equal(bandwidthBasePrice(50), 2_000);
    assert.ok(near(bandwidthBasePrice(10), 2_000 * (1 + 0.5 * 0.8)));
    assert.equal(bandwidthBasePrice(200), 2_000); // looser than the reference: no discount
  });

  it("caps the quality factor and refuses impossible inputs", () => {
    assert.equal(qualityFactor(0.999_999_999_999), PRICING_CONFIG.compute.qualityCeiling);
    assert.ok(near(qualityFactor(0), 1 - 0.08 * 2)); // two nines below the reference (0.99 → 0)
    assert.equal(
      qualityFactor(0, { ...PRICING_CONFIG, compute: { ...PRICING_CONFIG.compute, qualityFloor: 0.9 } }),
      0.9,
    );
    assert.throws(() => qualityFactor(1), /reliability/);
    assert.throws(() => computeBasePrice({ ...reference, greenShareBps: 10_001 }), /greenShareBps/);
    assert.throws(() => bandwidthBasePrice(-1), /latencyMs/);
  });

  it("rises with reliability, service tier and green share, and falls with looser latency", () => {
    const good = fc.record({
      hardwareClass: fc.constantFrom(...HARDWARE_CLASSES),
      reliability: fc.double({ min: 0, max: 0.99999, noNaN: true }),
      slaTier: fc.constantFrom(...SLA_TIERS),
      energyType: fc.constantFrom("grid", "solar", "wind", "hydro", "biomass", "geothermal", "nuclear" as const),
      greenShareBps: fc.integer({ min: 0, max: 10_000 }),
    });
    fc.assert(
      fc.property(
        good,
        fc.double({ min: 0, max: 0.99999, noNaN: true }),
        fc.integer({ min: 0, max: 10_000 }),
        (g, r2, share2) => {
          const [rLow, rHigh] = [Math.min(g.reliability, r2), Math.max(g.reliability, r2)];
          assert.ok(computeBasePrice({ ...g, reliability: rLow }) <= computeBasePrice({ ...g, reliability: rHigh }));
          const [sLow, sHigh] = [Math.min(g.greenShareBps, share2), Math.max(g.greenShareBps, share2)];
          assert.ok(
            computeBasePrice({ ...g, greenShareBps: sLow }) <= computeBasePrice({ ...g, greenShareBps: sHigh }),
          );
          const prices = SLA_TIERS.map((slaTier) => computeBasePrice({ ...g, slaTier }));
          prices.slice(1).forEach((p, i) => assert.ok(p > prices[i]));
        },
      ),
      { numRuns: 300, seed: 3 },
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 500 }), fc.integer({ min: 0, max: 500 }), (a, b) => {
        assert.ok(bandwidthBasePrice(Math.max(a, b)) <= bandwidthBasePrice(Math.min(a, b)));
      }),
      { numRuns: 200, seed: 5 },
    );
  });
});

describe("dynamic price", () => {
  it("applies the documented load term", () => {
    assert.ok(near(loadFactor(0), 0.9));
    assert.ok(near(loadFactor(0.3), 0.95));
    assert.equal(loadFactor(0.6), 1);
    assert.ok(near(loadFactor(0.8), 1 + 0.5 * 0.25));
    assert.ok(near(loadFactor(1), 1.5));
    assert.ok(near(loadFactor(7), 1.5)); // utilisation is clamped to [0, 1]
    assert.ok(near(dynamicPrice(1000, 1), 1500));
    assert.throws(() => loadFactor(Number.NaN), /utilisation/);
  });

  it("never falls as utilisation rises and is continuous at the neutral point", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -0.5, max: 1.5, noNaN: true }),
        fc.double({ min: -0.5, max: 1.5, noNaN: true }),
        (a, b) => {
          assert.ok(loadFactor(Math.min(a, b)) <= loadFactor(Math.max(a, b)));
        },
      ),
      { numRuns: 500, seed: 7 },
    );
    assert.ok(Math.abs(loadFactor(0.6 - 1e-12) - loadFactor(0.6)) < 1e-9);
  });

  it("measures utilisation hour by hour over the job's hours, from the offers whose windows cover them", () => {
    const H = 3600;
    const offer = (o: Partial<BookComputeOffer>): BookComputeOffer => ({
      id: 1n,
      supplier: "0x0000000000000000000000000000000000000001",
      hardwareClass: 2,
      region: 1,
      windowStart: 0,
      windowEnd: 4 * H,
      vcu: 100,
      reservePricePerVcuHour: 1n,
      whPerVcuHour: 1n,
      pueMilli: 1000,
      expiry: 100,
      ...o,
    });
    const offers = [
      // 100 VCU per hour; 80 sold in hour 0, 20 in hour 1, 100 in hour 3 (outside the job's hours)
      offer({
        usedVcu: new Map([
          [0, 80],
          [H, 20],
          [3 * H, 100],
        ]),
      }),
      offer({ windowStart: H, windowEnd: 6 * H, vcu: 200 }), // covers hour 1 of the job only, idle
      offer({ hardwareClass: 0, usedVcu: new Map([[0, 100]]) }), // another class: ignored
      offer({ region: 2, usedVcu: new Map([[0, 100]]) }), // another region: ignored when a region is asked
    ];
    const job = { hardwareClass: "gpu-inference" as const, region: 1, start: 0, end: 2 * H };
    // Hours 0 and 1: (80 + 20 + 0) sold of (100 + 100 + 200) offered.
    assert.ok(near(computeUtilisation(offers, job), 100 / 400));
    // Any region: the region-2 offer adds 100 sold of 200 offered.
    assert.ok(near(computeUtilisation(offers, { ...job, region: undefined }), 200 / 600));
    // Only hour 3: the first offer is sold out, the second idle; other hours do not count.
    assert.ok(near(computeUtilisation(offers, { ...job, start: 3 * H, end: 4 * H }), 100 / 300));
    assert.equal(computeUtilisation(offers, { ...job, start: 10 * H, end: 11 * H }), 1, "no capacity at all: full");
    assert.throws(() => computeUtilisation(offers, { ...job, end: 0 }), /end must be after start/);
  });
});
