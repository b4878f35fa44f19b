import { expect } from "chai";
import {
  advanceTo,
  bandwidthOffer,
  bid,
  bundle,
  computeOffer,
  energyOffer,
  issueJobHours,
  openBook,
} from "../../helpers/book.ts";
import { ethers, loadFixture, time } from "../../helpers/connection.ts";
import { challengeEnd, fullReport, jobEnd, openDeal, reportedDeal, settle } from "../../helpers/deals.ts";
import { signPermit } from "../../helpers/permit.ts";

describe("pausing new business", () => {
  it("lets the pauser pause and unpause", async () => {
    const b = await loadFixture(openBook);
    await expect(b.market.connect(b.pauser).pause()).to.emit(b.market, "Paused").withArgs(b.pauser.address);
    expect(await b.market.paused()).to.equal(true);
    await expect(b.market.connect(b.pauser).pause()).to.be.revertedWithCustomError(b.market, "EnforcedPause");
    await expect(b.market.connect(b.pauser).unpause()).to.emit(b.market, "Unpaused").withArgs(b.pauser.address);
    await expect(b.market.connect(b.pauser).unpause()).to.be.revertedWithCustomError(b.market, "ExpectedPause");
  });

  it("refuses new orders of every kind and settlements while paused", async () => {
    const b = await loadFixture(openBook);
    await b.market.connect(b.pauser).pause();
    const permit = await signPermit(
      b.token,
      b.buyer,
      await b.market.getAddress(),
      250n * 10n ** 6n,
      BigInt(b.t0 + 86_400),
    );
    const attempts = [
      b.market.connect(b.computeSupplier).postComputeOffer(computeOffer(b.t0)),
      b.market.connect(b.windSupplier).postEnergyOffer(energyOffer(b.t0, b.windDeviceId)),
      b.market.connect(b.networkSupplier).postBandwidthOffer(bandwidthOffer(b.t0)),
      b.market.connect(b.buyer).postBid(bid(b.t0)),
      b.market.connect(b.buyer).postBidWithPermit(bid(b.t0), permit.deadline, permit.v, permit.r, permit.s),
      b.market.connect(b.matcher).settle([bundle(b)]),
    ];
    for (const attempt of attempts) await expect(attempt).to.be.revertedWithCustomError(b.market, "EnforcedPause");
    await b.market.connect(b.pauser).unpause();
    const { deals } = await settle(b, [bundle(b)]);
    expect(deals).to.have.length(1);
  });

  it("keeps every cancellation and its refund working while paused", async () => {
    const b = await loadFixture(openBook);
    await b.market.connect(b.pauser).pause();
    await expect(b.market.connect(b.buyer).cancelBid(b.bidId)).to.changeTokenBalance(
      ethers,
      b.token,
      b.buyer,
      250n * 10n ** 6n,
    );
    await expect(b.market.connect(b.computeSupplier).cancelComputeOffer(b.computeOfferId)).to.emit(
      b.market,
      "ComputeOfferCancelled",
    );
    await expect(b.market.connect(b.windSupplier).cancelEnergyOffer(b.windOfferId)).to.emit(
      b.market,
      "EnergyOfferCancelled",
    );
    await expect(b.market.connect(b.networkSupplier).cancelBandwidthOffer(b.bandwidthOfferId)).to.emit(
      b.market,
      "BandwidthOfferCancelled",
    );
  });

  it("keeps reporting, confirmation and withdrawals of payouts and fees working while paused", async () => {
    const f = await loadFixture(openDeal);
    await f.market.connect(f.pauser).pause();
    await issueJobHours(f);
    await advanceTo(jobEnd(f.terms));
    const report = fullReport(f.terms);
    await f.market.connect(f.computeSupplier).reportUsage(f.dealId, f.terms, report);
    await f.market.connect(f.buyer).confirmUsage(f.dealId, f.terms, report);
    await expect(f.market.connect(f.computeSupplier).withdraw()).to.changeTokenBalance(
      ethers,
      f.token,
      f.computeSupplier,
      f.terms.computePayment,
    );
    await expect(f.market.withdrawFees()).to.changeTokenBalance(ethers, f.token, f.treasury, f.terms.fee);
  });

  it("keeps disputes and their resolution working while paused", async () => {
    const f = await loadFixture(reportedDeal);
    await f.market.connect(f.pauser).pause();
    await f.market.connect(f.buyer).disputeUsage(f.dealId, f.terms, f.report, "paused but not silenced");
    await expect(f.market.connect(f.arbiter).resolveDispute(f.dealId, f.terms, f.report, 10_000)).to.emit(
      f.market,
      "DealFinalized",
    );
  });

  it("keeps finalising a dispute whose arbitration period lapsed working while paused", async () => {
    const f = await loadFixture(reportedDeal);
    await f.market.connect(f.buyer).disputeUsage(f.dealId, f.terms, f.report, "nobody answers");
    await f.market.connect(f.pauser).pause();
    await advanceTo((await time.latest()) + Number(await f.market.arbitrationPeriod()));
    await expect(f.market.finalizeLapsedDispute(f.dealId, f.terms, f.report)).to.emit(f.market, "DealFinalized");
    await expect(f.market.connect(f.computeSupplier).withdraw()).to.changeTokenBalance(
      ethers,
      f.token,
      f.computeSupplier,
      f.terms.computePayment,
    );
  });

  it("keeps finalisation after the challenge period working while paused", async () => {
    const f = await loadFixture(reportedDeal);
    await f.market.connect(f.pauser).pause();
    await advanceTo(challengeEnd(f));
    await expect(f.market.finalize(f.dealId, f.terms, f.report)).to.emit(f.market, "DealFinalized");
  });

  it("keeps no-show cancellation working while paused", async () => {
    const f = await loadFixture(openDeal);
    await f.market.connect(f.pauser).pause();
    await advanceTo(f.terms.reportDeadline);
    await expect(f.market.cancelNoShow(f.dealId, f.terms)).to.emit(f.market, "DealCancelled");
    await expect(f.market.connect(f.buyer).withdraw()).to.emit(f.market, "Withdrawn");
  });
});
