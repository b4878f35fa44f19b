import { expect } from "chai";
import { openBook } from "../../helpers/book.ts";
import { loadFixture } from "../../helpers/connection.ts";

describe("the market's certificate escrow", () => {
  it("refuses certificates sent to it directly, which no offer would account for", async () => {
    const b = await loadFixture(openBook);
    const market = await b.market.getAddress();
    await expect(
      b.certificates.connect(b.windSupplier).safeTransferFrom(b.windSupplier.address, market, b.windBatchId, 1n, "0x"),
    )
      .to.be.revertedWithCustomError(b.market, "MarketUnsolicitedCertificates")
      .withArgs(b.windSupplier.address, b.windSupplier.address);
  });

  it("refuses batch transfers of certificates", async () => {
    const b = await loadFixture(openBook);
    const market = await b.market.getAddress();
    await expect(
      b.certificates
        .connect(b.windSupplier)
        .safeBatchTransferFrom(b.windSupplier.address, market, [b.windBatchId], [1n], "0x"),
    )
      .to.be.revertedWithCustomError(b.market, "MarketUnsolicitedCertificates")
      .withArgs(b.windSupplier.address, b.windSupplier.address);
  });

  it("refuses the receiver hook called by anything but the certificate registry", async () => {
    const b = await loadFixture(openBook);
    const market = await b.market.getAddress();
    await expect(b.market.connect(b.stranger).onERC1155Received(market, b.stranger.address, 1n, 1n, "0x"))
      .to.be.revertedWithCustomError(b.market, "MarketUnsolicitedCertificates")
      .withArgs(market, b.stranger.address);
  });

  it("advertises the ERC-1155 receiver and AccessControl interfaces", async () => {
    const b = await loadFixture(openBook);
    expect(await b.market.supportsInterface("0x4e2312e0")).to.equal(true); // IERC1155Receiver
    expect(await b.market.supportsInterface("0x7965db0b")).to.equal(true); // IAccessControl
    expect(await b.market.supportsInterface("0x01ffc9a7")).to.equal(true); // IERC165
    expect(await b.market.supportsInterface("0xffffffff")).to.equal(false);
  });
});
