// Trades driven through the real contracts in whole hours (docs/market-rules.md, "Hours"): GPU
// compute in Gansu, a buyer in the Yangtze River Delta, forward wind Wh of a Gansu device and solar Wh
// of a Ningxia device (the same north-west grid area) for the job's hours, a link between the regions.
// Every time is on the hour; the certificates of a job's hours are issued once those hours have ended.
import type { Address } from "viem";
import type { Exchange } from "./chain.ts";

export const HOUR = 3600;
export const DAY = 24 * HOUR;
export const USD = 1_000_000n;
export const Region = { YangtzeDelta: 2, Gansu: 7, Ningxia: 8 } as const;
export const Source = { Solar: 0, Wind: 1 } as const;
export const Origin = { ComputeRegion: 0, GridArea: 1, Anywhere: 2 } as const;
export const GPU_INFERENCE = 2;
/** Hours of the standard job. */
export const JOB_HOURS = 4;
/** Wh each standard energy offer names in each of the job's hours. */
export const OFFER_WH_PER_HOUR = 200_000n;

export const regions = (...codes: number[]) => codes.reduce((m, c) => m | (1n << BigInt(c)), 0n);

export type Parties = {
  admin: Address;
  buyer: Address;
  otherBuyer: Address;
  compute: Address;
  wind: Address;
  solar: Address;
  network: Address;
};

export function parties(x: Exchange): Parties {
  const [admin, buyer, otherBuyer, compute, wind, solar, network] = x.accounts;
  return { admin, buyer, otherBuyer, compute, wind, solar, network };
}

/** The standard job's hours: four hours from the first hour at least a day after `t0`. */
export function window(t0: number) {
  const windowStart = Math.ceil((t0 + DAY) / HOUR) * HOUR;
  return { windowStart, windowEnd: windowStart + JOB_HOURS * HOUR };
}

export function computeOffer(t0: number, o: Record<string, unknown> = {}) {
  const w = window(t0);
  return {
    hardwareClass: GPU_INFERENCE,
    region: Region.Gansu,
    windowStart: w.windowStart - HOUR,
    windowEnd: w.windowEnd + HOUR,
    vcu: 100n,
    reservePricePerVcuHour: 1_500_000n,
    whPerVcuHour: 2_000,
    pueMilli: 1_250,
    expiry: w.windowStart,
    ...o,
  };
}

/** Forward Wh of the job's hours of one device (OFFER_WH_PER_HOUR in each). */
export function energyOffer(t0: number, deviceId: bigint, o: Record<string, unknown> = {}) {
  const w = window(t0);
  return {
    deviceId,
    firstHour: w.windowStart,
    whPerHour: Array.from({ length: JOB_HOURS }, () => OFFER_WH_PER_HOUR),
    reservePricePerKwh: 40_000n,
    expiry: w.windowStart,
    ...o,
  };
}

export function bandwidthOffer(t0: number, o: Record<string, unknown> = {}) {
  const w = window(t0);
  return {
    fromRegion: Region.Gansu,
    toRegion: Region.YangtzeDelta,
    mbps: 1_000,
    latencyMs: 30,
    windowStart: w.windowStart - HOUR,
    windowEnd: w.windowEnd + HOUR,
    reservePricePerMbpsHour: 10_000n,
    expiry: w.windowStart,
    ...o,
  };
}

/** A fixed job of 25 VCU for the four job hours (100 VCU-hours). */
export function bid(t0: number, o: Record<string, unknown> = {}) {
  const w = window(t0);
  return {
    hardwareClass: GPU_INFERENCE,
    acceptableRegions: regions(Region.Gansu, Region.YangtzeDelta),
    buyerRegion: Region.YangtzeDelta,
    earliestStart: w.windowStart,
    latestEnd: w.windowEnd,
    durationHours: JOB_HOURS,
    vcu: 25n,
    limitPricePerVcuHour: 2_500_000n,
    minGreenBps: 5_000,
    certificateOrigin: Origin.GridArea,
    bandwidthMbps: 50,
    maxLatencyMs: 40,
    expiry: w.windowStart,
    ...o,
  };
}

