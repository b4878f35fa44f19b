import { expect } from "chai";
import { BATCH_WH, issueBatch } from "../../helpers/book.ts";
import { ethers, loadFixture } from "../../helpers/connection.ts";
import { deployExchange, Source } from "../../helpers/deploy.ts";

async function heldBatch() {
  const d = await deployExchange();
  const { batchId } = await issueBatch(d, d.windSupplier, Source.Wind);
  return { ...d, batchId };
}

describe("certificate retirement by a holder", () => {
  it("burns the Wh for a beneficiary, with the purpose, and adds them to the batch's retired total", async () => {
    const d = await loadFixture(heldBatch);
    const tx = d.certificates.connect(d.windSupplier).retire(d.batchId, 1_234n, d.buyer.address, "scope 2, 2026");
    await expect(tx)
      .to.emit(d.certificates, "CertificatesRetired")
      .withArgs(d.batchId, d.windSupplier.address, d.buyer.address, 1_234n, 0n, "scope 2, 2026");
    await expect(tx)
      .to.emit(d.certificates, "TransferSingle")
      .withArgs(d.windSupplier.address, d.windSupplier.address, ethers.ZeroAddress, d.batchId, 1_234n);
    expect(await d.certificates.balanceOf(d.windSupplier.address, d.batchId)).to.equal(BATCH_WH - 1_234n);
    const batch = await d.certificates.batchOf(d.batchId);
    expect([batch.issuedWh, batch.retiredWh]).to.deep.equal([BATCH_WH, 1_234n]);
  });

  it("lets a buyer who was sent certificates retire them too", async () => {
    const d = await loadFixture(heldBatch);
    await d.certificates
      .connect(d.windSupplier)
      .safeTransferFrom(d.windSupplier.address, d.otherBuyer.address, d.batchId, 10n, "0x");
    await d.certificates.connect(d.otherBuyer).retire(d.batchId, 10n, d.otherBuyer.address, "own use");
    expect((await d.certificates.batchOf(d.batchId)).retiredWh).to.equal(10n);
  });

  it("never retires more than the caller holds", async () => {
    const d = await loadFixture(heldBatch);
    await expect(d.certificates.connect(d.windSupplier).retire(d.batchId, BATCH_WH + 1n, d.buyer.address, ""))
      .to.be.revertedWithCustomError(d.certificates, "ERC1155InsufficientBalance")
      .withArgs(d.windSupplier.address, BATCH_WH, BATCH_WH + 1n, d.batchId);
    await expect(d.certificates.connect(d.stranger).retire(d.batchId, 1n, d.buyer.address, ""))
      .to.be.revertedWithCustomError(d.certificates, "ERC1155InsufficientBalance")
      .withArgs(d.stranger.address, 0n, 1n, d.batchId);
  });

  it("refuses zero Wh, a missing beneficiary and unknown batches", async () => {
    const d = await loadFixture(heldBatch);
    await expect(
      d.certificates.connect(d.windSupplier).retire(d.batchId, 0n, d.buyer.address, ""),
    ).to.be.revertedWithCustomError(d.certificates, "CertificatesZeroAmount");
    await expect(d.certificates.connect(d.windSupplier).retire(d.batchId, 1n, ethers.ZeroAddress, ""))
      .to.be.revertedWithCustomError(d.certificates, "CertificatesInvalidBeneficiary")
      .withArgs(ethers.ZeroAddress);
    await expect(d.certificates.connect(d.windSupplier).retire(77n, 1n, d.buyer.address, ""))
      .to.be.revertedWithCustomError(d.certificates, "CertificatesUnknownBatch")
      .withArgs(77n);
  });
});
