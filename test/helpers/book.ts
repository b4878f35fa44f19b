// Order builders with sensible defaults and the standard order book most tests trade on: GPU
// compute in Gansu (north-west grid), a buyer in the Yangtze River Delta, forward wind Wh from a Gansu
// device and solar Wh from a Ningxia device (same grid area) for the job's four hours, a link between
// the two regions. Every time is on the hour (docs/market-rules.md, "Hours").
import type { IMarket } from "../../types/ethers-contracts/Market.ts";
import { ethers, time } from "./connection.ts";
import { type Deployed, deployExchange, HardwareClass, Origin, Region, Source, USD } from "./deploy.ts";

export const HOUR = 3600;
export const DAY = 24 * HOUR;
/** Hours of the standard job. */
export const JOB_HOURS = 4;

export type ComputeOfferParams = IMarket.ComputeOfferParamsStruct;
export type EnergyOfferParams = IMarket.EnergyOfferParamsStruct;
export type BandwidthOfferParams = IMarket.BandwidthOfferParamsStruct;
export type BidParams = IMarket.BidParamsStruct;

import type { EnergyLot, Match } from "../../protocol/orders.ts";

export type { EnergyLot, Match } from "../../protocol/orders.ts";

/** Bitmask of acceptable compute regions: bit r set ⇔ region r accepted. */
export function regions(...codes: number[]): bigint {
  return codes.reduce((mask, code) => mask | (1n << BigInt(code)), 0n);
}

/** The first hour at least a day after `t0`. */
export function jobStartAfter(t0: number): number {
  return Math.ceil((t0 + DAY) / HOUR) * HOUR;
}

/** The standard job's hours: four hours starting on the hour a day after `t0`. */
export function defaultWindow(t0: number) {
  const windowStart = jobStartAfter(t0);
  return { windowStart, windowEnd: windowStart + JOB_HOURS * HOUR };
}

/** Hour starts of the standard job. */
export function jobHours(t0: number): number[] {
  const { windowStart } = defaultWindow(t0);
  return Array.from({ length: JOB_HOURS }, (_, i) => windowStart + i * HOUR);
}

export function computeOffer(t0: number, overrides: Partial<ComputeOfferParams> = {}): ComputeOfferParams {
  const { windowStart, windowEnd } = defaultWindow(t0);
  return {
    hardwareClass: HardwareClass.GpuInference,
    region: Region.Gansu,
    windowStart: windowStart - HOUR,
    windowEnd: windowEnd + HOUR,
    vcu: 100n, // units in every hour
    reservePricePerVcuHour: 1_500_000n, // 1.50 per VCU-hour
    whPerVcuHour: 2_000n,
    pueMilli: 1_250n,
    expiry: windowStart,
    ...overrides,
  };
}

/** Wh each standard energy offer names in each job hour: 200 kWh of a 10 MW device. */
export const OFFER_WH_PER_HOUR = 200_000n;
export const DEVICE_CAPACITY_W = 10_000_000n;

export function energyOffer(
  t0: number,
  deviceId: bigint,
  overrides: Partial<EnergyOfferParams> = {},
): EnergyOfferParams {
  const { windowStart } = defaultWindow(t0);
  return {
    deviceId,
    firstHour: windowStart,
    whPerHour: Array.from({ length: JOB_HOURS }, () => OFFER_WH_PER_HOUR),
    reservePricePerKwh: 40_000n, // 0.04 per kWh
    expiry: windowStart,
    ...overrides,
  };
}

export function bandwidthOffer(t0: number, overrides: Partial<BandwidthOfferParams> = {}): BandwidthOfferParams {
  const { windowStart, windowEnd } = defaultWindow(t0);
  return {
    fromRegion: Region.Gansu,
    toRegion: Region.YangtzeDelta,
    mbps: 1_000n,
    latencyMs: 30n,
    windowStart: windowStart - HOUR,
    windowEnd: windowEnd + HOUR,
    reservePricePerMbpsHour: 10_000n, // 0.01 per Mbps-hour
    expiry: windowStart,
    ...overrides,
  };
}

