// The compute supplier's batched reports against a real market on a private node: the due deals'
// reports go out in one multicall transaction, a report that would revert is dry-run, left out and
// named with the market's error instead of sinking the batch, and can be sent again once corrected.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import { decodeFunctionData, encodeFunctionData, type Hex, parseEventLogs, type TransactionReceipt } from "viem";

import { createChainClients } from "../../../backend/chain/create-clients.ts";
import { DealLedger, type OpenDeal } from "../../../backend/keeper/deal-ledger.ts";
import { type DueReport, sendUsageReports } from "../../../backend/metering/send-usage-reports.ts";
import { marketAbi } from "../../../protocol/generated/abis.ts";
import { DEAL_STATUSES } from "../../../protocol/orders.ts";
import {
  type Deployment,
  deploy,
  Exchange,
  Hardware,
  HOUR,
  type Node,
  Origin,
  Region,
  regions,
  startNode,
} from "../matcher/helpers/exchange.ts";

const DEALS = 4;
const VCU = 10n;
const RESERVE = 1_000_000n;
const ROOT = `0x${"ab".repeat(32)}` as const;

let node: Node;
let dir: string;
let d: Deployment;
let x: Exchange;
let deals: OpenDeal[];
let publicClient: ReturnType<typeof createChainClients>["publicClient"];

async function status(dealId: bigint): Promise<string> {
  const deal = await x.client.readContract({
    address: d.market,
    abi: marketAbi,
    functionName: "dealOf",
    args: [dealId],
  });
  return DEAL_STATUSES[deal.status];
}

/** Sends the encoded calls from the compute supplier as the demo's sites do: one multicall, or the call alone. */
async function send(calls: readonly Hex[]) {
  if (calls.length === 1) {
    const { functionName, args } = decodeFunctionData({ abi: marketAbi, data: calls[0] });
    return x.send(d.market, marketAbi, functionName, args ?? [], x.compute);
  }
  return x.send(d.market, marketAbi, "multicall", [calls], x.compute);
}

function goodReport(deal: OpenDeal): DueReport {
  return {
    dealId: deal.dealId,
    terms: deal.terms,
    report: { vcuPerHour: [Number(VCU)], whPerHour: [3_600n], meteringRoot: ROOT },
  };
}

