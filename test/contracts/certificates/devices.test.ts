import { expect } from "chai";
import { DAY } from "../../helpers/book.ts";
import { loadFixture } from "../../helpers/connection.ts";
import { deployExchange, Region, Source } from "../../helpers/deploy.ts";

const Status = { None: 0n, Pending: 1n, Approved: 2n, Suspended: 3n };
const CAPACITY_W = 2_000_000n;

async function registeredDevice() {
  const d = await deployExchange();
  const commissionedAt = d.t0 - 100 * DAY;
  await d.certificates
    .connect(d.windSupplier)
    .registerDevice(Source.Wind, Region.Gansu, CAPACITY_W, commissionedAt, "ipfs://farm");
  return { ...d, deviceId: 1n, commissionedAt };
}

describe("generation devices", () => {
  describe("registerDevice", () => {
    it("records the device as pending under its owner and says so in an event", async () => {
      const d = await loadFixture(deployExchange);
      const commissionedAt = d.t0 - DAY;
      await expect(
        d.certificates
          .connect(d.windSupplier)
          .registerDevice(Source.Wind, Region.Gansu, CAPACITY_W, commissionedAt, "ipfs://farm"),
      )
        .to.emit(d.certificates, "DeviceRegistered")
        .withArgs(1n, d.windSupplier.address, Source.Wind, Region.Gansu, CAPACITY_W, commissionedAt, "ipfs://farm");
      const device = await d.certificates.deviceOf(1n);
      expect(device.owner).to.equal(d.windSupplier.address);
      expect(device.status).to.equal(Status.Pending);
      expect(device.capacityW).to.equal(CAPACITY_W);
      expect(device.issuedUntil).to.equal(0n);
      expect(device.metadataURI).to.equal("ipfs://farm");
      expect(await d.certificates.deviceCount()).to.equal(1n);
    });

    it("refuses a device without capacity", async () => {
      const d = await loadFixture(deployExchange);
      await expect(d.certificates.connect(d.windSupplier).registerDevice(Source.Wind, Region.Gansu, 0n, d.t0, ""))
        .to.be.revertedWithCustomError(d.certificates, "CertificatesInvalidDevice")
        .withArgs(0n, d.t0);
    });

    it("refuses a device commissioned in the future", async () => {
      const d = await loadFixture(deployExchange);
      const future = d.t0 + DAY;
      await expect(
        d.certificates.connect(d.windSupplier).registerDevice(Source.Wind, Region.Gansu, CAPACITY_W, future, ""),
      )
        .to.be.revertedWithCustomError(d.certificates, "CertificatesInvalidDevice")
        .withArgs(CAPACITY_W, future);
    });
  });

  describe("approveDevice", () => {
    it("lets the registrar approve a pending device", async () => {
      const d = await loadFixture(registeredDevice);
      await expect(d.certificates.connect(d.registrar).approveDevice(d.deviceId))
        .to.emit(d.certificates, "DeviceApproved")
        .withArgs(d.deviceId, d.registrar.address);
      expect((await d.certificates.deviceOf(d.deviceId)).status).to.equal(Status.Approved);
    });

    it("lets the registrar re-approve a suspended device", async () => {
      const d = await loadFixture(registeredDevice);
      await d.certificates.connect(d.registrar).approveDevice(d.deviceId);
      await d.certificates.connect(d.registrar).suspendDevice(d.deviceId);
      await d.certificates.connect(d.registrar).approveDevice(d.deviceId);
      expect((await d.certificates.deviceOf(d.deviceId)).status).to.equal(Status.Approved);
    });

    it("refuses to approve a device twice", async () => {
      const d = await loadFixture(registeredDevice);
      await d.certificates.connect(d.registrar).approveDevice(d.deviceId);
      await expect(d.certificates.connect(d.registrar).approveDevice(d.deviceId))
        .to.be.revertedWithCustomError(d.certificates, "CertificatesInvalidDeviceStatus")
        .withArgs(d.deviceId, Status.Approved, Status.Pending);
    });

    it("refuses an unknown device", async () => {
      const d = await loadFixture(registeredDevice);
      await expect(d.certificates.connect(d.registrar).approveDevice(7n))
        .to.be.revertedWithCustomError(d.certificates, "CertificatesUnknownDevice")
        .withArgs(7n);
    });

    it("refuses everyone but the registrar, including the device owner and the admin", async () => {
      const d = await loadFixture(registeredDevice);
      const role = await d.certificates.REGISTRAR_ROLE();
      for (const caller of [d.windSupplier, d.admin, d.matcher, d.stranger]) {
        await expect(d.certificates.connect(caller).approveDevice(d.deviceId))
          .to.be.revertedWithCustomError(d.certificates, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, role);
      }
    });
  });

  describe("suspendDevice", () => {
    it("lets the registrar suspend an approved device", async () => {
      const d = await loadFixture(registeredDevice);
      await d.certificates.connect(d.registrar).approveDevice(d.deviceId);
      await expect(d.certificates.connect(d.registrar).suspendDevice(d.deviceId))
        .to.emit(d.certificates, "DeviceSuspended")
        .withArgs(d.deviceId, d.registrar.address);
      expect((await d.certificates.deviceOf(d.deviceId)).status).to.equal(Status.Suspended);
    });

    it("refuses to suspend a device that is not approved", async () => {
      const d = await loadFixture(registeredDevice);
      await expect(d.certificates.connect(d.registrar).suspendDevice(d.deviceId))
        .to.be.revertedWithCustomError(d.certificates, "CertificatesInvalidDeviceStatus")
        .withArgs(d.deviceId, Status.Pending, Status.Approved);
    });

    it("refuses an unknown device", async () => {
      const d = await loadFixture(registeredDevice);
      await expect(d.certificates.connect(d.registrar).suspendDevice(9n))
        .to.be.revertedWithCustomError(d.certificates, "CertificatesUnknownDevice")
        .withArgs(9n);
    });

    it("refuses everyone but the registrar", async () => {
      const d = await loadFixture(registeredDevice);
      await d.certificates.connect(d.registrar).approveDevice(d.deviceId);
      const role = await d.certificates.REGISTRAR_ROLE();
      for (const caller of [d.windSupplier, d.admin, d.stranger]) {
        await expect(d.certificates.connect(caller).suspendDevice(d.deviceId))
          .to.be.revertedWithCustomError(d.certificates, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, role);
      }
    });
  });
});
