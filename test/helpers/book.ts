// Order builders with sensible defaults and the standard order book most tests trade on:
// GPU compute in the northwest, a buyer in the east, wind and solar certificates, a link between them.
import type { IMarket } from "../../types/ethers-contracts/Market.ts";
import { ethers, time } from "./connection.ts";
import { type Deployed, deployExchange, HardwareClass, Region, Source, USD } from "./deploy.ts";

export const HOUR = 3600;
export const DAY = 24 * HOUR;

export type ComputeOfferParams = IMarket.ComputeOfferParamsStruct;
export type EnergyOfferParams = IMarket.EnergyOfferParamsStruct;
export type BandwidthOfferParams = IMarket.BandwidthOfferParamsStruct;
export type BidParams = IMarket.BidParamsStruct;

import type { Match } from "../../protocol/orders.ts";

export type { EnergyLot, Match } from "../../protocol/orders.ts";

/** Bitmask of acceptable compute regions: bit r set ⇔ region r accepted. */
export function regions(...codes: number[]): bigint {
  return codes.reduce((mask, code) => mask | (1n << BigInt(code)), 0n);
}

/** The delivery window every default order uses: one day after `t0`, four hours long. */
export function defaultWindow(t0: number) {
  const windowStart = t0 + DAY;
  return { windowStart, windowEnd: windowStart + 4 * HOUR };
}

export function computeOffer(t0: number, overrides: Partial<ComputeOfferParams> = {}): ComputeOfferParams {
  const { windowStart, windowEnd } = defaultWindow(t0);
  return {
    hardwareClass: HardwareClass.GpuInference,
    region: Region.Northwest,
    windowStart: windowStart - HOUR,
    windowEnd: windowEnd + HOUR,
    vcuHours: 1_000n,
    reservePricePerVcuHour: 1_500_000n, // 1.50 per VCU-hour
    whPerVcuHour: 2_000n,
    pueMilli: 1_250n,
    expiry: windowStart,
    ...overrides,
  };
}

export function energyOffer(
  t0: number,
  batchId: bigint,
  overrides: Partial<EnergyOfferParams> = {},
): EnergyOfferParams {
  return {
    batchId,
    wh: 1_000_000n,
    reservePricePerKwh: 40_000n, // 0.04 per kWh
    expiry: defaultWindow(t0).windowStart,
    ...overrides,
  };
}

export function bandwidthOffer(t0: number, overrides: Partial<BandwidthOfferParams> = {}): BandwidthOfferParams {
  const { windowStart, windowEnd } = defaultWindow(t0);
  return {
    fromRegion: Region.Northwest,
    toRegion: Region.East,
    mbps: 1_000n,
    latencyMs: 30n,
    windowStart: windowStart - HOUR,
    windowEnd: windowEnd + HOUR,
    reservePricePerMbpsHour: 10_000n, // 0.01 per Mbps-hour
    expiry: windowStart,
    ...overrides,
  };
}

export function bid(t0: number, overrides: Partial<BidParams> = {}): BidParams {
  const { windowStart, windowEnd } = defaultWindow(t0);
  return {
    hardwareClass: HardwareClass.GpuInference,
    acceptableRegions: regions(Region.Northwest, Region.East),
    buyerRegion: Region.East,
    windowStart,
    windowEnd,
    vcuHours: 100n,
    limitPricePerVcuHour: 2_500_000n, // 2.50 all-in
    minGreenBps: 5_000n,
    bandwidthMbps: 50n,
    maxLatencyMs: 40n,
    expiry: windowStart,
    ...overrides,
  };
}

export type Book = Deployed & {
  windDeviceId: bigint;
  solarDeviceId: bigint;
  windBatchId: bigint;
  solarBatchId: bigint;
  computeOfferId: bigint;
  windOfferId: bigint;
  solarOfferId: bigint;
  bandwidthOfferId: bigint;
  bidId: bigint;
};

/** Wh each fixture batch holds: 5 MWh out of a 10 MW device's one-hour maximum. */
export const BATCH_WH = 5_000_000n;
export const DEVICE_CAPACITY_W = 10_000_000n;

/** Registers and approves a device of `owner`, then issues one batch for an hour two days ago. */
export async function issueBatch(
  d: Deployed,
  owner: Deployed["windSupplier"],
  source: number,
  region: number = Region.Northwest,
): Promise<{ deviceId: bigint; batchId: bigint }> {
  const commissionedAt = d.t0 - 30 * DAY;
  await d.certificates
    .connect(owner)
    .registerDevice(source, region, DEVICE_CAPACITY_W, commissionedAt, "ipfs://device");
  const deviceId = await d.certificates.deviceCount();
  await d.certificates.connect(d.registrar).approveDevice(deviceId);
  const periodStart = d.t0 - 2 * DAY;
  await d.certificates.connect(owner).issue(deviceId, periodStart, periodStart + HOUR, BATCH_WH);
  return { deviceId, batchId: await d.certificates.batchCount() };
}

