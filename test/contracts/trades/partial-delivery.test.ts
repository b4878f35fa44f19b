import { expect } from "chai";
import { advanceTo, meteringRoot } from "../../helpers/book.ts";
import { ethers, loadFixture, time } from "../../helpers/connection.ts";
import { expectedOutcome, jobEnd, openDeal } from "../../helpers/deals.ts";
import { USD } from "../../helpers/deploy.ts";
import { eventsOf } from "../../helpers/events.ts";

async function windowOver() {
  const f = await openDeal();
  await advanceTo(jobEnd(f.terms));
  return f;
}

describe("a trade delivered in part", () => {
  it("pays pro rata to delivery, retires only the green share of the energy used and refunds the rest", async () => {
    const f = await loadFixture(windowOver);
    // 60 of 100 VCU-hours delivered, 150 of the 250 kWh planned consumed.
    const report = { vcuHoursDelivered: 60n, whConsumed: 150_000n, meteringRoot: meteringRoot("partial") };
    await f.market.connect(f.computeSupplier).reportUsage(f.dealId, f.terms, report);
    const tx = f.market.connect(f.buyer).confirmUsage(f.dealId, f.terms, report);
    const [{ outcome }] = await eventsOf(f.market, tx, "DealFinalized");

    // Figures worked out by hand from the standard bundle (docs/market-rules.md, "flow of a trade").
    expect(outcome.computePaid).to.equal(108n * USD); // 180 × 60 %
    expect(outcome.bandwidthPaid).to.equal(1_800_000n); // 3 × 60 %
    expect(outcome.energyLots).to.deep.equal([
      { paid: 4_200_000n, retiredWh: 90_000n, returnedWh: 60_000n }, // wind: 150 kWh × 60 %
      { paid: 3_600_000n, retiredWh: 60_000n, returnedWh: 40_000n }, // solar: 100 kWh × 60 %
    ]);
    expect(outcome.fee).to.equal(1_176_000n); // 1 % of the 117.6 paid
    expect(outcome.refund).to.equal(250n * USD - 117_600_000n - 1_176_000n);
    expect(outcome.credits).to.equal((90_000n * (610n - 11n) + 60_000n * (610n - 48n)) / 1000n);
    expect(outcome).to.deep.include(expectedOutcome(f.terms, report));

    expect(await f.certificates.balanceOf(f.windSupplier.address, f.windDeviceId)).to.equal(4_000_000n + 60_000n);
    expect(await f.certificates.balanceOf(f.solarSupplier.address, f.solarDeviceId)).to.equal(4_000_000n + 40_000n);
    expect(await f.credits.balanceOf(f.buyer.address)).to.equal(outcome.credits);
  });

  it("retires every lot when more energy was consumed than planned, but pays compute only for what was delivered", async () => {
    const f = await loadFixture(windowOver);
    const report = { vcuHoursDelivered: 50n, whConsumed: 400_000n, meteringRoot: meteringRoot("overrun") };
    // 400 kWh for 50 VCU-hours is far outside the declared 125 kWh: the report is flagged, so the
    // buyer confirms it only after the challenge period (docs/carbon-accounting.md).
    await expect(f.market.connect(f.computeSupplier).reportUsage(f.dealId, f.terms, report))
      .to.emit(f.market, "UsageFlagged")
      .withArgs(f.dealId, true, false, 125_000n, 400_000n);
    await time.increase(Number(f.terms.challengePeriod));
    const [{ outcome }] = await eventsOf(
      f.market,
      f.market.connect(f.buyer).confirmUsage(f.dealId, f.terms, report),
      "DealFinalized",
    );
    expect(outcome.computePaid).to.equal(90n * USD);
    expect(outcome.energyLots.map((l: { retiredWh: bigint }) => l.retiredWh)).to.deep.equal([150_000n, 100_000n]);
    expect(outcome.energyLots.map((l: { paid: bigint }) => l.paid)).to.deep.equal([7n * USD, 6n * USD]);
  });

  it("refunds everything but pays nothing when nothing was delivered", async () => {
    const f = await loadFixture(windowOver);
    const report = { vcuHoursDelivered: 0n, whConsumed: 0n, meteringRoot: ethers.ZeroHash };
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
