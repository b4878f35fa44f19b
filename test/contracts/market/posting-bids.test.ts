import { expect } from "chai";
import { bid, DAY } from "../../helpers/book.ts";
import { ethers, loadFixture, time } from "../../helpers/connection.ts";
import { deployExchange, USD } from "../../helpers/deploy.ts";
import { bigints, eventsOf } from "../../helpers/events.ts";
import { signPermit } from "../../helpers/permit.ts";

/** A buyer with funds but no allowance, who posts with a permit. */
async function permitBuyer() {
  const d = await deployExchange();
  await d.token.faucet(d.stranger.address, 1_000n * USD);
  return { ...d, permitter: d.stranger };
}

describe("posting bids", () => {
  describe("postBid", () => {
    it("pulls vcu × durationHours × limit into escrow and stores the bid", async () => {
      const d = await loadFixture(deployExchange);
      const params = bid(d.t0);
      const escrow = 25n * 4n * 2_500_000n;
      const tx = d.market.connect(d.buyer).postBid(params);
      await expect(tx).to.changeTokenBalances(ethers, d.token, [d.buyer, d.market], [-escrow, escrow]);
      const [event] = await eventsOf(d.market, tx, "BidPosted");
      expect(event).to.deep.include({ bidId: 1n, buyer: d.buyer.address, escrow });
      expect(event.bid).to.deep.equal(bigints(params));
      const stored = await d.market.bidOf(1n);
      expect([stored.buyer, stored.remainingVcu, stored.limitPricePerVcuHour, stored.acceptableRegions]).to.deep.equal([
        d.buyer.address,
        25n,
        2_500_000n,
        params.acceptableRegions,
      ]);
      expect(await d.market.bidCount()).to.equal(1n);
    });

    it("refuses a reversed window and an expiry outside (now, latestEnd]", async () => {
      const d = await loadFixture(deployExchange);
      const params = bid(d.t0);
      await expect(d.market.connect(d.buyer).postBid({ ...params, earliestStart: params.latestEnd }))
        .to.be.revertedWithCustomError(d.market, "MarketInvalidWindow")
        .withArgs(params.latestEnd, params.latestEnd);
      await expect(d.market.connect(d.buyer).postBid({ ...params, expiry: d.t0 - 1 })).to.be.revertedWithCustomError(
        d.market,
        "MarketInvalidExpiry",
      );
      await expect(d.market.connect(d.buyer).postBid({ ...params, expiry: Number(params.latestEnd) + 1 }))
        .to.be.revertedWithCustomError(d.market, "MarketInvalidExpiry")
        .withArgs(Number(params.latestEnd) + 1, (now: bigint) => now > 0n, params.latestEnd);
    });

    it("refuses zero VCU-hours, no acceptable region and a green share above 100 %", async () => {
      const d = await loadFixture(deployExchange);
      await expect(d.market.connect(d.buyer).postBid(bid(d.t0, { vcu: 0n }))).to.be.revertedWithCustomError(
        d.market,
        "MarketZeroQuantity",
      );
      await expect(
        d.market.connect(d.buyer).postBid(bid(d.t0, { acceptableRegions: 0n })),
      ).to.be.revertedWithCustomError(d.market, "MarketNoAcceptableRegion");
      await expect(d.market.connect(d.buyer).postBid(bid(d.t0, { minGreenBps: 10_001n })))
        .to.be.revertedWithCustomError(d.market, "MarketInvalidGreenShare")
        .withArgs(10_001n);
    });

    it("accepts a fully green bid (10,000 bps)", async () => {
      const d = await loadFixture(deployExchange);
      await d.market.connect(d.buyer).postBid(bid(d.t0, { minGreenBps: 10_000n }));
      expect((await d.market.bidOf(1n)).minGreenBps).to.equal(10_000n);
    });

    it("cannot escrow more than the buyer allowed or holds", async () => {
      const d = await loadFixture(deployExchange);
      const market = await d.market.getAddress();
      await d.token.connect(d.buyer).approve(market, USD);
      await expect(d.market.connect(d.buyer).postBid(bid(d.t0)))
        .to.be.revertedWithCustomError(d.token, "ERC20InsufficientAllowance")
        .withArgs(market, USD, 250n * USD);
      await d.token.connect(d.stranger).approve(market, ethers.MaxUint256);
      await expect(d.market.connect(d.stranger).postBid(bid(d.t0)))
        .to.be.revertedWithCustomError(d.token, "ERC20InsufficientBalance")
        .withArgs(d.stranger.address, 0n, 250n * USD);
    });
  });

  describe("postBidWithPermit", () => {
    it("posts and escrows in one transaction from a signed permit, without a prior approval", async () => {
      const d = await loadFixture(permitBuyer);
      const params = bid(d.t0);
      const escrow = 250n * USD;
      const permit = await signPermit(d.token, d.permitter, await d.market.getAddress(), escrow, BigInt(d.t0 + DAY));
      const tx = d.market.connect(d.permitter).postBidWithPermit(params, permit.deadline, permit.v, permit.r, permit.s);
      await expect(tx).to.changeTokenBalances(ethers, d.token, [d.permitter, d.market], [-escrow, escrow]);
      await expect(tx).to.emit(d.market, "BidPosted");
      expect((await d.market.bidOf(1n)).buyer).to.equal(d.permitter.address);
      expect(await d.token.nonces(d.permitter.address)).to.equal(1n);
    });

    it("still posts when someone front-ran the permit, because the allowance is already there", async () => {
      const d = await loadFixture(permitBuyer);
      const market = await d.market.getAddress();
      const escrow = 250n * USD;
      const permit = await signPermit(d.token, d.permitter, market, escrow, BigInt(d.t0 + DAY));
      await d.token
        .connect(d.otherBuyer)
        .permit(d.permitter.address, market, escrow, permit.deadline, permit.v, permit.r, permit.s);
      await expect(
        d.market.connect(d.permitter).postBidWithPermit(bid(d.t0), permit.deadline, permit.v, permit.r, permit.s),
      ).to.emit(d.market, "BidPosted");
    });

    it("fails on the missing allowance when the permit is invalid", async () => {
      const d = await loadFixture(permitBuyer);
      const market = await d.market.getAddress();
      const expired = await signPermit(d.token, d.permitter, market, 250n * USD, BigInt((await time.latest()) - 1));
      await expect(
        d.market.connect(d.permitter).postBidWithPermit(bid(d.t0), expired.deadline, expired.v, expired.r, expired.s),
      )
        .to.be.revertedWithCustomError(d.token, "ERC20InsufficientAllowance")
        .withArgs(market, 0n, 250n * USD);
    });

    it("applies the same checks as postBid", async () => {
      const d = await loadFixture(permitBuyer);
      const permit = await signPermit(d.token, d.permitter, await d.market.getAddress(), 0n, BigInt(d.t0 + DAY));
      await expect(
        d.market
          .connect(d.permitter)
          .postBidWithPermit(bid(d.t0, { vcu: 0n }), permit.deadline, permit.v, permit.r, permit.s),
      ).to.be.revertedWithCustomError(d.market, "MarketZeroQuantity");
    });
  });
});
