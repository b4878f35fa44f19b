import { expect } from "chai";
import { advanceTo, BID_ESCROW, bundle, defaultWindow, openBook } from "../../helpers/book.ts";
import { ethers, loadFixture } from "../../helpers/connection.ts";
import { settle } from "../../helpers/deals.ts";

describe("orders that expire unmatched", () => {
  it("can no longer be matched, and still return their escrow when their owners cancel", async () => {
    const b = await loadFixture(openBook);
    await advanceTo(defaultWindow(b.t0).windowStart);
    const { deals, skipped } = await settle(b, [bundle(b)]);
    expect(deals).to.deep.equal([]);
    expect(skipped.map((s) => s.reason)).to.deep.equal(["BidExpired"]);

    await expect(b.market.connect(b.buyer).cancelBid(b.bidId)).to.changeTokenBalance(
      ethers,
      b.token,
      b.buyer,
      BID_ESCROW,
    );
    await b.market.connect(b.windSupplier).cancelEnergyOffer(b.windOfferId);
    await b.market.connect(b.solarSupplier).cancelEnergyOffer(b.solarOfferId);
    expect(await b.market.deviceHourOfferedOf(b.windDeviceId, b.start)).to.equal(0n);
    expect(await b.market.deviceHourOfferedOf(b.solarDeviceId, b.start)).to.equal(0n);
    expect(await b.token.balanceOf(await b.market.getAddress())).to.equal(0n);
  });
});
