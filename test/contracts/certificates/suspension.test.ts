// A suspended device's hours (docs/carbon-accounting.md, "Suspended devices and undelivered
// certificates"): not offered, not matched, not retired, until the registrar approves it again.
import { expect } from "chai";
import { bundle, energyOffer, openBook } from "../../helpers/book.ts";
import { loadFixture } from "../../helpers/connection.ts";
import { settle } from "../../helpers/deals.ts";

async function windSuspended() {
  const b = await openBook();
  await b.certificates.connect(b.registrar).suspendDevice(b.windDeviceId);
  return b;
}

describe("a suspended device's certificates", () => {
  it("cannot be offered", async () => {
    const b = await loadFixture(windSuspended);
    expect(await b.certificates.isDeviceSuspended(b.windDeviceId)).to.equal(true);
    await expect(b.market.connect(b.windSupplier).postEnergyOffer(energyOffer(b.t0, b.windDeviceId)))
      .to.be.revertedWithCustomError(b.market, "MarketDeviceNotApproved")
      .withArgs(b.windDeviceId, 3);
  });

  it("are skipped by settlement, while the open offer can still be cancelled to free its hours", async () => {
    const b = await loadFixture(windSuspended);
    const { deals, skipped } = await settle(b, [bundle(b)]);
    expect(deals).to.deep.equal([]);
    expect(skipped.map((s) => s.reason)).to.deep.equal(["EnergyDeviceSuspended"]);
    await b.market.connect(b.windSupplier).cancelEnergyOffer(b.windOfferId);
    expect(await b.market.deviceHourOfferedOf(b.windDeviceId, b.start)).to.equal(0n);
  });

  it("trade again once the registrar approves the device again", async () => {
    const b = await loadFixture(windSuspended);
    await b.certificates.connect(b.registrar).approveDevice(b.windDeviceId);
    const { deals } = await settle(b, [bundle(b)]);
    expect(deals).to.have.length(1);
  });
});
