import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkSchedule } from "../../../../backend/pricing/schedule/check.ts";
import { scheduleFast } from "../../../../backend/pricing/schedule/fast.ts";
import type { TimedBid } from "../../../../backend/pricing/schedule/types.ts";
import { bid, book, computeOffer, energyOffer, H, RULES, T0 } from "./fixtures/orders.ts";

// A fixed job and a flexible one of similar worth want the same certificates: the north-west grid
// has 600 Wh in hour 3 and 600 Wh in hour 12 of the day, each exactly one job's need (4 VCU ×
// 150 Wh, 100 % green). The fixed job runs at noon on its own Ningxia offer. The flexible job earns
// more at noon on a cheap Gansu offer open only around noon, less at 03:00 on a dear one open all
// day. Taken by density alone it would buy the noon certificates and leave the fixed job without.
//
// The book has more than 2,500 bids, so the re-insertion moves of pass 4 (which would repair the
// order's mistake on a small book) do not run: the order of pass 2 alone decides.
const DAY = T0 + 24 * H;
const fixedJob = bid({
  id: 11n,
  earliestStart: T0 + 12 * H,
  latestEnd: T0 + 13 * H,
  durationHours: 1,
  minGreenBps: 10_000,
  limitPricePerVcuHour: 700n,
  buyerRegion: 8,
  acceptableRegions: 1n << 8n,
  expiry: DAY,
});
const flexibleJob = bid({
  id: 12n,
  latestEnd: DAY,
  durationHours: 1,
  minGreenBps: 10_000,
  acceptableRegions: 1n << 7n,
  expiry: DAY,
});
/** Fixed jobs of class 0 in Beijing without green, one VCU each, on one offer of their own. */
const others: TimedBid[] = Array.from({ length: 2_600 }, (_, i) =>
  bid({
    id: 1_000n + BigInt(i),
    hardwareClass: 0,
    buyerRegion: 1,
    acceptableRegions: 1n << 1n,
    earliestStart: T0 + 20 * H,
    latestEnd: T0 + 21 * H,
    durationHours: 1,
    vcu: 1,
    minGreenBps: 0,
    limitPricePerVcuHour: 200n,
    expiry: DAY,
  }),
);
const market = book({
  bids: [fixedJob, flexibleJob, ...others],
  computeOffers: [
    computeOffer({ id: 1n, vcu: 4, windowStart: T0 + 10 * H, windowEnd: T0 + 14 * H, expiry: DAY }),
    computeOffer({ id: 2n, region: 8, vcu: 4, windowEnd: DAY, expiry: DAY }),
    computeOffer({ id: 3n, vcu: 4, reservePricePerVcuHour: 300n, windowEnd: DAY, expiry: DAY }),
    computeOffer({ id: 4n, hardwareClass: 0, region: 1, vcu: 3_000, windowEnd: DAY, expiry: DAY }),
  ],
  energyOffers: [
    energyOffer({
      whPerHour: Array.from({ length: 24 }, (_, h) => (h === 3 || h === 12 ? 600n : 0n)),
      expiry: DAY,
    }),
  ],
});

describe("fixed jobs go before flexible jobs of similar worth", () => {
  it("serves the fixed job at noon and moves the flexible one to the other green hour", () => {
    const result = scheduleFast(market, RULES);
    const of = (id: bigint) => result.matches.filter((m) => m.bidId === id);
    assert.deepEqual(
      of(11n).map((m) => [m.computeOfferId, m.start, m.vcu]),
      [[2n, T0 + 12 * H, 4]],
    );
    assert.deepEqual(
      of(12n).map((m) => [m.computeOfferId, m.start, m.vcu]),
      [[3n, T0 + 3 * H, 4]],
    );
    assert.equal(result.matches.filter((m) => m.bidId >= 1_000n).length, 2_600);
    const { violations } = checkSchedule(market, result.matches, RULES);
    assert.deepEqual(
      violations.filter((v) => v !== undefined),
      [],
    );
  });
});
