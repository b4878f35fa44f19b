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
      await expect(tx).to.emit(b.market, "BidCancelled").withArgs(b.bidId, b.buyer.address, 100n, BID_ESCROW);
      expect((await b.market.bidOf(b.bidId)).remainingVcu).to.equal(0n);
    });

    it("refunds only the unfilled rest after a partial fill; the filled part stays in its deal", async () => {
      const b = await loadFixture(openBook);
      const { deals } = await settle(b, [partialBundle(b, 40n)]);
      expect(deals).to.have.length(1);
      const rest = 60n * 2_500_000n;
      await expect(b.market.connect(b.buyer).cancelBid(b.bidId))
        .to.emit(b.market, "BidCancelled")
        .withArgs(b.bidId, b.buyer.address, 60n, rest);
      expect(await b.token.balanceOf(await b.market.getAddress())).to.equal(40n * 2_500_000n);
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
    it("withdraws the unfilled VCU-hours from the book", async () => {
      const b = await loadFixture(openBook);
      await settle(b, [bundle(b)]);
      await expect(b.market.connect(b.computeSupplier).cancelComputeOffer(b.computeOfferId))
        .to.emit(b.market, "ComputeOfferCancelled")
        .withArgs(b.computeOfferId, b.computeSupplier.address, 900n);
      expect((await b.market.computeOfferOf(b.computeOfferId)).remainingVcu).to.equal(0n);
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
    it("returns the unfilled Wh to the supplier at once", async () => {
      const b = await loadFixture(openBook);
      await settle(b, [bundle(b)]);
      const before = await b.certificates.balanceOf(b.windSupplier.address, b.windDeviceId);
      await expect(b.market.connect(b.windSupplier).cancelEnergyOffer(b.windOfferId))
        .to.emit(b.market, "EnergyOfferCancelled")
        .withArgs(b.windOfferId, b.windSupplier.address, b.windDeviceId, 850_000n);
      expect(await b.certificates.balanceOf(b.windSupplier.address, b.windDeviceId)).to.equal(before + 850_000n);
      // The 150,000 Wh of the open deal stay in escrow.
      expect(await b.certificates.balanceOf(await b.market.getAddress(), b.windDeviceId)).to.equal(150_000n);
    });

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
    it("withdraws the link's unreserved Mbps from the book", async () => {
      const b = await loadFixture(openBook);
      await settle(b, [bundle(b)]);
      await expect(b.market.connect(b.networkSupplier).cancelBandwidthOffer(b.bandwidthOfferId))
        .to.emit(b.market, "BandwidthOfferCancelled")
        .withArgs(b.bandwidthOfferId, b.networkSupplier.address, 950n);
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
