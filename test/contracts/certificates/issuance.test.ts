import { expect } from "chai";
import { DAY, HOUR } from "../../helpers/book.ts";
import { ethers, loadFixture } from "../../helpers/connection.ts";
import { deployExchange, Region, Source } from "../../helpers/deploy.ts";

const CAPACITY_W = 2_000_000n; // 2 MW: at most 2,000,000 Wh per hour

async function approvedDevice() {
  const d = await deployExchange();
  const commissionedAt = d.t0 - 100 * DAY;
  await d.certificates
    .connect(d.windSupplier)
    .registerDevice(Source.Wind, Region.Gansu, CAPACITY_W, commissionedAt, "");
  await d.certificates.connect(d.registrar).approveDevice(1n);
  // A period of three hours, ended a day ago.
  const periodStart = d.t0 - DAY - 3 * HOUR;
  return { ...d, deviceId: 1n, commissionedAt, periodStart, periodEnd: periodStart + 3 * HOUR };
}

describe("certificate issuance", () => {
  it("mints a batch of Wh to the device owner and records where they came from", async () => {
    const d = await loadFixture(approvedDevice);
    const wh = 5_000_000n;
    const tx = d.certificates.connect(d.windSupplier).issue(d.deviceId, d.periodStart, d.periodEnd, wh);
    await expect(tx)
      .to.emit(d.certificates, "CertificatesIssued")
      .withArgs(1n, d.deviceId, d.windSupplier.address, Source.Wind, Region.Gansu, d.periodStart, d.periodEnd, wh);
    await expect(tx)
      .to.emit(d.certificates, "TransferSingle")
      .withArgs(d.windSupplier.address, ethers.ZeroAddress, d.windSupplier.address, 1n, wh);
    expect(await d.certificates.balanceOf(d.windSupplier.address, 1n)).to.equal(wh);
    const batch = await d.certificates.batchOf(1n);
    expect(batch.deviceId).to.equal(d.deviceId);
    expect(batch.source).to.equal(BigInt(Source.Wind));
    expect(batch.region).to.equal(BigInt(Region.Gansu));
    expect([batch.periodStart, batch.periodEnd]).to.deep.equal([BigInt(d.periodStart), BigInt(d.periodEnd)]);
    expect([batch.issuedWh, batch.retiredWh]).to.deep.equal([wh, 0n]);
    expect((await d.certificates.deviceOf(d.deviceId)).issuedUntil).to.equal(BigInt(d.periodEnd));
    expect(await d.certificates.batchCount()).to.equal(1n);
  });

  it("accepts exactly capacity × hours and refuses one Wh more", async () => {
    const d = await loadFixture(approvedDevice);
    const maxWh = CAPACITY_W * 3n;
    await expect(d.certificates.connect(d.windSupplier).issue(d.deviceId, d.periodStart, d.periodEnd, maxWh + 1n))
      .to.be.revertedWithCustomError(d.certificates, "CertificatesExceedsCapacity")
      .withArgs(d.deviceId, maxWh + 1n, maxWh);
    await d.certificates.connect(d.windSupplier).issue(d.deviceId, d.periodStart, d.periodEnd, maxWh);
    expect((await d.certificates.batchOf(1n)).issuedWh).to.equal(maxWh);
  });

  it("counts partial hours of a period towards its capacity", async () => {
    const d = await loadFixture(approvedDevice);
    const end = d.periodStart + 90 * 60; // an hour and a half
    const maxWh = (CAPACITY_W * 3n) / 2n;
    await expect(d.certificates.connect(d.windSupplier).issue(d.deviceId, d.periodStart, end, maxWh + 1n))
      .to.be.revertedWithCustomError(d.certificates, "CertificatesExceedsCapacity")
      .withArgs(d.deviceId, maxWh + 1n, maxWh);
  });

  it("issues back-to-back periods but never one that overlaps certified generation", async () => {
    const d = await loadFixture(approvedDevice);
    await d.certificates.connect(d.windSupplier).issue(d.deviceId, d.periodStart, d.periodEnd, 1_000n);
    await expect(d.certificates.connect(d.windSupplier).issue(d.deviceId, d.periodEnd - 1, d.periodEnd + HOUR, 1_000n))
      .to.be.revertedWithCustomError(d.certificates, "CertificatesPeriodOverlap")
      .withArgs(d.deviceId, d.periodEnd - 1, d.periodEnd);
    await expect(d.certificates.connect(d.windSupplier).issue(d.deviceId, d.periodStart, d.periodEnd, 1_000n))
      .to.be.revertedWithCustomError(d.certificates, "CertificatesPeriodOverlap")
      .withArgs(d.deviceId, d.periodStart, d.periodEnd);
    await d.certificates.connect(d.windSupplier).issue(d.deviceId, d.periodEnd, d.periodEnd + HOUR, 1_000n);
    expect(await d.certificates.batchCount()).to.equal(2n);
  });

  it("refuses an earlier period once a later one is certified, so a gap cannot be back-filled twice", async () => {
    const d = await loadFixture(approvedDevice);
    await d.certificates.connect(d.windSupplier).issue(d.deviceId, d.periodEnd, d.periodEnd + HOUR, 1_000n);
    await expect(d.certificates.connect(d.windSupplier).issue(d.deviceId, d.periodStart, d.periodEnd, 1_000n))
      .to.be.revertedWithCustomError(d.certificates, "CertificatesPeriodOverlap")
      .withArgs(d.deviceId, d.periodStart, d.periodEnd + HOUR);
  });

  it("refuses empty, reversed and not yet ended periods", async () => {
    const d = await loadFixture(approvedDevice);
    const issue = (start: number, end: number) =>
      d.certificates.connect(d.windSupplier).issue(d.deviceId, start, end, 1n);
    await expect(issue(d.periodStart, d.periodStart)).to.be.revertedWithCustomError(
      d.certificates,
      "CertificatesInvalidPeriod",
    );
    await expect(issue(d.periodEnd, d.periodStart)).to.be.revertedWithCustomError(
      d.certificates,
      "CertificatesInvalidPeriod",
    );
    const future = d.t0 + DAY;
    await expect(issue(d.periodStart, future))
      .to.be.revertedWithCustomError(d.certificates, "CertificatesInvalidPeriod")
      .withArgs(d.periodStart, future, (now: bigint) => now < BigInt(future));
  });

  it("refuses a period that starts before the device was commissioned", async () => {
    const d = await loadFixture(approvedDevice);
    const start = d.commissionedAt - HOUR;
    await expect(d.certificates.connect(d.windSupplier).issue(d.deviceId, start, d.commissionedAt + HOUR, 1n))
      .to.be.revertedWithCustomError(d.certificates, "CertificatesPeriodBeforeCommissioning")
      .withArgs(d.deviceId, start, d.commissionedAt);
  });

  it("refuses zero Wh", async () => {
    const d = await loadFixture(approvedDevice);
    await expect(
      d.certificates.connect(d.windSupplier).issue(d.deviceId, d.periodStart, d.periodEnd, 0n),
    ).to.be.revertedWithCustomError(d.certificates, "CertificatesZeroAmount");
  });

  it("lets only the device owner issue", async () => {
    const d = await loadFixture(approvedDevice);
    for (const caller of [d.solarSupplier, d.registrar, d.admin]) {
      await expect(d.certificates.connect(caller).issue(d.deviceId, d.periodStart, d.periodEnd, 1n))
        .to.be.revertedWithCustomError(d.certificates, "CertificatesNotDeviceOwner")
        .withArgs(d.deviceId, caller.address, d.windSupplier.address);
    }
  });

  it("refuses unknown, pending and suspended devices", async () => {
    const d = await loadFixture(approvedDevice);
    await expect(d.certificates.connect(d.windSupplier).issue(5n, d.periodStart, d.periodEnd, 1n))
      .to.be.revertedWithCustomError(d.certificates, "CertificatesUnknownDevice")
      .withArgs(5n);
    await d.certificates
      .connect(d.windSupplier)
      .registerDevice(Source.Wind, Region.Gansu, CAPACITY_W, d.commissionedAt, "");
    await expect(d.certificates.connect(d.windSupplier).issue(2n, d.periodStart, d.periodEnd, 1n))
      .to.be.revertedWithCustomError(d.certificates, "CertificatesInvalidDeviceStatus")
      .withArgs(2n, 1n, 2n);
    await d.certificates.connect(d.registrar).suspendDevice(d.deviceId);
    await expect(d.certificates.connect(d.windSupplier).issue(d.deviceId, d.periodStart, d.periodEnd, 1n))
      .to.be.revertedWithCustomError(d.certificates, "CertificatesInvalidDeviceStatus")
      .withArgs(d.deviceId, 3n, 2n);
  });

  it("reads unknown batches and devices as all zero", async () => {
    const d = await loadFixture(approvedDevice);
    expect((await d.certificates.batchOf(99n)).issuedWh).to.equal(0n);
    expect((await d.certificates.deviceOf(99n)).owner).to.equal(ethers.ZeroAddress);
  });
});
