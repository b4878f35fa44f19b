// Issue 11 item 5: `setDealPeriods(1, …)` turned a bid posted under a 2-day challenge window into a
// 1-second one. A bid now fixes the fee and deal periods in force when it was posted, every deal it
// opens carries them, and a change applies only after a delay everyone can see.
import { expect } from "chai";
import {
  advanceTo,
  bandwidthOffer,
  bid,
  bundle,
  computeOffer,
  defaultWindow,
  energyOffer,
  openBook,
  postBookAgain,
} from "../../helpers/book.ts";
import { loadFixture, time } from "../../helpers/connection.ts";
import { energyNeeded, jobEnd, settle, spreadReport } from "../../helpers/deals.ts";
import {
  CHALLENGE_PERIOD,
  FEE_BPS,
  PARAMETER_CHANGE_DELAY,
  Parameter,
  REPORT_GRACE_PERIOD,
} from "../../helpers/deploy.ts";

describe("a bid keeps the terms it was posted under", () => {
  it("stores the fee and deal periods in force with the bid", async () => {
    const b = await loadFixture(openBook);
    const stored = await b.market.bidOf(b.bidId);
    expect([stored.challengePeriod, stored.reportGracePeriod, stored.feeBps]).to.deep.equal([
      BigInt(CHALLENGE_PERIOD),
      BigInt(REPORT_GRACE_PERIOD),
      FEE_BPS,
    ]);
  });

  it("a 1-second challenge period scheduled after the bid neither binds it nor cuts its buyer's dispute short", async () => {
    const b = await loadFixture(openBook);
    await b.market.connect(b.admin).scheduleParameterChange(Parameter.ChallengePeriod, 0, 1);
    await b.market.connect(b.admin).scheduleParameterChange(Parameter.Fee, 0, 1_000);
    const [, effectiveAt] = await b.market.scheduledChangeOf(Parameter.ChallengePeriod, 0);
    // The change cannot apply before the bid's window: the bid expires first, settled under its own terms.
    await expect(b.market.applyParameterChange(Parameter.ChallengePeriod, 0)).to.be.revertedWithCustomError(
      b.market,
      "MarketChangeNotDue",
    );
    const { deals } = await settle(b, [bundle(b)]);
    const { dealId, terms } = deals[0];
    expect(terms.challengePeriod).to.equal(BigInt(CHALLENGE_PERIOD));
    expect(terms.fee).to.equal((196n * 1_000_000n * FEE_BPS) / 10_000n);

    await advanceTo(jobEnd(terms));
    const report = spreadReport(terms, { vcuHoursDelivered: 90n, whConsumed: (energyNeeded(terms) * 9n) / 10n });
    await b.market.connect(b.computeSupplier).reportUsage(dealId, terms, report);
    await advanceTo(effectiveAt);
    await b.market.applyParameterChange(Parameter.ChallengePeriod, 0);
    await b.market.applyParameterChange(Parameter.Fee, 0);
    expect(await b.market.challengePeriod()).to.equal(1n);
    // Well past one second after the report, and still inside the bid's own two days.
    await expect(b.market.connect(b.buyer).disputeUsage(dealId, terms, report, "10 VCU-hours missing")).to.emit(
      b.market,
      "DealDisputed",
    );
  });

  it("an open bid keeps its terms after the change applies; a bid posted afterwards gets the new ones", async () => {
    const b = await loadFixture(openBook);
    await b.market.connect(b.admin).scheduleParameterChange(Parameter.ChallengePeriod, 0, 600);
    await b.market.connect(b.admin).scheduleParameterChange(Parameter.ReportGracePeriod, 0, 900);
    await b.market.connect(b.admin).scheduleParameterChange(Parameter.Fee, 0, 250);
    await time.increase(PARAMETER_CHANGE_DELAY);
    for (const parameter of [Parameter.ChallengePeriod, Parameter.ReportGracePeriod, Parameter.Fee]) {
      await b.market.applyParameterChange(parameter, 0);
    }
    // A long-lived bid posted before the change: settles after it under its own terms.
    const again = await postBookAgain(b);
    const old = await b.market.bidOf(b.bidId);
    expect([old.challengePeriod, old.reportGracePeriod, old.feeBps]).to.deep.equal([
      BigInt(CHALLENGE_PERIOD),
      BigInt(REPORT_GRACE_PERIOD),
      FEE_BPS,
    ]);
    const fresh = await b.market.bidOf(again.bidId);
    expect([fresh.challengePeriod, fresh.reportGracePeriod, fresh.feeBps]).to.deep.equal([600n, 900n, 250n]);

    const { deals } = await settle(again, [bundle(again)]);
    expect(deals[0].terms.challengePeriod).to.equal(600n);
    expect(deals[0].terms.reportDeadline).to.equal(jobEnd(deals[0].terms) + 900n);
    expect(deals[0].terms.fee).to.equal((196n * 1_000_000n * 250n) / 10_000n);
  });

  it("settles an old bid after the change under the old terms", async () => {
    const b = await loadFixture(openBook);
    // A bid whose window lies beyond the delay, posted before the change is scheduled.
    const later = { ...b, t0: b.t0 + 3 * 24 * 3600 };
    await b.market.connect(b.buyer).postBid(bid(later.t0, { expiry: later.t0 + 24 * 3600 }));
    const oldBidId = await b.market.bidCount();
    await b.market.connect(b.admin).scheduleParameterChange(Parameter.ChallengePeriod, 0, 600);
    await b.market.connect(b.admin).scheduleParameterChange(Parameter.Fee, 0, 0);
    await time.increase(PARAMETER_CHANGE_DELAY);
    await b.market.applyParameterChange(Parameter.ChallengePeriod, 0);
    await b.market.applyParameterChange(Parameter.Fee, 0);
    await b.market.connect(b.computeSupplier).postComputeOffer(computeOffer(later.t0));
    await b.market.connect(b.windSupplier).postEnergyOffer(energyOffer(later.t0, b.windDeviceId));
    await b.market
      .connect(b.solarSupplier)
      .postEnergyOffer(energyOffer(later.t0, b.solarDeviceId, { reservePricePerKwh: 50_000n }));
    await b.market.connect(b.networkSupplier).postBandwidthOffer(bandwidthOffer(later.t0));
    const energyOffers = await b.market.energyOfferCount();
    const { deals } = await settle(b, [
      bundle(
        {
          ...b,
          t0: later.t0,
          start: defaultWindow(later.t0).windowStart,
          bidId: oldBidId,
          computeOfferId: await b.market.computeOfferCount(),
          windOfferId: energyOffers - 1n,
          solarOfferId: energyOffers,
          bandwidthOfferId: await b.market.bandwidthOfferCount(),
        },
        {},
      ),
    ]);
    expect(deals[0].terms.challengePeriod).to.equal(BigInt(CHALLENGE_PERIOD));
    expect(deals[0].terms.fee).to.equal((196n * 1_000_000n * FEE_BPS) / 10_000n);
  });
});
