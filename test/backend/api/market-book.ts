// A realistic open book for quote tests and the API benchmark: every region offers every hardware
// class from several suppliers with part of its first two days' hours sold, devices of every source
// offering a few days of forward Wh on daily shapes (solar at noon UTC+8, wind strongest at night),
// and links between every pair of regions. Reproducible from a seed (fast-check's unbiased sampler
// is the random source).
import fc from "fast-check";

import type { OpenBook } from "../../../backend/book/book-source.ts";
import type { BookBandwidthOffer, BookBid, BookComputeOffer, BookEnergyOffer } from "../../../protocol/book.ts";
import { floorHour } from "../../../protocol/hours.ts";
import { ENERGY_SOURCES, HARDWARE_CLASSES, REGIONS } from "../../../protocol/units.ts";

export type MarketBookOptions = {
  /** Unix seconds; every window opens an hour before (on the hour) and lasts a week after. */
  now: number;
  seed?: number;
  computeSuppliersPerCell?: number;
  energyOffers?: number;
  bidCount?: number;
};

/** Reference prices near the pricing config's: token base units per VCU-hour, per class. */
const COMPUTE_PRICE = [40_000, 120_000, 900_000, 2_500_000];
/** IT energy per VCU-hour, per class: CPUs draw tens of watts per unit, GPUs hundreds. */
const WH_PER_VCU = [60, 90, 350, 700];

const address = (n: number): `0x${string}` => `0x${n.toString(16).padStart(40, "0")}`;

function sample<T>(arb: fc.Arbitrary<T>, n: number, seed: number): T[] {
  return n === 0 ? [] : fc.sample(arb, { seed, numRuns: n, unbiased: true });
}

