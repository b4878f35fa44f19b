import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type CandidatePairs,
  certificatePrices,
  pricePairs,
} from "../../../../backend/pricing/schedule/certificate-prices.ts";
import { type PreparedSchedule, prepareSchedule, REGION_SLOTS } from "../../../../backend/pricing/schedule/prepare.ts";
import type { TimedBook } from "../../../../backend/pricing/schedule/types.ts";
import { bid, book, computeOffer, energyOffer, H, RULES, T0 } from "./fixtures/orders.ts";

/** Pass 1's estimates as fast.ts makes them (no links in these books): every candidate, best first. */
function passOne(prep: PreparedSchedule): CandidatePairs {
  const pairStart = new Int32Array(prep.bids.length + 1);
  const offers: number[] = [];
  const profits: number[] = [];
  prep.bids.forEach((b, i) => {
    const pairs = [...b.candidates].map((c) => {
      const compute = prep.computes[c];
      const greenWh = ((b.order.minGreenBps / 10_000) * compute.milliWhPerVcuHour) / 1000;
      return { c, profit: b.limit - compute.reserve - greenWh * prep.meanPricePerWh };
    });
    pairs.sort((x, y) => y.profit - x.profit);
    for (const p of pairs) {
      offers.push(p.c);
      profits.push(p.profit);
    }
    pairStart[i + 1] = offers.length;
  });
  return { pairStart, pairOffer: Int32Array.from(offers), pairProfit: Float64Array.from(profits) };
}

// One Gansu compute offer (region 7, 150 Wh per VCU-hour); Ningxia solar (region 8, the same grid
// area) with 600 Wh in hour T0 and 5,000 Wh in hour T0 + 1 h. Two 100 %-green 1 h jobs of 4 VCU
// (600 Wh each) want hour T0, one wants T0 + 1 h, and one job needs no green power.
const fixedHour = (id: bigint, hour: number, o = {}) =>
  bid({ id, earliestStart: hour, latestEnd: hour + H, durationHours: 1, minGreenBps: 10_000, expiry: hour + H, ...o });
const scarceFirstHour = energyOffer({ firstHour: T0, whPerHour: [600n, 5000n], expiry: T0 + 2 * H });
const market: TimedBook = book({
  bids: [fixedHour(10n, T0), fixedHour(11n, T0), fixedHour(12n, T0 + H), fixedHour(13n, T0, { minGreenBps: 0 })],
  energyOffers: [scarceFirstHour],
});

describe("certificate prices", () => {
  it("raises the price of a cell whose Wh more bids want than it has, and only there", () => {
    const prep = prepareSchedule(market, RULES);
    const { price, premium } = certificatePrices(prep, passOne(prep));
    const cell = (region: number, hour: number) => region * prep.span + hour / H - prep.base;
    assert.ok(premium[cell(8, T0)] > 0, `hour T0 is over-demanded: premium ${premium[cell(8, T0)]}`);
    assert.equal(premium[cell(8, T0 + H)], 0);
    assert.ok(price[cell(8, T0)] > price[cell(8, T0 + H)]);
    assert.equal(price[cell(7, T0)], Infinity, "Gansu has no certificates");
    assert.equal(price.length, REGION_SLOTS * prep.span);
  });

  it("ranks a green bid by its hours' prices and leaves a bid without a green minimum as it was", () => {
    const prep = prepareSchedule(market, RULES);
    const pairs = passOne(prep);
    const plain = Float64Array.from(prep.bids, (_, b) => pairs.pairProfit[pairs.pairStart[b]]);
    const density = plain.slice();
    pricePairs(prep, pairs, certificatePrices(prep, pairs), density);
    const at = (id: bigint) => prep.bids.findIndex((b) => b.order.id === id);
    // Bids 10 and 12 differ only in their hour: the same estimate at the book's mean price, …
    assert.equal(plain[at(10n)], plain[at(12n)]);
    // … but the one in the scarce hour earns less once its Wh are priced.
    assert.ok(density[at(10n)] < density[at(12n)], `${density[at(10n)]} < ${density[at(12n)]}`);
    assert.equal(density[at(13n)], plain[at(13n)]);
  });

  it("puts first the compute offer whose origin pool has Wh to spare in the job's hours", () => {
    // Bid 14 may run in Gansu (reserve 100, its grid area's only Wh at T0 wanted by bids 10 and 11)
    // or in Guangdong (region 3, reserve 120, with plenty of Wh in its own grid area at T0).
    const south = computeOffer({ id: 2n, region: 3, reservePricePerVcuHour: 120n });
    const southSolar = energyOffer({ id: 21n, deviceId: 6n, region: 3, firstHour: T0, whPerHour: [5000n] });
    const both = fixedHour(14n, T0, { acceptableRegions: (1n << 7n) | (1n << 3n) });
    const prep = prepareSchedule(
      {
        ...market,
        bids: [...market.bids, both],
        computeOffers: [...market.computeOffers, south],
        energyOffers: [scarceFirstHour, { ...southSolar, expiry: T0 + H }],
      },
      RULES,
    );
    const pairs = passOne(prep);
    const b = prep.bids.findIndex((x) => x.order.id === 14n);
    const first = () => prep.computes[pairs.pairOffer[pairs.pairStart[b]]].order.id;
    assert.equal(first(), 1n, "at the book's mean price the cheaper Gansu offer comes first");
    pricePairs(prep, pairs, certificatePrices(prep, pairs), new Float64Array(prep.bids.length));
    assert.equal(first(), 2n);
    assert.equal(pairs.pairStart[b + 1] - pairs.pairStart[b], 2, "both pairs kept");
  });
});
