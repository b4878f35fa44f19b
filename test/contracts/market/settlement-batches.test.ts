import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";
import { expect } from "chai";
import { bundle, openBook } from "../../helpers/book.ts";
import { loadFixture } from "../../helpers/connection.ts";
import { settle } from "../../helpers/deals.ts";

describe("settling batches of matches", () => {
  it("opens a deal indexed by deal, bid and buyer", async () => {
    const b = await loadFixture(openBook);
    await expect(b.market.connect(b.matcher).settle([bundle(b)]))
      .to.emit(b.market, "DealOpened")
      .withArgs(1n, b.bidId, b.buyer.address, anyValue);
    expect(await b.market.dealCount()).to.equal(1n);
  });

  it("settles an empty batch as a no-op", async () => {
    const b = await loadFixture(openBook);
    expect(await b.market.connect(b.matcher).settle.staticCall([])).to.equal(0n);
    const { receipt } = await settle(b, []);
    expect(receipt.logs).to.deep.equal([]);
  });

  it("refuses batches from anyone but the matcher", async () => {
    const b = await loadFixture(openBook);
    const role = await b.market.MATCHER_ROLE();
    for (const caller of [b.admin, b.buyer, b.computeSupplier, b.arbiter]) {
      await expect(b.market.connect(caller).settle([bundle(b)]))
        .to.be.revertedWithCustomError(b.market, "AccessControlUnauthorizedAccount")
        .withArgs(caller.address, role);
    }
  });
});
