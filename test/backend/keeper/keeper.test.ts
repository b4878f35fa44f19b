// The keeper against a real market on a private node: deals reach each permissionless action's moment,
// and the keeper acts exactly then — not a block earlier — in multicall batches, skipping a deal whose
// action would revert without holding up the others, leaving a flagged report to its parties, and
// leaving every token and Wh accounted for.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import { pino } from "pino";
import { type Address, parseEther } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";

import { createChainClients } from "../../../backend/chain/create-clients.ts";
import { DealLedger, type OpenDeal } from "../../../backend/keeper/deal-ledger.ts";
import { Keeper, type KeeperRound } from "../../../backend/keeper/keeper.ts";
import { keeperStatus, readKeeperStatus, writeKeeperStatus } from "../../../backend/keeper/status-file.ts";
import { greenCertificatesAbi, localSettlementTokenAbi, marketAbi } from "../../../protocol/generated/abis.ts";
import { certificateId } from "../../../protocol/hours.ts";
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
  Source,
  startNode,
} from "../matcher/helpers/exchange.ts";

const DEALS = 8;
const VCU = 10n;
const RESERVE = 1_000_000n; // per VCU-hour
const LIMIT = 1_200_000n;
const LOT_WH = 2_000n;

let node: Node;
let dir: string;
let d: Deployment;
let x: Exchange;
let keeper: Keeper;
let ledger: DealLedger;
const keeperAccount = privateKeyToAccount(generatePrivateKey());
const dealIds: bigint[] = [];
let bidIds: bigint[] = [];
let deviceId: bigint;
let windowEnd: number;
let gracePeriod: number;

/** What the keepers logged (warnings and up), one JSON line each. */
const logLines: string[] = [];
const statusFile = () => path.join(dir, "keeper-status.json");
const logger = pino({ level: "warn" }, { write: (line: string) => void logLines.push(line) });

async function status(dealId: bigint): Promise<string> {
  const deal = await x.client.readContract({
    address: d.market,
    abi: marketAbi,
    functionName: "dealOf",
    args: [dealId],
  });
  return DEAL_STATUSES[deal.status];
}

/** Mines an empty block at exactly `timestamp`: the keeper reads the head's time as "now". */
async function headAt(timestamp: number): Promise<void> {
  await x.rpc("evm_setNextBlockTimestamp", [timestamp]);
  await x.mine();
}

function closed(round: KeeperRound): bigint[] {
  assert.equal(round.status, "done", round.status === "failed" ? round.error.message : "");
  return round.status === "done" ? round.sent.flatMap((b) => b.closed).sort((a, b) => (a < b ? -1 : 1)) : [];
}

async function terms(dealId: bigint): Promise<OpenDeal> {
  await ledger.sync();
  return ledger.get(dealId)!;
}

