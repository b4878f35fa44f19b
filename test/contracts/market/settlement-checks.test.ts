import { expect } from "chai";
import type { SkipReason } from "../../../protocol/orders.ts";
import {
  advanceTo,
  type Book,
  bandwidthOffer,
  bid,
  bundle,
  computeOffer,
  defaultWindow,
  energyOffer,
  HOUR,
  type Match,
  openBook,
} from "../../helpers/book.ts";
import { loadFixture } from "../../helpers/connection.ts";
import { settle } from "../../helpers/deals.ts";
import { HardwareClass, Region, USD } from "../../helpers/deploy.ts";

// Every limit a match must respect (docs/security.md), each broken by the smallest change to the
// standard bundle. Each case may first change the book; it returns the match to settle.
type Case = { reason: SkipReason; breaks: string; match: (b: Book) => Promise<Match> | Match };

const early = (b: Book) => b.t0 + HOUR;

const cases: Case[] = [
  { reason: "ZeroQuantity", breaks: "a match of zero VCU-hours", match: (b) => bundle(b, { vcuHours: 0n }) },
  {
    reason: "ZeroQuantity",
    breaks: "an energy lot of zero Wh",
    match: (b) => bundle(b, { energyLots: [{ offerId: b.windOfferId, wh: 0n, payment: 0n }] }),
  },
  { reason: "BidNotOpen", breaks: "an unknown bid", match: (b) => bundle(b, { bidId: 99n }) },
  {
    reason: "BidNotOpen",
    breaks: "a cancelled bid",
    match: async (b) => {
      await b.market.connect(b.buyer).cancelBid(b.bidId);
      return bundle(b);
    },
  },
  {
    reason: "BidExpired",
    breaks: "a bid past its expiry",
    match: async (b) => {
      await advanceTo(defaultWindow(b.t0).windowStart);
      return bundle(b);
    },
  },
  {
    reason: "BidQuantityExceeded",
    breaks: "more VCU-hours than the bid has left",
    match: (b) => bundle(b, { vcuHours: 101n }),
  },
  {
    reason: "ComputeOfferNotOpen",
    breaks: "an unknown compute offer",
    match: (b) => bundle(b, { computeOfferId: 99n }),
  },
  {
    reason: "ComputeOfferExpired",
    breaks: "a compute offer past its expiry",
    match: async (b) => {
      await b.market.connect(b.computeSupplier).postComputeOffer(computeOffer(b.t0, { expiry: early(b) }));
      await advanceTo(early(b));
      return bundle(b, { computeOfferId: 2n });
    },
  },
  {
    reason: "ComputeQuantityExceeded",
    breaks: "more VCU-hours than the compute offer has left",
    match: async (b) => {
      await b.market.connect(b.computeSupplier).postComputeOffer(computeOffer(b.t0, { vcuHours: 99n }));
      return bundle(b, { computeOfferId: 2n });
    },
  },
  {
    reason: "HardwareClassMismatch",
    breaks: "compute of another hardware class",
    match: async (b) => {
      await b.market
        .connect(b.computeSupplier)
        .postComputeOffer(computeOffer(b.t0, { hardwareClass: HardwareClass.CpuGeneral }));
      return bundle(b, { computeOfferId: 2n });
    },
  },
  {
    reason: "WindowNotCovered",
    breaks: "compute available only after the bid's window starts",
    match: async (b) => {
      const { windowStart: start, windowEnd } = defaultWindow(b.t0);
      await b.market
        .connect(b.computeSupplier)
        .postComputeOffer(computeOffer(b.t0, { windowStart: start + 1, windowEnd: windowEnd + HOUR, expiry: start }));
      return bundle(b, { computeOfferId: 2n });
    },
  },
  {
    reason: "WindowNotCovered",
    breaks: "compute available only until before the bid's window ends",
    match: async (b) => {
      const { windowStart: start, windowEnd } = defaultWindow(b.t0);
      await b.market
        .connect(b.computeSupplier)
        .postComputeOffer(computeOffer(b.t0, { windowStart: start - HOUR, windowEnd: windowEnd - 1, expiry: start }));
      return bundle(b, { computeOfferId: 2n });
    },
  },
  {
    reason: "RegionNotAccepted",
    breaks: "compute in a region the bid does not accept",
    match: async (b) => {
      await b.market
        .connect(b.computeSupplier)
        .postComputeOffer(computeOffer(b.t0, { region: Region.GuangdongHkMacao }));
      return bundle(b, { computeOfferId: 2n });
    },
  },
  {
    reason: "ComputePaymentBelowReserve",
    breaks: "a compute payment one unit below reserve × VCU-hours",
    match: (b) => bundle(b, { computePayment: 150n * USD - 1n }),
  },
  {
    reason: "EnergyLotsNotAscending",
    breaks: "energy lots out of order",
    match: (b) =>
      bundle(b, {
        energyLots: [
          { offerId: b.solarOfferId, wh: 100_000n, payment: 6n * USD },
          { offerId: b.windOfferId, wh: 150_000n, payment: 7n * USD },
        ],
      }),
  },
  {
    reason: "EnergyLotsNotAscending",
    breaks: "the same energy offer twice",
    match: (b) =>
      bundle(b, {
        energyLots: [
          { offerId: b.windOfferId, wh: 100_000n, payment: 5n * USD },
          { offerId: b.windOfferId, wh: 100_000n, payment: 5n * USD },
        ],
      }),
  },
  {
    reason: "EnergyOfferNotOpen",
    breaks: "an unknown energy offer",
    match: (b) =>
      bundle(b, {
        energyLots: [
          { offerId: b.windOfferId, wh: 150_000n, payment: 7n * USD },
          { offerId: 99n, wh: 100_000n, payment: 6n * USD },
        ],
      }),
  },
  {
    reason: "EnergyOfferExpired",
    breaks: "an energy offer past its expiry",
    match: async (b) => {
      await b.market.connect(b.windSupplier).postEnergyOffer(energyOffer(b.t0, b.windDeviceId, { expiry: early(b) }));
      await advanceTo(early(b));
      return bundle(b, { energyLots: [{ offerId: 3n, wh: 250_000n, payment: 10n * USD }] });
    },
  },
  {
    reason: "EnergyQuantityExceeded",
    breaks: "more Wh than the energy offer has left",
    match: async (b) => {
      await b.market.connect(b.windSupplier).postEnergyOffer(energyOffer(b.t0, b.windDeviceId, { wh: 149_999n }));
      return bundle(b, {
        energyLots: [
          { offerId: b.solarOfferId, wh: 100_000n, payment: 6n * USD },
          { offerId: 3n, wh: 150_000n, payment: 7n * USD },
        ],
      });
    },
  },
  {
    reason: "EnergyPaymentBelowReserve",
    breaks: "an energy payment one unit below reserve × kWh",
    match: (b) =>
      bundle(b, {
        energyLots: [
          { offerId: b.windOfferId, wh: 150_000n, payment: 6n * USD - 1n },
          { offerId: b.solarOfferId, wh: 100_000n, payment: 6n * USD },
        ],
      }),
  },
  {
    reason: "EnergyPaymentBelowReserve",
    breaks: "an energy payment that only reaches the reserve by rounding its cost down",
    // At 0.040001 per kWh, 150,000 Wh cost 6,000,150 base units; 1,999 more Wh cost 79,961.999…,
    // which the reserve rounds up to 79,962.
    match: async (b) => {
      await b.market
        .connect(b.windSupplier)
        .postEnergyOffer(energyOffer(b.t0, b.windDeviceId, { reservePricePerKwh: 40_001n }));
      return bundle(b, {
        energyLots: [
          { offerId: b.solarOfferId, wh: 98_001n, payment: 6n * USD },
          { offerId: 3n, wh: 151_999n, payment: 6_000_150n + 79_961n },
        ],
      });
    },
  },
  {
    reason: "GreenShareBelowMinimum",
    breaks: "one Wh less green energy than the bid's minimum share",
    match: (b) => bundle(b, { energyLots: [{ offerId: b.windOfferId, wh: 124_999n, payment: 5n * USD }] }),
  },
  {
    reason: "GreenAboveNeed",
    breaks: "one Wh more certificates than the job needs",
    match: (b) =>
      bundle(b, {
        energyLots: [
          { offerId: b.windOfferId, wh: 150_001n, payment: 7n * USD },
          { offerId: b.solarOfferId, wh: 100_000n, payment: 6n * USD },
        ],
      }),
  },
  {
    reason: "BandwidthMissing",
    breaks: "no link although compute and buyer regions differ",
    match: (b) => bundle(b, { bandwidthOfferId: 0n, bandwidthPayment: 0n }),
  },
  {
    reason: "BandwidthNotNeeded",
    breaks: "a link for a buyer in the compute region",
    match: async (b) => {
      await b.market.connect(b.otherBuyer).postBid(bid(b.t0, { buyerRegion: Region.Gansu }));
      return bundle(b, { bidId: 2n });
    },
  },
  {
    reason: "BandwidthNotNeeded",
    breaks: "a bandwidth payment without a link for a buyer in the compute region",
    match: async (b) => {
      await b.market.connect(b.otherBuyer).postBid(bid(b.t0, { buyerRegion: Region.Gansu }));
      return bundle(b, { bidId: 2n, bandwidthOfferId: 0n });
    },
  },
  { reason: "BandwidthOfferNotOpen", breaks: "an unknown link", match: (b) => bundle(b, { bandwidthOfferId: 99n }) },
  {
    reason: "BandwidthOfferExpired",
    breaks: "a link past its expiry",
    match: async (b) => {
      await b.market.connect(b.networkSupplier).postBandwidthOffer(bandwidthOffer(b.t0, { expiry: early(b) }));
      await advanceTo(early(b));
      return bundle(b, { bandwidthOfferId: 2n });
    },
  },
  {
    reason: "BandwidthRouteMismatch",
    breaks: "a link that does not reach the compute region",
    match: async (b) => {
      await b.market
        .connect(b.networkSupplier)
        .postBandwidthOffer(bandwidthOffer(b.t0, { fromRegion: Region.BeijingTianjinHebei }));
      return bundle(b, { bandwidthOfferId: 2n });
    },
  },
  {
    reason: "BandwidthWindowNotCovered",
    breaks: "a link available only after the bid's window starts",
    match: async (b) => {
      const { windowStart: start, windowEnd } = defaultWindow(b.t0);
      await b.market
        .connect(b.networkSupplier)
        .postBandwidthOffer(bandwidthOffer(b.t0, { windowStart: start + 1, windowEnd, expiry: start }));
      return bundle(b, { bandwidthOfferId: 2n });
    },
  },
  {
    reason: "BandwidthCapacityExceeded",
    breaks: "a link with one Mbps less than the bid needs",
    match: async (b) => {
      await b.market.connect(b.networkSupplier).postBandwidthOffer(bandwidthOffer(b.t0, { mbps: 49n }));
      return bundle(b, { bandwidthOfferId: 2n });
    },
  },
  {
    reason: "LatencyAboveMaximum",
    breaks: "a link one millisecond slower than the bid allows",
    match: async (b) => {
      await b.market.connect(b.networkSupplier).postBandwidthOffer(bandwidthOffer(b.t0, { latencyMs: 41n }));
      return bundle(b, { bandwidthOfferId: 2n });
    },
  },
  {
    reason: "BandwidthPaymentBelowReserve",
    breaks: "a bandwidth payment one unit below reserve × Mbps × window hours",
    match: (b) => bundle(b, { bandwidthPayment: 2n * USD - 1n }),
  },
  {
    reason: "PriceAboveLimit",
    breaks: "payments plus fee above limit × VCU-hours",
    match: (b) => bundle(b, { computePayment: 234n * USD }),
  },
  {
    reason: "PriceAboveLimit",
    breaks: "a compute payment alone above the bid's budget",
    match: (b) => bundle(b, { computePayment: 250n * USD + 1n }),
  },
  {
    reason: "PriceAboveLimit",
    breaks: "a bandwidth payment alone above the bid's budget",
    match: (b) => bundle(b, { bandwidthPayment: 250n * USD + 1n }),
  },
  {
    reason: "PriceAboveLimit",
    breaks: "an energy payment alone above the bid's budget",
    match: (b) =>
      bundle(b, {
        energyLots: [
          { offerId: b.windOfferId, wh: 150_000n, payment: 250n * USD + 1n },
          { offerId: b.solarOfferId, wh: 100_000n, payment: 6n * USD },
        ],
      }),
  },
];

