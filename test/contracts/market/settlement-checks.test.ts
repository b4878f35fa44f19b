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
