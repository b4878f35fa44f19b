import { expect } from "chai";
import { bundle, openBook } from "../../helpers/book.ts";
import { ethers, loadFixture } from "../../helpers/connection.ts";
import { settle } from "../../helpers/deals.ts";
import { ARBITRATION_PERIOD, deployExchange, deployLinked, FEE_BPS, Region, Source } from "../../helpers/deploy.ts";

describe("market administration", () => {
  it("starts with the deployment's settings and the default grid factor", async () => {
    const d = await loadFixture(deployExchange);
    expect(await d.market.feeBps()).to.equal(FEE_BPS);
    expect(await d.market.arbitrationPeriod()).to.equal(BigInt(ARBITRATION_PERIOD));
    expect(await d.market.treasury()).to.equal(d.treasury.address);
    expect(await d.market.MAX_FEE_BPS()).to.equal(1_000n);
    expect(await d.market.DEFAULT_GRID_FACTOR()).to.equal(610n);
    expect(await d.market.gridFactorOf(Region.East)).to.equal(610n);
    expect(await d.market.sourceFactorOf(Source.Hydro)).to.equal(0n);
    expect(await d.market.settlementToken()).to.equal(await d.token.getAddress());
    expect(await d.market.certificates()).to.equal(await d.certificates.getAddress());
    expect(await d.market.credits()).to.equal(await d.credits.getAddress());
  });

  it("refuses a deployment with a fee above the cap, no treasury, zero deal periods or a zero arbitration period", async () => {
    const d = await loadFixture(deployExchange);
    const roles = {
      admin: d.admin.address,
      matcher: d.matcher.address,
      arbiter: d.arbiter.address,
      pauser: d.pauser.address,
    };
    const addresses = [await d.token.getAddress(), await d.certificates.getAddress(), await d.credits.getAddress()];
    const settings = { treasury: d.treasury.address, feeBps: 100, challengePeriod: 60, reportGracePeriod: 60 };
    const market = d.market;
    await expect(deployLinked("Market", [...addresses, roles, { ...settings, feeBps: 1_001 }, 60]))
      .to.be.revertedWithCustomError(market, "MarketFeeTooHigh")
      .withArgs(1_001n, 1_000n);
    await expect(deployLinked("Market", [...addresses, roles, { ...settings, treasury: ethers.ZeroAddress }, 60]))
      .to.be.revertedWithCustomError(market, "MarketInvalidTreasury")
      .withArgs(ethers.ZeroAddress);
    await expect(deployLinked("Market", [...addresses, roles, { ...settings, challengePeriod: 0 }, 60]))
      .to.be.revertedWithCustomError(market, "MarketInvalidDealPeriods")
      .withArgs(0n, 60n);
    await expect(deployLinked("Market", [...addresses, roles, settings, 0]))
      .to.be.revertedWithCustomError(market, "MarketInvalidArbitrationPeriod")
      .withArgs(0n);
  });

  describe("setFee", () => {
    it("applies to deals opened afterwards only", async () => {
      const b = await loadFixture(openBook);
      await expect(b.market.connect(b.admin).setFee(250)).to.emit(b.market, "FeeSet").withArgs(250n);
      expect(await b.market.feeBps()).to.equal(250n);
      const { deals } = await settle(b, [bundle(b)]);
      expect(deals[0].terms.fee).to.equal((196_000_000n * 250n) / 10_000n);
    });

    it("allows a zero fee and the cap, and refuses above the cap", async () => {
      const d = await loadFixture(deployExchange);
      await d.market.connect(d.admin).setFee(0);
      await d.market.connect(d.admin).setFee(1_000);
      await expect(d.market.connect(d.admin).setFee(1_001))
        .to.be.revertedWithCustomError(d.market, "MarketFeeTooHigh")
        .withArgs(1_001n, 1_000n);
    });
  });

  describe("setTreasury", () => {
    it("redirects fees of deals finalised afterwards", async () => {
      const d = await loadFixture(deployExchange);
      await expect(d.market.connect(d.admin).setTreasury(d.stranger.address))
        .to.emit(d.market, "TreasurySet")
        .withArgs(d.stranger.address);
      expect(await d.market.treasury()).to.equal(d.stranger.address);
    });

    it("refuses the zero address", async () => {
      const d = await loadFixture(deployExchange);
      await expect(d.market.connect(d.admin).setTreasury(ethers.ZeroAddress))
        .to.be.revertedWithCustomError(d.market, "MarketInvalidTreasury")
        .withArgs(ethers.ZeroAddress);
    });
  });

  describe("setDealPeriods", () => {
    it("sets the challenge and grace periods of deals opened afterwards", async () => {
      const b = await loadFixture(openBook);
      await expect(b.market.connect(b.admin).setDealPeriods(600, 900))
        .to.emit(b.market, "DealPeriodsSet")
        .withArgs(600n, 900n);
      expect([await b.market.challengePeriod(), await b.market.reportGracePeriod()]).to.deep.equal([600n, 900n]);
      const { deals } = await settle(b, [bundle(b)]);
      expect(deals[0].terms.challengePeriod).to.equal(600n);
      expect(deals[0].terms.reportDeadline).to.equal(deals[0].terms.windowEnd + 900n);
    });

    it("refuses zero periods", async () => {
      const d = await loadFixture(deployExchange);
      await expect(d.market.connect(d.admin).setDealPeriods(600, 0))
        .to.be.revertedWithCustomError(d.market, "MarketInvalidDealPeriods")
        .withArgs(600n, 0n);
    });
  });

  describe("setArbitrationPeriod", () => {
    it("sets the arbitration period of disputes opened afterwards", async () => {
      const d = await loadFixture(deployExchange);
      await expect(d.market.connect(d.admin).setArbitrationPeriod(3_600))
        .to.emit(d.market, "ArbitrationPeriodSet")
        .withArgs(3_600n);
      expect(await d.market.arbitrationPeriod()).to.equal(3_600n);
    });

    it("refuses a zero period", async () => {
      const d = await loadFixture(deployExchange);
      await expect(d.market.connect(d.admin).setArbitrationPeriod(0))
        .to.be.revertedWithCustomError(d.market, "MarketInvalidArbitrationPeriod")
        .withArgs(0n);
    });
  });

  describe("emission factors", () => {
    it("sets a region's grid factor, including an explicit zero that overrides the default", async () => {
      const d = await loadFixture(deployExchange);
      await expect(d.market.connect(d.admin).setGridFactor(Region.Southwest, 0))
        .to.emit(d.market, "GridFactorSet")
        .withArgs(Region.Southwest, 0n);
      expect(await d.market.gridFactorOf(Region.Southwest)).to.equal(0n);
      await d.market.connect(d.admin).setGridFactor(Region.North, 820);
      expect(await d.market.gridFactorOf(Region.North)).to.equal(820n);
      expect(await d.market.gridFactorOf(Region.East)).to.equal(610n);
    });

    it("copies the compute region's grid factor into deals opened afterwards", async () => {
      const b = await loadFixture(openBook);
      await b.market.connect(b.admin).setGridFactor(Region.Northwest, 700);
      const { deals } = await settle(b, [bundle(b)]);
      expect(deals[0].terms.gridFactor).to.equal(700n);
    });

    it("sets a generation source's factor", async () => {
      const d = await loadFixture(deployExchange);
      await expect(d.market.connect(d.admin).setSourceFactor(Source.Hydro, 24))
        .to.emit(d.market, "SourceFactorSet")
        .withArgs(Source.Hydro, 24n);
      expect(await d.market.sourceFactorOf(Source.Hydro)).to.equal(24n);
    });
  });
});
