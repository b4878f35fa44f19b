import { expect } from "chai";
import { advanceTo, BID_ESCROW, BUNDLE_FEE, BUNDLE_PAYMENTS, bundle, openBook } from "../../helpers/book.ts";
import { loadFixture } from "../../helpers/connection.ts";
import { challengeEnd, expectedOutcome, reportedDeal, settle } from "../../helpers/deals.ts";
import { SOLAR_FACTOR, USD, WIND_FACTOR } from "../../helpers/deploy.ts";

describe("a whole bundled trade", () => {
  it("moves the bid's escrow into a deal when the matcher settles the bundle", async () => {
    const b = await loadFixture(openBook);
    const { deals, skipped } = await settle(b, [bundle(b)]);
    expect(skipped).to.deep.equal([]);
    expect(deals).to.have.length(1);
    const { terms } = deals[0];
    expect(terms.escrow).to.equal(BID_ESCROW);
    expect(terms.fee).to.equal(BUNDLE_FEE);
    expect(terms.energyNeededWh).to.equal(250_000n);
    expect(terms.energyLots.map((l) => l.sourceFactor)).to.deep.equal([WIND_FACTOR, SOLAR_FACTOR]);
    expect((await b.market.bidOf(b.bidId)).remainingVcuHours).to.equal(0n);
  });

  it("pays every supplier, the treasury and the buyer's refund when the buyer confirms full delivery", async () => {
    const f = await loadFixture(reportedDeal);
    const expected = expectedOutcome(f.terms, f.report);
    await expect(f.market.connect(f.buyer).confirmUsage(f.dealId, f.terms, f.report)).to.emit(
      f.market,
      "DealFinalized",
    );
    expect(await f.market.withdrawableOf(f.computeSupplier)).to.equal(180n * USD);
    expect(await f.market.withdrawableOf(f.windSupplier)).to.equal(7n * USD);
    expect(await f.market.withdrawableOf(f.solarSupplier)).to.equal(6n * USD);
    expect(await f.market.withdrawableOf(f.networkSupplier)).to.equal(3n * USD);
    expect(await f.market.accruedFees()).to.equal(BUNDLE_FEE);
    expect(await f.market.withdrawableOf(f.buyer)).to.equal(BID_ESCROW - BUNDLE_PAYMENTS - BUNDLE_FEE);
    expect(await f.credits.balanceOf(f.buyer)).to.equal(expected.credits);
    expect(expected.credits).to.equal((150_000n * (610n - WIND_FACTOR) + 100_000n * (610n - SOLAR_FACTOR)) / 1000n);
  });

  it("lets anyone finalise once the challenge period is over", async () => {
    const f = await loadFixture(reportedDeal);
    await advanceTo(challengeEnd(f));
    await expect(f.market.connect(f.stranger).finalize(f.dealId, f.terms, f.report)).to.emit(f.market, "DealFinalized");
    expect((await f.market.dealOf(f.dealId)).status).to.equal(3n);
  });
});