/** The exchange with one open order of each kind (two energy offers) and one bid. */
export async function openBook(): Promise<Book> {
  const d = await deployExchange();
  const wind = await issueBatch(d, d.windSupplier, Source.Wind);
  const solar = await issueBatch(d, d.solarSupplier, Source.Solar);
  await d.market.connect(d.computeSupplier).postComputeOffer(computeOffer(d.t0));
  await d.market.connect(d.windSupplier).postEnergyOffer(energyOffer(d.t0, wind.batchId));
  await d.market
    .connect(d.solarSupplier)
    .postEnergyOffer(energyOffer(d.t0, solar.batchId, { reservePricePerKwh: 50_000n }));
  await d.market.connect(d.networkSupplier).postBandwidthOffer(bandwidthOffer(d.t0));
  await d.market.connect(d.buyer).postBid(bid(d.t0));
  return {
    ...d,
    windDeviceId: wind.deviceId,
    solarDeviceId: solar.deviceId,
    windBatchId: wind.batchId,
    solarBatchId: solar.batchId,
    computeOfferId: 1n,
    windOfferId: 1n,
    solarOfferId: 2n,
    bandwidthOfferId: 1n,
    bidId: 1n,
  };
}

/**
 * The standard orders posted again on `b` as of now (for tests that first let days pass): one
 * order of each kind from the same parties, with the ids the returned book names.
 */
export async function postBookAgain(b: Book): Promise<Book> {
  const now = await time.latest();
  await b.market.connect(b.computeSupplier).postComputeOffer(computeOffer(now));
  await b.market.connect(b.windSupplier).postEnergyOffer(energyOffer(now, b.windBatchId));
  await b.market
    .connect(b.solarSupplier)
    .postEnergyOffer(energyOffer(now, b.solarBatchId, { reservePricePerKwh: 50_000n }));
  await b.market.connect(b.networkSupplier).postBandwidthOffer(bandwidthOffer(now));
  await b.market.connect(b.buyer).postBid(bid(now));
  const energyOffers = await b.market.energyOfferCount();
  return {
    ...b,
    t0: now,
    computeOfferId: await b.market.computeOfferCount(),
    windOfferId: energyOffers - 1n,
    solarOfferId: energyOffers,
    bandwidthOfferId: await b.market.bandwidthOfferCount(),
    bidId: await b.market.bidCount(),
  };
}

/**
 * The standard bundle on the standard book: 100 VCU-hours (250 kWh at PUE 1.25) covered by 150 kWh
 * of wind and 100 kWh of solar, shipped over the link. Every payment sits above its reserve and the
 * total plus fee below the bid's limit.
 */
export function bundle(b: Book, overrides: Partial<Match> = {}): Match {
  return {
    bidId: b.bidId,
    computeOfferId: b.computeOfferId,
    vcuHours: 100n,
    computePayment: 180n * USD, // reserve 150
    energyLots: [
      { offerId: b.windOfferId, wh: 150_000n, payment: 7n * USD }, // reserve 6
      { offerId: b.solarOfferId, wh: 100_000n, payment: 6n * USD }, // reserve 5
    ],
    bandwidthOfferId: b.bandwidthOfferId,
    bandwidthPayment: 3n * USD, // reserve 50 Mbps × 4 h × 0.01 = 2
    ...overrides,
  };
}

/**
 * The standard bundle scaled to `vcuHours` of the standard bid (at least 6, below which the fixed
 * bandwidth payment no longer fits the bid's limit): same energy mix and unit prices.
 */
export function partialBundle(b: Book, vcuHours: bigint, overrides: Partial<Match> = {}): Match {
  return bundle(b, {
    vcuHours,
    computePayment: 1_800_000n * vcuHours,
    energyLots: [
      { offerId: b.windOfferId, wh: 1_500n * vcuHours, payment: 70_000n * vcuHours },
      { offerId: b.solarOfferId, wh: 1_000n * vcuHours, payment: 60_000n * vcuHours },
    ],
    ...overrides,
  });
}

/** Escrow the standard bid holds: 100 VCU-hours × 2.50. */
export const BID_ESCROW = 250n * USD;
/** Payments of the standard bundle at full delivery, and its fee at 1 %. */
export const BUNDLE_PAYMENTS = 196n * USD;
export const BUNDLE_FEE = 1_960_000n;

/** Moves the chain to `timestamp` if it is still ahead. */
export async function advanceTo(timestamp: number | bigint): Promise<void> {
  if ((await time.latest()) < Number(timestamp)) await time.increaseTo(Number(timestamp));
}

/** A random-looking but deterministic metering hash for reports. */
export function meteringHash(label: string): string {
  return ethers.id(`metering:${label}`);
}