describe("settlement checks every limit of every order", () => {
  for (const { reason, breaks, match } of cases) {
    it(`skips ${breaks} with ${reason} and changes nothing`, async () => {
      const b = await loadFixture(openBook);
      const m = await match(b);
      const remainingBefore = (await b.market.bidOf(m.bidId)).remainingVcu;
      const { deals, skipped } = await settle(b, [m]);
      expect(deals).to.deep.equal([]);
      expect(skipped).to.deep.equal([{ index: 0n, bidId: m.bidId, computeOfferId: m.computeOfferId, reason }]);
      expect((await b.market.bidOf(m.bidId)).remainingVcu).to.equal(remainingBefore);
      expect(await b.market.dealCount()).to.equal(0n);
    });
  }

  it("accepts an energy payment equal to its reserve cost rounded up", async () => {
    const b = await loadFixture(openBook);
    await b.market
      .connect(b.windSupplier)
      .postEnergyOffer(energyOffer(b.t0, b.windDeviceId, { reservePricePerKwh: 40_001n }));
    const { deals, skipped } = await settle(b, [
      bundle(b, {
        energyLots: [
          { offerId: b.solarOfferId, wh: 98_001n, payment: 6n * USD },
          { offerId: 3n, wh: 151_999n, payment: 6_000_150n + 79_962n },
        ],
      }),
    ]);
    expect(skipped).to.deep.equal([]);
    expect(deals[0].terms.energyLots[1].payment).to.equal(6_080_112n);
  });

  it("accepts payments that meet every reserve exactly and a total plus fee exactly at the limit", async () => {
    const b = await loadFixture(openBook);
    // Reserves: compute 150, wind 6, solar 5, bandwidth 2. Total 247.524753 + fee 2.475247 (1 %,
    // rounded down) is exactly the bid's 250; one unit more of payment breaks the limit.
    const atLimit = (computePayment: bigint) =>
      bundle(b, {
        computePayment,
        energyLots: [
          { offerId: b.windOfferId, wh: 150_000n, payment: 6n * USD },
          { offerId: b.solarOfferId, wh: 100_000n, payment: 5n * USD },
        ],
        bandwidthPayment: 2n * USD,
      });
    const over = await settle(b, [atLimit(234_524_754n)]);
    expect(over.skipped.map((s) => s.reason)).to.deep.equal(["PriceAboveLimit"]);
    const { deals, skipped } = await settle(b, [atLimit(234_524_753n)]);
    expect(skipped).to.deep.equal([]);
    expect(deals[0].terms.fee).to.equal(2_475_247n);
    expect(234_524_753n + 13n * USD + deals[0].terms.fee).to.equal(deals[0].terms.escrow);
  });

  it("needs no link and no certificates for a buyer in the compute region without a green minimum", async () => {
    const b = await loadFixture(openBook);
    await b.market.connect(b.otherBuyer).postBid(bid(b.t0, { buyerRegion: Region.Gansu, minGreenBps: 0n }));
    const { deals, skipped } = await settle(b, [
      bundle(b, { bidId: 2n, energyLots: [], bandwidthOfferId: 0n, bandwidthPayment: 0n }),
    ]);
    expect(skipped).to.deep.equal([]);
    expect(deals[0].terms.energyLots).to.deep.equal([]);
    expect(deals[0].terms.bandwidthSupplier).to.equal("0x0000000000000000000000000000000000000000");
  });

  it("accepts a link posted in the opposite direction", async () => {
    const b = await loadFixture(openBook);
    await b.market
      .connect(b.networkSupplier)
      .postBandwidthOffer(bandwidthOffer(b.t0, { fromRegion: Region.YangtzeDelta, toRegion: Region.Gansu }));
    const { deals, skipped } = await settle(b, [bundle(b, { bandwidthOfferId: 2n })]);
    expect(skipped).to.deep.equal([]);
    expect(deals[0].terms.bandwidthOfferId).to.equal(2n);
  });
});
