import { expect } from "chai";
import { advanceTo } from "../../helpers/book.ts";
import { loadFixture } from "../../helpers/connection.ts";
import { challengeEnd, expectedOutcome, reportedDeal } from "../../helpers/deals.ts";
import { eventsOf } from "../../helpers/events.ts";

const Status = { Reported: 1n, Disputed: 2n, Finalized: 3n };

async function disputedDeal() {
  const f = await reportedDeal();
  await f.market.connect(f.buyer).disputeUsage(f.dealId, f.terms, f.report, "half the GPUs were down");
  return f;
}

describe("disputes", () => {
  describe("disputeUsage", () => {
    it("lets the buyer dispute the report within the challenge period", async () => {
      const f = await loadFixture(reportedDeal);
      await advanceTo(challengeEnd(f) - 2);
      await expect(f.market.connect(f.buyer).disputeUsage(f.dealId, f.terms, f.report, "metering gap"))
        .to.emit(f.market, "DealDisputed")
        .withArgs(f.dealId, f.buyer.address, "metering gap");
      expect((await f.market.dealOf(f.dealId)).status).to.equal(Status.Disputed);
    });

    it("refuses a dispute once the challenge period is over", async () => {
      const f = await loadFixture(reportedDeal);
      await advanceTo(challengeEnd(f));
      await expect(f.market.connect(f.buyer).disputeUsage(f.dealId, f.terms, f.report, "too late"))
        .to.be.revertedWithCustomError(f.market, "MarketChallengePeriodOver")
        .withArgs(f.dealId, challengeEnd(f));
    });

    it("refuses anyone but the buyer", async () => {
      const f = await loadFixture(reportedDeal);
      await expect(f.market.connect(f.windSupplier).disputeUsage(f.dealId, f.terms, f.report, ""))
        .to.be.revertedWithCustomError(f.market, "MarketNotDealParty")
        .withArgs(f.dealId, f.windSupplier.address, f.buyer.address);
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
      expect((await f.certificates.batchOf(f.windBatchId)).retiredWh).to.equal(0n);
      expect(await f.certificates.balanceOf(f.windSupplier.address, f.windBatchId)).to.equal(4_000_000n + 150_000n);
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
      expect(finalized.outcome.energyLots.map((l: { retiredWh: bigint }) => l.retiredWh)).to.deep.equal([90_000n, 60_000n]);
      expect(finalized.outcome.fee).to.equal(expected.fee);
      expect(finalized.outcome.refund).to.equal(expected.refund);
      expect(finalized.outcome.credits).to.equal(expected.credits);
      const paid = expected.computePaid + expected.bandwidthPaid + expected.energyLots[0].paid + expected.energyLots[1].paid;
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
});
