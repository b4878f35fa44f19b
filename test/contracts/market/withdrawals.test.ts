import { expect } from "chai";
import { ethers, loadFixture } from "../../helpers/connection.ts";
import { reportedDeal } from "../../helpers/deals.ts";
import { USD } from "../../helpers/deploy.ts";

async function finalisedDeal() {
  const f = await reportedDeal();
  await f.market.connect(f.buyer).confirmUsage(f.dealId, f.terms, f.report);
  return f;
}

describe("withdrawals", () => {
  describe("withdraw", () => {
    it("sends each party its whole balance and zeroes it", async () => {
      const f = await loadFixture(finalisedDeal);
      const tx = f.market.connect(f.computeSupplier).withdraw();
      await expect(tx).to.changeTokenBalances(
        ethers,
        f.token,
        [f.computeSupplier, f.market],
        [180n * USD, -180n * USD],
      );
      await expect(tx)
        .to.emit(f.market, "Withdrawn")
        .withArgs(f.computeSupplier.address, 180n * USD);
      expect(await f.market.withdrawableOf(f.computeSupplier)).to.equal(0n);
    });

    it("returns the amount withdrawn", async () => {
      const f = await loadFixture(finalisedDeal);
      expect(await f.market.connect(f.windSupplier).withdraw.staticCall()).to.equal(7n * USD);
    });

    it("refuses an account with nothing to withdraw, also right after it withdrew", async () => {
      const f = await loadFixture(finalisedDeal);
      await expect(f.market.connect(f.stranger).withdraw())
        .to.be.revertedWithCustomError(f.market, "MarketNothingToWithdraw")
        .withArgs(f.stranger.address);
      await f.market.connect(f.buyer).withdraw();
      await expect(f.market.connect(f.buyer).withdraw())
        .to.be.revertedWithCustomError(f.market, "MarketNothingToWithdraw")
        .withArgs(f.buyer.address);
    });

    it("does not pay the treasury's fees as a withdrawable balance", async () => {
      const f = await loadFixture(finalisedDeal);
      expect(await f.market.withdrawableOf(f.treasury)).to.equal(0n);
      await expect(f.market.connect(f.treasury).withdraw())
        .to.be.revertedWithCustomError(f.market, "MarketNothingToWithdraw")
        .withArgs(f.treasury.address);
    });
  });

  describe("withdrawFees", () => {
    it("sends all accrued fees to the treasury, whoever calls it", async () => {
      const f = await loadFixture(finalisedDeal);
      expect(await f.market.accruedFees()).to.equal(1_960_000n);
      const tx = f.market.connect(f.stranger).withdrawFees();
      await expect(tx).to.changeTokenBalances(
        ethers,
        f.token,
        [f.treasury, f.market, f.stranger],
        [1_960_000n, -1_960_000n, 0n],
      );
      await expect(tx).to.emit(f.market, "FeesWithdrawn").withArgs(f.treasury.address, 1_960_000n);
      expect(await f.market.accruedFees()).to.equal(0n);
    });

    it("pays the treasury in office when fees are withdrawn", async () => {
      const f = await loadFixture(finalisedDeal);
      await f.market.connect(f.admin).setTreasury(f.otherBuyer.address);
      await expect(f.market.withdrawFees())
        .to.emit(f.market, "FeesWithdrawn")
        .withArgs(f.otherBuyer.address, 1_960_000n);
    });

    it("refuses when no fees have accrued, naming the treasury", async () => {
      const f = await loadFixture(finalisedDeal);
      await f.market.withdrawFees();
      await expect(f.market.withdrawFees())
        .to.be.revertedWithCustomError(f.market, "MarketNothingToWithdraw")
        .withArgs(f.treasury.address);
    });
  });

  it("empties the market of a finalised deal's money once every party and the treasury are paid", async () => {
    const f = await loadFixture(finalisedDeal);
    for (const party of [f.computeSupplier, f.windSupplier, f.solarSupplier, f.networkSupplier, f.buyer]) {
      await f.market.connect(party).withdraw();
    }
    await f.market.withdrawFees();
    expect(await f.token.balanceOf(await f.market.getAddress())).to.equal(0n);
  });
});
