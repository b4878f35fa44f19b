// Posting orders in whole hours (docs/market-rules.md, "Hours" and "Orders"): every bad time, duration
// or energy offer gets a custom error naming the value.
import { expect } from "chai";
import {
  bandwidthOffer,
  bid,
  computeOffer,
  DEVICE_CAPACITY_W,
  defaultWindow,
  energyOffer,
  HOUR,
  OFFER_WH_PER_HOUR,
  openBook,
  registerDevice,
} from "../../helpers/book.ts";
import { loadFixture } from "../../helpers/connection.ts";
import { deployExchange, Region, Source } from "../../helpers/deploy.ts";
import { eventsOf } from "../../helpers/events.ts";

describe("orders in whole hours", () => {
  it("refuses bid, compute and link windows whose times are not on the hour, naming the time", async () => {
    const d = await loadFixture(deployExchange);
    const { windowStart, windowEnd } = defaultWindow(d.t0);
    await expect(d.market.connect(d.buyer).postBid(bid(d.t0, { earliestStart: windowStart + 60 })))
      .to.be.revertedWithCustomError(d.market, "MarketTimeNotOnHour")
      .withArgs(windowStart + 60);
    await expect(d.market.connect(d.buyer).postBid(bid(d.t0, { latestEnd: windowEnd - 1 })))
      .to.be.revertedWithCustomError(d.market, "MarketTimeNotOnHour")
      .withArgs(windowEnd - 1);
    await expect(
      d.market.connect(d.computeSupplier).postComputeOffer(computeOffer(d.t0, { windowStart: windowStart - 1800 })),
    )
      .to.be.revertedWithCustomError(d.market, "MarketTimeNotOnHour")
      .withArgs(windowStart - 1800);
    await expect(
      d.market.connect(d.networkSupplier).postBandwidthOffer(bandwidthOffer(d.t0, { windowEnd: windowEnd + 5 })),
    )
      .to.be.revertedWithCustomError(d.market, "MarketTimeNotOnHour")
      .withArgs(windowEnd + 5);
  });

  it("refuses a job of 0 hours, longer than its window or than MAX_JOB_HOURS", async () => {
    const d = await loadFixture(deployExchange);
    const { windowStart } = defaultWindow(d.t0);
    await expect(d.market.connect(d.buyer).postBid(bid(d.t0, { durationHours: 0 })))
      .to.be.revertedWithCustomError(d.market, "MarketInvalidDuration")
      .withArgs(0, 4, 168);
    await expect(d.market.connect(d.buyer).postBid(bid(d.t0, { durationHours: 5 })))
      .to.be.revertedWithCustomError(d.market, "MarketInvalidDuration")
      .withArgs(5, 4, 168);
    const week = { earliestStart: windowStart, latestEnd: windowStart + 200 * HOUR, durationHours: 169 };
    await expect(d.market.connect(d.buyer).postBid(bid(d.t0, week)))
      .to.be.revertedWithCustomError(d.market, "MarketInvalidDuration")
      .withArgs(169, 200, 168);
  });

  it("refuses windows longer than MAX_WINDOW_HOURS and an unknown certificate origin", async () => {
    const d = await loadFixture(deployExchange);
    const { windowStart } = defaultWindow(d.t0);
    await expect(
      d.market.connect(d.computeSupplier).postComputeOffer(computeOffer(d.t0, { windowEnd: windowStart + 745 * HOUR })),
    )
      .to.be.revertedWithCustomError(d.market, "MarketWindowTooLong")
      .withArgs(746, 744);
    await expect(d.market.connect(d.buyer).postBid(bid(d.t0, { certificateOrigin: 3 })))
      .to.be.revertedWithCustomError(d.market, "MarketUnknownCertificateOrigin")
      .withArgs(3);
  });

  it("escrows vcu × durationHours × limit for a flexible bid and stores no start until a match fixes it", async () => {
    const d = await loadFixture(deployExchange);
    const { windowStart } = defaultWindow(d.t0);
    const flexible = bid(d.t0, { latestEnd: windowStart + 24 * HOUR, durationHours: 3, vcu: 10n });
    const [event] = await eventsOf(d.market, d.market.connect(d.buyer).postBid(flexible), "BidPosted");
    expect(event.escrow).to.equal(10n * 3n * 2_500_000n);
    const stored = await d.market.bidOf(1n);
    expect([stored.remainingVcu, stored.durationHours, stored.start]).to.deep.equal([10n, 3n, 0n]);
  });

  describe("energy offers: forward Wh of named hours of one device", () => {
    it("records each hour's Wh on the offer and on the device-hour, without moving certificates", async () => {
      const b = await loadFixture(openBook);
      for (let h = 0; h < 4; h++) {
        expect(await b.market.energyRemainingOf(b.windOfferId, b.start + h * HOUR)).to.equal(OFFER_WH_PER_HOUR);
        expect(await b.market.deviceHourOfferedOf(b.windDeviceId, b.start + h * HOUR)).to.equal(OFFER_WH_PER_HOUR);
      }
      expect(await b.market.energyRemainingOf(b.windOfferId, b.start + 4 * HOUR)).to.equal(0n);
      expect(await b.market.energyRemainingOf(b.windOfferId, b.start - HOUR)).to.equal(0n);
      const stored = await b.market.energyOfferOf(b.windOfferId);
      expect([stored.deviceId, stored.source, stored.region, stored.hourCount]).to.deep.equal([
        b.windDeviceId,
        BigInt(Source.Wind),
        BigInt(Region.Gansu),
        4n,
      ]);
    });

    it("never lets the offers of one device-hour exceed the device's capacity × 1 h", async () => {
      const b = await loadFixture(openBook);
      const rest = DEVICE_CAPACITY_W - OFFER_WH_PER_HOUR;
      await b.market.connect(b.windSupplier).postEnergyOffer(energyOffer(b.t0, b.windDeviceId, { whPerHour: [rest] }));
      await expect(
        b.market
          .connect(b.windSupplier)
          .postEnergyOffer(energyOffer(b.t0, b.windDeviceId, { whPerHour: [0n, rest + 1n] })),
      )
        .to.be.revertedWithCustomError(b.market, "MarketHourOverCapacity")
        .withArgs(b.windDeviceId, b.start + HOUR, OFFER_WH_PER_HOUR + rest + 1n, DEVICE_CAPACITY_W);
    });

    it("frees the unsold Wh of every hour when cancelled", async () => {
      const b = await loadFixture(openBook);
      const [event] = await eventsOf(
        b.market,
        b.market.connect(b.windSupplier).cancelEnergyOffer(b.windOfferId),
        "EnergyOfferCancelled",
      );
      expect(event.unsoldWhPerHour).to.deep.equal(Array(4).fill(OFFER_WH_PER_HOUR));
      expect(await b.market.deviceHourOfferedOf(b.windDeviceId, b.start)).to.equal(0n);
      expect(await b.market.energyRemainingOf(b.windOfferId, b.start)).to.equal(0n);
      await expect(b.market.connect(b.windSupplier).cancelEnergyOffer(b.windOfferId))
        .to.be.revertedWithCustomError(b.market, "MarketOrderNotOpen")
        .withArgs(2, b.windOfferId);
    });

    it("refuses a stranger's device, an unapproved device, a supplier who has not approved the market, and bad hours", async () => {
      const b = await loadFixture(openBook);
      await expect(b.market.connect(b.solarSupplier).postEnergyOffer(energyOffer(b.t0, b.windDeviceId)))
        .to.be.revertedWithCustomError(b.market, "MarketNotDeviceOwner")
        .withArgs(b.windDeviceId, b.solarSupplier.address, b.windSupplier.address);
      await b.certificates.connect(b.stranger).registerDevice(Source.Hydro, Region.Gansu, 1_000n, b.t0 - 10, "");
      const pending = await b.certificates.deviceCount();
      await expect(b.market.connect(b.stranger).postEnergyOffer(energyOffer(b.t0, pending)))
        .to.be.revertedWithCustomError(b.market, "MarketDeviceNotApproved")
        .withArgs(pending, 1);
      const own = await registerDevice(b, b.stranger, Source.Hydro, Region.Gansu);
      await expect(b.market.connect(b.stranger).postEnergyOffer(energyOffer(b.t0, own, { whPerHour: [1n] })))
        .to.be.revertedWithCustomError(b.market, "MarketCertificatesNotApproved")
        .withArgs(b.stranger.address);
      await expect(
        b.market.connect(b.windSupplier).postEnergyOffer(energyOffer(b.t0, b.windDeviceId, { firstHour: b.start + 1 })),
      )
        .to.be.revertedWithCustomError(b.market, "MarketTimeNotOnHour")
        .withArgs(b.start + 1);
      await expect(
        b.market
          .connect(b.windSupplier)
          .postEnergyOffer(energyOffer(b.t0, b.windDeviceId, { whPerHour: Array(169).fill(1n) })),
      )
        .to.be.revertedWithCustomError(b.market, "MarketInvalidOfferHours")
        .withArgs(169, 168);
      await expect(
        b.market.connect(b.windSupplier).postEnergyOffer(energyOffer(b.t0, b.windDeviceId, { whPerHour: [0n, 0n] })),
      ).to.be.revertedWithCustomError(b.market, "MarketZeroQuantity");
    });
  });
});
