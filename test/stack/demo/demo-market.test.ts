// The demo market on a private node whose genesis lies a day in the past, deployed as the stack deploys
// it: the seed fills the day with real history (finalised deals, retirements, credits, daily
// certificate batches within capacity), gives the demo menu's accounts their starting position, keeps
// every token and every Wh accounted for, meters every reported deal through the API's metering
// service so that its report verifies, and is not repeated by a second run; the live simulator then
// trades on and stops cleanly on SIGTERM.
import assert from "node:assert/strict";
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";

import type { Address } from "viem";
import { ChainBookSource } from "../../../backend/book/chain-book-source.ts";
import { DealLedger } from "../../../backend/keeper/deal-ledger.ts";
import { ChainDealSource } from "../../../backend/metering/deal-source.ts";
import { MeteringStore } from "../../../backend/metering/store.ts";
import { verifyDeal } from "../../../backend/metering/verify-deal.ts";
import { ACCOUNT_PLAN, devAccount } from "../../../protocol/accounts.ts";
import type { Deployment } from "../../../protocol/deployment.ts";
import { DemoChain } from "../../../stack/demo/chain.ts";
import { PENDING_DEVICE, SIMULATOR_ACCOUNTS } from "../../../stack/demo/scenario.ts";
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

describe("demo market", () => {
  before(async () => {
    node = await startNode({ genesisTime: new Date(Date.now() - HISTORY_HOURS * 3_600_000), accounts: 30 });
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
    assert.ok((s.dealsFinalized as number) >= 10, `finalised deals: ${s.dealsFinalized}`);
    assert.ok((s.certificateRetirements as number) > 0);
    assert.ok(BigInt(s.creditsMinted as string) > 0n);
    assert.ok((s.creditRetirements as number) > 0);
    assert.ok((s.certificateBatches as number) >= 7);
  });

  it("brings chain time up to the wall clock, never past it", () => {
    const seeded = first.lines.find((l) => l.event === "seeded")!;
    const behind = seeded.receivedAt - (seeded.chainTime as number);
    assert.ok(
      behind >= 0 && behind < 300,
      `chain time is ${behind.toFixed(0)} s behind the wall clock at the end of the seed`,
    );
  });

  it("issues certificate batches within capacity × hours and without overlapping periods", async () => {
    const logs = await chain.publicClient.getContractEvents({
      address: chain.addresses.certificates,
      abi: chain.abis.certificates,
      eventName: "CertificatesIssued",
      fromBlock: 0n,
      strict: true,
    });
    const byDevice = new Map<bigint, { start: number; end: number }[]>();
    for (const { args } of logs) {
      const device = await chain.read("certificates", "deviceOf", [args.deviceId]);
      const hours = (args.periodEnd - args.periodStart) / 3_600;
      assert.ok(
        args.wh > 0n && args.wh <= (device.capacityW * BigInt(Math.floor(hours * 3_600))) / 3_600n,
        `batch ${args.batchId}`,
      );
      byDevice.set(args.deviceId, [
        ...(byDevice.get(args.deviceId) ?? []),
        { start: args.periodStart, end: args.periodEnd },
      ]);
    }
    for (const periods of byDevice.values()) {
      for (let i = 1; i < periods.length; i++) assert.ok(periods[i].start >= periods[i - 1].end);
    }
    // Wind, solar and hydro each certified.
    const sources = new Set(logs.map((l) => l.args.source));
    assert.deepEqual([...sources].sort(), [0, 1, 2]);
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
    assert.ok(book.computeOffers.some((o) => o.supplier === menu("computeSupplier")));
    assert.ok(book.bandwidthOffers.some((o) => o.supplier === menu("networkSupplier")));
    assert.ok(book.energyOffers.some((o) => o.supplier === menu("energySupplier")));

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

  it("keeps every token and every Wh accounted for", async () => {
    const ledger = new DealLedger({
      client: chain.publicClient,
      market: chain.addresses.market,
      startBlock: BigInt(deployment.startBlock),
    });
    await ledger.sync();
    const book = await new ChainBookSource({
      client: chain.publicClient,
      market: chain.addresses.market,
      startBlock: BigInt(deployment.startBlock),
    }).openBook();
    // Tokens: the market holds the open bids' escrow, the open deals' escrow, balances owed and fees.
    let owed = await chain.read("market", "accruedFees");
    for (const bid of book.bids) owed += (bid.vcuHours - bid.filled) * bid.limitPricePerVcuHour;
    for (const deal of ledger.open()) owed += deal.terms.escrow;
    for (const account of ACCOUNTS) owed += await chain.read("market", "withdrawableOf", [account]);
    assert.equal(await chain.read("token", "balanceOf", [chain.addresses.market]), owed);

    // Certificates: every batch's Wh are held by someone, escrowed by the market, or retired.
    const batches = Number(await chain.read("certificates", "batchCount"));
    let escrowed = 0n;
    for (let id = 1n; id <= BigInt(batches); id++) {
      const batch = await chain.read("certificates", "batchOf", [id]);
      const holders: Address[] = [...ACCOUNTS, chain.addresses.market];
      const balances: bigint[] = await chain.read("certificates", "balanceOfBatch", [holders, holders.map(() => id)]);
      assert.equal(balances.reduce((a, b) => a + b, 0n) + batch.retiredWh, batch.issuedWh, `batch ${id}`);
      escrowed += balances[balances.length - 1];
    }
    let inOffersAndDeals = 0n;
    for (const offer of book.energyOffers) inOffersAndDeals += offer.wh - offer.filled;
    for (const deal of ledger.open()) for (const lot of deal.terms.energyLots) inOffersAndDeals += lot.wh;
    assert.equal(escrowed, inOffersAndDeals);
  });

  it("reports every deal with the Wh and root of the series its compute site metered, which verify", async () => {
    const reports = await chain.publicClient.getContractEvents({
      address: chain.addresses.market,
      abi: chain.abis.market,
      eventName: "UsageReported",
      fromBlock: 0n,
      strict: true,
    });
    const finalised = await chain.publicClient.getContractEvents({
      address: chain.addresses.market,
      abi: chain.abis.market,
      eventName: "DealFinalized",
      fromBlock: 0n,
      strict: true,
    });
    assert.ok(reports.length >= 10, `${reports.length} usage reports`);
    const finalisedIds = new Set(finalised.map((l) => l.args.dealId));
    const reported = reports.filter((l) => finalisedIds.has(l.args.dealId));
    assert.ok(reported.length > 0, "a reported deal was finalised");
    // Every report is the service's; the first finalised deal is verified end to end.
    for (const { args } of reports) {
      const res = await fetch(`${api.url}/api/metering/${args.dealId}/report`);
      assert.equal(res.status, 200, `deal ${args.dealId}`);
      const metered = (await res.json()) as { totalWh: number; root: string };
      assert.equal(args.report.meteringHash, metered.root, `deal ${args.dealId}'s root`);
      assert.equal(args.report.whConsumed, BigInt(metered.totalWh), `deal ${args.dealId}'s Wh`);
    }
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
    assert.ok((again.certificateBatches as number) <= (before.certificateBatches as number) + 7);
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
