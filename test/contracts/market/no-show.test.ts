import { expect } from "chai";
import { advanceTo } from "../../helpers/book.ts";
import { ethers, loadFixture } from "../../helpers/connection.ts";
import { openDeal, reportedDeal } from "../../helpers/deals.ts";

const Status = { Active: 0n, Reported: 1n, Cancelled: 4n };

describe("cancelling a deal whose supplier never reported", () => {
  it("refuses before the report deadline", async () => {
    const f = await loadFixture(openDeal);
    await advanceTo(f.terms.reportDeadline - 2n);
    await expect(f.market.connect(f.buyer).cancelNoShow(f.dealId, f.terms))
      .to.be.revertedWithCustomError(f.market, "MarketReportDeadlineNotReached")
      .withArgs(f.dealId, f.terms.reportDeadline);
  });

  it("credits the buyer the whole escrow and returns every lot's Wh once the deadline has passed", async () => {
    const f = await loadFixture(openDeal);
    await advanceTo(f.terms.reportDeadline);
    const tx = f.market.connect(f.stranger).cancelNoShow(f.dealId, f.terms);
    await expect(tx).to.emit(f.market, "DealCancelled").withArgs(f.dealId, f.buyer.address, f.terms.escrow);
    await expect(tx).to.not.emit(f.credits, "CreditsMinted");
    expect(await f.market.withdrawableOf(f.buyer)).to.equal(f.terms.escrow);
    expect(await f.market.withdrawableOf(f.computeSupplier)).to.equal(0n);
    await expect(tx).to.not.emit(f.certificates, "CertificatesRetired");
    expect((await f.market.dealOf(f.dealId)).status).to.equal(Status.Cancelled);
    await expect(f.market.connect(f.buyer).withdraw()).to.changeTokenBalance(ethers, f.token, f.buyer, f.terms.escrow);
  });

  it("cannot cancel twice nor report after cancellation", async () => {
    const f = await loadFixture(openDeal);
    await advanceTo(f.terms.reportDeadline);
    await f.market.cancelNoShow(f.dealId, f.terms);
    await expect(f.market.cancelNoShow(f.dealId, f.terms))
      .to.be.revertedWithCustomError(f.market, "MarketInvalidDealStatus")
      .withArgs(f.dealId, Status.Cancelled, Status.Active);
  });

  it("cannot cancel a deal whose supplier reported in time", async () => {
    const f = await loadFixture(reportedDeal);
    await advanceTo(f.terms.reportDeadline);
    await expect(f.market.cancelNoShow(f.dealId, f.terms))
      .to.be.revertedWithCustomError(f.market, "MarketInvalidDealStatus")
      .withArgs(f.dealId, Status.Reported, Status.Active);
    expect((await f.market.dealOf(f.dealId)).status).to.equal(Status.Reported);
  });

  it("refuses terms that are not the deal's", async () => {
    const f = await loadFixture(openDeal);
    await advanceTo(f.terms.reportDeadline);
    await expect(f.market.cancelNoShow(f.dealId, { ...f.terms, escrow: f.terms.escrow * 2n }))
      .to.be.revertedWithCustomError(f.market, "MarketDealDigestMismatch")
      .withArgs(f.dealId);
  });
});
