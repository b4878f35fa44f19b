// Metering against a real market on a private node: the deal's compute supplier is read from
// DealOpened, the report the service computes goes on chain through reportUsage, and the verifier
// CLI recomputes it from the API and the chain — and catches a series tampered with afterwards.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import { createPublicClient, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";

import { ChainDealSource } from "../../../backend/metering/deal-source.ts";
import type { Sample } from "../../../backend/metering/series.ts";
import { signBatch } from "../../../backend/metering/signature.ts";
import { devAccount } from "../../../protocol/accounts.ts";
import { marketAbi } from "../../../protocol/generated/abis.ts";
import { postJson, problemOf } from "../api/server.ts";
import {
  type Deployment,
  deploy,
  Exchange,
  Hardware,
  HOUR,
  type Node,
  Origin,
  Region,
  ROOT,
  regions,
  Source,
  startNode,
} from "../matcher/helpers/exchange.ts";
import { type MeteringServer, removeDir, startMeteringServer } from "./helpers.ts";

let node: Node;
let dir: string;
let d: Deployment;
let x: Exchange;
let api: MeteringServer;
let dealId: bigint;
let windowStart: number;
let windowEnd: number;

function verifyCli(): Promise<{ code: number | null; out: string }> {
  const args = [path.join(ROOT, "scripts", "verify-metering.ts"), String(dealId), "--api", api.url];
  args.push("--rpc-url", node.url, "--deployment", d.file);
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (c: Buffer) => (out += c));
  child.stderr.on("data", (c: Buffer) => (out += c));
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code, out })));
}

describe("metering on chain", () => {
  before(async () => {
    node = await startNode();
    dir = await mkdtemp(path.join(tmpdir(), "ccex-metering-chain-"));
    d = await deploy(node, dir);
    x = await new Exchange(node.url, d).init();
    // A one-hour job in the next whole hour, with a lot of that hour from a wind farm in the same grid.
    windowStart = Math.ceil(((await x.now()) + 60) / HOUR) * HOUR;
    windowEnd = windowStart + HOUR;
    const deviceId = await x.registerDevice(x.wind, Source.Wind, Region.InnerMongolia);
    const energyOffer = await x.postEnergyOffer(x.wind, {
      deviceId,
      firstHour: windowStart,
      whPerHour: [50_000n],
      reservePricePerKwh: 50_000n,
      expiry: windowStart,
    });
    const computeOffer = await x.postComputeOffer(x.compute, {
      hardwareClass: Hardware.CpuGeneral,
      region: Region.BeijingTianjinHebei,
      windowStart,
      windowEnd,
      vcu: 10,
      reservePricePerVcuHour: 1_000_000n,
      whPerVcuHour: 300,
      pueMilli: 1_200,
      expiry: windowStart,
    });
    const bidId = await x.postBid(x.buyer, {
      hardwareClass: Hardware.CpuGeneral,
      acceptableRegions: regions(Region.BeijingTianjinHebei),
      buyerRegion: Region.BeijingTianjinHebei,
      earliestStart: windowStart,
      latestEnd: windowEnd,
      durationHours: 1,
      vcu: 10,
      limitPricePerVcuHour: 2_000_000n,
      minGreenBps: 0,
      certificateOrigin: Origin.GridArea,
      bandwidthMbps: 0,
      maxLatencyMs: 100,
      expiry: windowStart,
    });
    const match = {
      bidId,
      computeOfferId: computeOffer,
      start: windowStart,
      vcu: 10n,
      computePayment: 10_000_000n,
      energyLots: [{ offerId: energyOffer, hour: windowStart, wh: 3_600n, payment: 200_000n }],
      bandwidthOfferId: 0n,
      bandwidthPayment: 0n,
    };
    await x.send(d.market, marketAbi, "settle", [[match]], x.admin);
    [{ dealId }] = await x.dealsOpened(d.startBlock);
    const client = createPublicClient({ transport: http(node.url) });
    const deals = new ChainDealSource({
      client,
      domain: { chainId: d.chainId, market: d.market },
      startBlock: d.startBlock,
      unreportedTtlMs: 0,
    });
    api = await startMeteringServer(deals, undefined, () => windowEnd + 5);
  });

  after(async () => {
    await api?.close();
    await node?.stop();
    if (dir !== undefined) await removeDir(dir);
    if (api !== undefined) await removeDir(api.dataDir);
  });

  it("takes samples only from the compute supplier named in DealOpened", async () => {
    const samples: Sample[] = [{ t: windowStart, w: 1_000 }];
    const buyer = privateKeyToAccount(devAccount(1).privateKey);
    assert.equal(buyer.address, x.buyer);
    const signature = await signBatch(buyer, api.deals.domain, dealId, samples);
    const res = await postJson(`${api.url}/api/metering/${dealId}/samples`, {
      samples: [[windowStart, 1_000]],
      signature,
    });
    assert.equal(res.status, 403);
    assert.match(String((await problemOf(res)).detail), new RegExp(x.compute));
  });

  it("reports on chain what the service computed, and the verifier confirms it, then catches tampering", async () => {
    const compute = privateKeyToAccount(devAccount(3).privateKey);
    assert.equal(compute.address, x.compute);
    // 3,600 W held through the hour, one sample every 10 s: 3,600 Wh.
    for (let t = windowStart; t <= windowEnd; t += 600) {
      const samples = Array.from({ length: 60 }, (_, i) => ({ t: t + 10 * i, w: 3_600 })).filter(
        (s) => s.t <= windowEnd,
      );
      const signature = await signBatch(compute, api.deals.domain, dealId, samples);
      const res = await postJson(`${api.url}/api/metering/${dealId}/samples`, {
        samples: samples.map((s) => [s.t, s.w]),
        signature,
      });
      assert.equal(res.status, 201, await res.clone().text());
    }
    const report = (await (await fetch(`${api.url}/api/metering/${dealId}/report`)).json()) as {
      hours: { start: number; wh: number }[];
      totalWh: number;
      root: `0x${string}`;
    };
    assert.equal(report.totalWh, 3_600);
    assert.deepEqual(
      report.hours,
      [{ start: windowStart, wh: 3_600 }],
      "the deal's one hour, as the report carries it",
    );

    const [{ terms }] = await x.dealsOpened(d.startBlock);
    await x.rpc("evm_setNextBlockTimestamp", [windowEnd + 1]);
    await x.send(
      d.market,
      marketAbi,
      "reportUsage",
      [
        dealId,
        terms,
        { vcuPerHour: [10], whPerHour: report.hours.map((h) => BigInt(h.wh)), meteringRoot: report.root },
      ],
      x.compute,
    );
    const verified = await verifyCli();
    assert.equal(verified.code, 0, verified.out);
    assert.match(verified.out, /root matches, Wh match/);
    assert.match(verified.out, /VERIFIED/);

    // Someone with the database changes one second's watts after the report; the service restarts.
    await api.store.db.query(
      "UPDATE metering_batches SET w[$2 - first_t + 1] = w[$2 - first_t + 1] + 500 WHERE deal_id = $1 AND $2 BETWEEN first_t AND last_t",
      [dealId.toString(), windowStart + 1_200],
    );
    await api.close();
    api = await startMeteringServer(api.deals, api.dataDir, () => windowEnd + 5);
    const tampered = await verifyCli();
    assert.equal(tampered.code, 1, tampered.out);
    assert.match(tampered.out, /root DIFFERS/);
    assert.match(tampered.out, /the series differs from the samples the batch signed/);
    assert.match(tampered.out, /NOT VERIFIED/);
  });
});
