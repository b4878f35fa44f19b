import { expect } from "chai";
import { BID_ESCROW, bundle, openBook, partialBundle } from "../../helpers/book.ts";
import { ethers, loadFixture } from "../../helpers/connection.ts";
import { settle } from "../../helpers/deals.ts";

const Kind = { Bid: 0n, ComputeOffer: 1n, EnergyOffer: 2n, BandwidthOffer: 3n };

describe("cancelling orders", () => {
  describe("cancelBid", () => {
    it("refunds the whole escrow of an unfilled bid at once", async () => {
      const b = await loadFixture(openBook);
      const tx = b.market.connect(b.buyer).cancelBid(b.bidId);
      await expect(tx).to.changeTokenBalances(ethers, b.token, [b.buyer, b.market], [BID_ESCROW, -BID_ESCROW]);
      await expect(tx).to.emit(b.market, "BidCancelled").withArgs(b.bidId, b.buyer.address, 25n, BID_ESCROW);
      expect((await b.market.bidOf(b.bidId)).remainingVcu).to.equal(0n);
    });

    it("refunds only the unfilled rest after a partial fill; the filled part stays in its deal", async () => {
      const b = await loadFixture(openBook);
      const { deals } = await settle(b, [partialBundle(b, 10n)]);
      expect(deals).to.have.length(1);
      const rest = 15n * 4n * 2_500_000n;
      await expect(b.market.connect(b.buyer).cancelBid(b.bidId))
        .to.emit(b.market, "BidCancelled")
        .withArgs(b.bidId, b.buyer.address, 15n, rest);
      expect(await b.token.balanceOf(await b.market.getAddress())).to.equal(10n * 4n * 2_500_000n);
    });

    it("refuses anyone but the buyer", async () => {
      const b = await loadFixture(openBook);
      await expect(b.market.connect(b.otherBuyer).cancelBid(b.bidId))
        .to.be.revertedWithCustomError(b.market, "MarketNotOrderOwner")
        .withArgs(Kind.Bid, b.bidId, b.otherBuyer.address);
    });

    it("refuses unknown, cancelled and fully filled bids", async () => {
      const b = await loadFixture(openBook);
      await expect(b.market.connect(b.buyer).cancelBid(9n))
        .to.be.revertedWithCustomError(b.market, "MarketOrderNotOpen")
        .withArgs(Kind.Bid, 9n);
      await settle(b, [bundle(b)]);
      await expect(b.market.connect(b.buyer).cancelBid(b.bidId))
        .to.be.revertedWithCustomError(b.market, "MarketOrderNotOpen")
        .withArgs(Kind.Bid, b.bidId);
    });
  });

  describe("cancelComputeOffer", () => {
    it("sells no more hours, while the hours already sold stay with their deals", async () => {
      const b = await loadFixture(openBook);
      await settle(b, [bundle(b)]);
      await expect(b.market.connect(b.computeSupplier).cancelComputeOffer(b.computeOfferId))
        .to.emit(b.market, "ComputeOfferCancelled")
        .withArgs(b.computeOfferId, b.computeSupplier.address);
      expect((await b.market.computeOfferOf(b.computeOfferId)).vcu).to.equal(0n);
      expect(await b.market.computeUsedOf(b.computeOfferId, b.start)).to.equal(25n);
      await expect(b.market.connect(b.computeSupplier).cancelComputeOffer(b.computeOfferId))
        .to.be.revertedWithCustomError(b.market, "MarketOrderNotOpen")
        .withArgs(Kind.ComputeOffer, b.computeOfferId);
    });

    it("refuses anyone but the supplier", async () => {
      const b = await loadFixture(openBook);
      await expect(b.market.connect(b.buyer).cancelComputeOffer(b.computeOfferId))
        .to.be.revertedWithCustomError(b.market, "MarketNotOrderOwner")
        .withArgs(Kind.ComputeOffer, b.computeOfferId, b.buyer.address);
    });
  });

  describe("cancelEnergyOffer", () => {
    it("refuses anyone but the supplier, and offers that are no longer open", async () => {
      const b = await loadFixture(openBook);
      await expect(b.market.connect(b.solarSupplier).cancelEnergyOffer(b.windOfferId))
        .to.be.revertedWithCustomError(b.market, "MarketNotOrderOwner")
        .withArgs(Kind.EnergyOffer, b.windOfferId, b.solarSupplier.address);
      await b.market.connect(b.windSupplier).cancelEnergyOffer(b.windOfferId);
      await expect(b.market.connect(b.windSupplier).cancelEnergyOffer(b.windOfferId))
        .to.be.revertedWithCustomError(b.market, "MarketOrderNotOpen")
        .withArgs(Kind.EnergyOffer, b.windOfferId);
    });
  });

  describe("cancelBandwidthOffer", () => {
    it("reserves no more link hours, while the hours already reserved stay with their deals", async () => {
      const b = await loadFixture(openBook);
      await settle(b, [bundle(b)]);
      await expect(b.market.connect(b.networkSupplier).cancelBandwidthOffer(b.bandwidthOfferId))
        .to.emit(b.market, "BandwidthOfferCancelled")
        .withArgs(b.bandwidthOfferId, b.networkSupplier.address);
      await expect(b.market.connect(b.networkSupplier).cancelBandwidthOffer(b.bandwidthOfferId))
        .to.be.revertedWithCustomError(b.market, "MarketOrderNotOpen")
        .withArgs(Kind.BandwidthOffer, b.bandwidthOfferId);
    });

    it("refuses anyone but the supplier", async () => {
      const b = await loadFixture(openBook);
      await expect(b.market.connect(b.computeSupplier).cancelBandwidthOffer(b.bandwidthOfferId))
        .to.be.revertedWithCustomError(b.market, "MarketNotOrderOwner")
        .withArgs(Kind.BandwidthOffer, b.bandwidthOfferId, b.computeSupplier.address);
    });
  });
});
