// Matching in hours (docs/market-rules.md, "Matching: what settle checks"): the start, hourly compute and link
// capacity, energy lots inside the job's hours and within each hour's need, the certificate origin.
import { expect } from "chai";
import {
  type Book,
  bandwidthOffer,
  bid,
  bundle,
  computeOffer,
  energyOffer,
  HOUR,
  jobHours,
  lots,
  openBook,
  partialBundle,
  registerDevice,
} from "../../helpers/book.ts";
import { loadFixture, time } from "../../helpers/connection.ts";
import { settle } from "../../helpers/deals.ts";
import { Origin, Region, Source } from "../../helpers/deploy.ts";

describe("matching in hours", () => {
  it("skips a start off the hour, before earliestStart or running past latestEnd (StartOutsideWindow)", async () => {
    const b = await loadFixture(openBook);
    for (const start of [b.start + 60, b.start - HOUR, b.start + HOUR]) {
      const { skipped } = await settle(b, [bundle(b, { start })]);
      expect(skipped.map((s) => s.reason)).to.deep.equal(["StartOutsideWindow"]);
    }
  });

  /** A 1-hour compute-only job of 10 VCU anywhere in the 3 hours from the standard start, on a compute
   * offer, both open until the window's end, so that the job's hours can begin while they are open. */
  async function openUntilWindowEnd(b: Book) {
    const windowEnd = b.start + 3 * HOUR;
    await b.market.connect(b.computeSupplier).postComputeOffer(computeOffer(b.t0, { expiry: windowEnd }));
    await b.market.connect(b.otherBuyer).postBid(
      bid(b.t0, {
        earliestStart: b.start,
        latestEnd: windowEnd,
        durationHours: 1,
        vcu: 10n,
        bandwidthMbps: 0n,
        buyerRegion: Region.Gansu,
        minGreenBps: 0n,
        expiry: windowEnd,
      }),
    );
    const bidId = await b.market.bidCount();
    const computeOfferId = await b.market.computeOfferCount();
    return {
      bidId,
      computeOfferId,
      match: (at: number) => ({
        bidId,
        computeOfferId,
        start: at,
        vcu: 10n,
        computePayment: 1_500_000n * 10n,
        energyLots: [],
        bandwidthOfferId: 0n,
        bandwidthPayment: 0n,
      }),
    };
  }

  it("skips a match whose start hour has already begun when it settles (StartPassed), taking nothing", async () => {
    const b = await loadFixture(openBook);
    const job = await openUntilWindowEnd(b);
    await time.increaseTo(b.start + HOUR);
    const { deals, skipped } = await settle(b, [job.match(b.start), job.match(b.start + HOUR)]);
    expect(skipped.map((s) => [s.index, s.reason])).to.deep.equal([
      [0n, "StartPassed"],
      [1n, "StartPassed"],
    ]);
    expect(deals).to.have.length(0);
    const bidAfter = await b.market.bidOf(job.bidId);
    expect(bidAfter.start).to.equal(0n);
    expect(bidAfter.remainingVcu).to.equal(10n);
    expect(await b.market.computeUsedOf(job.computeOfferId, b.start + HOUR)).to.equal(0n);
    // The hour still to come settles.
    const later = await settle(b, [job.match(b.start + 2 * HOUR)]);
    expect(later.skipped).to.deep.equal([]);
    expect(later.deals[0].terms.start).to.equal(BigInt(b.start + 2 * HOUR));
  });

  it("settles a match in the very second its start hour begins, not after", async () => {
    const b = await loadFixture(openBook);
    const job = await openUntilWindowEnd(b);
    await time.setNextBlockTimestamp(b.start + HOUR);
    const { deals, skipped } = await settle(b, [job.match(b.start + HOUR)]);
    expect(skipped).to.deep.equal([]);
    expect(deals[0].terms.start).to.equal(BigInt(b.start + HOUR));
  });

  it("lets a flexible job start at any hour of its window, then holds every later match to that start", async () => {
    const b = await loadFixture(openBook);
    // A 2-hour job of 20 VCU anywhere in the offer's 6 hours.
    await b.market.connect(b.otherBuyer).postBid(
      bid(b.t0, {
        earliestStart: b.start - HOUR,
        latestEnd: b.start + 5 * HOUR,
        durationHours: 2,
        vcu: 20n,
        bandwidthMbps: 0n,
        buyerRegion: Region.Gansu,
        minGreenBps: 0n,
      }),
    );
    const flexible = await b.market.bidCount();
    const start = b.start + 2 * HOUR;
    const match = (vcu: bigint, at: number) => ({
      bidId: flexible,
      computeOfferId: b.computeOfferId,
      start: at,
      vcu,
      computePayment: 1_500_000n * vcu * 2n,
      energyLots: [],
      bandwidthOfferId: 0n,
      bandwidthPayment: 0n,
    });
    const first = await settle(b, [match(5n, start)]);
    expect(first.deals[0].terms.start).to.equal(BigInt(start));
    expect((await b.market.bidOf(flexible)).start).to.equal(BigInt(start));
    const { deals, skipped } = await settle(b, [match(5n, start - HOUR), match(15n, start)]);
    expect(skipped.map((s) => [s.index, s.reason])).to.deep.equal([[0n, "StartMismatch"]]);
    expect(deals).to.have.length(1);
    expect((await b.market.bidOf(flexible)).remainingVcu).to.equal(0n);
    expect(await b.market.computeUsedOf(b.computeOfferId, start)).to.equal(20n);
    expect(await b.market.computeUsedOf(b.computeOfferId, start + 2 * HOUR)).to.equal(0n);
  });

  it("never sells an hour of a compute offer beyond its VCU (ComputeCapacityExceeded), whatever the other hours hold", async () => {
    const b = await loadFixture(openBook);
    // 80 of the offer's 100 VCU go to a 1-hour job in the standard job's last hour.
    await b.market.connect(b.otherBuyer).postBid(
      bid(b.t0, {
        earliestStart: b.start + 3 * HOUR,
        latestEnd: b.start + 4 * HOUR,
        durationHours: 1,
        vcu: 80n,
        buyerRegion: Region.Gansu,
        bandwidthMbps: 0n,
        minGreenBps: 0n,
      }),
    );
    const hog = {
      bidId: 2n,
      computeOfferId: b.computeOfferId,
      start: b.start + 3 * HOUR,
      vcu: 80n,
      computePayment: 1_500_000n * 80n,
      energyLots: [],
      bandwidthOfferId: 0n,
      bandwidthPayment: 0n,
    };
    const { skipped } = await settle(b, [hog, bundle(b)]);
    expect(skipped.map((s) => s.reason)).to.deep.equal(["ComputeCapacityExceeded"]);
    const fits = await settle(b, [partialBundle(b, 20n)]);
    expect(fits.deals).to.have.length(1);
    expect(await b.market.computeUsedOf(b.computeOfferId, b.start + 3 * HOUR)).to.equal(100n);
    expect(await b.market.computeUsedOf(b.computeOfferId, b.start)).to.equal(20n);
  });

  it("skips a lot whose hour is not one of the job's hours (LotOutsideJobHours)", async () => {
    const b = await loadFixture(openBook);
    const outside = lots(b.windOfferId, [b.start - HOUR], 1_000n, 100_000n);
    const { skipped } = await settle(b, [bundle(b, { energyLots: [...outside, ...bundle(b).energyLots.slice(0)] })]);
    expect(skipped.map((s) => s.reason)).to.deep.equal(["LotOutsideJobHours"]);
  });

  it("skips lots not strictly ascending by (offer, hour), and an hour the offer does not name", async () => {
    const b = await loadFixture(openBook);
    const standard = bundle(b).energyLots;
    const swapped = [standard[1], standard[0], ...standard.slice(2)];
    expect((await settle(b, [bundle(b, { energyLots: swapped })])).skipped[0].reason).to.equal(
      "EnergyLotsNotAscending",
    );
    // A solar offer for the first job hour only: a lot in the second hour finds nothing left.
    await b.market
      .connect(b.solarSupplier)
      .postEnergyOffer(energyOffer(b.t0, b.solarDeviceId, { whPerHour: [1_000n] }));
    const oneHour = await b.market.energyOfferCount();
    const { skipped } = await settle(b, [
      bundle(b, { energyLots: [...standard, { offerId: oneHour, hour: b.start + HOUR, wh: 1n, payment: 1n }] }),
    ]);
    expect(skipped[0].reason).to.equal("EnergyQuantityExceeded");
  });

  it("skips an hour whose green Wh exceed the job's need in that hour (GreenAboveNeed), though the job's total would fit", async () => {
    const b = await loadFixture(openBook);
    const [h0, h1, h2, h3] = jobHours(b.t0);
    // 62.5 kWh is each hour's need: 70 kWh in hour 0 and 55 in hour 1 total 125 kWh, half the job.
    const energyLots = [
      { offerId: b.windOfferId, hour: h0, wh: 70_000n, payment: 3_000_000n },
      { offerId: b.windOfferId, hour: h1, wh: 55_000n, payment: 3_000_000n },
    ];
    expect((await settle(b, [bundle(b, { energyLots })])).skipped[0].reason).to.equal("GreenAboveNeed");
    const within = [
      { offerId: b.windOfferId, hour: h2, wh: 62_500n, payment: 3_000_000n },
      { offerId: b.windOfferId, hour: h3, wh: 62_500n, payment: 3_000_000n },
    ];
    expect((await settle(b, [bundle(b, { energyLots: within })])).deals).to.have.length(1);
  });

  it("judges the minimum green share on hourly-matched Wh over the whole job (GreenShareBelowMinimum)", async () => {
    const b = await loadFixture(openBook);
    // The bid asks 50 % of 250 kWh: one full hour of wind (62.5 kWh) is 25 %.
    const energyLots = [{ offerId: b.windOfferId, hour: b.start, wh: 62_500n, payment: 3_000_000n }];
    expect((await settle(b, [bundle(b, { energyLots })])).skipped[0].reason).to.equal("GreenShareBelowMinimum");
  });

  it("takes certificates only from where the bid's origin rule allows (OriginNotAccepted)", async () => {
    const b = await loadFixture(openBook);
    // Solar from Ningxia serves Gansu compute under "grid-area" (both north-west) but not "compute-region".
    await b.market.connect(b.otherBuyer).postBid(bid(b.t0, { certificateOrigin: Origin.ComputeRegion }));
    const strict = await b.market.bidCount();
    expect((await settle(b, [bundle(b, { bidId: strict })])).skipped[0].reason).to.equal("OriginNotAccepted");
    // Hydro from Chengdu–Chongqing (south-west grid) serves nobody in Gansu but an "anywhere" bid.
    const hydro = await registerDevice(b, b.windSupplier, Source.Hydro, Region.ChengduChongqing);
    await b.market.connect(b.windSupplier).postEnergyOffer(energyOffer(b.t0, hydro));
    const hydroOffer = await b.market.energyOfferCount();
    const hydroLots = lots(hydroOffer, jobHours(b.t0), 62_500n, 3_000_000n);
    expect((await settle(b, [bundle(b, { energyLots: hydroLots })])).skipped[0].reason).to.equal("OriginNotAccepted");
    await b.market.connect(b.otherBuyer).postBid(bid(b.t0, { certificateOrigin: Origin.Anywhere }));
    const anywhere = await b.market.bidCount();
    const { deals } = await settle(b, [bundle(b, { bidId: anywhere, energyLots: hydroLots })]);
    expect(deals[0].terms.certificateOrigin).to.equal(BigInt(Origin.Anywhere));
  });

  it("reserves a bid's Mbps on a link once, in the job's hours only, however many matches fill the bid", async () => {
    const b = await loadFixture(openBook);
    const first = await settle(b, [partialBundle(b, 10n)]);
    expect(first.deals[0].terms.bandwidthMbps).to.equal(50n);
    const second = await settle(b, [partialBundle(b, 15n, { bandwidthPayment: 0n })]);
    expect(second.skipped).to.deep.equal([]);
    expect(second.deals[0].terms.bandwidthMbps).to.equal(0n);
    for (const hour of jobHours(b.t0)) expect(await b.market.bandwidthUsedOf(b.bandwidthOfferId, hour)).to.equal(50n);
    expect(await b.market.bandwidthUsedOf(b.bandwidthOfferId, b.start - HOUR)).to.equal(0n);
    expect(await b.market.bandwidthUsedOf(b.bandwidthOfferId, b.start + 4 * HOUR)).to.equal(0n);
  });

  it("never reserves a link hour beyond its Mbps (BandwidthCapacityExceeded)", async () => {
    const b = await loadFixture(openBook);
    await b.market.connect(b.networkSupplier).postBandwidthOffer(bandwidthOffer(b.t0, { mbps: 60n }));
    const narrow = await b.market.bandwidthOfferCount();
    await b.market.connect(b.otherBuyer).postBid(bid(b.t0));
    const { deals, skipped } = await settle(b, [
      bundle(b, { bandwidthOfferId: narrow }),
      bundle(b, { bidId: 2n, bandwidthOfferId: narrow }),
    ]);
    expect(deals).to.have.length(1);
    expect(skipped.map((s) => s.reason)).to.deep.equal(["BandwidthCapacityExceeded"]);
  });

  it("serves one bid from two compute offers at the same start, never beyond its VCU", async () => {
    const b = await loadFixture(openBook);
    await b.market.connect(b.computeSupplier).postComputeOffer(computeOffer(b.t0, { vcu: 10n }));
    const small = await b.market.computeOfferCount();
    const { deals, skipped } = await settle(b, [
      partialBundle(b, 10n, { computeOfferId: small }),
      partialBundle(b, 15n, { bandwidthPayment: 0n }),
      partialBundle(b, 1n, { bandwidthPayment: 0n }),
    ]);
    expect(deals).to.have.length(2);
    expect(skipped.map((s) => s.reason)).to.deep.equal(["BidNotOpen"]);
  });
});
