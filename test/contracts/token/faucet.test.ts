import { expect } from "chai";
import { ethers, loadFixture } from "../../helpers/connection.ts";
import { deployExchange, USD } from "../../helpers/deploy.ts";

describe("settlement token faucet", () => {
  it("has six decimals like the stablecoins the market settles in elsewhere", async () => {
    const { token } = await loadFixture(deployExchange);
    expect(await token.decimals()).to.equal(6n);
    expect(await token.symbol()).to.equal("cUSD");
  });

  it("mints up to the limit to any address for anyone who asks", async () => {
    const { token, stranger, otherBuyer } = await loadFixture(deployExchange);
    const limit = await token.FAUCET_LIMIT();
    expect(limit).to.equal(1_000_000n * USD);
    const tx = token.connect(stranger).faucet(otherBuyer.address, limit);
    await expect(tx).to.changeTokenBalance(ethers, token, otherBuyer, limit);
    await expect(tx).to.emit(token, "Transfer").withArgs(ethers.ZeroAddress, otherBuyer.address, limit);
  });

  it("refuses to mint more than the limit in one call", async () => {
    const { token, stranger } = await loadFixture(deployExchange);
    const limit = await token.FAUCET_LIMIT();
    await expect(token.connect(stranger).faucet(stranger.address, limit + 1n))
      .to.be.revertedWithCustomError(token, "SettlementTokenFaucetLimit")
      .withArgs(limit + 1n, limit);
  });
});
