import { expect } from "chai";
import { ethers, loadFixture } from "../../helpers/connection.ts";
import { deployExchange } from "../../helpers/deploy.ts";

async function heldCredits() {
  const d = await deployExchange();
  await d.credits.connect(d.admin).grantRole(await d.credits.MARKET_ROLE(), d.stranger.address);
  await d.credits.connect(d.stranger).mint(d.buyer.address, 10_000n, 1n);
  return d;
}

describe("carbon credit retirement", () => {
  it("burns the holder's credits for a beneficiary with a reason", async () => {
    const d = await loadFixture(heldCredits);
    const tx = d.credits.connect(d.buyer).retire(4_000n, d.otherBuyer.address, "offset 2026 training run");
    await expect(tx)
      .to.emit(d.credits, "CreditsRetired")
      .withArgs(d.buyer.address, d.otherBuyer.address, 4_000n, "offset 2026 training run");
    await expect(tx).to.emit(d.credits, "Transfer").withArgs(d.buyer.address, ethers.ZeroAddress, 4_000n);
    expect(await d.credits.balanceOf(d.buyer.address)).to.equal(6_000n);
    expect(await d.credits.totalSupply()).to.equal(6_000n);
  });

  it("lets credits be transferred and retired by their new holder", async () => {
    const d = await loadFixture(heldCredits);
    await d.credits.connect(d.buyer).transfer(d.otherBuyer.address, 2_500n);
    await d.credits.connect(d.otherBuyer).retire(2_500n, d.otherBuyer.address, "");
    expect(await d.credits.balanceOf(d.otherBuyer.address)).to.equal(0n);
  });

  it("never retires more than the holder has", async () => {
    const d = await loadFixture(heldCredits);
    await expect(d.credits.connect(d.buyer).retire(10_001n, d.buyer.address, ""))
      .to.be.revertedWithCustomError(d.credits, "ERC20InsufficientBalance")
      .withArgs(d.buyer.address, 10_000n, 10_001n);
  });

  it("refuses zero credits and a missing beneficiary", async () => {
    const d = await loadFixture(heldCredits);
    await expect(d.credits.connect(d.buyer).retire(0n, d.buyer.address, "")).to.be.revertedWithCustomError(
      d.credits,
      "CreditsZeroAmount",
    );
    await expect(d.credits.connect(d.buyer).retire(1n, ethers.ZeroAddress, ""))
      .to.be.revertedWithCustomError(d.credits, "CreditsInvalidBeneficiary")
      .withArgs(ethers.ZeroAddress);
  });
});
