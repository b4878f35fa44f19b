// The demo market on a private node whose genesis lies a day in the past, deployed as the stack deploys
// it: the seed fills the day with real history in hours (finalised deals, retirements, credits,
// device-hour certificates within capacity and never issued twice), lands flexible training jobs in
// the hours their grid area has green power, retires certificates only of the job's own hours, gives
// the demo menu's accounts their starting position, keeps every token and every Wh accounted for,
// meters every reported deal hour by hour through the API's metering service, and is not repeated by
// a second run; the live simulator then trades on and stops cleanly on SIGTERM.
import assert from "node:assert/strict";
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { pino } from "pino";

import type { Address } from "viem";
import { ChainBookSource } from "../../../backend/book/chain-book-source.ts";
import { DealLedger } from "../../../backend/keeper/deal-ledger.ts";
import { ChainDealSource } from "../../../backend/metering/deal-source.ts";
import { MeteringStore } from "../../../backend/metering/store.ts";
import { verifyDeal } from "../../../backend/metering/verify-deal.ts";
import { startIndexer } from "../../../indexer/main.ts";
import { ACCOUNT_PLAN, devAccount } from "../../../protocol/accounts.ts";
import type { Deployment } from "../../../protocol/deployment.ts";
import { certificateHour, certificateId, hourIndex, hoursOf } from "../../../protocol/hours.ts";
import { ChainJournal } from "../../../stack/chain/journal.ts";
import { ChainRecorder } from "../../../stack/chain/recorder.ts";
import { replayJournal } from "../../../stack/chain/replay.ts";
import { DemoChain } from "../../../stack/demo/chain.ts";
import { jobEnd } from "../../../stack/demo/deal-plan.ts";
import { BUYERS, PENDING_DEVICE, REGION, SIMULATOR_ACCOUNTS } from "../../../stack/demo/scenario.ts";
import { marketSummary } from "../../../stack/demo/summary.ts";
import { startTestServer, type TestServer } from "../../backend/api/server.ts";
import { deployExchange, type Node, ROOT, startNode } from "../../helpers/local-chain.ts";

const MAIN = path.join(ROOT, "stack", "demo", "main.ts");
const run = promisify(execFile);
const HISTORY_HOURS = 26;
/** Every account that can hold anything here: the plan's fixed parts and the simulator's participants. */
const ACCOUNTS = Array.from(
  { length: ACCOUNT_PLAN.simulatorBase + SIMULATOR_ACCOUNTS },
  (_, i) => devAccount(i).address,
);

type Line = { event: string; receivedAt: number; [key: string]: unknown };

/** Runs the demo until its `seeded` line (plus `extraMs`), then SIGTERM; resolves with its lines and exit code. */
function runDemo(env: NodeJS.ProcessEnv, extraMs = 0): Promise<{ lines: Line[]; code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, [MAIN], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const lines: Line[] = [];
    let stderr = "";
    child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
    createInterface({ input: child.stdout! }).on("line", (text) => {
      const line = { ...JSON.parse(text), receivedAt: Date.now() / 1000 } as Line;
      lines.push(line);
      if (line.event === "seeded") setTimeout(() => child.kill("SIGTERM"), extraMs);
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 180_000);
    child.once("error", reject);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ lines, code, stderr });
    });
  });
}

let node: Node;
let dir: string;
let deployment: Deployment;
let chain: DemoChain;
let env: NodeJS.ProcessEnv;
let api: TestServer;
let meteringStore: MeteringStore;
let meteredDeals: ChainDealSource;
let first: Awaited<ReturnType<typeof runDemo>>;
let genesisTime: Date;

