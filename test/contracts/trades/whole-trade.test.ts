import { expect } from "chai";
import {
  advanceTo,
  BID_ESCROW,
  BUNDLE_FEE,
  BUNDLE_PAYMENTS,
  bundle,
  certificateId,
  jobHours,
  OFFER_WH_PER_HOUR,
  openBook,
  SOLAR_LOT_WH,
  WIND_LOT_WH,
} from "../../helpers/book.ts";
import { loadFixture } from "../../helpers/connection.ts";
import { challengeEnd, expectedOutcome, reportedDeal, settle } from "../../helpers/deals.ts";
import { SOLAR_FACTOR, USD, WIND_FACTOR } from "../../helpers/deploy.ts";

describe("a whole bundled trade", () => {
  it("moves the bid's escrow into a deal and fixes the job's hours when the matcher settles the bundle", async () => {
    const b = await loadFixture(openBook);
    const { deals, skipped } = await settle(b, [bundle(b)]);
    expect(skipped).to.deep.equal([]);
    expect(deals).to.have.length(1);
    const { terms } = deals[0];
    expect(terms.escrow).to.equal(BID_ESCROW);
    expect(terms.fee).to.equal(BUNDLE_FEE);
    expect(terms.needPerHourWh).to.equal(62_500n);
    expect(terms.start).to.equal(BigInt(b.start));
    expect(terms.durationHours).to.equal(4n);
    expect(terms.energyLots.map((l) => l.sourceFactor)).to.deep.equal([
      ...Array(4).fill(WIND_FACTOR),
      ...Array(4).fill(SOLAR_FACTOR),
    ]);
    const stored = await b.market.bidOf(b.bidId);
    expect(stored.remainingVcu).to.equal(0n);
    expect(stored.start).to.equal(BigInt(b.start));
    for (const hour of jobHours(b.t0)) {
      expect(await b.market.computeUsedOf(b.computeOfferId, hour)).to.equal(25n);
      expect(await b.market.bandwidthUsedOf(b.bandwidthOfferId, hour)).to.equal(50n);
      expect(await b.market.energyRemainingOf(b.windOfferId, hour)).to.equal(OFFER_WH_PER_HOUR - WIND_LOT_WH);
      expect(await b.market.energyRemainingOf(b.solarOfferId, hour)).to.equal(OFFER_WH_PER_HOUR - SOLAR_LOT_WH);
    }
  });

  it("pays every supplier, the treasury and the buyer's refund, and retires each hour's Wh, when the buyer confirms", async () => {
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
    for (const hour of jobHours(f.t0)) {
      const windId = certificateId(f.windDeviceId, hour);
      const solarId = certificateId(f.solarDeviceId, hour);
      expect(await f.certificates.balanceOf(f.windSupplier, windId)).to.equal(OFFER_WH_PER_HOUR - WIND_LOT_WH);
      expect(await f.certificates.balanceOf(f.solarSupplier, solarId)).to.equal(OFFER_WH_PER_HOUR - SOLAR_LOT_WH);
    }
  });

  it("lets anyone finalise once the challenge period is over", async () => {
    const f = await loadFixture(reportedDeal);
    await advanceTo(challengeEnd(f));
    await expect(f.market.connect(f.stranger).finalize(f.dealId, f.terms, f.report)).to.emit(f.market, "DealFinalized");
    expect((await f.market.dealOf(f.dealId)).status).to.equal(3n);
  });
});
