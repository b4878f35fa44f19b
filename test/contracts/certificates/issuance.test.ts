// Issuing a device's generation hour by hour (docs/market-rules.md, "Certificates"): one id per
// device-hour, each hour ≤ capacity × 1 h, no hour issued twice, only hours that have ended.
import { expect } from "chai";
import { certificateId, DAY, DEVICE_CAPACITY_W, HOUR, registerDevice } from "../../helpers/book.ts";
import { ethers, loadFixture, time } from "../../helpers/connection.ts";
import { deployExchange, Region, Source } from "../../helpers/deploy.ts";
import { eventsOf } from "../../helpers/events.ts";

async function device() {
  const d = await deployExchange();
  const deviceId = await registerDevice(d, d.windSupplier, Source.Wind, Region.Gansu);
  const firstHour = Math.floor((d.t0 - 2 * DAY) / HOUR) * HOUR;
  return { ...d, deviceId, firstHour };
}

describe("issuing certificates hour by hour", () => {
  it("mints each non-zero hour to its own device-hour id in one batch and advances issuedUntil", async () => {
    const d = await loadFixture(device);
    const whPerHour = [1_000n, 0n, 2_500n];
    const tx = d.certificates.connect(d.windSupplier).issue(d.deviceId, d.firstHour, whPerHour);
    const [issued] = await eventsOf(d.certificates, tx, "CertificatesIssued");
    expect(issued).to.deep.include({
      issueId: 1n,
      deviceId: d.deviceId,
      owner: d.windSupplier.address,
      firstHour: BigInt(d.firstHour),
    });
    expect(issued.whPerHour).to.deep.equal(whPerHour);
    const [batch] = await eventsOf(d.certificates, tx, "TransferBatch");
    expect(batch.ids).to.deep.equal([
      certificateId(d.deviceId, d.firstHour),
      certificateId(d.deviceId, d.firstHour + 2 * HOUR),
    ]);
    for (const [h, wh] of whPerHour.entries()) {
      const id = await d.certificates.certificateIdOf(d.deviceId, d.firstHour + h * HOUR);
      expect(id).to.equal(certificateId(d.deviceId, d.firstHour + h * HOUR));
      expect(await d.certificates.balanceOf(d.windSupplier, id)).to.equal(wh);
    }
    expect((await d.certificates.deviceOf(d.deviceId)).issuedUntil).to.equal(BigInt(d.firstHour + 3 * HOUR));
    expect(await d.certificates.issueCount()).to.equal(1n);
  });

  it("refuses an hour above the device's capacity × 1 h, naming the hour", async () => {
    const d = await loadFixture(device);
    await expect(d.certificates.connect(d.windSupplier).issue(d.deviceId, d.firstHour, [1n, DEVICE_CAPACITY_W + 1n]))
      .to.be.revertedWithCustomError(d.certificates, "CertificatesExceedsCapacity")
      .withArgs(d.deviceId, d.firstHour + HOUR, DEVICE_CAPACITY_W + 1n, DEVICE_CAPACITY_W);
  });

  it("never issues a device-hour twice", async () => {
    const d = await loadFixture(device);
    await d.certificates.connect(d.windSupplier).issue(d.deviceId, d.firstHour, [1n, 1n]);
    await expect(d.certificates.connect(d.windSupplier).issue(d.deviceId, d.firstHour + HOUR, [1n]))
      .to.be.revertedWithCustomError(d.certificates, "CertificatesHoursOverlap")
      .withArgs(d.deviceId, d.firstHour + HOUR, d.firstHour + 2 * HOUR);
    await d.certificates.connect(d.windSupplier).issue(d.deviceId, d.firstHour + 2 * HOUR, [1n]);
  });

  it("refuses hours off the hour, none, too many, not yet ended, or before commissioning", async () => {
    const d = await loadFixture(device);
    const issue = (firstHour: number, whs: bigint[]) =>
      d.certificates.connect(d.windSupplier).issue(d.deviceId, firstHour, whs);
    await expect(issue(d.firstHour + 1, [1n])).to.be.revertedWithCustomError(
      d.certificates,
      "CertificatesInvalidHours",
    );
    await expect(issue(d.firstHour, [])).to.be.revertedWithCustomError(d.certificates, "CertificatesInvalidHours");
    await expect(issue(d.firstHour - 200 * HOUR, Array(169).fill(1n))).to.be.revertedWithCustomError(
      d.certificates,
      "CertificatesInvalidHours",
    );
    const now = await time.latest();
    const current = Math.floor(now / HOUR) * HOUR;
    await expect(issue(current, [1n])).to.be.revertedWithCustomError(d.certificates, "CertificatesInvalidHours");
    const early = Math.floor((d.t0 - 40 * DAY) / HOUR) * HOUR;
    await expect(issue(early, [1n]))
      .to.be.revertedWithCustomError(d.certificates, "CertificatesHoursBeforeCommissioning")
      .withArgs(d.deviceId, early, d.t0 - 30 * DAY);
    await expect(issue(d.firstHour, [0n, 0n])).to.be.revertedWithCustomError(d.certificates, "CertificatesZeroAmount");
  });

  it("lets only the owner of an approved device issue", async () => {
    const d = await loadFixture(device);
    await expect(d.certificates.connect(d.solarSupplier).issue(d.deviceId, d.firstHour, [1n]))
      .to.be.revertedWithCustomError(d.certificates, "CertificatesNotDeviceOwner")
      .withArgs(d.deviceId, d.solarSupplier.address, d.windSupplier.address);
    await d.certificates.connect(d.registrar).suspendDevice(d.deviceId);
    await expect(d.certificates.connect(d.windSupplier).issue(d.deviceId, d.firstHour, [1n]))
      .to.be.revertedWithCustomError(d.certificates, "CertificatesInvalidDeviceStatus")
      .withArgs(d.deviceId, 3, 2);
  });

  it("lets a holder retire a device-hour for a beneficiary, unless the device is suspended", async () => {
    const d = await loadFixture(device);
    await d.certificates.connect(d.windSupplier).issue(d.deviceId, d.firstHour, [5_000n]);
    const id = certificateId(d.deviceId, d.firstHour);
    await expect(d.certificates.connect(d.windSupplier).retire(id, 2_000n, d.buyer, "own use"))
      .to.emit(d.certificates, "CertificatesRetired")
      .withArgs(id, d.windSupplier.address, d.buyer.address, 2_000n, 0n, "own use");
    expect(await d.certificates.balanceOf(d.windSupplier, id)).to.equal(3_000n);
    await expect(d.certificates.connect(d.windSupplier).retire(id, 0n, d.buyer, "x")).to.be.revertedWithCustomError(
      d.certificates,
      "CertificatesZeroAmount",
    );
    await d.certificates.connect(d.registrar).suspendDevice(d.deviceId);
    await expect(d.certificates.connect(d.windSupplier).retire(id, 1n, d.buyer, "x"))
      .to.be.revertedWithCustomError(d.certificates, "CertificatesDeviceSuspended")
      .withArgs(id, d.deviceId);
  });

  it("lets only the market retire for a deal, each lot what its holder can deliver within its hour's cap", async () => {
    const d = await loadFixture(device);
    await expect(
      d.certificates
        .connect(d.stranger)
        .retireForDeal(1n, d.buyer, [{ holder: d.windSupplier, certificateId: 1n, wh: 1n, jobHour: 0n }], [1n]),
    ).to.be.revertedWithCustomError(d.certificates, "AccessControlUnauthorizedAccount");
    await d.certificates.connect(d.windSupplier).issue(d.deviceId, d.firstHour, [5_000n]);
    const id = certificateId(d.deviceId, d.firstHour);
    const market = await d.market.getAddress();
    /** What two lots of 4,000 Wh of the one device-hour retire, as the market's call would, under `cap`. */
    const retiredUnder = async (cap: bigint) => {
      const lot = { holder: d.windSupplier.address, certificateId: id, wh: 4_000n, jobHour: 0n };
      const data = d.certificates.interface.encodeFunctionData("retireForDeal", [
        7n,
        d.buyer.address,
        [lot, lot],
        [cap],
      ]);
      const result = await ethers.provider.call({ to: await d.certificates.getAddress(), from: market, data });
      return [...d.certificates.interface.decodeFunctionResult("retireForDeal", result)[0]];
    };
    // The second lot gets the cap left (2,000 Wh) but its holder has only 1,000 Wh after the first.
    expect(await retiredUnder(6_000n)).to.deep.equal([4_000n, 1_000n]);
    // The hour's cap runs out inside the first lot.
    expect(await retiredUnder(3_000n)).to.deep.equal([3_000n, 0n]);
    // A holder that withdrew the market's approval delivers nothing.
    await d.certificates.connect(d.windSupplier).setApprovalForAll(market, false);
    expect(await retiredUnder(6_000n)).to.deep.equal([0n, 0n]);
  });
});