/** Registers and approves a 10 MW device of `owner`, commissioned a month before `t0`. */
export async function registerDevice(x: Exchange, owner: Address, source: number, region: number, t0: number) {
  const registered = await x.send(
    "GreenCertificates",
    "registerDevice",
    [source, region, 10_000_000n, t0 - 30 * DAY, "ipfs://device"],
    owner,
  );
  const deviceId = x.events(registered, "GreenCertificates", "DeviceRegistered")[0].deviceId as bigint;
  await x.send("GreenCertificates", "approveDevice", [deviceId], parties(x).admin);
  return deviceId;
}

/** Issues consecutive hours of a device to its owner (the hours must have ended); returns the issue id. */
export async function issueHours(
  x: Exchange,
  owner: Address,
  deviceId: bigint,
  firstHour: number,
  whPerHour: bigint[],
) {
  const issued = await x.send("GreenCertificates", "issue", [deviceId, firstHour, whPerHour], owner);
  return x.events(issued, "GreenCertificates", "CertificatesIssued")[0].issueId as bigint;
}

export async function fund(x: Exchange, buyer: Address, amount: bigint) {
  const limit = await x.read<bigint>("SettlementToken", "FAUCET_LIMIT");
  for (let left = amount; left > 0n; left -= limit) {
    await x.send("SettlementToken", "faucet", [buyer, left < limit ? left : limit], buyer);
  }
  await x.send("SettlementToken", "approve", [x.deployment.addresses.Market, 2n ** 256n - 1n], buyer);
}

export type Book = {
  t0: number;
  /** The standard job's first hour. */
  start: number;
  windDeviceId: bigint;
  solarDeviceId: bigint;
  computeOfferId: bigint;
  windOfferId: bigint;
  solarOfferId: bigint;
  bandwidthOfferId: bigint;
  bidId: bigint;
};

const id = (x: Exchange, r: Parameters<Exchange["events"]>[0], event: string, field: string) =>
  x.events(r, "Market", event)[0][field] as bigint;

/** One open order of each kind (two forward energy offers) and one bid. */
export async function openBook(x: Exchange): Promise<Book> {
  const p = parties(x);
  const t0 = await x.now();
  const windDeviceId = await registerDevice(x, p.wind, Source.Wind, Region.Gansu, t0);
  const solarDeviceId = await registerDevice(x, p.solar, Source.Solar, Region.Ningxia, t0);
  for (const s of [p.wind, p.solar])
    await x.send("GreenCertificates", "setApprovalForAll", [x.deployment.addresses.Market, true], s);
  await fund(x, p.buyer, 10_000n * USD);
  await fund(x, p.otherBuyer, 10_000n * USD);
  const computeOfferId = id(
    x,
    await x.send("Market", "postComputeOffer", [computeOffer(t0)], p.compute),
    "ComputeOfferPosted",
    "offerId",
  );
  const windOfferId = id(
    x,
    await x.send("Market", "postEnergyOffer", [energyOffer(t0, windDeviceId)], p.wind),
    "EnergyOfferPosted",
    "offerId",
  );
  const solarOfferId = id(
    x,
    await x.send(
      "Market",
      "postEnergyOffer",
      [energyOffer(t0, solarDeviceId, { reservePricePerKwh: 50_000n })],
      p.solar,
    ),
    "EnergyOfferPosted",
    "offerId",
  );
  const bandwidthOfferId = id(
    x,
    await x.send("Market", "postBandwidthOffer", [bandwidthOffer(t0)], p.network),
    "BandwidthOfferPosted",
    "offerId",
  );
  const bidId = id(x, await x.send("Market", "postBid", [bid(t0)], p.buyer), "BidPosted", "bidId");
  return {
    t0,
    start: window(t0).windowStart,
    windDeviceId,
    solarDeviceId,
    computeOfferId,
    windOfferId,
    solarOfferId,
    bandwidthOfferId,
    bidId,
  };
}

/**
 * The standard job (25 VCU × 4 h, 62.5 kWh needed per hour at PUE 1.25) with 150 kWh of green Wh:
 * wind 50 kWh in each of the first two hours, solar 30 and 20 kWh in the last two, over the link.
 */
export function bundle(b: Book, o: Record<string, unknown> = {}) {
  return {
    bidId: b.bidId,
    computeOfferId: b.computeOfferId,
    start: b.start,
    vcu: 25n,
    computePayment: 180n * USD,
    energyLots: [
      { offerId: b.windOfferId, hour: b.start, wh: 50_000n, payment: 3n * USD },
      { offerId: b.windOfferId, hour: b.start + HOUR, wh: 50_000n, payment: 3n * USD },
      { offerId: b.solarOfferId, hour: b.start + 2 * HOUR, wh: 30_000n, payment: 2n * USD },
      { offerId: b.solarOfferId, hour: b.start + 3 * HOUR, wh: 20_000n, payment: 2n * USD },
    ],
    bandwidthOfferId: b.bandwidthOfferId,
    bandwidthPayment: 3n * USD,
    ...o,
  };
}

