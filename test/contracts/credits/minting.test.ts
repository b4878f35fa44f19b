import { expect } from "chai";
import { ethers, loadFixture } from "../../helpers/connection.ts";
import { deployExchange } from "../../helpers/deploy.ts";

// Minting is the market's; an extra MARKET_ROLE holder exercises the token's own checks directly.
async function minter() {
  const d = await deployExchange();
  await d.credits.connect(d.admin).grantRole(await d.credits.MARKET_ROLE(), d.stranger.address);
  return { ...d, minter: d.stranger };
}

describe("carbon credit minting", () => {
  it("counts grams of CO2e: three decimals, 1 token = 1 kg", async () => {
    const d = await loadFixture(deployExchange);
    expect(await d.credits.decimals()).to.equal(3n);
    expect(await d.credits.symbol()).to.equal("CCC");
  });

  it("mints to the deal's buyer and names the deal", async () => {
    const d = await loadFixture(minter);
    const tx = d.credits.connect(d.minter).mint(d.buyer.address, 146_750n, 7n);
    await expect(tx).to.emit(d.credits, "CreditsMinted").withArgs(7n, d.buyer.address, 146_750n);
    await expect(tx).to.emit(d.credits, "Transfer").withArgs(ethers.ZeroAddress, d.buyer.address, 146_750n);
    expect(await d.credits.totalSupply()).to.equal(146_750n);
  });

  it("refuses to mint nothing", async () => {
    const d = await loadFixture(minter);
    await expect(d.credits.connect(d.minter).mint(d.buyer.address, 0n, 1n)).to.be.revertedWithCustomError(
      d.credits,
      "CreditsZeroAmount",
    );
  });

  it("lets the admin grant the market role and nobody else mint", async () => {
    const d = await loadFixture(deployExchange);
    const role = await d.credits.MARKET_ROLE();
    await expect(d.credits.connect(d.buyer).mint(d.buyer.address, 1n, 1n))
      .to.be.revertedWithCustomError(d.credits, "AccessControlUnauthorizedAccount")
      .withArgs(d.buyer.address, role);
    await expect(d.credits.connect(d.buyer).grantRole(role, d.buyer.address))
      .to.be.revertedWithCustomError(d.credits, "AccessControlUnauthorizedAccount")
      .withArgs(d.buyer.address, await d.credits.DEFAULT_ADMIN_ROLE());
  });
});
