// A deal's hours at finalisation (docs/market-rules.md, "Finalisation" and "Certificates"): each hour
// retires min(lots' Wh, metered Wh) in lot order, from what each supplier then holds of its
// device-hour; Wh sold but not delivered are not paid and go back to the buyer.
import { expect } from "chai";
import {
  advanceTo,
  bundle,
  certificateId,
  issueHours,
  JOB_HOURS,
  jobHours,
  meteringRoot,
  OFFER_WH_PER_HOUR,
  SOLAR_LOT_WH,
  WIND_LOT_WH,
} from "../../helpers/book.ts";
import { loadFixture, time } from "../../helpers/connection.ts";
import {
  type DealFixture,
  expectedOutcome,
  fullReport,
  jobEnd,
  openDeal,
  plain,
  type UsageReport,
} from "../../helpers/deals.ts";
import { eventsOf } from "../../helpers/events.ts";

const whs = (wh: bigint) => Array.from({ length: JOB_HOURS }, () => wh);

/** The standard deal after its hours, with the wind device's hours issued and solar's not yet. */
async function windIssued(): Promise<DealFixture> {
  const f = await openDeal();
  await issueHours(f, f.windSupplier, f.windDeviceId, f.start, whs(OFFER_WH_PER_HOUR));
  await advanceTo(jobEnd(f.terms));
  return f;
}

async function reportAndConfirm(f: DealFixture, report: UsageReport) {
  await f.market.connect(f.computeSupplier).reportUsage(f.dealId, f.terms, report);
  // A flagged report (far from the declared energy) is confirmed only after its challenge period.
  await time.increase(Number(f.terms.challengePeriod));
  const [event] = await eventsOf(
    f.market,
    f.market.connect(f.buyer).confirmUsage(f.dealId, f.terms, report),
    "DealFinalized",
  );
  return plain(event.outcome);
}

