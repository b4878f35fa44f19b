import { expect } from "chai";
import { advanceTo, meteringRoot } from "../../helpers/book.ts";
import { loadFixture, time } from "../../helpers/connection.ts";
import { fullReport, jobEnd, openDeal, reportedDeal, spreadReport } from "../../helpers/deals.ts";

const Status = { Active: 0n, Reported: 1n, Disputed: 2n, Finalized: 3n, Cancelled: 4n };

async function windowOver() {
  const f = await openDeal();
  await advanceTo(jobEnd(f.terms));
  return f;
}

describe("usage reports", () => {
  it("records the compute supplier's report and opens the challenge period", async () => {
    const f = await loadFixture(windowOver);
    const report = spreadReport(f.terms, {
      vcuHoursDelivered: 90n,
      whConsumed: 230_000n,
      meteringRoot: meteringRoot("series"),
    });
    const tx = await f.market.connect(f.computeSupplier).reportUsage(f.dealId, f.terms, report);
    const reportedAt = BigInt(await time.latest());
    await expect(tx)
      .to.emit(f.market, "UsageReported")
      .withArgs(
        f.dealId,
        f.computeSupplier.address,
        [report.vcuPerHour, report.whPerHour, report.meteringRoot],
        reportedAt + f.terms.challengePeriod,
      );
    const deal = await f.market.dealOf(f.dealId);
    expect([deal.status, deal.since]).to.deep.equal([Status.Reported, reportedAt]);
    expect(deal.digest).to.equal(await f.market.reportDigest(f.terms, report));
  });

  it("accepts a report of nothing delivered", async () => {
    const f = await loadFixture(windowOver);
    const report = spreadReport(f.terms, { vcuHoursDelivered: 0n, whConsumed: 0n });
    await expect(f.market.connect(f.computeSupplier).reportUsage(f.dealId, f.terms, report)).to.emit(
      f.market,
      "UsageReported",
    );
  });

  it("refuses a report at or after the report deadline", async () => {
    const f = await loadFixture(openDeal);
    await advanceTo(f.terms.reportDeadline);
    await expect(f.market.connect(f.computeSupplier).reportUsage(f.dealId, f.terms, fullReport(f.terms)))
      .to.be.revertedWithCustomError(f.market, "MarketReportDeadlinePassed")
      .withArgs(f.dealId, f.terms.reportDeadline);
  });

  it("refuses anyone but the deal's compute supplier", async () => {
    const f = await loadFixture(windowOver);
    for (const caller of [f.buyer, f.matcher, f.networkSupplier]) {
      await expect(f.market.connect(caller).reportUsage(f.dealId, f.terms, fullReport(f.terms)))
        .to.be.revertedWithCustomError(f.market, "MarketNotDealParty")
        .withArgs(f.dealId, caller.address, f.computeSupplier.address);
    }
  });

  it("refuses terms that differ from the deal's in any field", async () => {
    const f = await loadFixture(windowOver);
    const tampered = [
      { ...f.terms, computePayment: f.terms.computePayment + 1n },
      { ...f.terms, computeSupplier: f.buyer.address },
      { ...f.terms, energyLots: f.terms.energyLots.slice(1) },
      { ...f.terms, reportDeadline: f.terms.reportDeadline + 1000n },
    ];
    for (const terms of tampered) {
      await expect(f.market.connect(f.computeSupplier).reportUsage(f.dealId, terms, fullReport(f.terms)))
        .to.be.revertedWithCustomError(f.market, "MarketDealDigestMismatch")
        .withArgs(f.dealId);
    }
  });

  it("refuses unknown deals", async () => {
    const f = await loadFixture(windowOver);
    await expect(f.market.connect(f.computeSupplier).reportUsage(5n, f.terms, fullReport(f.terms)))
      .to.be.revertedWithCustomError(f.market, "MarketUnknownDeal")
      .withArgs(5n);
    await expect(f.market.dealOf(5n)).to.be.revertedWithCustomError(f.market, "MarketUnknownDeal").withArgs(5n);
  });

  it("refuses a report not laid out as abi.encode lays it out, and the deal can still be reported", async () => {
    const f = await loadFixture(windowOver);
    const report = fullReport(f.terms);
    const data = f.market.interface.encodeFunctionData("reportUsage", [f.dealId, f.terms, report]);
    // The report is the last argument: a word of padding between its two series, with whPerHour's
    // offset moved past it, decodes to the same report but is not abi.encode's layout, so it would
    // hash to a digest no later action could match.
    const word = 64;
    const args = data.slice(10);
    const reportAt = Number(BigInt(`0x${args.slice(2 * word, 3 * word)}`)) * 2;
    const whOffset = BigInt(`0x${args.slice(reportAt + word, reportAt + 2 * word)}`);
    const whAt = reportAt + Number(whOffset) * 2;
    const padded =
      data.slice(0, 10) +
      args.slice(0, reportAt + word) +
      (whOffset + 32n).toString(16).padStart(64, "0") +
      args.slice(reportAt + 2 * word, whAt) +
      "0".repeat(64) +
      args.slice(whAt);
    const market = await f.market.getAddress();
    await expect(f.computeSupplier.sendTransaction({ to: market, data: padded }))
      .to.be.revertedWithCustomError(f.market, "MarketReportNotCanonical")
      .withArgs(f.dealId);
    expect((await f.market.dealOf(f.dealId)).status).to.equal(Status.Active);
    await expect(f.market.connect(f.computeSupplier).reportUsage(f.dealId, f.terms, report)).to.emit(
      f.market,
      "UsageReported",
    );
  });

  it("refuses a second report", async () => {
    const f = await loadFixture(reportedDeal);
    await expect(f.market.connect(f.computeSupplier).reportUsage(f.dealId, f.terms, f.report))
      .to.be.revertedWithCustomError(f.market, "MarketInvalidDealStatus")
      .withArgs(f.dealId, Status.Reported, Status.Active);
  });
});
