import { expect } from "chai";
import { advanceTo, meteringRoot } from "../../helpers/book.ts";
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

/** Deal 1 reported in part (60 of 100 VCU-hours, 150 of 250 kWh) and disputed: some Wh retire, some return. */
async function disputedPartialDeal() {
  const f = await openDeal();
  await advanceTo(jobEnd(f.terms));
  const report = { vcuHoursDelivered: 60n, whConsumed: 150_000n, meteringRoot: meteringRoot("partial") };
  await f.market.connect(f.computeSupplier).reportUsage(f.dealId, f.terms, report);
  return dispute({ ...f, report, reportedAt: await time.latest() });
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

    it("refunds the buyer everything when the arbiter finds for the buyer (refund share 10,000)", async () => {
      const f = await loadFixture(disputedDeal);
      const tx = f.market.connect(f.arbiter).resolveDispute(f.dealId, f.terms, f.report, 10_000);
      const [finalized] = await eventsOf(f.market, tx, "DealFinalized");
      expect(finalized.outcome.refund).to.equal(f.terms.escrow);
      expect(finalized.outcome.credits).to.equal(0n);
      for (const supplier of [f.computeSupplier, f.windSupplier, f.solarSupplier, f.networkSupplier]) {
        expect(await f.market.withdrawableOf(supplier)).to.equal(0n);
      }
      expect(await f.market.accruedFees()).to.equal(0n);
      expect(await f.market.withdrawableOf(f.buyer)).to.equal(f.terms.escrow);
      // No certificate was used for the buyer: every Wh goes back to its supplier.
      expect((await f.certificates.batchOf(f.windDeviceId)).retiredWh).to.equal(0n);
      expect(await f.certificates.balanceOf(f.windSupplier.address, f.windDeviceId)).to.equal(4_000_000n + 150_000n);
      expect(await f.credits.totalSupply()).to.equal(0n);
    });

    it("splits payments, fee, retired Wh and credits by the arbiter's refund share", async () => {
      const f = await loadFixture(disputedDeal);
      const refundBps = 4_000n;
      const expected = expectedOutcome(f.terms, f.report, 10_000n - refundBps);
      const tx = f.market.connect(f.arbiter).resolveDispute(f.dealId, f.terms, f.report, refundBps);
      const [finalized] = await eventsOf(f.market, tx, "DealFinalized");
      expect(finalized.outcome.acceptedBps).to.equal(6_000n);
      expect(finalized.outcome.computePaid).to.equal((f.terms.computePayment * 6n) / 10n);
      expect(finalized.outcome.energyLots.map((l: { retiredWh: bigint }) => l.retiredWh)).to.deep.equal([
        90_000n,
        60_000n,
      ]);
      expect(finalized.outcome.fee).to.equal(expected.fee);
      expect(finalized.outcome.refund).to.equal(expected.refund);
      expect(finalized.outcome.credits).to.equal(expected.credits);
      const paid =
        expected.computePaid + expected.bandwidthPaid + expected.energyLots[0].paid + expected.energyLots[1].paid;
      expect(paid + expected.fee + expected.refund).to.equal(f.terms.escrow);
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

    it("pays out and retires exactly what the report says, conserving the escrow and every certificate Wh", async () => {
      const f = await loadFixture(disputedPartialDeal);
      const market = await f.market.getAddress();
      const accounts = [f.buyer, f.computeSupplier, f.windSupplier, f.solarSupplier, f.networkSupplier];
      const withdrawable = () => Promise.all(accounts.map((a) => f.market.withdrawableOf(a)));
      const batches = [f.windDeviceId, f.solarDeviceId];
      const suppliers = [f.windSupplier, f.solarSupplier];
      const wh = () =>
        Promise.all(
          batches.flatMap((id, i) => [
            f.certificates.balanceOf(market, id),
            f.certificates.balanceOf(suppliers[i].address, id),
            f.certificates.batchOf(id).then((b) => b.retiredWh),
          ]),
        );
      const [tokensBefore, owedBefore, feesBefore, whBefore] = [
        await f.token.balanceOf(market),
        await withdrawable(),
        await f.market.accruedFees(),
        await wh(),
      ];

      await advanceTo(f.arbitrationDeadline);
      const [{ outcome }] = await eventsOf(
        f.market,
        f.market.finalizeLapsedDispute(f.dealId, f.terms, f.report),
        "DealFinalized",
      );

      expect(outcome).to.deep.include(expectedOutcome(f.terms, f.report));
      const owedAfter = await withdrawable();
      const owed = owedAfter.map((after, i) => after - owedBefore[i]);
      const energyPaid = outcome.energyLots.map((l: { paid: bigint }) => l.paid);
      expect(owed).to.deep.equal([
        outcome.refund,
        outcome.computePaid,
        energyPaid[0],
        energyPaid[1],
        outcome.bandwidthPaid,
      ]);
      const fees = (await f.market.accruedFees()) - feesBefore;
      expect(owed.reduce((a, b) => a + b, 0n) + fees).to.equal(f.terms.escrow);
      expect(outcome.refund).to.be.greaterThan(0n);
      // Pull payments: no token leaves the market until each party withdraws.
      expect(await f.token.balanceOf(market)).to.equal(tokensBefore);

      const whAfter = await wh();
      for (const [i, lot] of f.terms.energyLots.entries()) {
        const { retiredWh, returnedWh } = outcome.energyLots[i];
        expect(retiredWh + returnedWh).to.equal(lot.wh);
        expect(returnedWh).to.be.greaterThan(0n);
        expect(whBefore[3 * i] - whAfter[3 * i]).to.equal(lot.wh); // out of the market's escrow
        expect(whAfter[3 * i + 1] - whBefore[3 * i + 1]).to.equal(returnedWh); // back to the supplier
        expect(whAfter[3 * i + 2] - whBefore[3 * i + 2]).to.equal(retiredWh); // retired for the buyer
      }
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

    it("refuses a report other than the disputed one, and an unknown deal", async () => {
      const f = await loadFixture(disputedDeal);
      await advanceTo(f.arbitrationDeadline);
      await expect(
        f.market.finalizeLapsedDispute(f.dealId, f.terms, {
          ...f.report,
          vcuHoursDelivered: f.report.vcuDelivered - 1n,
        }),
      )
        .to.be.revertedWithCustomError(f.market, "MarketDealDigestMismatch")
        .withArgs(f.dealId);
      await expect(f.market.finalizeLapsedDispute(7n, f.terms, f.report))
        .to.be.revertedWithCustomError(f.market, "MarketUnknownDeal")
        .withArgs(7n);
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

    it("refuses the arbiter once the lapsed dispute is finalised", async () => {
      const f = await loadFixture(disputedDeal);
      await advanceTo(f.arbitrationDeadline);
      await f.market.finalizeLapsedDispute(f.dealId, f.terms, f.report);
      await expect(f.market.connect(f.arbiter).resolveDispute(f.dealId, f.terms, f.report, 10_000))
        .to.be.revertedWithCustomError(f.market, "MarketInvalidDealStatus")
        .withArgs(f.dealId, Status.Finalized, Status.Disputed);
      await expect(f.market.finalizeLapsedDispute(f.dealId, f.terms, f.report))
        .to.be.revertedWithCustomError(f.market, "MarketInvalidDealStatus")
        .withArgs(f.dealId, Status.Finalized, Status.Disputed);
      expect((await f.certificates.batchOf(f.windDeviceId)).retiredWh).to.equal(f.terms.energyLots[0].wh);
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