export function marketBook(options: MarketBookOptions): OpenBook {
  const { now, seed = 42, computeSuppliersPerCell = 8, energyOffers = 120, bidCount = 200 } = options;
  const start = floorHour(now) - 3_600;
  const end = start + 8 * 86_400;
  let nextId = 1n;

  const computeOffers: BookComputeOffer[] = [];
  const cells = REGIONS.flatMap((r) => HARDWARE_CLASSES.map((_, c) => ({ region: r.code, c })));
  const computeDraws = sample(
    fc.record({
      capacity: fc.integer({ min: 20, max: 800 }),
      used: fc.double({ min: 0, max: 0.4, noNaN: true }),
      price: fc.double({ min: 0.7, max: 1.15, noNaN: true }),
      pue: fc.integer({ min: 1_080, max: 1_500 }),
    }),
    cells.length * computeSuppliersPerCell,
    seed,
  );
  cells.forEach(({ region, c }, cell) => {
    for (let s = 0; s < computeSuppliersPerCell; s++) {
      const d = computeDraws[cell * computeSuppliersPerCell + s];
      // Busier in the day (UTC+8) than at night, over the first two days.
      const usedVcu = new Map<number, number>();
      for (let h = 0; h < 48; h++) {
        const t = start + h * 3_600;
        const daytime = ((t / 3_600 + 8) % 24 >= 9 && (t / 3_600 + 8) % 24 < 21) as boolean;
        const used = Math.floor(d.capacity * d.used * (daytime ? 1.5 : 0.5));
        if (used > 0) usedVcu.set(t, used);
      }
      computeOffers.push({
        id: nextId++,
        supplier: address(1_000 + cell * computeSuppliersPerCell + s),
        hardwareClass: c,
        region,
        windowStart: start,
        windowEnd: end,
        vcu: d.capacity,
        usedVcu,
        reservePricePerVcuHour: BigInt(Math.round(COMPUTE_PRICE[c] * d.price)),
        whPerVcuHour: BigInt(WH_PER_VCU[c]),
        pueMilli: d.pue,
        expiry: end,
      });
    }
  });

  const energy: BookEnergyOffer[] = sample(
    fc.record({
      source: fc.integer({ min: 0, max: ENERGY_SOURCES.length - 1 }),
      region: fc.constantFrom(...REGIONS.map((r) => r.code)),
      peakKwh: fc.integer({ min: 50, max: 2_000 }),
      days: fc.integer({ min: 1, max: 5 }),
      price: fc.integer({ min: 39_000, max: 62_000 }),
    }),
    energyOffers,
    seed + 1,
  ).map((d, i) => ({
    id: nextId++,
    supplier: address(5_000 + i),
    deviceId: BigInt(i + 1),
    source: d.source,
    region: d.region,
    firstHour: start,
    whPerHour: Array.from({ length: d.days * 24 }, (_, h) => {
      const local = (start / 3_600 + h + 8) % 24;
      const shape =
        ENERGY_SOURCES[d.source] === "solar"
          ? Math.max(0, Math.sin(((local - 6) / 12) * Math.PI))
          : ENERGY_SOURCES[d.source] === "wind"
            ? 0.6 + 0.4 * Math.cos((local / 24) * 2 * Math.PI)
            : 1;
      return BigInt(Math.floor(d.peakKwh * 1_000 * shape));
    }),
    reservePricePerKwh: BigInt(d.price),
    expiry: end,
  }));

  const bandwidthOffers: BookBandwidthOffer[] = [];
  const linkDraws = sample(
    fc.record({
      mbps: fc.integer({ min: 1_000, max: 10_000 }),
      latency: fc.integer({ min: 8, max: 60 }),
      price: fc.integer({ min: 1_000, max: 3_000 }),
    }),
    REGIONS.length * REGIONS.length * 2,
    seed + 2,
  );
  let link = 0;
  for (const from of REGIONS) {
    for (const to of REGIONS) {
      if (from.code >= to.code) continue;
      for (let s = 0; s < 2; s++) {
        const d = linkDraws[link++];
        bandwidthOffers.push({
          id: nextId++,
          supplier: address(8_000 + link),
          fromRegion: from.code,
          toRegion: to.code,
          mbps: d.mbps,
          latencyMs: d.latency,
          windowStart: start,
          windowEnd: end,
          reservePricePerMbpsHour: BigInt(d.price),
          expiry: end,
        });
      }
    }
  }

  const bids: BookBid[] = sample(
    fc.record({
      c: fc.integer({ min: 0, max: HARDWARE_CLASSES.length - 1 }),
      regions: fc.uniqueArray(fc.constantFrom(...REGIONS.map((r) => r.code)), { minLength: 1, maxLength: 3 }),
      buyerRegion: fc.constantFrom(...REGIONS.map((r) => r.code)),
      offsetHours: fc.integer({ min: 1, max: 120 }),
      hours: fc.integer({ min: 1, max: 8 }),
      slack: fc.constantFrom(0, 0, 4, 12, 24),
      vcu: fc.integer({ min: 1, max: 60 }),
      markup: fc.double({ min: 0.9, max: 1.8, noNaN: true }),
      green: fc.constantFrom(0, 2_500, 5_000, 8_000, 10_000),
      mbps: fc.integer({ min: 10, max: 500 }),
    }),
    bidCount,
    seed + 3,
  ).map((d, i) => ({
    id: nextId++,
    buyer: address(20_000 + i),
    hardwareClass: d.c,
    acceptableRegions: d.regions.reduce((mask, r) => mask | (1n << BigInt(r)), 0n),
    buyerRegion: d.buyerRegion,
    earliestStart: start + d.offsetHours * 3_600,
    latestEnd: start + (d.offsetHours + d.hours + d.slack) * 3_600,
    durationHours: d.hours,
    vcu: d.vcu,
    remainingVcu: d.vcu,
    start: 0,
    limitPricePerVcuHour: BigInt(Math.round(COMPUTE_PRICE[d.c] * d.markup * 1.2)),
    minGreenBps: d.green,
    certificateOrigin: 1,
    bandwidthMbps: BigInt(d.mbps),
    maxLatencyMs: 60,
    expiry: start + d.offsetHours * 3_600,
  }));

  return { asOf: now, bids, computeOffers, energyOffers: energy, bandwidthOffers };
}
