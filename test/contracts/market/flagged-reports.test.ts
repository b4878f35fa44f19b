// Issue 11 item 6: the compute supplier alone decided the energy outcome. A report of 0 Wh paid the
// energy lots nothing and the energy supplier could not dispute; a report of 10× the declared energy
// finalised at a 10 % green share against a 50 % minimum. Now the deal's energy and network
// suppliers may dispute, and a report far from the declared profile or below the bid's green
// minimum is flagged on chain and never finalises unchallenged (docs/carbon-accounting.md). In hours,
// the profile is judged hour by hour as well as over the job: moving energy out of the hours the lots
// cover would otherwise cut their retirement and pay while the total still looked right.
import { expect } from "chai";
import { advanceTo, bundle, jobHours, lots, openBook } from "../../helpers/book.ts";
import { loadFixture } from "../../helpers/connection.ts";
import { fullReport, jobEnd, openDeal, settle, spreadReport } from "../../helpers/deals.ts";
import { eventsOf } from "../../helpers/events.ts";

const NEEDED_WH = 250_000n; // the standard deal: 100 VCU-hours × 2,000 Wh × PUE 1.25

async function reported(whConsumed: bigint) {
  const f = await openDeal();
  await advanceTo(jobEnd(f.terms));
  const report = spreadReport(f.terms, { whConsumed });
  const tx = f.market.connect(f.computeSupplier).reportUsage(f.dealId, f.terms, report);
  const flagged = await eventsOf(f.market, tx, "UsageFlagged");
  const deal = await f.market.dealOf(f.dealId);
  return { ...f, report, flagged, challengeEnd: Number(deal.since) + Number(f.terms.challengePeriod) };
}

/** The standard deal reported at full delivery with `whPerHour` metered in its four hours. */
async function reportedHours(whPerHour: bigint[]) {
  const f = await openDeal();
  await advanceTo(jobEnd(f.terms));
  const report = fullReport(f.terms, { whPerHour });
  const tx = f.market.connect(f.computeSupplier).reportUsage(f.dealId, f.terms, report);
  const flagged = await eventsOf(f.market, tx, "UsageFlagged");
  return { ...f, report, flagged };
}

const zeroEnergy = () => reported(0n);
const tenfoldEnergy = () => reported(NEEDED_WH * 10n);
const withinProfile = () => reported((NEEDED_WH * 12n) / 10n);