/** The standard bid: a fixed job of 25 VCU for the four job hours (100 VCU-hours). */
export function bid(t0: number, overrides: Partial<BidParams> = {}): BidParams {
  const { windowStart, windowEnd } = defaultWindow(t0);
  return {
    hardwareClass: HardwareClass.GpuInference,
    acceptableRegions: regions(Region.Gansu, Region.YangtzeDelta),
    buyerRegion: Region.YangtzeDelta,
    earliestStart: windowStart,
    latestEnd: windowEnd,
    durationHours: JOB_HOURS,
    vcu: 25n,
    limitPricePerVcuHour: 2_500_000n, // 2.50 all-in
    minGreenBps: 5_000n,
    certificateOrigin: Origin.GridArea,
    bandwidthMbps: 50n,
    maxLatencyMs: 40n,
    expiry: windowStart,
    ...overrides,
  };
}

export type Book = Deployed & {
  windDeviceId: bigint;
  solarDeviceId: bigint;
  computeOfferId: bigint;
  windOfferId: bigint;
  solarOfferId: bigint;
  bandwidthOfferId: bigint;
  bidId: bigint;
  /** Start of the standard job's first hour. */
  start: number;
};

/** Registers and approves a 10 MW device of `owner`, commissioned a month before `t0`. */
export async function registerDevice(
  d: Deployed,
  owner: Deployed["windSupplier"],
  source: number,
  region: number = Region.Gansu,
): Promise<bigint> {
  await d.certificates
    .connect(owner)
    .registerDevice(source, region, DEVICE_CAPACITY_W, d.t0 - 30 * DAY, "ipfs://device");
  const deviceId = await d.certificates.deviceCount();
  await d.certificates.connect(d.registrar).approveDevice(deviceId);
  return deviceId;
}

/** The device-hour certificate id (protocol/hours.ts certificateId). */
export function certificateId(deviceId: bigint, hourStart: number): bigint {
  return (deviceId << 32n) | BigInt(hourStart / HOUR);
}

/** The exchange with one open order of each kind (two energy offers) and one bid. */
export async function openBook(): Promise<Book> {
  const d = await deployExchange();
  const windDeviceId = await registerDevice(d, d.windSupplier, Source.Wind, Region.Gansu);
  const solarDeviceId = await registerDevice(d, d.solarSupplier, Source.Solar, Region.Ningxia);
  await d.market.connect(d.computeSupplier).postComputeOffer(computeOffer(d.t0));
  await d.market.connect(d.windSupplier).postEnergyOffer(energyOffer(d.t0, windDeviceId));
  await d.market
    .connect(d.solarSupplier)
    .postEnergyOffer(energyOffer(d.t0, solarDeviceId, { reservePricePerKwh: 50_000n }));
  await d.market.connect(d.networkSupplier).postBandwidthOffer(bandwidthOffer(d.t0));
  await d.market.connect(d.buyer).postBid(bid(d.t0));
  return {
    ...d,
    windDeviceId,
    solarDeviceId,
    computeOfferId: 1n,
    windOfferId: 1n,
    solarOfferId: 2n,
    bandwidthOfferId: 1n,
    bidId: 1n,
    start: defaultWindow(d.t0).windowStart,
  };
}

/**
 * The standard orders posted again on `b` as of now (for tests that first let days pass): one
 * order of each kind from the same parties, with the ids the returned book names.
 */
export async function postBookAgain(b: Book): Promise<Book> {
  const now = await time.latest();
  await b.market.connect(b.computeSupplier).postComputeOffer(computeOffer(now));
  await b.market.connect(b.windSupplier).postEnergyOffer(energyOffer(now, b.windDeviceId));
  await b.market
    .connect(b.solarSupplier)
    .postEnergyOffer(energyOffer(now, b.solarDeviceId, { reservePricePerKwh: 50_000n }));
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
    start: defaultWindow(now).windowStart,
  };
}