export async function settle(x: Exchange, matches: unknown[]) {
  const receipt = await x.send("Market", "settle", [matches], parties(x).admin);
  return {
    receipt,
    deals: x.events(receipt, "Market", "DealOpened") as { dealId: bigint; terms: any }[],
    skipped: x.events(receipt, "Market", "MatchSkipped"),
  };
}

/** The end of a deal's job (unix seconds). */
export const jobEnd = (terms: any) => Number(terms.start) + Number(terms.durationHours) * HOUR;

/** Moves the chain past a deal's job. */
export async function passJob(x: Exchange, terms: any) {
  const now = await x.now();
  const end = jobEnd(terms);
  if (now < end) await x.increaseTime(end - now + 1);
}

/**
 * Issues to each lot's supplier the device-hours the lots sold (`whOf(lot)`, default the lot's Wh)
 * that the device has not issued yet. Call once the job's hours have ended.
 */
export async function issueLotHours(x: Exchange, terms: any, whOf: (lot: any) => bigint = (l) => l.wh) {
  const byDevice = new Map<bigint, { owner: Address; hours: Map<number, bigint> }>();
  for (const lot of terms.energyLots) {
    const d = byDevice.get(lot.deviceId) ?? { owner: lot.supplier, hours: new Map() };
    d.hours.set(Number(lot.hour), (d.hours.get(Number(lot.hour)) ?? 0n) + whOf(lot));
    byDevice.set(lot.deviceId, d);
  }
  for (const [deviceId, d] of byDevice) {
    const device = await x.read<{ issuedUntil: number }>("GreenCertificates", "deviceOf", [deviceId]);
    const hours = [...d.hours.keys()].filter((h) => h >= Number(device.issuedUntil)).sort((a, b) => a - b);
    if (hours.length === 0) continue;
    const first = hours[0];
    const wh = Array.from(
      { length: (hours.at(-1)! - first) / HOUR + 1 },
      (_, i) => d.hours.get(first + i * HOUR) ?? 0n,
    );
    await issueHours(x, d.owner, deviceId, first, wh);
  }
}

/** A report of the full job: every hour's VCU, and `whPerHour` (default the need of each hour). */
export function fullReport(terms: any, whPerHour?: bigint[]) {
  const hours = Number(terms.durationHours);
  return {
    vcuPerHour: Array.from({ length: hours }, () => Number(terms.vcu)),
    whPerHour: whPerHour ?? Array.from({ length: hours }, () => BigInt(terms.needPerHourWh)),
    meteringRoot: `0x${"ab".repeat(32)}` as const,
  };
}

/**
 * After the job: issues the lots' device-hours, reports `report` (default full delivery at the
 * declared need) and has the buyer confirm: the deal finalises.
 */
export async function deliver(x: Exchange, deal: { dealId: bigint; terms: any }, report = fullReport(deal.terms)) {
  await passJob(x, deal.terms);
  await issueLotHours(x, deal.terms);
  const reported = await x.send("Market", "reportUsage", [deal.dealId, deal.terms, report], deal.terms.computeSupplier);
  const confirmed = await x.send("Market", "confirmUsage", [deal.dealId, deal.terms, report], deal.terms.buyer);
  return { report, reported, confirmed, outcome: x.events(confirmed, "Market", "DealFinalized")[0].outcome };
}

/**
 * Cheap history: `txs` settlements of `perTx` zero-quantity matches, each skipped with its own
 * MatchSkipped event (real events of the market, a few thousand gas each).
 */
export async function skippedHistory(x: Exchange, txs: number, perTx: number) {
  const p = parties(x);
  const matches = Array.from({ length: perTx }, (_, i) => ({
    bidId: BigInt(i + 1),
    computeOfferId: 1n,
    start: 0,
    vcu: 0n,
    computePayment: 0n,
    energyLots: [],
    bandwidthOfferId: 0n,
    bandwidthPayment: 0n,
  }));
  for (let i = 0; i < txs; i++) await x.send("Market", "settle", [matches], p.admin);
}
