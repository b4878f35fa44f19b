// A market's history as it would look after some weeks of trading, built on a local node through
// the real contracts, in whole hours: devices registered and approved, forward energy offers of the
// job hours, compute and bandwidth offers and bids posted, bundles settled into deals with energy
// lots per hour and a network link (a few matches skipped), the device-hours issued once they have
// ended, usage reported hour by hour (some flagged), confirmed, disputed and resolved or lapsed,
// finalised (certificates retired from their suppliers), a few no-shows cancelled, orders cancelled,
// certificates and credits retired and transferred, balances withdrawn. Market calls go in multicall batches so that 100k events
// take about half a minute. The benchmark (scripts/bench/indexer.ts) indexes it; a test that
// compares a faster indexing path with the current one should index it too.
import { type Abi, type Address, decodeEventLog, encodeFunctionData, type Hex } from "viem";
import * as abis from "../../../protocol/generated/abis.ts";
import { certificateId } from "../../../protocol/hours.ts";
import type { ContractName, Exchange } from "./chain.ts";
import {
  bandwidthOffer,
  bid,
  computeOffer,
  DAY,
  HOUR,
  JOB_HOURS,
  Region,
  regions,
  Source,
  USD,
  window,
} from "./market.ts";

const ABIS: Record<ContractName, Abi> = {
  Market: abis.marketAbi as Abi,
  GreenCertificates: abis.greenCertificatesAbi as Abi,
  CarbonCredits: abis.carbonCreditsAbi as Abi,
  SettlementToken: abis.localSettlementTokenAbi as Abi,
};

export type HistoryOptions = {
  /** Deals to open; the history has about 13 events per deal. */
  deals: number;
  /** Progress lines (the benchmark prints them, tests stay quiet). */
  log?: (line: string) => void;
};

export type HistoryCounts = Record<string, number>;

type Deal = { dealId: bigint; terms: any; buyer: Address; supplier: Address };

/** Each deal: 5 VCU in each of the job's four hours (20 VCU-hours, 12.5 kWh needed per hour). */
const VCU_PER_DEAL = 5n;
const VCU_HOURS_PER_DEAL = VCU_PER_DEAL * BigInt(JOB_HOURS);
/** Each deal buys this many Wh in each job hour, two hours from each of two energy offers. */
const LOT_WH = VCU_PER_DEAL * 2_500n;
/** Wh an energy offer names in each job hour; four offers fill a 10 MW device's hour. */
const OFFER_WH_PER_HOUR = 2_500_000n;
const OFFERS_PER_DEVICE = 4;
const MATCHES_PER_SETTLE = 40;
const CALLS_PER_MULTICALL = 60;
const HASH = `0x${"ab".repeat(32)}` as Hex;

