import { expect } from "chai";
import { advanceTo, issueJobHours, openBook, partialBundle } from "../../helpers/book.ts";
import { ethers, loadFixture } from "../../helpers/connection.ts";
import { expectedOutcome, fullReport, jobEnd, settle } from "../../helpers/deals.ts";
import { BUYER_FUNDS } from "../../helpers/deploy.ts";

describe("a bid cancelled after a partial fill", () => {
  it("refunds the unfilled rest at once while the filled part runs to completion, and every unit of money is accounted for", async () => {
    const b = await loadFixture(openBook);
    const { deals } = await settle(b, [partialBundle(b, 10n)]);
    const { dealId, terms } = deals[0];

    await expect(b.market.connect(b.buyer).cancelBid(b.bidId)).to.changeTokenBalance(
      ethers,
      b.token,
      b.buyer,
      15n * 4n * 2_500_000n,
    );
    await b.market.connect(b.computeSupplier).cancelComputeOffer(b.computeOfferId);
    await b.market.connect(b.windSupplier).cancelEnergyOffer(b.windOfferId);

    await issueJobHours(b);
    await advanceTo(jobEnd(terms));
    const report = fullReport(terms);
    await b.market.connect(b.computeSupplier).reportUsage(dealId, terms, report);
    await b.market.connect(b.buyer).confirmUsage(dealId, terms, report);
    const expected = expectedOutcome(terms, report);

    const payees = [b.computeSupplier, b.windSupplier, b.solarSupplier, b.networkSupplier, b.buyer];
    for (const payee of payees) await b.market.connect(payee).withdraw();
    await b.market.withdrawFees();
    expect(await b.token.balanceOf(b.treasury.address)).to.equal(expected.fee);
    expect(await b.token.balanceOf(await b.market.getAddress())).to.equal(0n);
    const spent = BUYER_FUNDS - (await b.token.balanceOf(b.buyer.address));
    expect(spent).to.equal(terms.escrow - expected.refund);
    expect(await b.token.balanceOf(b.computeSupplier.address)).to.equal(terms.computePayment);
  });
});