/** Wind and solar Wh of each job hour in the standard bundle. */
export const WIND_LOT_WH = 37_500n;
export const SOLAR_LOT_WH = 25_000n;

/** Lots of `wh` (paid `payment` each) from `offerId` in each of `hours`. */
export function lots(offerId: bigint, hours: number[], wh: bigint, payment: bigint): EnergyLot[] {
  return hours.map((hour) => ({ offerId, hour, wh, payment }));
}

/**
 * The standard bundle on the standard book: 25 VCU for the four job hours (100 VCU-hours, 62.5 kWh
 * per hour at PUE 1.25), each hour covered by 37.5 kWh of wind and 25 kWh of solar, shipped over the
 * link. Every payment sits above its reserve and the total plus fee below the bid's limit.
 */
export function bundle(b: Book, overrides: Partial<Match> = {}): Match {
  const hours = jobHours(b.t0);
  return {
    bidId: b.bidId,
    computeOfferId: b.computeOfferId,
    start: b.start,
    vcu: 25n,
    computePayment: 180n * USD, // reserve 150
    energyLots: [
      ...lots(b.windOfferId, hours, WIND_LOT_WH, 1_750_000n), // reserve 1.50 per lot
      ...lots(b.solarOfferId, hours, SOLAR_LOT_WH, 1_500_000n), // reserve 1.25 per lot
    ],
    bandwidthOfferId: b.bandwidthOfferId,
    bandwidthPayment: 3n * USD, // reserve 50 Mbps × 4 h × 0.01 = 2
    ...overrides,
  };
}

/**
 * The standard bundle scaled to `vcu` of the standard bid's 25 (at least 2, below which the fixed
 * bandwidth payment no longer fits the bid's limit): same energy mix and unit prices.
 */
export function partialBundle(b: Book, vcu: bigint, overrides: Partial<Match> = {}): Match {
  const hours = jobHours(b.t0);
  return bundle(b, {
    vcu,
    computePayment: 7_200_000n * vcu,
    energyLots: [
      ...lots(b.windOfferId, hours, 1_500n * vcu, 70_000n * vcu),
      ...lots(b.solarOfferId, hours, 1_000n * vcu, 60_000n * vcu),
    ],
    ...overrides,
  });
}

/** Escrow the standard bid holds: 25 VCU × 4 h × 2.50. */
export const BID_ESCROW = 250n * USD;
/** Payments of the standard bundle at full delivery, and its fee at 1 %. */
export const BUNDLE_PAYMENTS = 196n * USD;
export const BUNDLE_FEE = 1_960_000n;

/**
 * The suppliers' certificates for `hours` of their devices, issued once those hours have ended: each
 * device issues `whPerHour` for every hour from the first through the last (hours it did not offer too).
 */
export async function issueHours(
  b: Book,
  owner: Deployed["windSupplier"],
  deviceId: bigint,
  firstHour: number,
  whPerHour: bigint[],
): Promise<void> {
  await advanceTo(firstHour + whPerHour.length * HOUR);
  await b.certificates.connect(owner).issue(deviceId, firstHour, whPerHour);
}

/** Both standard devices issue what they offered for the job's hours (200 kWh each hour). */
export async function issueJobHours(b: Book): Promise<void> {
  const whs = Array.from({ length: JOB_HOURS }, () => OFFER_WH_PER_HOUR);
  await issueHours(b, b.windSupplier, b.windDeviceId, b.start, whs);
  await issueHours(b, b.solarSupplier, b.solarDeviceId, b.start, whs);
}

/** Moves the chain to `timestamp` if it is still ahead. */
export async function advanceTo(timestamp: number | bigint): Promise<void> {
  if ((await time.latest()) < Number(timestamp)) await time.increaseTo(Number(timestamp));
}

/** A random-looking but deterministic metering root for reports. */
export function meteringRoot(label: string): string {
  return ethers.id(`metering:${label}`);
}
