// Issue 11 item 9: with a fee-on-transfer settlement token the market owed more escrow than it held
// (a second buyer's cancel reverted). The market now checks what it received and refuses any token
// that moves less (or more) than the amount asked.
import { expect } from "chai";
import type { FeeOnTransferToken, Market } from "../../../types/ethers-contracts/index.ts";
import { bid } from "../../helpers/book.ts";
import { ethers, loadFixture } from "../../helpers/connection.ts";
import {
  ARBITRATION_PERIOD,
  CHALLENGE_PERIOD,
  deployExchange,
  deployLinked,
  FEE_BPS,
  REPORT_GRACE_PERIOD,
  USD,
} from "../../helpers/deploy.ts";

async function feeOnTransferMarket() {
  const d = await deployExchange();
  const token = (await ethers.deployContract("FeeOnTransferToken")) as unknown as FeeOnTransferToken;
  const market = (await deployLinked("Market", [
    await token.getAddress(),
    await d.certificates.getAddress(),
    await d.credits.getAddress(),
    { admin: d.admin.address, matcher: d.matcher.address, arbiter: d.arbiter.address, pauser: d.pauser.address },
    {
      treasury: d.treasury.address,
      feeBps: FEE_BPS,
      challengePeriod: CHALLENGE_PERIOD,
      reportGracePeriod: REPORT_GRACE_PERIOD,
    },
    ARBITRATION_PERIOD,
    [48, 11, 24, 230, 38, 12],
  ])) as unknown as Market;
  for (const buyer of [d.buyer, d.otherBuyer]) {
    await token.mint(buyer.address, 1_000n * USD);
    await token.connect(buyer).approve(await market.getAddress(), ethers.MaxUint256);
  }
  return { ...d, fot: token, fotMarket: market };
}

describe("settlement tokens", () => {
  it("refuses a bid whose escrow arrives short, so the market never owes more than it holds", async () => {
    const d = await loadFixture(feeOnTransferMarket);
    const escrow = 100n * 2_500_000n;
    await expect(d.fotMarket.connect(d.buyer).postBid(bid(d.t0)))
      .to.be.revertedWithCustomError(d.market, "MarketTokenTransferMismatch")
      .withArgs(escrow, escrow - escrow / 100n);
    expect(await d.fot.balanceOf(await d.fotMarket.getAddress())).to.equal(0n);
    expect(await d.fot.balanceOf(d.buyer.address)).to.equal(1_000n * USD);
  });

  it("takes a bid in a token that moves exactly the amount asked, escrowing all of it", async () => {
    const d = await loadFixture(deployExchange);
    await d.market.connect(d.buyer).postBid(bid(d.t0));
    expect(await d.token.balanceOf(await d.market.getAddress())).to.equal(100n * 2_500_000n);
  });
});