describe("reports far from the declared energy profile", () => {
  it("never finalises a flagged report unchallenged", async () => {
    for (const fixture of [zeroEnergy, tenfoldEnergy]) {
      const f = await loadFixture(fixture);
      await advanceTo(f.challengeEnd);
      await expect(f.market.connect(f.stranger).finalize(f.dealId, f.terms, f.report))
        .to.be.revertedWithCustomError(f.market, "MarketReportFlagged")
        .withArgs(f.dealId);
    }
  });

  it("lets the buyer confirm a flagged report only after the suppliers' window to dispute it", async () => {
    const f = await loadFixture(zeroEnergy);
    await expect(f.market.connect(f.buyer).confirmUsage(f.dealId, f.terms, f.report))
      .to.be.revertedWithCustomError(f.market, "MarketChallengePeriodActive")
      .withArgs(f.dealId, f.challengeEnd);
    await advanceTo(f.challengeEnd);
    await expect(f.market.connect(f.buyer).confirmUsage(f.dealId, f.terms, f.report)).to.emit(
      f.market,
      "DealFinalized",
    );
  });

  it("lets any party, the compute supplier too, take a flagged report to the arbiter after the window", async () => {
    const f = await loadFixture(tenfoldEnergy);
    await advanceTo(f.challengeEnd + 3600);
    await expect(
      f.market.connect(f.computeSupplier).disputeUsage(f.dealId, f.terms, f.report, "please rule, I want my pay"),
    ).to.emit(f.market, "DealDisputed");
    await expect(f.market.connect(f.arbiter).resolveDispute(f.dealId, f.terms, f.report, 5_000)).to.emit(
      f.market,
      "DealFinalized",
    );
    await expect(
      f.market.connect(f.stranger).disputeUsage(f.dealId, f.terms, f.report, "not mine"),
    ).to.be.revertedWithCustomError(f.market, "MarketInvalidDealStatus");
  });

  it("refuses a dispute from anyone outside the deal, flagged or not", async () => {
    for (const fixture of [tenfoldEnergy, withinProfile]) {
      const f = await loadFixture(fixture);
      await expect(f.market.connect(f.stranger).disputeUsage(f.dealId, f.terms, f.report, "not mine"))
        .to.be.revertedWithCustomError(f.market, "MarketNotDealParty")
        .withArgs(f.dealId, f.stranger.address, f.buyer.address);
    }
  });

  it("flags a report that moves an hour's energy out of the hours its lots cover, though the job's total fits", async () => {
    // 62.5 kWh declared in each hour, all of it green: 0, 0, 125, 125 kWh metered keeps the total at
    // 250 kWh and the matched green share at the bid's 50 %, but would retire and pay nothing of the
    // first two hours' lots.
    const f = await reportedHours([0n, 0n, 125_000n, 125_000n]);
    expect(f.flagged.map((e) => [e.outsideProfile, e.belowGreenMinimum, e.expectedWh, e.whConsumed])).to.deep.equal([
      [true, false, NEEDED_WH, NEEDED_WH],
    ]);
    await advanceTo(Number((await f.market.dealOf(f.dealId)).since) + Number(f.terms.challengePeriod));
    await expect(f.market.connect(f.stranger).finalize(f.dealId, f.terms, f.report))
      .to.be.revertedWithCustomError(f.market, "MarketReportFlagged")
      .withArgs(f.dealId);
  });

  it("judges each hour within 25 % of the energy it declares", async () => {
    // 25 % under and over in alternate hours stays inside; one hour 26 % over does not.
    const inside = await reportedHours([46_875n, 78_125n, 46_875n, 78_125n]);
    expect(inside.flagged).to.deep.equal([]);
    const outside = await reportedHours([62_500n, 62_500n, 62_500n, 78_750n]);
    expect(outside.flagged.map((e) => [e.outsideProfile, e.belowGreenMinimum])).to.deep.equal([[true, false]]);
  });

  it("flags a report within the profile whose time-matched green share falls below the bid's minimum", async () => {
    // Wind lots of 31.25 kWh in each hour: exactly the bid's 50 % of the declared 62.5 kWh. A report
    // of 20 % more energy in every hour is within the profile, but its green share is 41.7 %.
    const b = await loadFixture(openBook);
    const { deals } = await settle(b, [
      bundle(b, { energyLots: lots(b.windOfferId, jobHours(b.t0), 31_250n, 1_750_000n) }),
    ]);
    const [{ dealId, terms }] = deals;
    await advanceTo(jobEnd(terms));
    const report = fullReport(terms, { whPerHour: [75_000n, 75_000n, 75_000n, 75_000n] });
    const flagged = await eventsOf(
      b.market,
      b.market.connect(b.computeSupplier).reportUsage(dealId, terms, report),
      "UsageFlagged",
    );
    expect(flagged.map((e) => [e.outsideProfile, e.belowGreenMinimum, e.whConsumed, e.matchedGreenWh])).to.deep.equal([
      [false, true, 300_000n, 125_000n],
    ]);
    await advanceTo(Number((await b.market.dealOf(dealId)).since) + Number(terms.challengePeriod));
    await expect(b.market.connect(b.stranger).finalize(dealId, terms, report))
      .to.be.revertedWithCustomError(b.market, "MarketReportFlagged")
      .withArgs(dealId);
  });

  it("leaves a report within 25 % of the profile unflagged: it finalises unchallenged after the window", async () => {
    const f = await loadFixture(withinProfile);
    expect(f.flagged).to.deep.equal([]);
    await advanceTo(f.challengeEnd);
    await expect(f.market.connect(f.stranger).finalize(f.dealId, f.terms, f.report)).to.emit(f.market, "DealFinalized");
  });

  it("lets the network and solar suppliers dispute an unflagged report within the window, but not the compute supplier", async () => {
    const f = await loadFixture(withinProfile);
    await expect(
      f.market.connect(f.computeSupplier).disputeUsage(f.dealId, f.terms, f.report, "own report"),
    ).to.be.revertedWithCustomError(f.market, "MarketNotDealParty");
    await expect(f.market.connect(f.networkSupplier).disputeUsage(f.dealId, f.terms, f.report, "link idle")).to.emit(
      f.market,
      "DealDisputed",
    );
    const g = await loadFixture(withinProfile);
    await expect(g.market.connect(g.solarSupplier).disputeUsage(g.dealId, g.terms, g.report, "too little")).to.emit(
      g.market,
      "DealDisputed",
    );
  });
});
