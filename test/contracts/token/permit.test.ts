import { expect } from "chai";
import { loadFixture, time } from "../../helpers/connection.ts";
import { deployExchange, USD } from "../../helpers/deploy.ts";
import { signPermit } from "../../helpers/permit.ts";

describe("settlement token permits (EIP-2612)", () => {
  it("sets an allowance from an off-chain signature and spends the owner's nonce", async () => {
    const { token, computeSupplier: owner, stranger, market } = await loadFixture(deployExchange);
    const spender = await market.getAddress();
    const deadline = BigInt((await time.latest()) + 3600);
    const permit = await signPermit(token, owner, spender, 42n * USD, deadline);
    await token
      .connect(stranger)
      .permit(owner.address, spender, 42n * USD, permit.deadline, permit.v, permit.r, permit.s);
    expect(await token.allowance(owner.address, spender)).to.equal(42n * USD);
    expect(await token.nonces(owner.address)).to.equal(1n);
  });

  it("rejects a permit past its deadline", async () => {
    const { token, computeSupplier: owner, market } = await loadFixture(deployExchange);
    const spender = await market.getAddress();
    const deadline = BigInt((await time.latest()) - 1);
    const permit = await signPermit(token, owner, spender, USD, deadline);
    await expect(token.permit(owner.address, spender, USD, deadline, permit.v, permit.r, permit.s))
      .to.be.revertedWithCustomError(token, "ERC2612ExpiredSignature")
      .withArgs(deadline);
  });

  it("rejects a permit signed by someone other than the owner", async () => {
    const { token, computeSupplier: owner, stranger, market } = await loadFixture(deployExchange);
    const spender = await market.getAddress();
    const deadline = BigInt((await time.latest()) + 3600);
    const forged = await signPermit(token, stranger, spender, USD, deadline, owner.address);
    await expect(token.permit(owner.address, spender, USD, deadline, forged.v, forged.r, forged.s))
      .to.be.revertedWithCustomError(token, "ERC2612InvalidSigner")
      .withArgs(stranger.address, owner.address);
    expect(await token.allowance(owner.address, spender)).to.equal(0n);
  });
});
