import { expect } from "chai";
import { bandwidthOffer, computeOffer, DAY, energyOffer, registerDevice } from "../../helpers/book.ts";
import { ethers, loadFixture } from "../../helpers/connection.ts";
import { deployExchange, Region, Source } from "../../helpers/deploy.ts";
import { bigints, eventsOf } from "../../helpers/events.ts";

async function withDevice() {
  const d = await deployExchange();
  const deviceId = await registerDevice(d, d.windSupplier, Source.Wind, Region.Gansu);
  return { ...d, deviceId };
}

describe("posting offers", () => {
  describe("postComputeOffer", () => {
    it("stores the offer under the supplier and emits every field", async () => {
      const d = await loadFixture(deployExchange);
      const params = computeOffer(d.t0);
      const [event] = await eventsOf(
        d.market,
        d.market.connect(d.computeSupplier).postComputeOffer(params),
        "ComputeOfferPosted",
      );
      expect(event.offerId).to.equal(1n);
      expect(event.supplier).to.equal(d.computeSupplier.address);
      expect(event.offer).to.deep.equal(bigints(params));
      const stored = await d.market.computeOfferOf(1n);
      expect(stored.supplier).to.equal(d.computeSupplier.address);
      expect(stored.vcu).to.equal(params.vcu);
      expect(stored.reservePricePerVcuHour).to.equal(params.reservePricePerVcuHour);
      expect(stored.pueMilli).to.equal(params.pueMilli);
      expect(await d.market.computeOfferCount()).to.equal(1n);
    });

    it("refuses an empty or reversed window", async () => {
      const d = await loadFixture(deployExchange);
      const params = computeOffer(d.t0);
      await expect(d.market.connect(d.computeSupplier).postComputeOffer({ ...params, windowEnd: params.windowStart }))
        .to.be.revertedWithCustomError(d.market, "MarketInvalidWindow")
        .withArgs(params.windowStart, params.windowStart);
    });

    it("refuses an expiry in the past or after the window ends", async () => {
      const d = await loadFixture(deployExchange);
      const params = computeOffer(d.t0);
      await expect(d.market.connect(d.computeSupplier).postComputeOffer({ ...params, expiry: d.t0 }))
        .to.be.revertedWithCustomError(d.market, "MarketInvalidExpiry")
        .withArgs(d.t0, (now: bigint) => now > BigInt(d.t0), params.windowEnd);
      const late = Number(params.windowEnd) + 1;
      await expect(d.market.connect(d.computeSupplier).postComputeOffer({ ...params, expiry: late }))
        .to.be.revertedWithCustomError(d.market, "MarketInvalidExpiry")
        .withArgs(late, (now: bigint) => now > BigInt(d.t0), params.windowEnd);
    });

    it("refuses zero VCU-hours", async () => {
      const d = await loadFixture(deployExchange);
      await expect(
        d.market.connect(d.computeSupplier).postComputeOffer(computeOffer(d.t0, { vcu: 0n })),
      ).to.be.revertedWithCustomError(d.market, "MarketZeroQuantity");
    });

    it("refuses an energy profile without energy or with a PUE below 1", async () => {
      const d = await loadFixture(deployExchange);
      await expect(d.market.connect(d.computeSupplier).postComputeOffer(computeOffer(d.t0, { whPerVcuHour: 0n })))
        .to.be.revertedWithCustomError(d.market, "MarketInvalidEnergyProfile")
        .withArgs(0n, 1_250n);
      await expect(d.market.connect(d.computeSupplier).postComputeOffer(computeOffer(d.t0, { pueMilli: 999n })))
        .to.be.revertedWithCustomError(d.market, "MarketInvalidEnergyProfile")
        .withArgs(2_000n, 999n);
    });
  });

  describe("postEnergyOffer", () => {});

  describe("postBandwidthOffer", () => {
    it("stores the link under the supplier and emits every field", async () => {
      const d = await loadFixture(deployExchange);
      const params = bandwidthOffer(d.t0);
      const [event] = await eventsOf(
        d.market,
        d.market.connect(d.networkSupplier).postBandwidthOffer(params),
        "BandwidthOfferPosted",
      );
      expect(event).to.deep.include({ offerId: 1n, supplier: d.networkSupplier.address });
      expect(event.offer).to.deep.equal(bigints(params));
      const stored = await d.market.bandwidthOfferOf(1n);
      expect([stored.fromRegion, stored.toRegion, stored.mbps, stored.latencyMs]).to.deep.equal([
        BigInt(Region.Gansu),
        BigInt(Region.YangtzeDelta),
        params.mbps,
        params.latencyMs,
      ]);
      expect(await d.market.bandwidthOfferCount()).to.equal(1n);
    });

    it("refuses a link from a region to itself", async () => {
      const d = await loadFixture(deployExchange);
      await expect(
        d.market.connect(d.networkSupplier).postBandwidthOffer(bandwidthOffer(d.t0, { toRegion: Region.Gansu })),
      )
        .to.be.revertedWithCustomError(d.market, "MarketInvalidRoute")
        .withArgs(Region.Gansu, Region.Gansu);
    });

    it("refuses a reversed window, a bad expiry and zero Mbps", async () => {
      const d = await loadFixture(deployExchange);
      const params = bandwidthOffer(d.t0);
      await expect(d.market.connect(d.networkSupplier).postBandwidthOffer({ ...params, windowStart: params.windowEnd }))
        .to.be.revertedWithCustomError(d.market, "MarketInvalidWindow")
        .withArgs(params.windowEnd, params.windowEnd);
      await expect(
        d.market.connect(d.networkSupplier).postBandwidthOffer({ ...params, expiry: Number(params.windowEnd) + DAY }),
      ).to.be.revertedWithCustomError(d.market, "MarketInvalidExpiry");
      await expect(
        d.market.connect(d.networkSupplier).postBandwidthOffer({ ...params, mbps: 0n }),
      ).to.be.revertedWithCustomError(d.market, "MarketZeroQuantity");
    });
  });

  it("gives every kind of order its own id sequence starting at 1", async () => {
    const d = await loadFixture(withDevice);
    await d.market.connect(d.computeSupplier).postComputeOffer(computeOffer(d.t0));
    await d.market.connect(d.computeSupplier).postComputeOffer(computeOffer(d.t0));
    await d.market.connect(d.windSupplier).postEnergyOffer(energyOffer(d.t0, d.deviceId));
    expect(await d.market.computeOfferCount()).to.equal(2n);
    expect(await d.market.energyOfferCount()).to.equal(1n);
    expect(await d.market.bandwidthOfferCount()).to.equal(0n);
    expect((await d.market.computeOfferOf(3n)).supplier).to.equal(ethers.ZeroAddress);
  });
});