describe("demo market", () => {
  before(async () => {
    genesisTime = new Date(Math.floor(Date.now() / 1000 - HISTORY_HOURS * 3_600) * 1000);
    node = await startNode({ genesisTime, accounts: 30 });
    dir = await mkdtemp(path.join(tmpdir(), "ccex-demo-"));
    const address = (i: number) => devAccount(i).address;
    ({ deployment } = await deployExchange(node, dir, {
      admin: address(ACCOUNT_PLAN.admin),
      pauser: address(ACCOUNT_PLAN.admin),
      matcher: address(ACCOUNT_PLAN.matcher),
      registrar: address(ACCOUNT_PLAN.registrar),
      arbiter: address(ACCOUNT_PLAN.arbiter),
      treasury: address(ACCOUNT_PLAN.treasury),
      challengePeriod: 120,
      reportGracePeriod: 300,
      arbitrationPeriod: 3_600,
      feeBps: 30,
    }));
    chain = new DemoChain(node.url, deployment);
    // The API's metering service, as the stack runs it: the demo's compute sites send it their series.
    meteringStore = await MeteringStore.open({ kind: "pglite", dataDir: path.join(dir, "metering") });
    meteredDeals = new ChainDealSource({
      client: chain.publicClient,
      domain: { chainId: deployment.chainId, market: chain.addresses.market },
      startBlock: BigInt(deployment.startBlock),
    });
    api = await startTestServer({ metering: { store: meteringStore, deals: meteredDeals } });
    env = {
      RPC_URL: node.url,
      API_URL: api.url,
      DEPLOYMENT: path.join(dir, `${deployment.chainId}.json`),
      DATA_DIR: path.join(dir, "demo"),
      LOG_LEVEL: "warn",
    };
    // A few seconds of the live market after the seed, to see it trade on.
    first = await runDemo(env, 6_000);
  });

  after(async () => {
    await api?.close();
    await meteringStore?.close();
    await node?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it("reports progress, then exactly one seeded event with the history's counts, and exits 0 on SIGTERM", () => {
    assert.equal(first.code, 0, first.stderr);
    const seeded = first.lines.filter((l) => l.event === "seeded");
    assert.equal(seeded.length, 1);
    assert.ok(first.lines.findIndex((l) => l.event === "progress") < first.lines.indexOf(seeded[0]));
    assert.ok(first.lines.every((l) => l.event === "progress" || l.event === "seeded"));
    const s = seeded[0];
    assert.equal(s.alreadySeeded, false);
    assert.ok((s.dealsFinalized as number) >= 6, `finalised deals: ${s.dealsFinalized}`);
    assert.ok((s.certificateRetirements as number) > 0);
    assert.ok(BigInt(s.creditsMinted as string) > 0n);
    assert.ok((s.creditRetirements as number) > 0);
    assert.ok((s.certificateIssues as number) >= 9);
    // The time-matched green share a visitor sees on the dashboard: retired Wh of the job's own hours
    // over metered Wh, well above the buyers' lowest minimum (30 %).
    assert.equal(
      s.timeMatchedGreenBps,
      Number((BigInt(s.retiredGreenWh as string) * 10_000n) / BigInt(s.meteredWh as string)),
    );
    assert.ok((s.timeMatchedGreenBps as number) >= 3_000, `time-matched green share ${s.timeMatchedGreenBps} bps`);
  });

  it("pools the history's transactions into blocks of several, which a fresh node replays to the same hashes", async () => {
    const seeded = first.lines.find((l) => l.event === "seeded")!;
    const head = Number(await chain.publicClient.getBlockNumber());
    const journal = await ChainJournal.create(path.join(dir, "journal.jsonl"), {
      v: 1,
      chainId: deployment.chainId,
      initialDate: genesisTime.toISOString(),
      genesisHash: (await chain.publicClient.getBlock({ blockNumber: 0n })).hash,
    });
    const recorder = new ChainRecorder({
      client: chain.publicClient as never,
      journal,
      onError: (error) => assert.fail(error),
    });
    try {
      assert.equal(await recorder.catchUp(), head);
      const history = journal.blocks.slice(deployment.startBlock);
      const sent = history.reduce((n, b) => n + b.txs.length, 0);
      assert.ok(sent >= (seeded.transactions as number), `${sent} transactions in the history's blocks`);
      // One block per step rather than per transaction: a round's offers and bids share one, and so do
      // a tidy-up's; deal steps fall due at their own times, and the matcher's settlement is alone.
      const sizes = history.map((b) => b.txs.length).join(",");
      assert.ok(sent >= 2 * history.length, `${sent} transactions in ${history.length} blocks: ${sizes}`);
      assert.ok(
        history.some((b) => b.txs.length >= 10),
        `a round's transactions share its block: ${sizes}`,
      );
      const fresh = await startNode({ genesisTime, accounts: 30 });
      try {
        const report = await replayJournal(fresh.url, journal);
        assert.equal(report.blocks, head);
        assert.equal(report.firstMismatch, null, "every replayed block hash matches the seeded chain");
      } finally {
        await fresh.stop();
      }
    } finally {
      await journal.close();
    }
  });

  it("brings chain time up to the wall clock, never past it", () => {
    const seeded = first.lines.find((l) => l.event === "seeded")!;
    const behind = seeded.receivedAt - (seeded.chainTime as number);
    assert.ok(
      behind >= 0 && behind < 300,
      `chain time is ${behind.toFixed(0)} s behind the wall clock at the end of the seed`,
    );
  });

  it("issues each device-hour once, after it ended, within capacity × 1 h, solar only by day", async () => {
    const logs = await chain.publicClient.getContractEvents({
      address: chain.addresses.certificates,
      abi: chain.abis.certificates,
      eventName: "CertificatesIssued",
      fromBlock: 0n,
      strict: true,
    });
    const issuedHours = new Map<bigint, Set<number>>();
    for (const log of logs) {
      const { args } = log;
      const device = await chain.read("certificates", "deviceOf", [args.deviceId]);
      const block = await chain.publicClient.getBlock({ blockNumber: log.blockNumber });
      const hours = hoursOf(args.firstHour, args.firstHour + args.whPerHour.length * 3_600);
      assert.ok(hours.at(-1)! + 3_600 <= Number(block.timestamp), `issue ${args.issueId} names an hour not ended`);
      const seen = issuedHours.get(args.deviceId) ?? new Set<number>();
      for (const [i, hour] of hours.entries()) {
        const wh = args.whPerHour[i];
        assert.ok(wh <= device.capacityW, `device ${args.deviceId} hour ${hour}: ${wh} Wh`);
        assert.ok(!seen.has(hour), `device ${args.deviceId} hour ${hour} issued twice`);
        seen.add(hour);
        // Solar sleeps at night, China time (UTC+8): nothing between 20:00 and 05:00.
        const chinaHour = (hourIndex(hour) + 8) % 24;
        if (args.source === 0 && (chinaHour >= 20 || chinaHour < 5)) assert.equal(wh, 0n, `solar at ${chinaHour}:00`);
      }
      issuedHours.set(args.deviceId, seen);
    }
    // Wind, solar and hydro each certified.
    const sources = new Set(logs.map((l) => l.args.source));
    assert.deepEqual([...sources].sort(), [0, 1, 2]);
  });

  it("lands flexible training jobs in green hours, with certificates of the job's own hours", async () => {
    const opened = await chain.publicClient.getContractEvents({
      address: chain.addresses.market,
      abi: chain.abis.market,
      eventName: "DealOpened",
      fromBlock: 0n,
      strict: true,
    });
    const posted = await chain.publicClient.getContractEvents({
      address: chain.addresses.market,
      abi: chain.abis.market,
      eventName: "BidPosted",
      fromBlock: 0n,
      strict: true,
    });
    const bids = new Map(posted.map((l) => [l.args.bidId, l.args.bid]));
    const lab = devAccount(ACCOUNT_PLAN.simulatorBase + (BUYERS[0].actor as { account: number }).account).address;
    let flexible = 0;
    let moved = 0;
    let ningxiaHours = 0;
    let ningxiaDaylight = 0;
    for (const { args } of opened) {
      const { terms } = args;
      const bid = bids.get(terms.bidId)!;
      const jobHours = new Set(hoursOf(terms.start, jobEnd(terms)));
      // Every lot is of one of the job's hours, and no hour's lots exceed the job's need in it.
      const greenPerHour = new Map<number, bigint>();
      for (const lot of terms.energyLots) {
        assert.ok(jobHours.has(lot.hour), `deal ${args.dealId}: a lot of hour ${lot.hour} outside the job`);
        greenPerHour.set(lot.hour, (greenPerHour.get(lot.hour) ?? 0n) + lot.wh);
      }
      for (const wh of greenPerHour.values()) assert.ok(wh <= terms.needPerHourWh, `deal ${args.dealId}`);
      const green = [...greenPerHour.values()].reduce((a, b) => a + b, 0n);
      const need = terms.needPerHourWh * BigInt(terms.durationHours);
      assert.ok(green * 10_000n >= need * BigInt(terms.minGreenBps), `deal ${args.dealId} below its green minimum`);
      if (bid.latestEnd - bid.earliestStart === bid.durationHours * 3_600) continue;
      flexible++;
      if (terms.start > bid.earliestStart) moved++;
      // The lab's training in Ningxia has only the north-west's solar to match: it runs by day (China time).
      if (terms.buyer === lab && terms.computeRegion === REGION.Ningxia)
        for (const hour of jobHours) {
          ningxiaHours++;
          const chinaHour = (hourIndex(hour) + 8) % 24;
          if (chinaHour >= 6 && chinaHour < 19) ningxiaDaylight++;
        }
    }
    assert.ok(flexible >= 5, `${flexible} deals of flexible bids`);
    assert.ok(moved > 0, "no flexible job was moved from its earliest start");
    assert.ok(ningxiaHours > 0, "no training ran in Ningxia");
    assert.equal(ningxiaDaylight, ningxiaHours, "training in Ningxia ran at night");

    // Finalisation retired certificates of the deal's own hours only.
    const byDeal = new Map(opened.map((l) => [l.args.dealId, l.args.terms]));
    const retired = await chain.publicClient.getContractEvents({
      address: chain.addresses.certificates,
      abi: chain.abis.certificates,
      eventName: "CertificatesRetired",
      fromBlock: 0n,
      strict: true,
    });
    const forDeals = retired.filter((l) => l.args.dealId !== 0n);
    assert.ok(forDeals.length > 0, "no certificate retired for a deal");
    for (const { args } of forDeals) {
      const terms = byDeal.get(args.dealId)!;
      const { hourStart } = certificateHour(args.certificateId);
      assert.ok(hourStart >= terms.start && hourStart < jobEnd(terms), `deal ${args.dealId}`);
    }
  });

  it("gives the demo menu's accounts their starting position without their keys being used after the seed", async () => {
    const menu = (role: "buyer" | "computeSupplier" | "energySupplier" | "networkSupplier") =>
      devAccount(ACCOUNT_PLAN[role]).address;
    assert.ok((await chain.read("token", "balanceOf", [menu("buyer")])) > 0n);
    assert.ok((await chain.read("token", "allowance", [menu("buyer"), chain.addresses.market])) > 0n);

    const count = Number(await chain.read("certificates", "deviceCount"));
    const devices = await Promise.all(
      Array.from({ length: count }, (_, i) => chain.read("certificates", "deviceOf", [BigInt(i + 1)])),
    );
    const own = devices.filter((d) => d.owner === menu("energySupplier"));
    assert.equal(own.length, 1);
    assert.equal(own[0].status, 2); // Approved
    assert.ok(own[0].issuedUntil > 0);
    // The menu registrar finds a device waiting for approval.
    assert.ok(devices.some((d) => d.metadataURI === PENDING_DEVICE.metadataURI && d.status === 1));

    const book = await new ChainBookSource({
      client: chain.publicClient,
      market: chain.addresses.market,
      startBlock: BigInt(deployment.startBlock),
    }).openBook();
    assert.ok(book.computeOffers.some((o) => o.supplier === menu("computeSupplier") && o.expiry > book.asOf));
    assert.ok(book.bandwidthOffers.some((o) => o.supplier === menu("networkSupplier") && o.expiry > book.asOf));

    // The seed ends with the pending device; after it, no transaction comes from a menu account.
    const seededAt = await markerBlock();
    const head = await chain.publicClient.getBlockNumber({ cacheTime: 0 });
    const menuAccounts = new Set(
      ["buyer", "computeSupplier", "energySupplier", "networkSupplier", "registrar", "arbiter"].map((r) =>
        devAccount(ACCOUNT_PLAN[r as "buyer"]).address.toLowerCase(),
      ),
    );
    assert.ok(head > seededAt, "the live market sent transactions");
    for (let n = seededAt + 1n; n <= head; n++) {
      const block = await chain.publicClient.getBlock({ blockNumber: n, includeTransactions: true });
      for (const tx of block.transactions)
        assert.ok(!menuAccounts.has(tx.from.toLowerCase()), `block ${n} has a transaction from a menu account`);
    }
  });

  it("leaves a visitor a book open on both sides: bids still waiting and compute offers of their class", async () => {
    const book = await new ChainBookSource({
      client: chain.publicClient,
      market: chain.addresses.market,
      startBlock: BigInt(deployment.startBlock),
    }).openBook();
    const waiting = book.bids.filter((b) => b.remainingVcu > 0 && b.expiry > book.asOf);
    const offered = book.computeOffers.filter((o) => o.windowEnd > book.asOf && o.expiry > book.asOf);
    assert.ok(waiting.length > 0, "some bids wait in the book");
    assert.ok(offered.length > 0, "some compute offers wait in the book");
    // A waiting bid of a class nobody offers would show one side only.
    assert.ok(
      waiting.some((b) => offered.some((o) => o.hardwareClass === b.hardwareClass)),
      "a class with both bids and offers",
    );
  });

  it("keeps every token and every Wh accounted for", async () => {
    const ledger = new DealLedger({
      client: chain.publicClient,
      market: chain.addresses.market,
      startBlock: BigInt(deployment.startBlock),
    });
    await ledger.sync();
    // Tokens: the market holds the open bids' escrow, the open deals' escrow, balances owed and fees.
    let owed = await chain.read("market", "accruedFees");
    const bids = Number(await chain.read("market", "bidCount"));
    for (let id = 1n; id <= BigInt(bids); id++) {
      const bid = await chain.read("market", "bidOf", [id]);
      owed += BigInt(bid.remainingVcu) * BigInt(bid.durationHours) * bid.limitPricePerVcuHour;
    }
    for (const deal of ledger.open()) owed += deal.terms.escrow;
    for (const account of ACCOUNTS) owed += await chain.read("market", "withdrawableOf", [account]);
    assert.equal(await chain.read("token", "balanceOf", [chain.addresses.market]), owed);

    // Certificates: every device-hour's Wh are held by someone or retired; the market holds none.
    const issued = new Map<bigint, bigint>();
    for (const { args } of await chain.publicClient.getContractEvents({
      address: chain.addresses.certificates,
      abi: chain.abis.certificates,
      eventName: "CertificatesIssued",
      fromBlock: 0n,
      strict: true,
    }))
      for (const [i, wh] of args.whPerHour.entries())
        if (wh > 0n) issued.set(certificateId(args.deviceId, args.firstHour + i * 3_600), wh);
    const retired = new Map<bigint, bigint>();
    for (const { args } of await chain.publicClient.getContractEvents({
      address: chain.addresses.certificates,
      abi: chain.abis.certificates,
      eventName: "CertificatesRetired",
      fromBlock: 0n,
      strict: true,
    }))
      retired.set(args.certificateId, (retired.get(args.certificateId) ?? 0n) + args.wh);
    const holders: Address[] = [...ACCOUNTS, chain.addresses.market];
    for (const [id, wh] of issued) {
      const balances: bigint[] = await chain.read("certificates", "balanceOfBatch", [holders, holders.map(() => id)]);
      assert.equal(balances.at(-1), 0n, `the market holds certificate ${id}`);
      assert.equal(balances.reduce((a, b) => a + b, 0n) + (retired.get(id) ?? 0n), wh, `certificate ${id}`);
    }
  });

  it("reports every deal hour by hour with the Wh and root of the series its compute site metered, which verify", async () => {
    const reports = await chain.publicClient.getContractEvents({
      address: chain.addresses.market,
      abi: chain.abis.market,
      eventName: "UsageReported",
      fromBlock: 0n,
      strict: true,
    });
    const opened = await chain.publicClient.getContractEvents({
      address: chain.addresses.market,
      abi: chain.abis.market,
      eventName: "DealOpened",
      fromBlock: 0n,
      strict: true,
    });
    const byDeal = new Map(opened.map((l) => [l.args.dealId, l.args.terms]));
    assert.ok(reports.length >= 10, `${reports.length} usage reports`);
    // A site reports the deals due together in one transaction (the market's multicall).
    const perTransaction = new Map<string, number>();
    for (const l of reports) perTransaction.set(l.transactionHash, (perTransaction.get(l.transactionHash) ?? 0) + 1);
    assert.ok(
      perTransaction.size < reports.length,
      `${reports.length} reports in ${perTransaction.size} transactions: none batched`,
    );
    for (const { args } of reports) {
      const terms = byDeal.get(args.dealId)!;
      const res = await fetch(`${api.url}/api/metering/${args.dealId}/report`);
      assert.equal(res.status, 200, `deal ${args.dealId}`);
      const metered = (await res.json()) as { root: string; hours: { start: number; wh: number }[] };
      assert.equal(args.report.meteringRoot, metered.root, `deal ${args.dealId}'s root`);
      assert.deepEqual(
        args.report.whPerHour,
        hoursOf(terms.start, jobEnd(terms)).map((h) => BigInt(metered.hours.find((m) => m.start === h)?.wh ?? 0)),
        `deal ${args.dealId}'s hourly Wh`,
      );
      assert.equal(args.report.vcuPerHour.length, terms.durationHours);
      assert.ok(args.report.vcuPerHour.every((v) => BigInt(v) <= terms.vcu));
    }
    // An honest site's hours each stay within the market's tolerance of the energy they declare.
    const flagged = await chain.publicClient.getContractEvents({
      address: chain.addresses.market,
      abi: chain.abis.market,
      eventName: "UsageFlagged",
      fromBlock: 0n,
      strict: true,
    });
    assert.deepEqual(
      flagged.filter((l) => l.args.outsideProfile).map((l) => l.args.dealId),
      [],
      "deals whose report strays from the declared profile",
    );
    // The first finalised deal is verified end to end.
    const finalised = await chain.publicClient.getContractEvents({
      address: chain.addresses.market,
      abi: chain.abis.market,
      eventName: "DealFinalized",
      fromBlock: 0n,
      strict: true,
    });
    const finalisedIds = new Set(finalised.map((l) => l.args.dealId));
    const reported = reports.filter((l) => finalisedIds.has(l.args.dealId));
    assert.ok(reported.length > 0, "a reported deal was finalised");
    const verification = await verifyDeal({ api: api.url, deals: meteredDeals, dealId: reported[0].args.dealId });
    assert.equal(verification.verified, true, JSON.stringify(verification.unsignedBatches));
    assert.equal(verification.report?.matches, true);
    assert.ok(verification.recomputed.samples > 100);

    // The same check as anyone would run it: npm run verify-metering -- <dealId>. Not spawnSync: the
    // API answering the CLI runs in this process.
    const cli = await run(
      process.execPath,
      [
        path.join(ROOT, "scripts", "verify-metering.ts"),
        String(reported[0].args.dealId),
        "--api",
        api.url,
        "--rpc-url",
        node.url,
        "--deployment",
        env.DEPLOYMENT as string,
      ],
      { encoding: "utf8", timeout: 60_000 },
    ).catch((error: { stdout?: string; stderr?: string; message: string }) => {
      assert.fail(`verify-metering failed: ${error.message} ${error.stdout ?? ""} ${error.stderr ?? ""}`);
    });
    assert.match(cli.stdout, /^VERIFIED$/m);
  });

  it("shows a visitor the time-matched green share: the indexer's stats agree with the chain", async () => {
    const summary = await marketSummary(chain, BigInt(deployment.startBlock));
    assert.ok(summary.timeMatchedGreenBps > 0);
    const indexer = await startIndexer(
      {
        rpcUrl: node.url,
        wsUrl: `ws://127.0.0.1:${node.port}`,
        database: { kind: "pglite", dataDir: path.join(dir, "index") },
        deploymentFile: env.DEPLOYMENT as string,
        confirmations: 0,
        reorgDepth: 64,
        maxBlockRange: 2_000,
        targetLogsPerStep: 5_000,
        pollIntervalMs: 100,
        followEveryMs: 0,
        role: "all",
        host: "127.0.0.1",
        port: 0,
        graphiql: false,
        logLevel: "silent",
      },
      pino({ level: "silent" }),
    );
    try {
      const { engine } = indexer;
      assert.ok(engine !== null && indexer.url !== null);
      const head = Number(await chain.publicClient.getBlockNumber({ cacheTime: 0 }));
      const deadline = Date.now() + 120_000;
      while ((engine.status().indexedBlock ?? 0) < head) {
        assert.ok(Date.now() < deadline, `indexer stuck at ${engine.status().indexedBlock} of ${head}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      // The dashboard's query: the plain share (contracted) beside the time-matched one.
      const res = await fetch(`${indexer.url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: "{ stats { timeMatchedGreenBps contractedGreenShareBps } }" }),
      });
      const body = (await res.json()) as { data: { stats: { timeMatchedGreenBps: number | null } } };
      assert.equal(body.data.stats.timeMatchedGreenBps, summary.timeMatchedGreenBps);
    } finally {
      await indexer.close();
    }
  });

  it("detects the seed on a second run and does not repeat it", async () => {
    const before = first.lines.find((l) => l.event === "seeded")!;
    const second = await runDemo(env);
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(
      second.lines.map((l) => l.event),
      ["seeded"],
    );
    const again = second.lines[0];
    assert.equal(again.alreadySeeded, true);
    assert.equal(again.devices, before.devices);
    assert.equal(await markerCount(), 1);
    // Only the live minutes in between added to the history, never a second seed's days of it.
    assert.ok((again.certificateIssues as number) <= (before.certificateIssues as number) + 10);
    assert.ok((again.bids as number) < (before.bids as number) + 20);
  });
});

async function markerLogs() {
  const logs = await chain.publicClient.getContractEvents({
    address: chain.addresses.certificates,
    abi: chain.abis.certificates,
    eventName: "DeviceRegistered",
    fromBlock: 0n,
    strict: true,
  });
  return logs.filter((l) => l.args.metadataURI === PENDING_DEVICE.metadataURI);
}

async function markerBlock(): Promise<bigint> {
  const [marker] = await markerLogs();
  return marker.blockNumber;
}

async function markerCount(): Promise<number> {
  return (await markerLogs()).length;
}