describe("keeper", () => {
  before(async () => {
    node = await startNode();
    dir = await mkdtemp(path.join(tmpdir(), "ccex-keeper-"));
    // Deal periods are fixed into each bid when it is posted, so short ones are set at deployment.
    d = await deploy(node, dir, { challengePeriod: 600, reportGracePeriod: 900, arbitrationPeriod: 1_800 });
    x = await new Exchange(node.url, d).init();
    gracePeriod = 900;
    const hash = await x.wallet.sendTransaction({
      account: x.admin,
      to: keeperAccount.address,
      value: parseEther("10"),
      chain: null,
    });
    await x.client.waitForTransactionReceipt({ hash });

    // One-hour jobs in the next hour but one, each with a lot of that hour from a wind farm in the same grid.
    const now = await x.now();
    const windowStart = Math.ceil((now + HOUR) / HOUR) * HOUR;
    windowEnd = windowStart + HOUR;
    deviceId = await x.registerDevice(x.wind, Source.Wind, Region.InnerMongolia);
    const energyOffer = await x.postEnergyOffer(x.wind, {
      deviceId,
      firstHour: windowStart,
      whPerHour: [LOT_WH * BigInt(DEALS)],
      reservePricePerKwh: 50_000n,
      expiry: windowStart,
    });
    const offer = await x.postComputeOffer(x.compute, {
      hardwareClass: Hardware.CpuGeneral,
      region: Region.BeijingTianjinHebei,
      windowStart,
      windowEnd,
      vcu: Number(VCU) * DEALS,
      reservePricePerVcuHour: RESERVE,
      whPerVcuHour: 300,
      pueMilli: 1_200,
      expiry: windowStart,
    });
    bidIds = [];
    for (let i = 0; i < DEALS; i++) {
      bidIds.push(
        await x.postBid(i % 2 === 0 ? x.buyer : x.otherBuyer, {
          hardwareClass: Hardware.CpuGeneral,
          acceptableRegions: regions(Region.BeijingTianjinHebei),
          buyerRegion: Region.BeijingTianjinHebei,
          earliestStart: windowStart,
          latestEnd: windowEnd,
          durationHours: 1,
          vcu: Number(VCU),
          limitPricePerVcuHour: LIMIT,
          minGreenBps: 0,
          certificateOrigin: Origin.GridArea,
          bandwidthMbps: 0,
          maxLatencyMs: 100,
          expiry: windowStart,
        }),
      );
    }
    const matches = bidIds.map((bidId) => ({
      bidId,
      computeOfferId: offer,
      start: windowStart,
      vcu: VCU,
      computePayment: RESERVE * VCU,
      energyLots: [{ offerId: energyOffer, hour: windowStart, wh: LOT_WH, payment: 100_000n }],
      bandwidthOfferId: 0n,
      bandwidthPayment: 0n,
    }));
    const receipt = await x.send(x.d.market, marketAbi, "settle", [matches], x.admin);
    assert.equal(receipt.status, "success");
    const { publicClient } = createChainClients({
      chainId: d.chainId,
      rpcUrl: node.url,
      account: keeperAccount,
      pollingIntervalMs: 50,
    });
    ledger = new DealLedger({ client: publicClient, market: d.market, startBlock: d.startBlock });
    await ledger.sync();
    dealIds.push(...ledger.open().map((deal) => deal.dealId));
    assert.equal(dealIds.length, DEALS);
    keeper = new Keeper({
      publicClient,
      account: keeperAccount,
      market: d.market,
      ledger,
      logger,
      maxBatch: 2,
      // As the keeper process does with KEEPER_STATUS_FILE.
      onRound: (round, openDeals) => writeKeeperStatus(statusFile(), keeperStatus(round, openDeals)),
    });

    // The hour ends and the wind farm issues what it generated; deals 0–4 are reported; 4 is disputed;
    // 5 and 6 never hear from their supplier; 7 is reported at ten times its declared energy (flagged).
    await headAt(windowEnd);
    await x.send(d.certificates, greenCertificatesAbi, "issue", [deviceId, windowStart, [100_000n]], x.wind);
    for (const dealId of dealIds.slice(0, 5)) {
      const deal = await terms(dealId);
      // Deal 4's report is flagged too (its buyer disputes it): a lapsed dispute finalises all the same.
      const wh = dealId === dealIds[4] ? 36_000n : 3_600n;
      await x.send(
        d.market,
        marketAbi,
        "reportUsage",
        [dealId, deal.terms, { vcuPerHour: [Number(VCU)], whPerHour: [wh], meteringRoot: `0x${"ab".repeat(32)}` }],
        x.compute,
      );
    }
    const far = await terms(dealIds[7]);
    await x.send(
      d.market,
      marketAbi,
      "reportUsage",
      [
        dealIds[7],
        far.terms,
        { vcuPerHour: [Number(VCU)], whPerHour: [36_000n], meteringRoot: `0x${"cd".repeat(32)}` },
      ],
      x.compute,
    );
    const disputed = await terms(dealIds[4]);
    assert.equal(disputed.status, "Reported");
    await x.send(
      d.market,
      marketAbi,
      "disputeUsage",
      [dealIds[4], disputed.terms, disputed.report, "metering gap"],
      x.buyer,
    );
  });

  after(async () => {
    await node?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it("finalises reported deals once their challenge window has passed, in batches, and not before", async () => {
    const reported = (await terms(dealIds[0])) as Extract<OpenDeal, { status: "Reported" }>;
    assert.equal(reported.status, "Reported");
    await headAt(reported.challengeEnd - 1);
    assert.deepEqual(closed(await keeper.runRound()), []);
    assert.equal(await status(dealIds[0]), "Reported");

    await headAt(reported.challengeEnd + 5);
    const round = await keeper.runRound();
    // Deals 0–3 finalise (4 is disputed): four actions with maxBatch 2 are two multicalls.
    assert.deepEqual(closed(round), dealIds.slice(0, 4));
    assert.equal(round.status === "done" && round.sent.length, 2);
    for (const dealId of dealIds.slice(0, 4)) assert.equal(await status(dealId), "Finalized");
    assert.equal(await status(dealIds[4]), "Disputed");
  });

  it("leaves a flagged report to its parties, naming it once with the reason, until the buyer confirms it", async () => {
    const flagged = (await terms(dealIds[7])) as Extract<OpenDeal, { status: "Reported" }>;
    assert.equal(flagged.status, "Reported");
    assert.equal(flagged.flag?.outsideProfile, true);
    // Past its challenge period (the first test may have moved the clock past it already).
    await headAt(Math.max(flagged.challengeEnd + 1, (await x.now()) + 1));
    for (let i = 0; i < 2; i++) {
      const round = await keeper.runRound();
      assert.deepEqual(closed(round), []);
      assert.ok(round.status === "done");
      // Never tried: no finalize dry-run that reverts MarketReportFlagged round after round.
      assert.equal(round.due, 0);
      assert.deepEqual(round.skipped, []);
      assert.deepEqual(
        round.flagged.map((f) => [f.dealId, f.reason]),
        [[dealIds[7], "metered 36000 Wh, far from the declared profile's 3600 Wh"]],
      );
    }
    assert.deepEqual(
      keeper.flagged.map((f) => f.dealId),
      [dealIds[7]],
    );
    const named = logLines.map((l) => JSON.parse(l)).filter((l) => /^flagged report/.test(l.msg));
    assert.equal(named.length, 1, logLines.join(""));
    assert.equal(named[0].dealId, Number(dealIds[7]));
    assert.equal(named[0].reason, "metered 36000 Wh, far from the declared profile's 3600 Wh");
    assert.equal(named[0].challengeEnd, flagged.challengeEnd);
    assert.equal(named[0].whConsumed, 36_000);
    assert.equal(await status(dealIds[7]), "Reported");
    assert.deepEqual(readKeeperStatus(statusFile())?.flaggedReports, [
      {
        dealId: String(dealIds[7]),
        reason: "metered 36000 Wh, far from the declared profile's 3600 Wh",
        challengeEnd: flagged.challengeEnd,
      },
    ]);

    // The buyer accepts it after the challenge period: the keeper stops listing it.
    await x.send(d.market, marketAbi, "confirmUsage", [dealIds[7], flagged.terms, flagged.report], x.otherBuyer);
    assert.equal(await status(dealIds[7]), "Finalized");
    const after = await keeper.runRound();
    assert.ok(after.status === "done");
    assert.deepEqual(after.flagged, []);
    assert.deepEqual(keeper.flagged, []);
    assert.deepEqual(readKeeperStatus(statusFile())?.flaggedReports, []);
  });

  it("cancels a no-show at its report deadline, not before, and a deal that would revert does not block the rest", async () => {
    const noShow = (await terms(dealIds[5])).terms;
    // Report deadline = window end + grace; the challenge ends (600 s after the report) well before.
    assert.equal(noShow.reportDeadline, windowEnd + gracePeriod);
    await headAt(noShow.reportDeadline - 1);
    assert.deepEqual(closed(await keeper.runRound()), []);

    // A stale view: deal 6 still looks unreported to the keeper, but its buyer had it cancelled already
    // (anyone may cancel a no-show), so its action reverts; deal 5's must go through all the same.
    await headAt(noShow.reportDeadline);
    const stale = ledger.open();
    const six = stale.find((deal) => deal.dealId === dealIds[6])!;
    await x.send(d.market, marketAbi, "cancelNoShow", [dealIds[6], six.terms], x.otherBuyer);
    const staleKeeper = new Keeper({
      publicClient: createChainClients({ chainId: d.chainId, rpcUrl: node.url }).publicClient,
      account: keeperAccount,
      market: d.market,
      ledger: { sync: () => ledger.sync(), open: () => stale },
      logger,
    });
    const round = await staleKeeper.runRound();
    assert.deepEqual(closed(round), [dealIds[5]]);
    assert.equal(round.status === "done" && round.skipped.length, 1);
    assert.deepEqual(round.status === "done" && round.skipped[0], {
      dealId: dealIds[6],
      action: "cancelNoShow",
      reason: "MarketInvalidDealStatus",
    });
    assert.equal(await status(dealIds[5]), "Cancelled");
  });

  it("finalises a dispute the arbiter let lapse at its arbitration deadline, not before, a flagged report's too", async () => {
    const disputed = (await terms(dealIds[4])) as Extract<OpenDeal, { status: "Disputed" }>;
    assert.equal(disputed.status, "Disputed");
    assert.equal(disputed.flag?.outsideProfile, true);
    await headAt(disputed.arbitrationDeadline - 1);
    assert.deepEqual(closed(await keeper.runRound()), []);
    await headAt(disputed.arbitrationDeadline);
    assert.deepEqual(closed(await keeper.runRound()), [dealIds[4]]);
    assert.equal(await status(dealIds[4]), "Finalized");
    await ledger.sync();
    assert.deepEqual(
      ledger.open().map((deal) => `${deal.dealId}:${deal.status}`),
      [],
    );
  });

  it("runs as a process that writes its last round to KEEPER_STATUS_FILE and stops cleanly on SIGTERM", async () => {
    const processStatus = path.join(dir, "process-status.json");
    const main = path.resolve(import.meta.dirname, "..", "..", "..", "backend", "keeper", "main.ts");
    const child = spawn(process.execPath, [main], {
      env: {
        ...process.env,
        RPC_URL: node.url,
        DEPLOYMENT: d.file,
        KEEPER_PRIVATE_KEY: generatePrivateKey(),
        KEEPER_INTERVAL_MS: "200",
        KEEPER_STATUS_FILE: processStatus,
        LOG_LEVEL: "info",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    const started = new Promise<void>((resolve) =>
      child.stdout.on("data", (c: Buffer) => {
        out += c.toString();
        if (out.includes('"round done"') || out.includes('"keeper started"')) resolve();
      }),
    );
    await started;
    // Its rounds leave their status in the file: every deal is closed by now, none flagged.
    for (let i = 0; i < 100 && readKeeperStatus(processStatus) === undefined; i++)
      await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(
      { ...readKeeperStatus(processStatus), at: undefined },
      { at: undefined, openDeals: 0, flaggedReports: [] },
    );
    child.kill("SIGTERM");
    const code = await new Promise((resolve) => child.once("exit", resolve));
    assert.equal(code, 0, out);
    assert.match(out, /"msg":"stopped"/);
  });

  it("leaves every token and every Wh accounted for", async () => {
    const read = (address: Address, abi: readonly unknown[], functionName: string, args: readonly unknown[] = []) =>
      x.client.readContract({ address, abi, functionName, args } as never) as Promise<bigint>;
    // All deals are closed and all bids filled: the market holds exactly the withdrawable balances and fees.
    const parties = [x.buyer, x.otherBuyer, x.compute, x.wind, x.admin];
    let owed = await read(d.market, marketAbi, "accruedFees");
    for (const party of parties) owed += await read(d.market, marketAbi, "withdrawableOf", [party]);
    assert.equal(await read(d.token, localSettlementTokenAbi, "balanceOf", [d.market]), owed);
    const escrowed = BigInt(DEALS) * LIMIT * VCU;
    const paidOut = owed;
    assert.equal(paidOut, escrowed);

    // The job hour's certificates: what the finalised deals retired plus what the farm still holds is
    // what it issued, and the market never held any.
    const certificate = certificateId(deviceId, windowEnd - HOUR);
    const finalized = await x.client.getContractEvents({
      address: d.market,
      abi: marketAbi,
      eventName: "DealFinalized",
      fromBlock: d.startBlock,
      strict: true,
    });
    const retired = finalized.flatMap((l) => l.args.outcome.energyLots).reduce((sum, lot) => sum + lot.retiredWh, 0n);
    const held = await read(d.certificates, greenCertificatesAbi, "balanceOf", [x.wind, certificate]);
    const inMarket = await read(d.certificates, greenCertificatesAbi, "balanceOf", [d.market, certificate]);
    assert.equal(inMarket, 0n);
    assert.ok(retired > 0n);
    assert.equal(held + retired, 100_000n);
  });
});
