// Trades driven through the real contracts, with order parameters that satisfy every limit the
// market checks (GPU compute in the northwest, a buyer in the east, wind and solar certificates).
import type { Address } from "viem";
import type { Exchange } from "./chain.ts";

export const HOUR = 3600;
export const DAY = 24 * HOUR;
export const USD = 1_000_000n;
export const Region = { North: 1, East: 2, Northwest: 4 } as const;
export const Source = { Solar: 0, Wind: 1 } as const;
export const GPU_INFERENCE = 2;

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

export function window(t0: number) {
  const windowStart = t0 + DAY;
  return { windowStart, windowEnd: windowStart + 4 * HOUR };
}

export function computeOffer(t0: number, o: Record<string, unknown> = {}) {
  const w = window(t0);
  return {
    hardwareClass: GPU_INFERENCE,
    region: Region.Northwest,
    windowStart: w.windowStart - HOUR,
    windowEnd: w.windowEnd + HOUR,
    vcuHours: 1_000n,
    reservePricePerVcuHour: 1_500_000n,
    whPerVcuHour: 2_000,
    pueMilli: 1_250,
    expiry: w.windowStart,
    ...o,
  };
}

export function energyOffer(t0: number, batchId: bigint, o: Record<string, unknown> = {}) {
  return { batchId, wh: 1_000_000n, reservePricePerKwh: 40_000n, expiry: window(t0).windowStart, ...o };
}

export function bandwidthOffer(t0: number, o: Record<string, unknown> = {}) {
  const w = window(t0);
  return {
    fromRegion: Region.Northwest,
    toRegion: Region.East,
    mbps: 1_000,
    latencyMs: 30,
    windowStart: w.windowStart - HOUR,
    windowEnd: w.windowEnd + HOUR,
    reservePricePerMbpsHour: 10_000n,
    expiry: w.windowStart,
    ...o,
  };
}

export function bid(t0: number, o: Record<string, unknown> = {}) {
  const w = window(t0);
  return {
    hardwareClass: GPU_INFERENCE,
    acceptableRegions: regions(Region.Northwest, Region.East),
    buyerRegion: Region.East,
    windowStart: w.windowStart,
    windowEnd: w.windowEnd,
    vcuHours: 100n,
    limitPricePerVcuHour: 2_500_000n,
    minGreenBps: 5_000,
    bandwidthMbps: 50,
    maxLatencyMs: 40,
    expiry: w.windowStart,
    ...o,
  };
}

/** Registers and approves a 10 MW device of `owner` and issues `wh` for one hour two days ago. */
export async function issueBatch(x: Exchange, owner: Address, source: number, t0: number, wh = 5_000_000n) {
  const p = parties(x);
  const registered = await x.send(
    "GreenCertificates",
    "registerDevice",
    [source, Region.Northwest, 10_000_000n, t0 - 30 * DAY, "ipfs://device"],
    owner,
  );
  const deviceId = x.events(registered, "GreenCertificates", "DeviceRegistered")[0].deviceId as bigint;
  await x.send("GreenCertificates", "approveDevice", [deviceId], p.admin);
  const periodStart = t0 - 2 * DAY;
  const issued = await x.send("GreenCertificates", "issue", [deviceId, periodStart, periodStart + HOUR, wh], owner);
  const batchId = x.events(issued, "GreenCertificates", "CertificatesIssued")[0].batchId as bigint;
  return { deviceId, batchId };
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
  wind: { deviceId: bigint; batchId: bigint };
  solar: { deviceId: bigint; batchId: bigint };
  computeOfferId: bigint;
  windOfferId: bigint;
  solarOfferId: bigint;
  bandwidthOfferId: bigint;
  bidId: bigint;
};

const id = (x: Exchange, r: Parameters<Exchange["events"]>[0], event: string, field: string) =>
  x.events(r, "Market", event)[0][field] as bigint;

/** One open order of each kind (two energy offers) and one bid. */
export async function openBook(x: Exchange): Promise<Book> {
  const p = parties(x);
  const t0 = await x.now();
  const wind = await issueBatch(x, p.wind, Source.Wind, t0);
  const solar = await issueBatch(x, p.solar, Source.Solar, t0);
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
    await x.send("Market", "postEnergyOffer", [energyOffer(t0, wind.batchId)], p.wind),
    "EnergyOfferPosted",
    "offerId",
  );
  const solarOfferId = id(
    x,
    await x.send(
      "Market",
      "postEnergyOffer",
      [energyOffer(t0, solar.batchId, { reservePricePerKwh: 50_000n })],
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
  return { t0, wind, solar, computeOfferId, windOfferId, solarOfferId, bandwidthOfferId, bidId };
}

/** 100 VCU-hours (250 kWh at PUE 1.25) covered by 150 kWh wind and 100 kWh solar, over the link. */
export function bundle(b: Book, o: Record<string, unknown> = {}) {
  return {
    bidId: b.bidId,
    computeOfferId: b.computeOfferId,
    vcuHours: 100n,
    computePayment: 180n * USD,
    energyLots: [
      { offerId: b.windOfferId, wh: 150_000n, payment: 7n * USD },
      { offerId: b.solarOfferId, wh: 100_000n, payment: 6n * USD },
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

/** Reports full delivery after the window and has the buyer confirm: the deal finalises. */
export async function deliver(x: Exchange, deal: { dealId: bigint; terms: any }, whConsumed?: bigint) {
  const p = parties(x);
  const now = await x.now();
  const end = Number(deal.terms.windowEnd);
  if (now < end) await x.increaseTime(end - now + 1);
  const report = {
    vcuDelivered: deal.terms.vcuHours,
    whConsumed: whConsumed ?? deal.terms.energyNeededWh,
    meteringHash: `0x${"ab".repeat(32)}` as const,
  };
  const reported = await x.send(
    "Market",
    "reportUsage",
    [deal.dealId, deal.terms, report],
    deal.terms.computeSupplier ?? p.compute,
  );
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
    vcuHours: 0n,
    computePayment: 0n,
    energyLots: [],
    bandwidthOfferId: 0n,
    bandwidthPayment: 0n,
  }));
  for (let i = 0; i < txs; i++) await x.send("Market", "settle", [matches], p.admin);
}
