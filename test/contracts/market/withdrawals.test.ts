import { expect } from "chai";
import { loadFixture, ethers } from "../../helpers/connection.ts";
import { reportedDeal } from "../../helpers/deals.ts";
import { USD } from "../../helpers/deploy.ts";

async function finalisedDeal() {
  const f = await loadFixture(reportedDeal);
  await f.market.connect(f.buyer).confirmUsage(f.dealId, f.terms, f.report);
  return f;
}

describe("withdrawals", () => {
  it("sends each party its whole balance and zeroes it", async () => {
    const f = await loadFixture(finalisedDeal);
    const tx = f.market.connect(f.computeSupplier).withdraw();
    await expect(tx).to.changeTokenBalances(ethers, f.token, [f.computeSupplier, f.market], [180n * USD, -180n * USD]);
    await expect(tx).to.emit(f.market, "Withdrawn").withArgs(f.computeSupplier.address, 180n * USD);
    expect(await f.market.withdrawableOf(f.computeSupplier)).to.equal(0n);
  });

  it("returns the amount withdrawn", async () => {
    const f = await loadFixture(finalisedDeal);
    expect(await f.market.connect(f.treasury).withdraw.staticCall()).to.equal(1_960_000n);
  });

  it("empties the market of this deal's money once every party has withdrawn", async () => {
    const f = await loadFixture(finalisedDeal);
    for (const party of [f.computeSupplier, f.windSupplier, f.solarSupplier, f.networkSupplier, f.treasury, f.buyer]) {
      await f.market.connect(party).withdraw();
    }
    expect(await f.token.balanceOf(await f.market.getAddress())).to.equal(0n);
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
});
