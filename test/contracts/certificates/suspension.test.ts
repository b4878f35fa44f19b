// Issue 11 item 7: a suspended device's certificates were still offered, retired and credited.
// Suspension now freezes them until the registrar approves the device again: no new offers, no
// issuance, no retirement; settlement skips its open offers (their owner cancels them and gets the
// Wh back); and a deal closing while it is suspended neither retires nor pays its lots, returning
// their Wh to the supplier and their payment to the buyer (docs/carbon-accounting.md).
import { expect } from "chai";
import { advanceTo, bundle, energyOffer, HOUR, openBook } from "../../helpers/book.ts";
import { loadFixture } from "../../helpers/connection.ts";
import { expectedOutcome, fullReport, jobEnd, openDeal, settle } from "../../helpers/deals.ts";
import { eventsOf } from "../../helpers/events.ts";

async function suspendedWind() {
  const b = await openBook();
  await b.certificates.connect(b.registrar).suspendDevice(b.windDeviceId);
  return b;
}

describe("a suspended device's certificates", () => {
  it("cannot be offered, issued or retired", async () => {
    const b = await loadFixture(suspendedWind);
    expect(await b.certificates.isBatchSuspended(b.windDeviceId)).to.equal(true);
    expect(await b.certificates.isBatchSuspended(b.solarDeviceId)).to.equal(false);
    await expect(b.market.connect(b.windSupplier).postEnergyOffer(energyOffer(b.t0, b.windDeviceId, { wh: 1_000n })))
      .to.be.revertedWithCustomError(b.market, "MarketDeviceSuspended")
      .withArgs(b.windDeviceId);
    await expect(
      b.certificates.connect(b.windSupplier).issue(b.windDeviceId, b.t0 - HOUR, b.t0, 1_000n),
    ).to.be.revertedWithCustomError(b.certificates, "CertificatesInvalidDeviceStatus");
    await expect(b.certificates.connect(b.windSupplier).retire(b.windDeviceId, 1_000n, b.buyer.address, "claim"))
      .to.be.revertedWithCustomError(b.certificates, "CertificatesDeviceSuspended")
      .withArgs(b.windDeviceId, b.windDeviceId);
  });

  it("are skipped by settlement while their open offer can still be cancelled for its Wh", async () => {
    const b = await loadFixture(suspendedWind);
    const { deals, skipped } = await settle(b, [bundle(b)]);
    expect(deals).to.have.length(0);
    expect(skipped.map((s) => s.reason)).to.deep.equal(["EnergyDeviceSuspended"]);
    const before = await b.certificates.balanceOf(b.windSupplier.address, b.windDeviceId);
    await expect(b.market.connect(b.windSupplier).cancelEnergyOffer(b.windOfferId))
      .to.emit(b.market, "EnergyOfferCancelled")
      .withArgs(b.windOfferId, b.windSupplier.address, b.windDeviceId, 1_000_000n);
    expect(await b.certificates.balanceOf(b.windSupplier.address, b.windDeviceId)).to.equal(before + 1_000_000n);
  });

  it("locked in a deal are returned unpaid when the deal finalises, the buyer refunded and credited only for the rest", async () => {
    const f = await loadFixture(openDeal);
    await f.certificates.connect(f.registrar).suspendDevice(f.windDeviceId);
    await advanceTo(jobEnd(f.terms));
    const report = fullReport(f.terms);
    await f.market.connect(f.computeSupplier).reportUsage(f.dealId, f.terms, report);
    const windHeld = await f.certificates.balanceOf(f.windSupplier.address, f.windDeviceId);
    const [finalized] = await eventsOf(
      f.market,
      f.market.connect(f.buyer).confirmUsage(f.dealId, f.terms, report),
      "DealFinalized",
    );
    // The model with the wind lot frozen: what it would pay and retire moves to the refund.
    const normal = expectedOutcome(f.terms, report);
    const wind = f.terms.energyLots[0];
    const outcome = finalized.outcome;
    expect(outcome.energyLots[0]).to.deep.equal({ paid: 0n, retiredWh: 0n, returnedWh: wind.wh });
    expect(outcome.energyLots[1]).to.deep.equal(normal.energyLots[1]);
    const paid = outcome.computePaid + outcome.bandwidthPaid + outcome.energyLots[1].paid;
    expect(outcome.refund + paid + outcome.fee).to.equal(f.terms.escrow);
    // The fee follows what suppliers are paid, so the buyer gets back the wind payment and its fee share.
    expect(outcome.refund >= normal.refund + wind.payment).to.equal(true);
    const solar = f.terms.energyLots[1];
    expect(outcome.credits).to.equal(
      (normal.energyLots[1].retiredWh * (f.terms.gridFactor - solar.sourceFactor)) / 1000n,
    );
    expect(await f.certificates.balanceOf(f.windSupplier.address, f.windDeviceId)).to.equal(windHeld + wind.wh);
    expect((await f.certificates.batchOf(f.windDeviceId)).retiredWh).to.equal(0n);
    expect(await f.market.withdrawableOf(f.windSupplier.address)).to.equal(0n);
    expect(await f.credits.balanceOf(f.buyer.address)).to.equal(outcome.credits);
  });

  it("trade again once the registrar approves the device again", async () => {
    const b = await loadFixture(suspendedWind);
    await b.certificates.connect(b.registrar).approveDevice(b.windDeviceId);
    const { deals } = await settle(b, [bundle(b)]);
    expect(deals).to.have.length(1);
  });
});
