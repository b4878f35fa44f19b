import { expect } from "chai";
import { advanceTo, issueJobHours, meteringRoot } from "../../helpers/book.ts";
import { ethers, loadFixture, time } from "../../helpers/connection.ts";
import { jobEnd, openDeal, spreadReport } from "../../helpers/deals.ts";
import { USD } from "../../helpers/deploy.ts";
import { eventsOf } from "../../helpers/events.ts";

async function windowOver() {
  const f = await openDeal();
  await issueJobHours(f);
  await advanceTo(jobEnd(f.terms));
  return f;
}

describe("a trade delivered in part", () => {
  it("retires every lot when more energy was consumed than planned, but pays compute only for what was delivered", async () => {
    const f = await loadFixture(windowOver);
    const report = spreadReport(f.terms, {
      vcuHoursDelivered: 50n,
      whConsumed: 400_000n,
      meteringRoot: meteringRoot("overrun"),
    });
    // 400 kWh for 50 VCU-hours is far outside the declared 125 kWh: the report is flagged, so the
    // buyer confirms it only after the challenge period (docs/carbon-accounting.md).
    await expect(f.market.connect(f.computeSupplier).reportUsage(f.dealId, f.terms, report))
      .to.emit(f.market, "UsageFlagged")
      .withArgs(f.dealId, true, false, 125_000n, 400_000n, 250_000n);
    await time.increase(Number(f.terms.challengePeriod));
    const [{ outcome }] = await eventsOf(
      f.market,
      f.market.connect(f.buyer).confirmUsage(f.dealId, f.terms, report),
      "DealFinalized",
    );
    expect(outcome.computePaid).to.equal(90n * USD);
    // Every hour metered more than its green lots: every lot retires whole and is paid whole.
    expect(outcome.energyLots.map((l: { retiredWh: bigint }) => l.retiredWh)).to.deep.equal(
      f.terms.energyLots.map((lot) => lot.wh),
    );
    expect(outcome.energyLots.map((l: { paid: bigint }) => l.paid)).to.deep.equal(
      f.terms.energyLots.map((lot) => lot.payment),
    );
  });

  it("refunds everything but pays nothing when nothing was delivered", async () => {
    const f = await loadFixture(windowOver);
    const report = spreadReport(f.terms, { vcuHoursDelivered: 0n, whConsumed: 0n, meteringRoot: ethers.ZeroHash });
    await f.market.connect(f.computeSupplier).reportUsage(f.dealId, f.terms, report);
    const [{ outcome }] = await eventsOf(
      f.market,
      f.market.connect(f.buyer).confirmUsage(f.dealId, f.terms, report),
      "DealFinalized",
    );
    expect([outcome.computePaid, outcome.bandwidthPaid, outcome.fee, outcome.credits]).to.deep.equal([0n, 0n, 0n, 0n]);
    expect(outcome.refund).to.equal(f.terms.escrow);
    await expect(f.market.connect(f.buyer).confirmUsage(f.dealId, f.terms, report)).to.be.revertedWithCustomError(
      f.market,
      "MarketInvalidDealStatus",
    );
  });
});
