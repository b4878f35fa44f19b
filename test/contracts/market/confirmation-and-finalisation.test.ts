import { expect } from "chai";
import { advanceTo } from "../../helpers/book.ts";
import { loadFixture } from "../../helpers/connection.ts";
import { challengeEnd, reportedDeal, spreadReport } from "../../helpers/deals.ts";

const Status = { Reported: 1n, Disputed: 2n, Finalized: 3n };

describe("confirming and finalising deals", () => {
  describe("confirmUsage", () => {
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
