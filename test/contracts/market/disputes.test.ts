import { expect } from "chai";
import { advanceTo } from "../../helpers/book.ts";
import { loadFixture, time } from "../../helpers/connection.ts";
import {
  challengeEnd,
  expectedOutcome,
  fullReport,
  jobEnd,
  openDeal,
  type ReportedFixture,
  reportedDeal,
} from "../../helpers/deals.ts";
import { ARBITRATION_PERIOD, changeParameter, Parameter } from "../../helpers/deploy.ts";
import { eventsOf } from "../../helpers/events.ts";

const Status = { Active: 0n, Reported: 1n, Disputed: 2n, Finalized: 3n };

type DisputedFixture = ReportedFixture & { arbitrationDeadline: number };

async function dispute(f: ReportedFixture): Promise<DisputedFixture> {
  await f.market.connect(f.buyer).disputeUsage(f.dealId, f.terms, f.report, "half the GPUs were down");
  return { ...f, arbitrationDeadline: (await time.latest()) + ARBITRATION_PERIOD };
}

/** Deal 1 reported at full delivery and disputed at once. */
async function disputedDeal() {
  return dispute(await reportedDeal());
}

describe("disputes", () => {
  describe("disputeUsage", () => {
    it("lets the buyer dispute the report within the challenge period", async () => {
      const f = await loadFixture(reportedDeal);
      await advanceTo(challengeEnd(f) - 2);
      await time.setNextBlockTimestamp(challengeEnd(f) - 1);
      await expect(f.market.connect(f.buyer).disputeUsage(f.dealId, f.terms, f.report, "metering gap"))
        .to.emit(f.market, "DealDisputed")
        .withArgs(f.dealId, f.buyer.address, "metering gap", challengeEnd(f) - 1 + ARBITRATION_PERIOD);
      expect((await f.market.dealOf(f.dealId)).status).to.equal(Status.Disputed);
    });

    it("refuses a dispute once the challenge period is over", async () => {
      const f = await loadFixture(reportedDeal);
      await advanceTo(challengeEnd(f));
      await expect(f.market.connect(f.buyer).disputeUsage(f.dealId, f.terms, f.report, "too late"))
        .to.be.revertedWithCustomError(f.market, "MarketChallengePeriodOver")
        .withArgs(f.dealId, challengeEnd(f));
    });

    it("refuses anyone outside the deal, and the compute supplier of a report that is not flagged", async () => {
      const f = await loadFixture(reportedDeal);
      for (const account of [f.stranger, f.otherBuyer, f.computeSupplier]) {
        await expect(f.market.connect(account).disputeUsage(f.dealId, f.terms, f.report, ""))
          .to.be.revertedWithCustomError(f.market, "MarketNotDealParty")
          .withArgs(f.dealId, account.address, f.buyer.address);
      }
    });

    it("lets each energy supplier and the network supplier of the deal dispute it", async () => {
      for (const party of ["windSupplier", "solarSupplier", "networkSupplier"] as const) {
        const f = await loadFixture(reportedDeal);
        await expect(f.market.connect(f[party]).disputeUsage(f.dealId, f.terms, f.report, "short-changed"))
          .to.emit(f.market, "DealDisputed")
          .withArgs(f.dealId, f[party].address, "short-changed", (deadline: bigint) => deadline > 0n);
      }
    });

    it("refuses a second dispute", async () => {
      const f = await loadFixture(disputedDeal);
      await expect(f.market.connect(f.buyer).disputeUsage(f.dealId, f.terms, f.report, "again"))
        .to.be.revertedWithCustomError(f.market, "MarketInvalidDealStatus")
        .withArgs(f.dealId, Status.Disputed, Status.Reported);
    });
  });

  describe("resolveDispute", () => {
    it("pays the suppliers in full when the arbiter finds for them (refund share 0)", async () => {
      const f = await loadFixture(disputedDeal);
      const tx = f.market.connect(f.arbiter).resolveDispute(f.dealId, f.terms, f.report, 0);
      await expect(tx).to.emit(f.market, "DisputeResolved").withArgs(f.dealId, f.arbiter.address, 0n);
      const [finalized] = await eventsOf(f.market, tx, "DealFinalized");
      const expected = expectedOutcome(f.terms, f.report);
      expect(finalized.outcome.acceptedBps).to.equal(10_000n);
      expect(finalized.outcome.computePaid).to.equal(expected.computePaid);
      expect(await f.market.withdrawableOf(f.computeSupplier)).to.equal(f.terms.computePayment);
      expect(await f.credits.balanceOf(f.buyer)).to.equal(expected.credits);
      expect((await f.market.dealOf(f.dealId)).status).to.equal(Status.Finalized);
    });

    it("refuses a refund share above 10,000 bps", async () => {
      const f = await loadFixture(disputedDeal);
      await expect(f.market.connect(f.arbiter).resolveDispute(f.dealId, f.terms, f.report, 10_001))
        .to.be.revertedWithCustomError(f.market, "MarketInvalidRefundShare")
        .withArgs(10_001n);
    });

    it("refuses a deal that is not disputed", async () => {
      const f = await loadFixture(reportedDeal);
      await expect(f.market.connect(f.arbiter).resolveDispute(f.dealId, f.terms, f.report, 0))
        .to.be.revertedWithCustomError(f.market, "MarketInvalidDealStatus")
        .withArgs(f.dealId, Status.Reported, Status.Disputed);
    });

    it("refuses everyone but the arbiter, the buyer and the admin included", async () => {
      const f = await loadFixture(disputedDeal);
      const role = await f.market.ARBITER_ROLE();
      for (const caller of [f.buyer, f.admin, f.computeSupplier, f.matcher]) {
        await expect(f.market.connect(caller).resolveDispute(f.dealId, f.terms, f.report, 5_000))
          .to.be.revertedWithCustomError(f.market, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, role);
      }
    });
  });

  describe("finalizeLapsedDispute", () => {
    it("lets anyone finalise a dispute left unresolved past its deadline, as reported (refund share 0)", async () => {
      const f = await loadFixture(disputedDeal);
      await advanceTo(f.arbitrationDeadline);
      const tx = f.market.connect(f.stranger).finalizeLapsedDispute(f.dealId, f.terms, f.report);
      await expect(tx).to.emit(f.market, "DisputeLapsed").withArgs(f.dealId);
      await expect(tx).not.to.emit(f.market, "DisputeResolved");
      const [finalized] = await eventsOf(f.market, tx, "DealFinalized");
      expect(finalized.buyer).to.equal(f.buyer.address);
      expect(finalized.outcome.acceptedBps).to.equal(10_000n);
      expect(finalized.outcome).to.deep.include(expectedOutcome(f.terms, f.report));
      expect(await f.market.withdrawableOf(f.computeSupplier)).to.equal(f.terms.computePayment);
      expect(await f.credits.balanceOf(f.buyer)).to.equal(finalized.outcome.credits);
      expect((await f.market.dealOf(f.dealId)).status).to.equal(Status.Finalized);
    });

    it("refuses before the arbitration deadline, naming it, and accepts from the deadline on", async () => {
      const f = await loadFixture(disputedDeal);
      await advanceTo(f.arbitrationDeadline - 2);
      await time.setNextBlockTimestamp(f.arbitrationDeadline - 1);
      await expect(f.market.finalizeLapsedDispute(f.dealId, f.terms, f.report))
        .to.be.revertedWithCustomError(f.market, "MarketArbitrationPeriodActive")
        .withArgs(f.dealId, f.arbitrationDeadline);
      await time.setNextBlockTimestamp(f.arbitrationDeadline);
      await expect(f.market.finalizeLapsedDispute(f.dealId, f.terms, f.report)).to.emit(f.market, "DisputeLapsed");
    });

    it("refuses a deal that is not disputed, whatever its status", async () => {
      const f = await loadFixture(reportedDeal);
      await advanceTo(challengeEnd(f) + ARBITRATION_PERIOD);
      await expect(f.market.finalizeLapsedDispute(f.dealId, f.terms, f.report))
        .to.be.revertedWithCustomError(f.market, "MarketInvalidDealStatus")
        .withArgs(f.dealId, Status.Reported, Status.Disputed);
      await f.market.finalize(f.dealId, f.terms, f.report);
      await expect(f.market.finalizeLapsedDispute(f.dealId, f.terms, f.report))
        .to.be.revertedWithCustomError(f.market, "MarketInvalidDealStatus")
        .withArgs(f.dealId, Status.Finalized, Status.Disputed);

      const active = await loadFixture(openDeal);
      await expect(active.market.finalizeLapsedDispute(active.dealId, active.terms, f.report))
        .to.be.revertedWithCustomError(active.market, "MarketInvalidDealStatus")
        .withArgs(active.dealId, Status.Active, Status.Disputed);
    });

    it("leaves the arbiter free to rule until the deadline, after which the lapse is refused", async () => {
      const f = await loadFixture(disputedDeal);
      await advanceTo(f.arbitrationDeadline - 2);
      await time.setNextBlockTimestamp(f.arbitrationDeadline - 1);
      const tx = f.market.connect(f.arbiter).resolveDispute(f.dealId, f.terms, f.report, 2_500);
      await expect(tx).to.emit(f.market, "DisputeResolved").withArgs(f.dealId, f.arbiter.address, 2_500n);
      const [finalized] = await eventsOf(f.market, tx, "DealFinalized");
      expect(finalized.outcome).to.deep.include(expectedOutcome(f.terms, f.report, 7_500n));
      await advanceTo(f.arbitrationDeadline);
      await expect(f.market.finalizeLapsedDispute(f.dealId, f.terms, f.report))
        .to.be.revertedWithCustomError(f.market, "MarketInvalidDealStatus")
        .withArgs(f.dealId, Status.Finalized, Status.Disputed);
    });

    it("still accepts a late ruling until someone finalises the lapsed dispute", async () => {
      const f = await loadFixture(disputedDeal);
      await advanceTo(f.arbitrationDeadline + 3_600);
      const tx = f.market.connect(f.arbiter).resolveDispute(f.dealId, f.terms, f.report, 10_000);
      const [finalized] = await eventsOf(f.market, tx, "DealFinalized");
      expect(finalized.outcome.refund).to.equal(f.terms.escrow);
    });

    it("fixes the deadline when the dispute opens: a later change of the period does not move it", async () => {
      const f = await loadFixture(openDeal);
      const period = 3 * 24 * 3_600;
      await f.market.connect(f.admin).scheduleParameterChange(Parameter.ArbitrationPeriod, 0, period);
      const [, effectiveAt] = await f.market.scheduledChangeOf(Parameter.ArbitrationPeriod, 0);
      await advanceTo(jobEnd(f.terms));
      const report = fullReport(f.terms);
      await f.market.connect(f.computeSupplier).reportUsage(f.dealId, f.terms, report);
      await advanceTo(effectiveAt);
      await f.market.applyParameterChange(Parameter.ArbitrationPeriod, 0);
      const [disputed] = await eventsOf(
        f.market,
        f.market.connect(f.buyer).disputeUsage(f.dealId, f.terms, report, "slow"),
        "DealDisputed",
      );
      const deadline = (await time.latest()) + period;
      expect(disputed.arbitrationDeadline).to.equal(BigInt(deadline));
      await changeParameter(f, Parameter.ArbitrationPeriod, 0, 30 * 24 * 3_600);
      expect(await f.market.arbitrationPeriod()).to.equal(BigInt(30 * 24 * 3_600));
      await advanceTo(deadline - 2);
      await time.setNextBlockTimestamp(deadline - 1);
      await expect(f.market.finalizeLapsedDispute(f.dealId, f.terms, report))
        .to.be.revertedWithCustomError(f.market, "MarketArbitrationPeriodActive")
        .withArgs(f.dealId, deadline);
      await advanceTo(deadline);
      await expect(f.market.finalizeLapsedDispute(f.dealId, f.terms, report)).to.emit(f.market, "DealFinalized");
    });
  });
});