/** Builds the history and returns how many events of each name the node emitted. */
export async function buildMarketHistory(x: Exchange, o: HistoryOptions): Promise<HistoryCounts> {
  const log = o.log ?? (() => undefined);
  const a = x.accounts;
  const admin = a[0];
  const buyers = [a[1], a[2], a[7], a[8], a[9], a[10], a[11], a[12]];
  const computeSuppliers = [a[3], a[13], a[14]];
  const energySuppliers = [
    { account: a[4], source: Source.Wind },
    { account: a[5], source: Source.Solar },
    { account: a[15], source: Source.Wind },
    { account: a[16], source: Source.Solar },
  ];
  const networks = [a[6], a[17]];
  const counts: HistoryCounts = {};
  const market = x.deployment.addresses.Market;

  const send = async (contract: ContractName, from: Address, functionName: string, args: unknown[]) => {
    const data = encodeFunctionData({ abi: ABIS[contract], functionName, args });
    const to = x.deployment.addresses[contract];
    const hash = await x.rpc("eth_sendTransaction", [{ from, to, data, gas: "0xe4e1c0" }]);
    const receipt = await x.rpc("eth_getTransactionReceipt", [hash]);
    if (receipt?.status !== "0x1") throw new Error(`history: ${contract}.${functionName} from ${from} failed`);
    const events: { contract: ContractName; name: string; args: any }[] = [];
    for (const l of receipt.logs as { address: string; data: Hex; topics: [Hex] }[]) {
      const c = (Object.keys(ABIS) as ContractName[]).find(
        (n) => x.deployment.addresses[n].toLowerCase() === l.address.toLowerCase(),
      )!;
      const e = decodeEventLog({ abi: ABIS[c], data: l.data, topics: l.topics }) as { eventName: string; args: any };
      counts[e.eventName] = (counts[e.eventName] ?? 0) + 1;
      events.push({ contract: c, name: e.eventName, args: e.args });
    }
    return events;
  };
  /** Market calls of one sender, in multicall batches; returns every event they emitted. */
  const multicall = async (from: Address, calls: { fn: string; args: unknown[] }[], per = CALLS_PER_MULTICALL) => {
    const out: Awaited<ReturnType<typeof send>> = [];
    for (let i = 0; i < calls.length; i += per) {
      const data = calls
        .slice(i, i + per)
        .map((c) => encodeFunctionData({ abi: ABIS.Market, functionName: c.fn, args: c.args }));
      out.push(...(await send("Market", from, "multicall", [data])));
    }
    return out;
  };
  const fund = async (account: Address, amount: bigint) => {
    const limit = 1_000_000n * USD;
    for (let left = amount; left > 0n; left -= limit)
      await send("SettlementToken", account, "faucet", [account, left < limit ? left : limit]);
    await send("SettlementToken", account, "approve", [market, 2n ** 256n - 1n]);
  };

  const t0 = await x.now();
  const w = window(t0);
  const jobHours = Array.from({ length: JOB_HOURS }, (_, i) => w.windowStart + i * HOUR);
  const dealsWanted = o.deals;
  // ── devices and forward energy offers of the job's hours ──
  const offersNeeded = Math.ceil(
    (dealsWanted * Number(LOT_WH) * JOB_HOURS * 1.3) / Number(OFFER_WH_PER_HOUR * BigInt(JOB_HOURS)),
  );
  const perSupplier = Math.ceil(offersNeeded / energySuppliers.length) + 1;
  const devicesPerSupplier = Math.max(5, Math.ceil(perSupplier / OFFERS_PER_DEVICE));
  const energyOffers: { id: bigint; supplier: Address; deviceId: bigint; whLeft: bigint[] }[] = [];
  const devicesOf = new Map<Address, bigint[]>();
  for (const s of energySuppliers) {
    await send("GreenCertificates", s.account, "setApprovalForAll", [market, true]);
    const devices: bigint[] = [];
    for (let d = 0; d < devicesPerSupplier; d++) {
      const [reg] = await send("GreenCertificates", s.account, "registerDevice", [
        s.source,
        d % 2 === 0 ? Region.Gansu : Region.Ningxia,
        10_000_000n,
        t0 - 90 * DAY,
        `ipfs://device/${s.account}/${d}`,
      ]);
      await send("GreenCertificates", admin, "approveDevice", [reg.args.deviceId]);
      devices.push(reg.args.deviceId);
    }
    devicesOf.set(s.account, devices);
    const offers = Array.from({ length: perSupplier }, (_, b) => ({
      fn: "postEnergyOffer",
      args: [
        {
          deviceId: devices[b % devices.length],
          firstHour: w.windowStart,
          whPerHour: jobHours.map(() => OFFER_WH_PER_HOUR),
          reservePricePerKwh: 40_000n + BigInt(b % 7) * 1_000n,
          expiry: w.windowStart,
        },
      ],
    }));
    for (const e of await multicall(s.account, offers))
      if (e.name === "EnergyOfferPosted")
        energyOffers.push({
          id: e.args.offerId,
          supplier: s.account,
          deviceId: e.args.deviceId,
          whLeft: jobHours.map(() => OFFER_WH_PER_HOUR),
        });
  }
  log(`  ${energySuppliers.length * devicesPerSupplier} devices, ${energyOffers.length} energy offers`);

  // ── compute and bandwidth offers, bids ──
  const computeOffers: { id: bigint; supplier: Address; left: bigint }[] = [];
  const vcuPerOffer = BigInt(Math.ceil((dealsWanted * 1.2) / computeSuppliers.length / 10) + 1) * VCU_PER_DEAL;
  for (const [i, s] of computeSuppliers.entries()) {
    const calls = Array.from({ length: 12 }, (_, j) => ({
      fn: "postComputeOffer",
      args: [
        computeOffer(t0, {
          vcu: j < 10 ? vcuPerOffer : 50n,
          reservePricePerVcuHour: BigInt(1_400_000 + ((i * 5 + j) % 6) * 20_000),
        }),
      ],
    }));
    for (const e of await multicall(s, calls))
      if (e.name === "ComputeOfferPosted")
        computeOffers.push({ id: e.args.offerId, supplier: s, left: BigInt(e.args.offer.vcu) });
  }
  const links: bigint[] = [];
  for (const n of networks) {
    const calls = Array.from({ length: 6 }, (_, j) => ({
      fn: "postBandwidthOffer",
      args: [bandwidthOffer(t0, { mbps: 4_000_000_000, reservePricePerMbpsHour: 9_000n + BigInt(j) * 100n })],
    }));
    for (const e of await multicall(n, calls)) if (e.name === "BandwidthOfferPosted") links.push(e.args.offerId);
  }
  // One bid per one to three deals; a tenth of the bids are never matched (cancelled or left open).
  const bids: { id: bigint; buyer: Address; left: bigint }[] = [];
  const bidsWanted = Math.ceil(dealsWanted / 2);
  for (const [bi, buyer] of buyers.entries()) {
    const mine = Math.ceil(bidsWanted / buyers.length);
    await fund(buyer, BigInt(mine) * 3n * VCU_HOURS_PER_DEAL * 2_600_000n);
    const calls = Array.from({ length: mine }, (_, j) => ({
      fn: "postBid",
      args: [
        bid(t0, {
          vcu: BigInt(1 + ((bi + j) % 3)) * VCU_PER_DEAL,
          limitPricePerVcuHour: BigInt(2_500_000 + ((bi * 3 + j) % 5) * 20_000),
          acceptableRegions: regions(Region.Gansu, Region.YangtzeDelta),
        }),
      ],
    }));
    for (const e of await multicall(buyer, calls))
      if (e.name === "BidPosted") bids.push({ id: e.args.bidId, buyer, left: BigInt(e.args.bid.vcu) });
  }
  log(`  ${computeOffers.length} compute, ${links.length} bandwidth offers, ${bids.length} bids`);

  // ── settlement: bundles of compute, four energy lots (two hours from each of two offers) and a
  // link; about 1 in 25 skipped ──
  const deals: Deal[] = [];
  let matchNo = 0;
  let pending: unknown[] = [];
  const flush = async () => {
    if (pending.length === 0) return;
    for (const e of await send("Market", admin, "settle", [pending]))
      if (e.name === "DealOpened")
        deals.push({
          dealId: e.args.dealId,
          terms: e.args.terms,
          buyer: e.args.buyer,
          supplier: e.args.terms.computeSupplier,
        });
    pending = [];
  };
  for (const b of bids) {
    if (deals.length + pending.length >= dealsWanted) break;
    if (b.id % 10n === 7n) continue; // left for cancellation
    while (b.left > 0n) {
      const n = matchNo++;
      const supplier = computeSuppliers[n % computeSuppliers.length];
      const room = computeOffers.filter((o) => o.supplier === supplier && o.left >= VCU_PER_DEAL);
      if (room.length === 0) throw new Error("history: compute offers ran out");
      const compute = room[n % room.length];
      const lotOffers = pickLots(energyOffers, n);
      const skip = n % 25 === 24;
      pending.push({
        bidId: b.id,
        computeOfferId: compute.id,
        start: w.windowStart,
        vcu: VCU_PER_DEAL,
        // A skipped match: compute priced below the offer's reserve (the matcher's book was stale).
        computePayment: skip ? 1n : VCU_HOURS_PER_DEAL * 1_800_000n,
        energyLots: jobHours.map((hour, h) => ({
          offerId: lotOffers[h < 2 ? 0 : 1].id,
          hour,
          wh: LOT_WH,
          payment: 1n * USD,
        })),
        bandwidthOfferId: links[n % links.length],
        bandwidthPayment: 2_500_000n,
      });
      if (!skip) {
        b.left -= VCU_PER_DEAL;
        compute.left -= VCU_PER_DEAL;
        for (let h = 0; h < JOB_HOURS; h++) lotOffers[h < 2 ? 0 : 1].whLeft[h] -= LOT_WH;
      }
      if (pending.length >= MATCHES_PER_SETTLE) await flush();
      if (deals.length + pending.length >= dealsWanted) break;
    }
  }
  await flush();
  log(`  ${deals.length} deals opened, ${counts.MatchSkipped ?? 0} matches skipped`);

  // ── cancellations: unmatched bids, a few offers ──
  for (const buyer of buyers) {
    const mine = bids.filter((b) => b.buyer === buyer && b.left > 0n && b.id % 10n === 7n);
    await multicall(
      buyer,
      mine.map((b) => ({ fn: "cancelBid", args: [b.id] })),
    );
  }
  // Each compute supplier withdraws its last offer, each energy supplier the rest of one batch.
  for (const s of computeSuppliers) {
    const last = computeOffers.filter((o) => o.supplier === s && o.left > 0n).at(-1);
    if (last) await multicall(s, [{ fn: "cancelComputeOffer", args: [last.id] }]);
  }
  for (const s of energySuppliers) {
    const last = energyOffers.filter((o) => o.supplier === s.account && o.whLeft.some((wh) => wh > 0n)).at(-1);
    if (last) await multicall(s.account, [{ fn: "cancelEnergyOffer", args: [last.id] }]);
  }
  await multicall(networks[1], [{ fn: "cancelBandwidthOffer", args: [links[links.length - 1]] }]);

  // ── delivery: after the job's hours the devices issue them (what they offered; a suspended device
  // below issues nothing more), suppliers report hour by hour (1 in 50 never does, 1 in 20 is flagged) ──
  await x.increaseTime(w.windowEnd - (await x.now()) + 60);
  for (const s of energySuppliers)
    for (const deviceId of devicesOf.get(s.account)!) {
      const offered = energyOffers.filter((e) => e.deviceId === deviceId).length;
      if (offered === 0) continue;
      await send("GreenCertificates", s.account, "issue", [
        deviceId,
        w.windowStart,
        jobHours.map(() => BigInt(offered) * OFFER_WH_PER_HOUR),
      ]);
    }
  const noShow = (d: Deal) => d.dealId % 50n === 13n;
  const flagged = (d: Deal) => d.dealId % 20n === 3n;
  const reports = new Map<bigint, { vcuPerHour: number[]; whPerHour: bigint[]; meteringRoot: Hex }>();
  for (const s of computeSuppliers) {
    const calls = deals
      .filter((d) => d.supplier.toLowerCase() === s.toLowerCase() && !noShow(d))
      .map((d) => {
        const vcu = Number(d.terms.vcu);
        // One deal in seven delivers 2 VCU less in its last hour; Wh follow the declared profile.
        const vcuPerHour = jobHours.map((_, h) => (d.dealId % 7n === 0n && h === JOB_HOURS - 1 ? vcu - 2 : vcu));
        const need = BigInt(d.terms.needPerHourWh);
        const report = {
          vcuPerHour,
          whPerHour: vcuPerHour.map((v, h) => {
            const expected = (need * BigInt(v)) / BigInt(vcu);
            return flagged(d) ? expected * 3n : expected + (h === 0 ? d.dealId % 100n : 0n);
          }),
          meteringRoot: HASH,
        };
        reports.set(d.dealId, report);
        return { fn: "reportUsage", args: [d.dealId, d.terms, report] };
      });
    await multicall(s, calls);
  }
  const reported = deals.filter((d) => reports.has(d.dealId));
  // Disputes within the challenge period: the buyer disputes 1 in 30, and every flagged report.
  const disputed = (d: Deal) => flagged(d) || d.dealId % 30n === 11n;
  const confirmed = (d: Deal) => !disputed(d) && d.dealId % 5n < 2n;
  for (const buyer of buyers) {
    const mine = reported.filter((d) => d.buyer.toLowerCase() === buyer.toLowerCase());
    await multicall(buyer, [
      ...mine.filter(disputed).map((d) => ({
        fn: "disputeUsage",
        args: [d.dealId, d.terms, reports.get(d.dealId), "metered energy disagrees"],
      })),
      ...mine.filter(confirmed).map((d) => ({ fn: "confirmUsage", args: [d.dealId, d.terms, reports.get(d.dealId)] })),
    ]);
  }
  // The arbiter rules on two disputes in three; the rest lapse.
  const ruled = reported.filter((d) => disputed(d) && d.dealId % 3n !== 0n);
  await multicall(
    admin,
    ruled.map((d) => ({
      fn: "resolveDispute",
      args: [d.dealId, d.terms, reports.get(d.dealId), Number(d.dealId % 4n) * 2_500],
    })),
  );
  const challenge = Number(deals[0]?.terms.challengePeriod ?? DAY);
  const arbitration = Number(await x.read("Market", "arbitrationPeriod"));
  await x.increaseTime(Math.max(challenge, arbitration) + 60);
  await multicall(admin, [
    ...reported
      .filter((d) => !disputed(d) && !confirmed(d))
      .map((d) => ({ fn: "finalize", args: [d.dealId, d.terms, reports.get(d.dealId)] })),
    ...reported
      .filter((d) => disputed(d) && d.dealId % 3n === 0n)
      .map((d) => ({ fn: "finalizeLapsedDispute", args: [d.dealId, d.terms, reports.get(d.dealId)] })),
    ...deals.filter(noShow).map((d) => ({ fn: "cancelNoShow", args: [d.dealId, d.terms] })),
  ]);
  log(`  ${counts.DealFinalized ?? 0} deals finalised, ${counts.DealCancelled ?? 0} cancelled`);

  // ── afterwards: voluntary retirements, credits traded and retired, balances withdrawn ──
  const holdings = energyOffers.slice(0, Math.max(4, Math.ceil(dealsWanted / 100)));
  for (const [i, h] of holdings.entries())
    await send("GreenCertificates", h.supplier, "retire", [
      certificateId(h.deviceId, jobHours[i % JOB_HOURS]),
      10_000n + BigInt(i),
      buyers[i % buyers.length],
      "scope 2, FY2025",
    ]);
  for (const [i, buyer] of buyers.entries()) {
    const balance = BigInt(await x.read("CarbonCredits", "balanceOf", [buyer]));
    if (balance < 10n) continue;
    await send("CarbonCredits", buyer, "transfer", [buyers[(i + 1) % buyers.length], balance / 4n]);
    for (let r = 0; r < Math.max(1, Math.ceil(dealsWanted / 800)); r++)
      await send("CarbonCredits", buyer, "retire", [balance / 20n + BigInt(r), buyer, `offset ${r}`]);
  }
  for (const account of [...buyers, ...computeSuppliers, ...energySuppliers.map((s) => s.account), ...networks])
    if (BigInt(await x.read("Market", "withdrawableOf", [account])) > 0n) await send("Market", account, "withdraw", []);
  // The registrar suspends a device (after its certificates were used: a suspended device's hours retire nothing).
  await send("GreenCertificates", admin, "suspendDevice", [1n]);
  if (BigInt(await x.read("Market", "accruedFees")) > 0n) await send("Market", admin, "withdrawFees", []);
  return counts;
}

/**
 * Two energy offers in ascending id order, the first with LOT_WH left in the first two job hours and
 * the second in the last two, rotating over suppliers.
 */
function pickLots<T extends { id: bigint; whLeft: bigint[] }>(offers: T[], n: number): [T, T] {
  const room = (o: T, hours: number[]) => hours.every((h) => o.whLeft[h] >= LOT_WH);
  const early = offers.filter((o) => room(o, [0, 1]));
  const late = offers.filter((o) => room(o, [2, 3]));
  if (early.length === 0 || late.length === 0) throw new Error("history: energy offers ran out");
  const first = early[n % early.length];
  const after = late.filter((o) => o.id > first.id);
  if (after.length > 0) return [first, after[n % after.length]];
  // No later offer has room in the last hours: take the earliest offer with room in all four.
  const both = offers.filter((o) => room(o, [0, 1, 2, 3]));
  if (both.length < 2) throw new Error("history: energy offers ran out");
  return [both[0], both[1]];
}
