// Issue 11 item 9: with a fee-on-transfer settlement token the market owed more escrow than it held
// (a second buyer's cancel reverted). The market now checks what it received and refuses any token
// that moves less (or more) than the amount asked, whether the bid pays by allowance or by permit.
import { expect } from "chai";
import type { FeeOnTransferToken, LocalSettlementToken, Market } from "../../../types/ethers-contracts/index.ts";
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
import { signPermit } from "../../helpers/permit.ts";

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

  it("refuses the same short escrow when the bid pays by permit", async () => {
    const d = await loadFixture(feeOnTransferMarket);
    const escrow = 100n * 2_500_000n;
    // A buyer who never approved the market: the permit is the only allowance.
    const buyer = d.stranger;
    await d.fot.mint(buyer.address, 1_000n * USD);
    const market = await d.fotMarket.getAddress();
    const deadline = BigInt(d.t0 + 3600);
    const permit = await signPermit(d.fot as unknown as LocalSettlementToken, buyer, market, escrow, deadline);
    await expect(d.fotMarket.connect(buyer).postBidWithPermit(bid(d.t0), permit.deadline, permit.v, permit.r, permit.s))
      .to.be.revertedWithCustomError(d.market, "MarketTokenTransferMismatch")
      .withArgs(escrow, escrow - escrow / 100n);
    expect(await d.fot.balanceOf(market)).to.equal(0n);
    expect(await d.fot.balanceOf(buyer.address)).to.equal(1_000n * USD);
    expect(await d.fotMarket.bidCount()).to.equal(0n);
  });

  it("takes a bid in a token that moves exactly the amount asked, escrowing all of it", async () => {
    const d = await loadFixture(deployExchange);
    await d.market.connect(d.buyer).postBid(bid(d.t0));
    expect(await d.token.balanceOf(await d.market.getAddress())).to.equal(100n * 2_500_000n);
  });
});
