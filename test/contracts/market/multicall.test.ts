import { expect } from "chai";
import { advanceTo, openBook, partialBundle } from "../../helpers/book.ts";
import { loadFixture } from "../../helpers/connection.ts";
import { fullReport, jobEnd, settle } from "../../helpers/deals.ts";

async function twoDeals() {
  const b = await openBook();
  const { deals } = await settle(b, [partialBundle(b, 12n), partialBundle(b, 13n, { bandwidthPayment: 0n })]);
  return { ...b, deals };
}

describe("several market calls in one transaction (multicall)", () => {
  it("lets a compute supplier report many deals at once", async () => {
    const f = await loadFixture(twoDeals);
    await advanceTo(jobEnd(f.deals[0].terms));
    const calls = f.deals.map(({ dealId, terms }) =>
      f.market.interface.encodeFunctionData("reportUsage", [dealId, terms, fullReport(terms)]),
    );
    await expect(f.market.connect(f.computeSupplier).multicall(calls))
      .to.emit(f.market, "UsageReported")
      .withArgs(
        2n,
        f.computeSupplier.address,
        [
          fullReport(f.deals[1].terms).vcuPerHour,
          fullReport(f.deals[1].terms).whPerHour,
          fullReport(f.deals[1].terms).meteringRoot,
        ],
        (end: bigint) => end > 0n,
      );
    for (const { dealId } of f.deals) expect((await f.market.dealOf(dealId)).status).to.equal(1n);
  });

  it("keeps each call's own permissions: nobody else reports or settles through it", async () => {
    const f = await loadFixture(twoDeals);
    await advanceTo(jobEnd(f.deals[0].terms));
    const report = f.market.interface.encodeFunctionData("reportUsage", [
      f.deals[0].dealId,
      f.deals[0].terms,
      fullReport(f.deals[0].terms),
    ]);
    await expect(f.market.connect(f.buyer).multicall([report]))
      .to.be.revertedWithCustomError(f.market, "MarketNotDealParty")
      .withArgs(f.deals[0].dealId, f.buyer.address, f.computeSupplier.address);
    const settleCall = f.market.interface.encodeFunctionData("settle", [[]]);
    await expect(f.market.connect(f.computeSupplier).multicall([settleCall]))
      .to.be.revertedWithCustomError(f.market, "AccessControlUnauthorizedAccount")
      .withArgs(f.computeSupplier.address, await f.market.MATCHER_ROLE());
  });

  it("is all or nothing: one failing call reverts the others", async () => {
    const f = await loadFixture(twoDeals);
    await advanceTo(jobEnd(f.deals[0].terms));
    const good = f.market.interface.encodeFunctionData("reportUsage", [
      f.deals[0].dealId,
      f.deals[0].terms,
      fullReport(f.deals[0].terms),
    ]);
    const { dealId, terms } = f.deals[1];
    const bad = f.market.interface.encodeFunctionData("reportUsage", [
      dealId,
      terms,
      fullReport(terms, { vcuPerHour: [14n, 13n, 13n, 13n] }),
    ]);
    await expect(f.market.connect(f.computeSupplier).multicall([good, bad]))
      .to.be.revertedWithCustomError(f.market, "MarketDeliveryExceedsDeal")
      .withArgs(dealId, 0n, 14n, 13n);
    expect((await f.market.dealOf(f.deals[0].dealId)).status).to.equal(0n);
  });
});
