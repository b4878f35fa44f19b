import { expect } from "chai";
import { issueBatch } from "../../helpers/book.ts";
import { ethers, loadFixture } from "../../helpers/connection.ts";
import { deployExchange, Source } from "../../helpers/deploy.ts";

// The market's two privileged calls, exercised directly by an account granted MARKET_ROLE so that
// their own checks are tested apart from the market's logic.
async function escrowHolder() {
  const d = await deployExchange();
  const { batchId } = await issueBatch(d, d.windSupplier, Source.Wind);
  const holder = d.stranger;
  await d.certificates.connect(d.admin).grantRole(await d.certificates.MARKET_ROLE(), holder.address);
  await d.certificates
    .connect(d.windSupplier)
    .safeTransferFrom(d.windSupplier.address, holder.address, batchId, 1_000n, "0x");
  return { ...d, holder, batchId };
}

describe("certificate escrow held by the market", () => {
  describe("retireForDeal", () => {
    it("burns escrowed Wh for the deal's buyer and names the deal", async () => {
      const d = await loadFixture(escrowHolder);
      await expect(d.certificates.connect(d.holder).retireForDeal(12n, d.buyer.address, [d.batchId], [400n]))
        .to.emit(d.certificates, "CertificatesRetired")
        .withArgs(d.batchId, d.holder.address, d.buyer.address, 400n, 12n, "CCEX deal");
      expect(await d.certificates.balanceOf(d.holder.address, d.batchId)).to.equal(600n);
      expect((await d.certificates.batchOf(d.batchId)).retiredWh).to.equal(400n);
    });

    it("refuses mismatched arrays, a missing beneficiary and zero Wh", async () => {
      const d = await loadFixture(escrowHolder);
      await expect(d.certificates.connect(d.holder).retireForDeal(1n, d.buyer.address, [d.batchId], []))
        .to.be.revertedWithCustomError(d.certificates, "ERC1155InvalidArrayLength")
        .withArgs(1n, 0n);
      await expect(d.certificates.connect(d.holder).retireForDeal(1n, ethers.ZeroAddress, [d.batchId], [1n]))
        .to.be.revertedWithCustomError(d.certificates, "CertificatesInvalidBeneficiary")
        .withArgs(ethers.ZeroAddress);
      await expect(
        d.certificates.connect(d.holder).retireForDeal(1n, d.buyer.address, [d.batchId], [0n]),
      ).to.be.revertedWithCustomError(d.certificates, "CertificatesZeroAmount");
    });

    it("refuses everyone without MARKET_ROLE, the certificate holder included", async () => {
      const d = await loadFixture(escrowHolder);
      const role = await d.certificates.MARKET_ROLE();
      for (const caller of [d.windSupplier, d.admin, d.registrar, d.matcher]) {
        await expect(d.certificates.connect(caller).retireForDeal(1n, d.buyer.address, [d.batchId], [1n]))
          .to.be.revertedWithCustomError(d.certificates, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, role);
      }
    });
  });

  describe("returnEscrow", () => {
    it("sends escrowed Wh back without asking the receiver, so a refusing contract cannot block it", async () => {
      const d = await loadFixture(escrowHolder);
      // The settlement token has no ERC-1155 receiver hook: a safe transfer to it would revert.
      const receiver = await d.token.getAddress();
      await expect(d.certificates.connect(d.holder).returnEscrow(receiver, [d.batchId], [300n]))
        .to.emit(d.certificates, "TransferSingle")
        .withArgs(d.holder.address, d.holder.address, receiver, d.batchId, 300n);
      expect(await d.certificates.balanceOf(receiver, d.batchId)).to.equal(300n);
    });

    it("returns several batches in one ERC-1155 batch transfer", async () => {
      const d = await loadFixture(escrowHolder);
      const other = await issueBatch(d, d.solarSupplier, Source.Solar);
      await d.certificates
        .connect(d.solarSupplier)
        .safeTransferFrom(d.solarSupplier.address, d.holder.address, other.batchId, 50n, "0x");
      await expect(
        d.certificates.connect(d.holder).returnEscrow(d.windSupplier.address, [d.batchId, other.batchId], [100n, 50n]),
      )
        .to.emit(d.certificates, "TransferBatch")
        .withArgs(d.holder.address, d.holder.address, d.windSupplier.address, [d.batchId, other.batchId], [100n, 50n]);
    });

    it("refuses mismatched arrays and the zero address", async () => {
      const d = await loadFixture(escrowHolder);
      await expect(d.certificates.connect(d.holder).returnEscrow(d.windSupplier.address, [], [1n]))
        .to.be.revertedWithCustomError(d.certificates, "ERC1155InvalidArrayLength")
        .withArgs(0n, 1n);
      await expect(d.certificates.connect(d.holder).returnEscrow(ethers.ZeroAddress, [d.batchId], [1n]))
        .to.be.revertedWithCustomError(d.certificates, "ERC1155InvalidReceiver")
        .withArgs(ethers.ZeroAddress);
    });

    it("refuses everyone without MARKET_ROLE", async () => {
      const d = await loadFixture(escrowHolder);
      const role = await d.certificates.MARKET_ROLE();
      for (const caller of [d.windSupplier, d.admin, d.buyer]) {
        await expect(d.certificates.connect(caller).returnEscrow(caller.address, [d.batchId], [1n]))
          .to.be.revertedWithCustomError(d.certificates, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, role);
      }
    });
  });

  it("advertises the ERC-1155, AccessControl and certificate interfaces", async () => {
    const d = await loadFixture(deployExchange);
    expect(await d.certificates.supportsInterface("0xd9b67a26")).to.equal(true); // ERC-1155
    expect(await d.certificates.supportsInterface("0x7965db0b")).to.equal(true); // AccessControl
    expect(await d.certificates.supportsInterface("0xffffffff")).to.equal(false);
  });
});
