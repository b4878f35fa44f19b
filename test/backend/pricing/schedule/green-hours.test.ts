import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { scheduleExact } from "../../../../backend/pricing/schedule/exact.ts";
import { scheduleFast } from "../../../../backend/pricing/schedule/fast.ts";
import { bid, book, computeOffer, energyOffer, H, RULES, T0 } from "./fixtures/orders.ts";

/** Solar of a Ningxia device: 2,000 Wh in each of hours 12 and 13 of the day from T0, nothing else. */
const noonOnly = energyOffer({
  firstHour: T0,
  whPerHour: Array.from({ length: 24 }, (_, h) => (h === 12 || h === 13 ? 2000n : 0n)),
  expiry: T0 + 24 * H,
});
/** A 2 h job of 4 VCU, 50 % green from its grid area, free to start anywhere in the day. */
const flexible = bid({ latestEnd: T0 + 24 * H, expiry: T0 + 24 * H });
const day = book({
  bids: [flexible],
  computeOffers: [computeOffer({ windowEnd: T0 + 24 * H, expiry: T0 + 24 * H })],
  energyOffers: [noonOnly],
});

describe("flexible jobs follow green power", () => {
  it("starts a flexible job in the hours the green supply is, and buys certificates of those hours", () => {
    for (const result of [scheduleFast(day, RULES), scheduleExact(day, RULES)]) {
      assert.equal(result.matches.length, 1, result.algorithm);
      const [m] = result.matches;
      assert.equal(m.start, T0 + 12 * H, `${result.algorithm} starts at noon`);
      // the 50 % minimum of 2 h × 600 Wh, all of it from the noon hours
      assert.equal(
        m.energyLots.reduce((sum, l) => sum + l.wh, 0n),
        600n,
        result.algorithm,
      );
      for (const lot of m.energyLots) assert.ok(lot.hour === T0 + 12 * H || lot.hour === T0 + 13 * H);
    }
  });

  it("follows the supply when it moves to the night", () => {
    const night = energyOffer({
      firstHour: T0,
      whPerHour: Array.from({ length: 24 }, (_, h) => (h === 2 || h === 3 ? 2000n : 0n)),
      expiry: T0 + 24 * H,
    });
    const [m] = scheduleFast({ ...day, energyOffers: [night] }, RULES).matches;
    assert.equal(m.start, T0 + 2 * H);
  });

  it("prefers the greener hours even when any hour could meet the minimum", () => {
    // 300 Wh every hour meets the 50 % minimum anywhere; hours 12–13 have more to spare.
    const flat = energyOffer({
      firstHour: T0,
      whPerHour: Array.from({ length: 24 }, (_, h) => (h === 12 || h === 13 ? 2000n : 300n)),
      expiry: T0 + 24 * H,
    });
    const [m] = scheduleFast({ ...day, energyOffers: [flat] }, RULES).matches;
    assert.equal(m.start, T0 + 12 * H);
  });

  it("leaves a green job unserved when its origin pool has no certificates in any of its hours", () => {
    const elsewhere = energyOffer({ region: 2, whPerHour: noonOnly.whPerHour, expiry: T0 + 24 * H });
    assert.deepEqual(scheduleFast({ ...day, energyOffers: [elsewhere] }, RULES).matches, []);
    const anywhere = { ...day, bids: [{ ...flexible, certificateOrigin: 2 }], energyOffers: [elsewhere] };
    assert.equal(scheduleFast(anywhere, RULES).matches[0].start, T0 + 12 * H);
  });
});

describe("certificates of scarce hours are left to the jobs that need them", () => {
  // Job A (2 h from T0, 50 % green: 600 Wh of its 2 × 600 Wh need) may take its certificates in
  // either hour; job B (1 h from T0 + 1 h, 100 % green) only in the second. The second hour's Wh
  // are the cheaper but just enough for B; the first hour has plenty at a higher price. Each job has
  // its own compute offer, so only the certificates tie them together.
  const cheapScarce = energyOffer({ id: 20n, firstHour: T0, whPerHour: [0n, 600n], expiry: T0 + 2 * H });
  const dearPlenty = energyOffer({
    id: 21n,
    deviceId: 6n,
    firstHour: T0,
    whPerHour: [2000n, 0n],
    reservePricePerKwh: 60n,
    expiry: T0 + 2 * H,
  });
  const a = bid({ id: 10n, latestEnd: T0 + 2 * H, expiry: T0 + 2 * H });
  const b = bid({
    id: 11n,
    earliestStart: T0 + H,
    latestEnd: T0 + 2 * H,
    durationHours: 1,
    minGreenBps: 10_000,
    limitPricePerVcuHour: 500n,
    buyerRegion: 8,
    acceptableRegions: 1n << 8n,
    expiry: T0 + 2 * H,
  });
  const offers = {
    computeOffers: [computeOffer({ id: 1n, vcu: 4 }), computeOffer({ id: 2n, region: 8, vcu: 4 })],
    energyOffers: [cheapScarce, dearPlenty],
  };

  it("serves both jobs: A buys the plentiful first hour, B the scarce second", () => {
    const result = scheduleFast(book({ bids: [a, b], ...offers }), RULES);
    const lots = (id: bigint) => result.matches.filter((m) => m.bidId === id).flatMap((m) => m.energyLots);
    assert.deepEqual(
      lots(10n).map((l) => [l.offerId, l.hour, l.wh]),
      [[21n, T0, 600n]],
    );
    assert.deepEqual(
      lots(11n).map((l) => [l.offerId, l.hour, l.wh]),
      [[20n, T0 + H, 600n]],
    );
  });

  it("lets a lone job (a quote) buy the cheapest certificates", () => {
    const [m] = scheduleFast(book({ bids: [a], ...offers }), RULES).matches;
    assert.deepEqual(
      m.energyLots.map((l) => [l.offerId, l.hour, l.wh]),
      [[20n, T0 + H, 600n]],
    );
  });
});