describe("sending usage reports", () => {
  before(async () => {
    node = await startNode();
    dir = await mkdtemp(path.join(tmpdir(), "ccex-reports-"));
    d = await deploy(node, dir, { challengePeriod: 600, reportGracePeriod: 900, arbitrationPeriod: 1_800 });
    x = await new Exchange(node.url, d).init();

    // One-hour jobs in the next hour but one, all on one compute offer, without energy lots.
    const windowStart = Math.ceil(((await x.now()) + HOUR) / HOUR) * HOUR;
    const offer = await x.postComputeOffer(x.compute, {
      hardwareClass: Hardware.CpuGeneral,
      region: Region.BeijingTianjinHebei,
      windowStart,
      windowEnd: windowStart + HOUR,
      vcu: Number(VCU) * DEALS,
      reservePricePerVcuHour: RESERVE,
      whPerVcuHour: 300,
      pueMilli: 1_200,
      expiry: windowStart,
    });
    const matches = [];
    for (let i = 0; i < DEALS; i++) {
      const bidId = await x.postBid(x.buyer, {
        hardwareClass: Hardware.CpuGeneral,
        acceptableRegions: regions(Region.BeijingTianjinHebei),
        buyerRegion: Region.BeijingTianjinHebei,
        earliestStart: windowStart,
        latestEnd: windowStart + HOUR,
        durationHours: 1,
        vcu: Number(VCU),
        limitPricePerVcuHour: (RESERVE * 12n) / 10n,
        minGreenBps: 0,
        certificateOrigin: Origin.GridArea,
        bandwidthMbps: 0,
        maxLatencyMs: 100,
        expiry: windowStart,
      });
      matches.push({
        bidId,
        computeOfferId: offer,
        start: windowStart,
        vcu: VCU,
        computePayment: RESERVE * VCU,
        energyLots: [],
        bandwidthOfferId: 0n,
        bandwidthPayment: 0n,
      });
    }
    await x.send(d.market, marketAbi, "settle", [matches], x.admin);
    ({ publicClient } = createChainClients({ chainId: d.chainId, rpcUrl: node.url, pollingIntervalMs: 50 }));
    const ledger = new DealLedger({ client: publicClient, market: d.market, startBlock: d.startBlock });
    await ledger.sync();
    deals = ledger.open();
    assert.equal(deals.length, DEALS);
    // The hour ends: every deal's report is due.
    await x.rpc("evm_setNextBlockTimestamp", [windowStart + HOUR]);
    await x.mine();
  });

  after(async () => {
    await node?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it("names every deal of a batch that was mined but reverted, none counted as reported", async () => {
    const fresh = deals.slice(0, 2);
    assert.equal(fresh.length, 2);
    for (const deal of fresh) assert.equal(await status(deal.dealId), "Active");
    const result = await sendUsageReports({
      client: publicClient,
      market: d.market,
      supplier: x.compute,
      reports: fresh.map(goodReport),
      // The dry runs pass; the batch is then mined as reverted (as out of gas would leave it), so the
      // deals stay Active for the tests after this one.
      send: async () => ({ status: "reverted", transactionHash: `0x${"ab".repeat(32)}` }) as TransactionReceipt,
    });
    assert.deepEqual(result.reported, []);
    assert.deepEqual(
      result.refused,
      fresh.map((deal) => ({ dealId: deal.dealId, reason: `batch 0x${"ab".repeat(32)} reverted` })),
    );
    for (const deal of fresh) assert.equal(await status(deal.dealId), "Active");
  });

  it("reports the due deals in one transaction and leaves out, named, the one report that would revert", async () => {
    const [first, second, bad, fourth] = deals;
    // Two hours of Wh for a one-hour job: the market refuses it, and would refuse the whole multicall.
    const wrong: DueReport = { ...goodReport(bad), report: { ...goodReport(bad).report, whPerHour: [1_800n, 1_800n] } };
    const all = await x.client
      .estimateGas({
        account: x.compute,
        to: d.market,
        data: encodeFunctionData({
          abi: marketAbi,
          functionName: "multicall",
          args: [
            [first, second]
              .map((deal) =>
                encodeFunctionData({
                  abi: marketAbi,
                  functionName: "reportUsage",
                  args: [deal.dealId, deal.terms, goodReport(deal).report],
                }),
              )
              .concat(
                encodeFunctionData({
                  abi: marketAbi,
                  functionName: "reportUsage",
                  args: [bad.dealId, bad.terms, wrong.report],
                }),
              ),
          ],
        }),
      })
      .then(
        () => "sent",
        () => "reverted",
      );
    assert.equal(all, "reverted", "the market's multicall is all-or-nothing");

    const result = await sendUsageReports({
      client: publicClient,
      market: d.market,
      supplier: x.compute,
      reports: [goodReport(first), goodReport(second), wrong, goodReport(fourth)],
      send,
    });
    assert.deepEqual(result.refused, [{ dealId: bad.dealId, reason: "MarketReportLengthMismatch" }]);
    assert.deepEqual(result.reported, [first.dealId, second.dealId, fourth.dealId]);
    assert.equal(result.receipts.length, 1);
    const reported = parseEventLogs({ abi: marketAbi, logs: result.receipts[0].logs, eventName: "UsageReported" });
    assert.deepEqual(
      reported.map((l) => l.args.dealId),
      [first.dealId, second.dealId, fourth.dealId],
    );
    for (const deal of [first, second, fourth]) assert.equal(await status(deal.dealId), "Reported");
    assert.equal(await status(bad.dealId), "Active");

    // Corrected, the report left out goes through on its own.
    const again = await sendUsageReports({
      client: publicClient,
      market: d.market,
      supplier: x.compute,
      reports: [goodReport(bad)],
      send,
    });
    assert.deepEqual(again, { ...again, reported: [bad.dealId], refused: [] });
    assert.equal(await status(bad.dealId), "Reported");
  });

  it("sends nothing when every report would revert (deals already reported)", async () => {
    const result = await sendUsageReports({
      client: publicClient,
      market: d.market,
      supplier: x.compute,
      reports: deals.slice(0, 2).map(goodReport),
      send,
    });
    assert.equal(result.receipts.length, 0);
    assert.deepEqual(
      result.refused.map((r) => r.reason),
      ["MarketInvalidDealStatus", "MarketInvalidDealStatus"],
    );
  });
});
