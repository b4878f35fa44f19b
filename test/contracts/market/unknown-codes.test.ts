// Issue 11 item 1: a bid and a compute offer with hardwareClass 7 froze the matcher. Every code that
// enters the book (hardware class, regions, certificate origin) or the registry (source, region) is refused on chain
// with an error naming the field and the value.
import { expect } from "chai";
import { bandwidthOffer, bid, computeOffer, DAY, regions } from "../../helpers/book.ts";
import { loadFixture } from "../../helpers/connection.ts";
import { deployExchange, Region } from "../../helpers/deploy.ts";

describe("unknown codes are refused where they enter the chain", () => {
  it("refuses a compute offer of an unknown hardware class or region", async () => {
    const d = await loadFixture(deployExchange);
    const market = d.market.connect(d.computeSupplier);
    await expect(market.postComputeOffer(computeOffer(d.t0, { hardwareClass: 7 })))
      .to.be.revertedWithCustomError(d.market, "MarketUnknownHardwareClass")
      .withArgs(7n);
    await expect(market.postComputeOffer(computeOffer(d.t0, { hardwareClass: 4 })))
      .to.be.revertedWithCustomError(d.market, "MarketUnknownHardwareClass")
      .withArgs(4n);
    for (const region of [0, 9, 255]) {
      await expect(market.postComputeOffer(computeOffer(d.t0, { region })))
        .to.be.revertedWithCustomError(d.market, "MarketUnknownRegion")
        .withArgs(BigInt(region));
    }
    await market.postComputeOffer(computeOffer(d.t0, { hardwareClass: 3, region: 6 }));
    expect(await d.market.computeOfferCount()).to.equal(1n);
  });

  it("refuses a bid of an unknown hardware class, buyer region or acceptable region", async () => {
    const d = await loadFixture(deployExchange);
    const market = d.market.connect(d.buyer);
    await expect(market.postBid(bid(d.t0, { hardwareClass: 7 })))
      .to.be.revertedWithCustomError(d.market, "MarketUnknownHardwareClass")
      .withArgs(7n);
    await expect(market.postBid(bid(d.t0, { buyerRegion: 0 })))
      .to.be.revertedWithCustomError(d.market, "MarketUnknownBuyerRegion")
      .withArgs(0n);
    await expect(market.postBid(bid(d.t0, { buyerRegion: 9 })))
      .to.be.revertedWithCustomError(d.market, "MarketUnknownBuyerRegion")
      .withArgs(9n);
    for (const mask of [regions(0), regions(Region.YangtzeDelta, 9), 1n << 31n]) {
      await expect(market.postBid(bid(d.t0, { acceptableRegions: mask })))
        .to.be.revertedWithCustomError(d.market, "MarketUnknownAcceptableRegions")
        .withArgs(mask);
    }
    await market.postBid(bid(d.t0, { acceptableRegions: regions(1, 2, 3, 4, 5, 6) }));
    expect(await d.market.bidCount()).to.equal(1n);
  });

  it("refuses a bid of an unknown certificate origin, keeping the buyer's tokens", async () => {
    const d = await loadFixture(deployExchange);
    const market = d.market.connect(d.buyer);
    const balance = await d.token.balanceOf(d.buyer.address);
    for (const origin of [3, 255]) {
      await expect(market.postBid(bid(d.t0, { certificateOrigin: origin })))
        .to.be.revertedWithCustomError(d.market, "MarketUnknownCertificateOrigin")
        .withArgs(BigInt(origin));
    }
    expect(await d.token.balanceOf(d.buyer.address)).to.equal(balance);
    await market.postBid(bid(d.t0, { certificateOrigin: 2 }));
    expect((await d.market.bidOf(1n)).certificateOrigin).to.equal(2n);
  });

  it("refuses a bandwidth offer with either end in an unknown region", async () => {
    const d = await loadFixture(deployExchange);
    const market = d.market.connect(d.networkSupplier);
    await expect(market.postBandwidthOffer(bandwidthOffer(d.t0, { fromRegion: 9 })))
      .to.be.revertedWithCustomError(d.market, "MarketUnknownRegion")
      .withArgs(9n);
    await expect(market.postBandwidthOffer(bandwidthOffer(d.t0, { toRegion: 0 })))
      .to.be.revertedWithCustomError(d.market, "MarketUnknownRegion")
      .withArgs(0n);
  });

  it("refuses a device of an unknown generation source or region", async () => {
    const d = await loadFixture(deployExchange);
    const certificates = d.certificates.connect(d.windSupplier);
    const commissionedAt = d.t0 - 30 * DAY;
    await expect(certificates.registerDevice(6, Region.BeijingTianjinHebei, 1_000n, commissionedAt, ""))
      .to.be.revertedWithCustomError(d.certificates, "CertificatesUnknownEnergySource")
      .withArgs(6n);
    await expect(certificates.registerDevice(255, Region.BeijingTianjinHebei, 1_000n, commissionedAt, ""))
      .to.be.revertedWithCustomError(d.certificates, "CertificatesUnknownEnergySource")
      .withArgs(255n);
    for (const region of [0, 9]) {
      await expect(certificates.registerDevice(1, region, 1_000n, commissionedAt, ""))
        .to.be.revertedWithCustomError(d.certificates, "CertificatesUnknownRegion")
        .withArgs(BigInt(region));
    }
    expect(await d.certificates.deviceCount()).to.equal(0n);
  });
});
