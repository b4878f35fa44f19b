import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";
import { expect } from "chai";
import { bid, bundle, openBook, partialBundle } from "../../helpers/book.ts";
import { loadFixture } from "../../helpers/connection.ts";
import { settle } from "../../helpers/deals.ts";
import { CHALLENGE_PERIOD, REPORT_GRACE_PERIOD, Region, SOLAR_FACTOR, USD, WIND_FACTOR } from "../../helpers/deploy.ts";

describe("settling batches of matches", () => {
  it("opens a deal indexed by deal, bid and buyer", async () => {
    const b = await loadFixture(openBook);
    await expect(b.market.connect(b.matcher).settle([bundle(b)]))
      .to.emit(b.market, "DealOpened")
      .withArgs(1n, b.bidId, b.buyer.address, anyValue);
    expect(await b.market.dealCount()).to.equal(1n);
  });

  it("fixes the deal's terms from the orders and the market's settings", async () => {
    const b = await loadFixture(openBook);
    const { deals } = await settle(b, [bundle(b)]);
    const { dealId, terms } = deals[0];
    const bidParams = bid(b.t0);
    expect(dealId).to.equal(1n);
    expect(terms).to.deep.equal({
      bidId: b.bidId,
      buyer: b.buyer.address,
      computeOfferId: b.computeOfferId,
      computeSupplier: b.computeSupplier.address,
      computeRegion: BigInt(Region.Gansu),
      windowStart: BigInt(bidParams.windowStart),
      windowEnd: BigInt(bidParams.windowEnd),
      vcuHours: 100n,
      computePayment: 180n * USD,
      energyNeededWh: 250_000n,
      energyLots: [
        {
          offerId: b.windOfferId,
          supplier: b.windSupplier.address,
          batchId: b.windDeviceId,
          wh: 150_000n,
          payment: 7n * USD,
          sourceFactor: WIND_FACTOR,
        },
        {
          offerId: b.solarOfferId,
          supplier: b.solarSupplier.address,
          batchId: b.solarDeviceId,
          wh: 100_000n,
          payment: 6n * USD,
          sourceFactor: SOLAR_FACTOR,
        },
      ],
      bandwidthOfferId: b.bandwidthOfferId,
      bandwidthSupplier: b.networkSupplier.address,
      bandwidthMbps: 50n,
      bandwidthPayment: 3n * USD,
      fee: 1_960_000n,
      escrow: 250n * USD,
      gridFactor: 610n,
      reportDeadline: BigInt(bidParams.windowEnd) + BigInt(REPORT_GRACE_PERIOD),
      challengePeriod: BigInt(CHALLENGE_PERIOD),
    });
    const stored = await b.market.dealOf(dealId);
    expect(stored.status).to.equal(0n);
    expect(stored.digest).to.equal(await b.market.termsDigest(terms));
  });

  it("draws every order down by what the match took", async () => {
    const b = await loadFixture(openBook);
    await settle(b, [bundle(b)]);
    expect((await b.market.bidOf(b.bidId)).remainingVcu).to.equal(0n);
    expect((await b.market.computeOfferOf(b.computeOfferId)).remainingVcu).to.equal(900n);
    expect((await b.market.energyOfferOf(b.windOfferId)).remainingWh).to.equal(850_000n);
    expect((await b.market.energyOfferOf(b.solarOfferId)).remainingWh).to.equal(900_000n);
    expect((await b.market.bandwidthOfferOf(b.bandwidthOfferId)).remainingMbps).to.equal(950n);
  });

  it("skips the failing matches of a batch with their index and settles the others", async () => {
    const b = await loadFixture(openBook);
    await b.market.connect(b.otherBuyer).postBid(bid(b.t0));
    const batch = [
      partialBundle(b, 40n),
      bundle(b, { bidId: 77n }),
      partialBundle(b, 60n, { bidId: 2n }),
      partialBundle(b, 40n, { computePayment: 1n }),
    ];
    expect(await b.market.connect(b.matcher).settle.staticCall(batch)).to.equal(2n);
    const { deals, skipped } = await settle(b, batch);
    expect(deals.map((d) => [d.dealId, d.terms.bidId, d.terms.buyer])).to.deep.equal([
      [1n, b.bidId, b.buyer.address],
      [2n, 2n, b.otherBuyer.address],
    ]);
    expect(skipped).to.deep.equal([
      { index: 1n, bidId: 77n, computeOfferId: b.computeOfferId, reason: "BidNotOpen" },
      { index: 3n, bidId: b.bidId, computeOfferId: b.computeOfferId, reason: "ComputePaymentBelowReserve" },
    ]);
    expect(await b.market.dealCount()).to.equal(2n);
  });

  it("applies matches in order, so a later one sees the fills of earlier ones", async () => {
    const b = await loadFixture(openBook);
    const { deals, skipped } = await settle(b, [partialBundle(b, 60n), partialBundle(b, 60n), partialBundle(b, 40n)]);
    expect(deals.map((d) => d.terms.vcuHours)).to.deep.equal([60n, 40n]);
    expect(skipped.map((s) => [s.index, s.reason])).to.deep.equal([[1n, "BidQuantityExceeded"]]);
    expect((await b.market.bidOf(b.bidId)).remainingVcu).to.equal(0n);
  });

  it("reserves the bid's Mbps on the link for each match", async () => {
    const b = await loadFixture(openBook);
    await settle(b, [partialBundle(b, 50n), partialBundle(b, 50n)]);
    expect((await b.market.bandwidthOfferOf(b.bandwidthOfferId)).remainingMbps).to.equal(900n);
  });

  it("settles an empty batch as a no-op", async () => {
    const b = await loadFixture(openBook);
    expect(await b.market.connect(b.matcher).settle.staticCall([])).to.equal(0n);
    const { receipt } = await settle(b, []);
    expect(receipt.logs).to.deep.equal([]);
  });

  it("refuses batches from anyone but the matcher", async () => {
    const b = await loadFixture(openBook);
    const role = await b.market.MATCHER_ROLE();
    for (const caller of [b.admin, b.buyer, b.computeSupplier, b.arbiter]) {
      await expect(b.market.connect(caller).settle([bundle(b)]))
        .to.be.revertedWithCustomError(b.market, "AccessControlUnauthorizedAccount")
        .withArgs(caller.address, role);
    }
  });
});