describe("hourly delivery at finalisation", () => {
  it("retires each hour's matched Wh from the suppliers and pays them; Wh never issued are not paid", async () => {
    const f = await loadFixture(windIssued);
    const report = fullReport(f.terms);
    const outcome = await reportAndConfirm(f, report);
    const holdings = new Map(
      jobHours(f.t0).map((hour) => [`${f.solarSupplier.address}:${certificateId(f.solarDeviceId, hour)}`, 0n]),
    );
    const expected = expectedOutcome(f.terms, report, 10_000n, holdings);
    expect(outcome.energyLots).to.deep.equal(expected.energyLots);
    expect(outcome.energyLots.slice(0, 4).map((l: any) => l.retiredWh)).to.deep.equal(whs(WIND_LOT_WH));
    expect(outcome.energyLots.slice(4).map((l: any) => [l.retiredWh, l.undeliveredWh, l.paid])).to.deep.equal(
      Array(4).fill([0n, SOLAR_LOT_WH, 0n]),
    );
    expect(outcome.refund).to.equal(expected.refund);
    expect(await f.market.withdrawableOf(f.solarSupplier)).to.equal(0n);
    expect(await f.market.withdrawableOf(f.windSupplier)).to.equal(7_000_000n);
    for (const hour of jobHours(f.t0)) {
      expect(await f.certificates.balanceOf(f.windSupplier, certificateId(f.windDeviceId, hour))).to.equal(
        OFFER_WH_PER_HOUR - WIND_LOT_WH,
      );
    }
  });

  it("pays a supplier only for the Wh it still holds when a deal finalises (sold elsewhere first)", async () => {
    const f = await loadFixture(windIssued);
    const id = certificateId(f.windDeviceId, f.start);
    await f.certificates
      .connect(f.windSupplier)
      .safeTransferFrom(f.windSupplier, f.stranger, id, OFFER_WH_PER_HOUR - 10_000n, "0x");
    const outcome = await reportAndConfirm(f, fullReport(f.terms));
    expect(outcome.energyLots[0]).to.deep.equal({
      paid: (1_750_000n * 10_000n) / WIND_LOT_WH,
      retiredWh: 10_000n,
      undeliveredWh: WIND_LOT_WH - 10_000n,
    });
    expect(await f.certificates.balanceOf(f.windSupplier, id)).to.equal(0n);
    expect(await f.certificates.balanceOf(f.stranger, id)).to.equal(OFFER_WH_PER_HOUR - 10_000n);
  });

  it("retires nothing of a suspended device or of a supplier who revoked the market's approval", async () => {
    const f = await loadFixture(windIssued);
    await issueHours(f, f.solarSupplier, f.solarDeviceId, f.start, whs(OFFER_WH_PER_HOUR));
    await f.certificates.connect(f.registrar).suspendDevice(f.windDeviceId);
    await f.certificates.connect(f.solarSupplier).setApprovalForAll(f.market, false);
    const outcome = await reportAndConfirm(f, fullReport(f.terms));
    expect(outcome.energyLots.map((l: any) => l.retiredWh)).to.deep.equal(Array(8).fill(0n));
    expect(outcome.credits).to.equal(0n);
    expect(outcome.refund).to.equal(
      expectedOutcome(
        f.terms,
        fullReport(f.terms),
        10_000n,
        new Map(f.terms.energyLots.map((lot) => [`${lot.supplier}:${(lot.deviceId << 32n) | (lot.hour / 3600n)}`, 0n])),
      ).refund,
    );
    expect(await f.certificates.balanceOf(f.windSupplier, certificateId(f.windDeviceId, f.start))).to.equal(
      OFFER_WH_PER_HOUR,
    );
  });

  it("caps each hour by its metered Wh and retires the hour's lots in lot order", async () => {
    const f = await loadFixture(windIssued);
    await issueHours(f, f.solarSupplier, f.solarDeviceId, f.start, whs(OFFER_WH_PER_HOUR));
    // Hour 0 metered 40 kWh: wind's 37.5 kWh retire first, solar gets 2.5 kWh; hour 1 metered nothing.
    const report = fullReport(f.terms, { whPerHour: [40_000n, 0n, 62_500n, 62_500n], meteringRoot: meteringRoot("h") });
    const outcome = await reportAndConfirm(f, report);
    const retired = outcome.energyLots.map((l: any) => l.retiredWh);
    expect(retired).to.deep.equal([WIND_LOT_WH, 0n, WIND_LOT_WH, WIND_LOT_WH, 2_500n, 0n, SOLAR_LOT_WH, SOLAR_LOT_WH]);
    expect(outcome).to.deep.include({ credits: expectedOutcome(f.terms, report).credits });
  });

  it("refuses a report without one entry per job hour, or with more VCU in an hour than the deal bought", async () => {
    const f = await loadFixture(windIssued);
    const report = fullReport(f.terms);
    await expect(
      f.market.connect(f.computeSupplier).reportUsage(f.dealId, f.terms, { ...report, whPerHour: [1n, 2n, 3n] }),
    )
      .to.be.revertedWithCustomError(f.market, "MarketReportLengthMismatch")
      .withArgs(f.dealId, 4, 3, 4);
    await expect(
      f.market
        .connect(f.computeSupplier)
        .reportUsage(f.dealId, f.terms, { ...report, vcuPerHour: [25n, 26n, 25n, 25n] }),
    )
      .to.be.revertedWithCustomError(f.market, "MarketDeliveryExceedsDeal")
      .withArgs(f.dealId, 1, 26, 25);
  });

  it("refuses a report before the job's last hour has ended", async () => {
    const f = await loadFixture(openDeal);
    await advanceTo(jobEnd(f.terms) - 10n);
    await expect(f.market.connect(f.computeSupplier).reportUsage(f.dealId, f.terms, fullReport(f.terms)))
      .to.be.revertedWithCustomError(f.market, "MarketJobNotEnded")
      .withArgs(f.dealId, jobEnd(f.terms));
  });

  it("cancels a deal whose compute supplier never reports: the whole escrow back, no certificate touched", async () => {
    const f = await loadFixture(windIssued);
    await advanceTo(f.terms.reportDeadline);
    await expect(f.market.connect(f.stranger).cancelNoShow(f.dealId, f.terms))
      .to.emit(f.market, "DealCancelled")
      .withArgs(f.dealId, f.buyer.address, f.terms.escrow);
    expect(await f.market.withdrawableOf(f.buyer)).to.equal(f.terms.escrow);
    expect(await f.certificates.balanceOf(f.windSupplier, certificateId(f.windDeviceId, f.start))).to.equal(
      OFFER_WH_PER_HOUR,
    );
  });

  it("keeps the job's hours sold on the compute offer after the deal ends", async () => {
    const f = await loadFixture(openDeal);
    expect(bundle(f).vcu).to.equal(25n);
    for (const hour of jobHours(f.t0)) expect(await f.market.computeUsedOf(f.computeOfferId, hour)).to.equal(25n);
  });
});
