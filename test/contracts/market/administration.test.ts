import { expect } from "chai";
import { bundle, openBook, postBookAgain } from "../../helpers/book.ts";
import { ethers, loadFixture, time } from "../../helpers/connection.ts";
import { settle } from "../../helpers/deals.ts";
import {
  ARBITRATION_PERIOD,
  CHALLENGE_PERIOD,
  changeParameter,
  deployExchange,
  deployLinked,
  FEE_BPS,
  PARAMETER_CHANGE_DELAY,
  Parameter,
  Region,
  Source,
} from "../../helpers/deploy.ts";

const SOURCE_FACTORS = [48, 11, 24, 230, 38, 12];

describe("market administration", () => {
  it("starts with the deployment's settings, source factors and the default grid factor", async () => {
    const d = await loadFixture(deployExchange);
    expect(await d.market.feeBps()).to.equal(FEE_BPS);
    expect(await d.market.arbitrationPeriod()).to.equal(BigInt(ARBITRATION_PERIOD));
    expect(await d.market.treasury()).to.equal(d.treasury.address);
    expect(await d.market.MAX_FEE_BPS()).to.equal(1_000n);
    expect(await d.market.PARAMETER_CHANGE_DELAY()).to.equal(BigInt(PARAMETER_CHANGE_DELAY));
    expect(await d.market.DEFAULT_GRID_FACTOR()).to.equal(610n);
    expect(await d.market.gridFactorOf(Region.YangtzeDelta)).to.equal(610n);
    expect(await d.market.sourceFactorOf(Source.Biomass)).to.equal(230n);
    expect(await d.market.settlementToken()).to.equal(await d.token.getAddress());
    expect(await d.market.certificates()).to.equal(await d.certificates.getAddress());
    expect(await d.market.credits()).to.equal(await d.credits.getAddress());
  });

  it("refuses a deployment with a fee above the cap, no treasury, zero periods or not one factor per source", async () => {
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
    const deploy = (overrides: object, arbitration = 60, factors = SOURCE_FACTORS) =>
      deployLinked("Market", [...addresses, roles, { ...settings, ...overrides }, arbitration, factors]);
    await expect(deploy({ feeBps: 1_001 }))
      .to.be.revertedWithCustomError(market, "MarketFeeTooHigh")
      .withArgs(1_001n, 1_000n);
    await expect(deploy({ treasury: ethers.ZeroAddress }))
      .to.be.revertedWithCustomError(market, "MarketInvalidTreasury")
      .withArgs(ethers.ZeroAddress);
    await expect(deploy({ challengePeriod: 0 }))
      .to.be.revertedWithCustomError(market, "MarketInvalidDealPeriods")
      .withArgs(0n, 60n);
    await expect(deploy({}, 0)).to.be.revertedWithCustomError(market, "MarketInvalidArbitrationPeriod").withArgs(0n);
    await expect(deploy({}, 60, SOURCE_FACTORS.slice(0, 5)))
      .to.be.revertedWithCustomError(market, "MarketInvalidSourceFactors")
      .withArgs(5n, 6n);
  });

  describe("scheduled parameter changes", () => {
    it("announce the change with its effective time, and refuse to apply it a second early", async () => {
      const d = await loadFixture(deployExchange);
      // The block's time is set, not guessed: on a busy machine the wall clock moves between blocks.
      const scheduledAt = (await time.latest()) + 10;
      await time.setNextBlockTimestamp(scheduledAt);
      const tx = d.market.connect(d.admin).scheduleParameterChange(Parameter.Fee, 0, 250);
      const effectiveAt = scheduledAt + PARAMETER_CHANGE_DELAY;
      await expect(tx)
        .to.emit(d.market, "ParameterChangeScheduled")
        .withArgs(Parameter.Fee, 0n, 250n, BigInt(effectiveAt));
      expect(await d.market.scheduledChangeOf(Parameter.Fee, 0)).to.deep.equal([250n, BigInt(effectiveAt)]);
      await time.setNextBlockTimestamp(effectiveAt - 1);
      await expect(d.market.connect(d.stranger).applyParameterChange(Parameter.Fee, 0))
        .to.be.revertedWithCustomError(d.market, "MarketChangeNotDue")
        .withArgs(Parameter.Fee, 0n, BigInt(effectiveAt));
      expect(await d.market.feeBps()).to.equal(FEE_BPS);
      await time.increaseTo(effectiveAt);
      await expect(d.market.connect(d.stranger).applyParameterChange(Parameter.Fee, 0))
        .to.emit(d.market, "FeeSet")
        .withArgs(250n);
      expect(await d.market.feeBps()).to.equal(250n);
      expect(await d.market.scheduledChangeOf(Parameter.Fee, 0)).to.deep.equal([0n, 0n]);
      await expect(d.market.applyParameterChange(Parameter.Fee, 0))
        .to.be.revertedWithCustomError(d.market, "MarketNoScheduledChange")
        .withArgs(Parameter.Fee, 0n);
    });

    it("can be cancelled by the admin before they apply", async () => {
      const d = await loadFixture(deployExchange);
      await d.market.connect(d.admin).scheduleParameterChange(Parameter.ChallengePeriod, 0, 1);
      await expect(d.market.connect(d.admin).cancelParameterChange(Parameter.ChallengePeriod, 0))
        .to.emit(d.market, "ParameterChangeCancelled")
        .withArgs(Parameter.ChallengePeriod, 0n);
      await time.increase(PARAMETER_CHANGE_DELAY);
      await expect(d.market.applyParameterChange(Parameter.ChallengePeriod, 0))
        .to.be.revertedWithCustomError(d.market, "MarketNoScheduledChange")
        .withArgs(Parameter.ChallengePeriod, 0n);
      await expect(d.market.connect(d.admin).cancelParameterChange(Parameter.ChallengePeriod, 0))
        .to.be.revertedWithCustomError(d.market, "MarketNoScheduledChange")
        .withArgs(Parameter.ChallengePeriod, 0n);
      expect(await d.market.challengePeriod()).to.equal(BigInt(CHALLENGE_PERIOD));
    });

    it("refuse a fee above the cap, zero periods, unknown regions and sources, and keys on keyless parameters", async () => {
      const d = await loadFixture(deployExchange);
      const refused: [number, number, number | bigint][] = [
        [Parameter.Fee, 0, 1_001],
        [Parameter.ChallengePeriod, 0, 0],
        [Parameter.ReportGracePeriod, 0, 0],
        [Parameter.ArbitrationPeriod, 0, 0],
        [Parameter.ChallengePeriod, 0, 2n ** 32n],
        [Parameter.Fee, 1, 10],
        [Parameter.GridFactor, 0, 500],
        [Parameter.GridFactor, 9, 500],
        [Parameter.GridFactor, Region.YangtzeDelta, 65_536],
        [Parameter.SourceFactor, 6, 10],
      ];
      for (const [parameter, key, value] of refused) {
        await expect(d.market.connect(d.admin).scheduleParameterChange(parameter, key, value))
          .to.be.revertedWithCustomError(d.market, "MarketInvalidParameter")
          .withArgs(parameter, BigInt(key), BigInt(value));
      }
      await d.market.connect(d.admin).scheduleParameterChange(Parameter.Fee, 0, 0);
      await d.market.connect(d.admin).scheduleParameterChange(Parameter.GridFactor, Region.ChengduChongqing, 0);
    });

    it("set the treasury at once: it only redirects the platform's own fees", async () => {
      const d = await loadFixture(deployExchange);
      await expect(d.market.connect(d.admin).setTreasury(d.stranger.address))
        .to.emit(d.market, "TreasurySet")
        .withArgs(d.stranger.address);
      expect(await d.market.treasury()).to.equal(d.stranger.address);
      await expect(d.market.connect(d.admin).setTreasury(ethers.ZeroAddress))
        .to.be.revertedWithCustomError(d.market, "MarketInvalidTreasury")
        .withArgs(ethers.ZeroAddress);
    });

    it("apply each period and the arbitration period with its own event", async () => {
      const d = await loadFixture(deployExchange);
      await expect(changeParameter(d, Parameter.ChallengePeriod, 0, 600))
        .to.emit(d.market, "DealPeriodsSet")
        .withArgs(600n, BigInt(24 * 3600));
      await expect(changeParameter(d, Parameter.ReportGracePeriod, 0, 900))
        .to.emit(d.market, "DealPeriodsSet")
        .withArgs(600n, 900n);
      await expect(changeParameter(d, Parameter.ArbitrationPeriod, 0, 3_600))
        .to.emit(d.market, "ArbitrationPeriodSet")
        .withArgs(3_600n);
      expect([
        await d.market.challengePeriod(),
        await d.market.reportGracePeriod(),
        await d.market.arbitrationPeriod(),
      ]).to.deep.equal([600n, 900n, 3_600n]);
    });
  });

  describe("emission factors", () => {
    it("set a region's grid factor, including an explicit zero that overrides the default", async () => {
      const d = await loadFixture(deployExchange);
      await expect(changeParameter(d, Parameter.GridFactor, Region.ChengduChongqing, 0))
        .to.emit(d.market, "GridFactorSet")
        .withArgs(Region.ChengduChongqing, 0n);
      expect(await d.market.gridFactorOf(Region.ChengduChongqing)).to.equal(0n);
      await changeParameter(d, Parameter.GridFactor, Region.BeijingTianjinHebei, 820);
      expect(await d.market.gridFactorOf(Region.BeijingTianjinHebei)).to.equal(820n);
      expect(await d.market.gridFactorOf(Region.YangtzeDelta)).to.equal(610n);
    });

    it("copy the compute region's grid factor in force into deals opened afterwards", async () => {
      const b = await loadFixture(openBook);
      await changeParameter(b, Parameter.GridFactor, Region.Gansu, 700);
      const again = await postBookAgain(b);
      const { deals } = await settle(again, [bundle(again)]);
      expect(deals[0].terms.gridFactor).to.equal(700n);
    });

    it("set a generation source's factor", async () => {
      const d = await loadFixture(deployExchange);
      await expect(changeParameter(d, Parameter.SourceFactor, Source.Hydro, 26))
        .to.emit(d.market, "SourceFactorSet")
        .withArgs(Source.Hydro, 26n);
      expect(await d.market.sourceFactorOf(Source.Hydro)).to.equal(26n);
    });
  });
});
