import { expect } from "chai";
import { advanceTo } from "../../helpers/book.ts";
import { loadFixture } from "../../helpers/connection.ts";
import { challengeEnd, expectedOutcome, fullReport, reportedDeal, spreadReport } from "../../helpers/deals.ts";
import { bigints, eventsOf } from "../../helpers/events.ts";

const Status = { Reported: 1n, Disputed: 2n, Finalized: 3n };

describe("confirming and finalising deals", () => {
  describe("confirmUsage", () => {
    it("finalises at once when the buyer accepts the report", async () => {
      const f = await loadFixture(reportedDeal);
      const tx = f.market.connect(f.buyer).confirmUsage(f.dealId, f.terms, f.report);
      await expect(tx).to.emit(f.market, "UsageConfirmed").withArgs(f.dealId, f.buyer.address);
      const [finalized] = await eventsOf(f.market, tx, "DealFinalized");
      const expected = expectedOutcome(f.terms, f.report);
      expect(finalized.dealId).to.equal(f.dealId);
      expect(finalized.buyer).to.equal(f.buyer.address);
      expect(finalized.outcome).to.deep.equal({
        vcuHoursDelivered: f.report.vcuDelivered,
        whConsumed: f.report.whConsumed,
        acceptedBps: 10_000n,
        ...expected,
        energyLots: expected.energyLots.map(bigints),
      });
      const deal = await f.market.dealOf(f.dealId);
      expect(deal.status).to.equal(Status.Finalized);
    });

    it("retires the certificate Wh for the buyer under the deal's id and mints the buyer's credits", async () => {
      const f = await loadFixture(reportedDeal);
      const tx = f.market.connect(f.buyer).confirmUsage(f.dealId, f.terms, f.report);
      const market = await f.market.getAddress();
      await expect(tx)
        .to.emit(f.certificates, "CertificatesRetired")
        .withArgs(f.windDeviceId, market, f.buyer.address, 150_000n, f.dealId, "CCEX deal");
      await expect(tx)
        .to.emit(f.certificates, "CertificatesRetired")
        .withArgs(f.solarDeviceId, market, f.buyer.address, 100_000n, f.dealId, "CCEX deal");
      const credits = expectedOutcome(f.terms, f.report).credits;
      await expect(tx).to.emit(f.credits, "CreditsMinted").withArgs(f.dealId, f.buyer.address, credits);
      expect(await f.certificates.balanceOf(market, f.windDeviceId)).to.equal(850_000n); // the open offer's rest
      expect((await f.certificates.batchOf(f.windDeviceId)).retiredWh).to.equal(150_000n);
      expect((await f.certificates.batchOf(f.solarDeviceId)).retiredWh).to.equal(100_000n);
    });

    it("refuses anyone but the buyer", async () => {
      const f = await loadFixture(reportedDeal);
      for (const caller of [f.computeSupplier, f.arbiter, f.otherBuyer]) {
        await expect(f.market.connect(caller).confirmUsage(f.dealId, f.terms, f.report))
          .to.be.revertedWithCustomError(f.market, "MarketNotDealParty")
          .withArgs(f.dealId, caller.address, f.buyer.address);
      }
    });

    it("refuses a report other than the one the supplier made", async () => {
      const f = await loadFixture(reportedDeal);
      const other = spreadReport(f.terms, { vcuHoursDelivered: 1n });
      await expect(f.market.connect(f.buyer).confirmUsage(f.dealId, f.terms, other))
        .to.be.revertedWithCustomError(f.market, "MarketDealDigestMismatch")
        .withArgs(f.dealId);
    });

    it("refuses a deal that is already final", async () => {
      const f = await loadFixture(reportedDeal);
      await f.market.connect(f.buyer).confirmUsage(f.dealId, f.terms, f.report);
      await expect(f.market.connect(f.buyer).confirmUsage(f.dealId, f.terms, f.report))
        .to.be.revertedWithCustomError(f.market, "MarketInvalidDealStatus")
        .withArgs(f.dealId, Status.Finalized, Status.Reported);
    });
  });

  describe("finalize", () => {
    it("refuses while the challenge period runs", async () => {
      const f = await loadFixture(reportedDeal);
      await advanceTo(challengeEnd(f) - 2);
      await expect(f.market.connect(f.stranger).finalize(f.dealId, f.terms, f.report))
        .to.be.revertedWithCustomError(f.market, "MarketChallengePeriodActive")
        .withArgs(f.dealId, challengeEnd(f));
    });

    it("pays out exactly the model's outcome when anyone finalises after the challenge period", async () => {
      const f = await loadFixture(reportedDeal);
      await advanceTo(challengeEnd(f));
      const expected = expectedOutcome(f.terms, f.report);
      const tx = f.market.connect(f.stranger).finalize(f.dealId, f.terms, f.report);
      await expect(tx).to.not.emit(f.market, "UsageConfirmed");
      const [finalized] = await eventsOf(f.market, tx, "DealFinalized");
      expect(finalized.outcome.refund).to.equal(expected.refund);
      expect(await f.market.withdrawableOf(f.computeSupplier)).to.equal(expected.computePaid);
      expect(await f.market.withdrawableOf(f.networkSupplier)).to.equal(expected.bandwidthPaid);
      expect(await f.market.withdrawableOf(f.windSupplier)).to.equal(expected.energyLots[0].paid);
      expect(await f.market.withdrawableOf(f.solarSupplier)).to.equal(expected.energyLots[1].paid);
      expect(await f.market.accruedFees()).to.equal(expected.fee);
      expect(await f.market.withdrawableOf(f.buyer)).to.equal(expected.refund);
      expect(await f.credits.balanceOf(f.buyer)).to.equal(expected.credits);
    });

    it("cannot finalise a deal twice, so no Wh are retired twice", async () => {
      const f = await loadFixture(reportedDeal);
      await advanceTo(challengeEnd(f));
      await f.market.finalize(f.dealId, f.terms, f.report);
      await expect(f.market.finalize(f.dealId, f.terms, f.report))
        .to.be.revertedWithCustomError(f.market, "MarketInvalidDealStatus")
        .withArgs(f.dealId, Status.Finalized, Status.Reported);
      expect((await f.certificates.batchOf(f.windDeviceId)).retiredWh).to.equal(150_000n);
    });

    it("refuses a disputed deal: the arbiter, or the lapse of its arbitration period, closes it", async () => {
      const f = await loadFixture(reportedDeal);
      await f.market.connect(f.buyer).disputeUsage(f.dealId, f.terms, f.report, "GPU throttled");
      await advanceTo(challengeEnd(f));
      await expect(f.market.finalize(f.dealId, f.terms, f.report))
        .to.be.revertedWithCustomError(f.market, "MarketInvalidDealStatus")
        .withArgs(f.dealId, Status.Disputed, Status.Reported);
    });

    it("refuses an unknown deal", async () => {
      const f = await loadFixture(reportedDeal);
      await expect(f.market.finalize(3n, f.terms, f.report))
        .to.be.revertedWithCustomError(f.market, "MarketUnknownDeal")
        .withArgs(3n);
    });
  });
});
