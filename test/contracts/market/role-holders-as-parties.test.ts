// Issue 11 item 5: the account holding MATCHER_ROLE posted its own reserve-0 offer and settled a bid
// to it at the bid's full limit. A role holder is never a party to what it settles or rules on.
import { expect } from "chai";
import {
  advanceTo,
  bid,
  bundle,
  computeOffer,
  DAY,
  energyOffer,
  jobHours,
  lots,
  openBook,
  registerDevice,
} from "../../helpers/book.ts";
import { loadFixture } from "../../helpers/connection.ts";
import { energyNeeded, fullReport, jobEnd, openDeal, settle, spreadReport } from "../../helpers/deals.ts";
import { Region, Source, USD } from "../../helpers/deploy.ts";

describe("role holders are never parties to what they settle or rule on", () => {
  it("skips a match whose compute supplier is the matcher, and settles the honest one beside it", async () => {
    const b = await loadFixture(openBook);
    await b.market.connect(b.matcher).postComputeOffer(computeOffer(b.t0, { reservePricePerVcuHour: 0n }));
    const own = bundle(b, { computeOfferId: 2n, computePayment: 250n * USD - 16n * USD - 2_500_000n });
    const { deals, skipped } = await settle(b, [own, bundle(b)]);
    expect(skipped).to.deep.equal([{ index: 0n, bidId: b.bidId, computeOfferId: 2n, reason: "MatcherIsParty" }]);
    expect(deals.map((deal) => deal.terms.computeSupplier)).to.deep.equal([b.computeSupplier.address]);
    expect(await b.market.computeUsedOf(2n, b.start)).to.equal(0n);
  });

  it("skips a match whose buyer, energy supplier or network supplier is the matcher", async () => {
    const b = await loadFixture(openBook);
    await b.token.faucet(b.matcher.address, 1_000n * USD);
    await b.token.connect(b.matcher).approve(await b.market.getAddress(), 1_000n * USD);
    await b.market.connect(b.matcher).postBid(bid(b.t0));
    const deviceId = await registerDevice(b, b.matcher, Source.Wind, Region.Gansu);
    await b.certificates.connect(b.matcher).setApprovalForAll(await b.market.getAddress(), true);
    await b.market.connect(b.matcher).postEnergyOffer(energyOffer(b.t0, deviceId));
    await b.market.connect(b.matcher).postBandwidthOffer({
      fromRegion: Region.Gansu,
      toRegion: Region.YangtzeDelta,
      mbps: 1_000n,
      latencyMs: 30n,
      windowStart: b.start - 3600,
      windowEnd: b.start + 5 * 3600,
      reservePricePerMbpsHour: 0n,
      expiry: b.start,
    });
    const { deals, skipped } = await settle(b, [
      bundle(b, { bidId: 2n }),
      bundle(b, {
        energyLots: [
          ...lots(b.windOfferId, jobHours(b.t0), 37_500n, 1_750_000n),
          ...lots(3n, jobHours(b.t0), 25_000n, 1_500_000n),
        ],
      }),
      bundle(b, { bandwidthOfferId: 2n }),
    ]);
    expect(skipped.map((s) => s.reason)).to.deep.equal(["MatcherIsParty", "MatcherIsParty", "MatcherIsParty"]);
    expect(deals).to.have.length(0);
  });

  it("refuses the arbiter a ruling on a deal it is a party of", async () => {
    const b = await loadFixture(openBook);
    // The arbiter buys through the standard book, reports are disputed, and it tries to rule.
    await b.token.faucet(b.arbiter.address, 1_000n * USD);
    await b.token.connect(b.arbiter).approve(await b.market.getAddress(), 1_000n * USD);
    await b.market.connect(b.arbiter).postBid(bid(b.t0));
    const { deals } = await settle(b, [bundle(b, { bidId: 2n })]);
    const { dealId, terms } = deals[0];
    await advanceTo(jobEnd(terms));
    const report = spreadReport(terms, { vcuHoursDelivered: 50n, whConsumed: energyNeeded(terms) / 2n });
    await b.market.connect(b.computeSupplier).reportUsage(dealId, terms, report);
    await b.market.connect(b.arbiter).disputeUsage(dealId, terms, report, "half delivered");
    await expect(b.market.connect(b.arbiter).resolveDispute(dealId, terms, report, 10_000))
      .to.be.revertedWithCustomError(b.market, "MarketRoleHolderIsParty")
      .withArgs(dealId, b.arbiter.address);
    expect((await b.market.dealOf(dealId)).status).to.equal(2n); // still Disputed
  });

  it("lets an arbiter who is no party rule as before", async () => {
    const f = await loadFixture(openDeal);
    await advanceTo(jobEnd(f.terms));
    const report = fullReport(f.terms);
    await f.market.connect(f.computeSupplier).reportUsage(f.dealId, f.terms, report);
    await f.market.connect(f.buyer).disputeUsage(f.dealId, f.terms, report, "slow");
    await expect(f.market.connect(f.arbiter).resolveDispute(f.dealId, f.terms, report, 2_000)).to.emit(
      f.market,
      "DisputeResolved",
    );
  });

  it("refuses the registrar the approval of its own device", async () => {
    const b = await loadFixture(openBook);
    await b.certificates
      .connect(b.registrar)
      .registerDevice(Source.Solar, Region.BeijingTianjinHebei, 1_000n, b.t0 - DAY, "");
    const deviceId = await b.certificates.deviceCount();
    await expect(b.certificates.connect(b.registrar).approveDevice(deviceId))
      .to.be.revertedWithCustomError(b.certificates, "CertificatesRegistrarIsOwner")
      .withArgs(deviceId, b.registrar.address);
    expect((await b.certificates.deviceOf(deviceId)).status).to.equal(1n); // still Pending
  });
});
