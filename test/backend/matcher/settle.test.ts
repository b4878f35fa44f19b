// The matcher against a real market: a private Hardhat node, the exchange deployed by the project's
// deploy script, real orders posted by the demo accounts, and the matcher's rounds in this process.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import { encryptKeystoreJson } from "ethers";
import { pino } from "pino";
import { type Address, encodeErrorResult, HttpRequestError, MethodNotFoundRpcError, RpcRequestError } from "viem";
import { generatePrivateKey, privateKeyToAccount, privateKeyToAddress } from "viem/accounts";
import type { BlockBook } from "../../../backend/book/book-source.ts";
import { ChainBookSource } from "../../../backend/book/chain-book-source.ts";
import { IndexerBookSource } from "../../../backend/book/indexer-book-source.ts";
import { createChainClients } from "../../../backend/chain/create-clients.ts";
import { ContractRevertError } from "../../../backend/chain/errors.ts";
import { simulateSettle } from "../../../backend/chain/simulate-settle.ts";
import type { RoundReport } from "../../../backend/matcher/matcher.ts";
import { clearAndPrice } from "../../../backend/matcher/price-batch.ts";
import { JsonFileProposalStore } from "../../../backend/proposals/proposal-file.ts";
import { loadConfig as loadIndexerConfig } from "../../../indexer/config.ts";
import { startIndexer } from "../../../indexer/main.ts";
import type { BookBid, BookComputeOffer } from "../../../protocol/book.ts";
import { marketAbi } from "../../../protocol/generated/abis.ts";
import {
  type BidParams,
  type ComputeOfferParams,
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
} from "./helpers/exchange.ts";
import { createTestMatcher, hookedTransport, type LogLine } from "./helpers/matcher.ts";

const FEE_BPS = 30n; // the Ignition module's default

let node: Node;
let dir: string;
let d: Deployment;
let x: Exchange;
const account = privateKeyToAccount(generatePrivateKey());

// What the test posted, to check every deal against the orders' own limits independently of the
// matcher's and pricing's code.
const computeOffers = new Map<bigint, ComputeOfferParams>();
const energyReserve = new Map<bigint, bigint>();
const linkReserve = new Map<bigint, bigint>();
const bids = new Map<bigint, BidParams>();
let windowStart: number;
let windowEnd: number;

/** A flexible job by default: 10 VCU for 2 hours anywhere in the 4-hour window, certificates from the compute region's grid. */
async function postBid(from: Address, overrides: Partial<BidParams> = {}): Promise<bigint> {
  const bid: BidParams = {
    hardwareClass: Hardware.GpuInference,
    acceptableRegions: regions(Region.Gansu, Region.YangtzeDelta),
    buyerRegion: Region.YangtzeDelta,
    earliestStart: windowStart,
    latestEnd: windowEnd,
    durationHours: 2,
    vcu: 10,
    limitPricePerVcuHour: 2_500_000n,
    minGreenBps: 5_000,
    certificateOrigin: Origin.GridArea,
    bandwidthMbps: 50,
    maxLatencyMs: 40,
    expiry: windowStart,
    ...overrides,
  };
  const id = await x.postBid(from, bid);
  bids.set(id, bid);
  return id;
}

function assertWithinLimits(deal: Awaited<ReturnType<Exchange["dealsOpened"]>>[number]): void {
  const { terms } = deal;
  const bid = bids.get(terms.bidId)!;
  const compute = computeOffers.get(terms.computeOfferId)!;
  const start = Number(terms.start);
  const end = start + bid.durationHours * HOUR;
  assert.ok(terms.vcu > 0n && terms.vcu <= BigInt(bid.vcu), "VCU within the bid");
  assert.equal(terms.durationHours, bid.durationHours);
  assert.ok(
    start % HOUR === 0 && start >= bid.earliestStart && end <= bid.latestEnd,
    "the job's hours in the bid's window",
  );
  assert.ok(start >= compute.windowStart && end <= compute.windowEnd, "and in the compute offer's window");
  const vcuHours = terms.vcu * BigInt(bid.durationHours);
  assert.ok(terms.computePayment >= compute.reservePricePerVcuHour * vcuHours, "compute paid at least its reserve");
  const need = (terms.vcu * BigInt(compute.whPerVcuHour) * BigInt(compute.pueMilli)) / 1000n;
  assert.equal(terms.needPerHourWh, need);
  let green = 0n;
  const greenByHour = new Map<number, bigint>();
  let paid = terms.computePayment + terms.bandwidthPayment;
  for (const lot of terms.energyLots) {
    const hour = Number(lot.hour);
    assert.ok(hour >= start && hour < end, `lot of hour ${hour} inside the job's hours`);
    assert.ok(
      lot.payment * 1000n >= energyReserve.get(lot.offerId)! * lot.wh,
      `energy offer ${lot.offerId} paid at least its reserve`,
    );
    greenByHour.set(hour, (greenByHour.get(hour) ?? 0n) + lot.wh);
    green += lot.wh;
    paid += lot.payment;
  }
  for (const [hour, wh] of greenByHour) assert.ok(wh <= need, `green of hour ${hour} within the hour's need`);
  assert.ok(
    green * 10_000n >= need * BigInt(bid.durationHours) * BigInt(bid.minGreenBps),
    "time-matched green share at least the bid's minimum",
  );
  if (terms.bandwidthOfferId !== 0n) {
    assert.ok(
      terms.bandwidthPayment >=
        linkReserve.get(terms.bandwidthOfferId)! * terms.bandwidthMbps * BigInt(bid.durationHours),
      "link paid at least its reserve for the Mbps it reserved",
    );
  } else {
    assert.equal(compute.region, bid.buyerRegion, "no link only when compute is in the buyer's region");
  }
  assert.ok(
    paid + (paid * FEE_BPS) / 10_000n <= bid.limitPricePerVcuHour * vcuHours,
    "payments and fee within the bid's limit",
  );
}

const storeFile = () => path.join(dir, "data", "submissions.json");

before(async () => {
  node = await startNode();
  dir = await mkdtemp(path.join(tmpdir(), "ccex-matcher-"));
  d = await deploy(node, path.join(dir, "deployments"));
  x = await new Exchange(node.url, d).init();
  await x.enrolMatcher(account.address);

  const now = await x.now();
  windowStart = Math.ceil((now + 24 * HOUR) / HOUR) * HOUR;
  windowEnd = windowStart + 4 * HOUR;
  const gpu: ComputeOfferParams = {
    hardwareClass: Hardware.GpuInference,
    region: Region.Gansu,
    windowStart: windowStart - HOUR,
    windowEnd: windowEnd + HOUR,
    vcu: 200,
    reservePricePerVcuHour: 1_500_000n,
    whPerVcuHour: 2_000,
    pueMilli: 1_250,
    expiry: windowStart,
  };
  const cpu: ComputeOfferParams = {
    ...gpu,
    hardwareClass: Hardware.CpuGeneral,
    region: Region.YangtzeDelta,
    vcu: 50,
    reservePricePerVcuHour: 500_000n,
    whPerVcuHour: 500,
    pueMilli: 1_100,
  };
  computeOffers.set(await x.postComputeOffer(x.compute, gpu), gpu);
  computeOffers.set(await x.postComputeOffer(x.compute, cpu), cpu);

  // Forward Wh of the compute window's six hours from a wind farm in Gansu and a solar plant in
  // Ningxia, both in the north-west grid; the solar plant generates only in the window's middle hours.
  const windDevice = await x.registerDevice(x.wind, Source.Wind, Region.Gansu);
  const solarDevice = await x.registerDevice(x.solar, Source.Solar, Region.Ningxia);
  energyReserve.set(
    await x.postEnergyOffer(x.wind, {
      deviceId: windDevice,
      firstHour: windowStart - HOUR,
      whPerHour: Array.from({ length: 6 }, () => 2_000_000n),
      reservePricePerKwh: 40_000n,
      expiry: windowStart,
    }),
    40_000n,
  );
  energyReserve.set(
    await x.postEnergyOffer(x.solar, {
      deviceId: solarDevice,
      firstHour: windowStart - HOUR,
      whPerHour: [0n, 0n, 1_000_000n, 1_000_000n, 0n, 0n],
      reservePricePerKwh: 50_000n,
      expiry: windowStart,
    }),
    50_000n,
  );

  const link = {
    fromRegion: Region.Gansu,
    toRegion: Region.YangtzeDelta,
    mbps: 10_000,
    latencyMs: 30,
    windowStart: windowStart - HOUR,
    windowEnd: windowEnd + HOUR,
    reservePricePerMbpsHour: 10_000n,
    expiry: windowStart,
  };
  linkReserve.set(await x.postBandwidthOffer(x.network, link), link.reservePricePerMbpsHour);
});

after(async () => {
  if (node !== undefined) {
    node.process.kill("SIGCONT");
    await node.stop();
  }
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe("matcher rounds on a local chain", () => {
  let firstBook: BlockBook | undefined;

  it("opens deals for compute, energy and bandwidth orders, every payment within its order's limit", async () => {
    const remote = await postBid(x.buyer, { vcu: 50 });
    // A fixed 4-hour CPU job in the Yangtze delta: no certificates in its own grid, so it takes them from anywhere.
    const local = await postBid(x.otherBuyer, {
      hardwareClass: Hardware.CpuGeneral,
      acceptableRegions: regions(Region.YangtzeDelta),
      durationHours: 4,
      vcu: 10,
      limitPricePerVcuHour: 1_000_000n,
      minGreenBps: 2_000,
      certificateOrigin: Origin.Anywhere,
      bandwidthMbps: 0,
      maxLatencyMs: 0,
    });
    const fromBlock = await x.head();
    const t = await createTestMatcher({
      url: node.url,
      deployment: d,
      account,
      storeFile: storeFile(),
      book: (chain) => ({
        openBook: async () => (firstBook = await chain.openBook()),
      }),
    });

    const report = await t.matcher.runRound();

    assert.equal(
      report.status,
      "settled",
      JSON.stringify(report, (_k, v) => (typeof v === "bigint" ? String(v) : v)),
    );
    const settled = report as Extract<RoundReport, { status: "settled" }>;
    assert.deepEqual(
      settled.settlement.matches.map((m) => m.outcome),
      ["opened", "opened"],
    );
    const deals = await x.dealsOpened(fromBlock);
    assert.deepEqual(deals.map((deal) => deal.bidId).sort(), [remote, local].sort());
    for (const deal of deals) assertWithinLimits(deal);
    const remoteDeal = deals.find((deal) => deal.bidId === remote)!;
    assert.notEqual(remoteDeal.terms.bandwidthOfferId, 0n, "the remote bid's deal ships results over the link");
    assert.ok(remoteDeal.terms.energyLots.length > 0, "and carries certificates");
    assert.equal(remoteDeal.terms.certificateOrigin, Origin.GridArea);
    const localDeal = deals.find((deal) => deal.bidId === local)!;
    assert.equal(Number(localDeal.terms.start), windowStart, "the fixed job starts at its window's start");

    const batch = await t.proposals.latest();
    assert.equal(batch?.matches.length, 2, "the priced batch was published");
    for (const proposed of batch!.matches) {
      const roles = new Set(proposed.parties.map((p) => p.role));
      assert.ok(
        roles.has("buyer") && roles.has("compute") && roles.has("energy"),
        "every party of the bundle is explained",
      );
      assert.match(proposed.parties.find((p) => p.role === "buyer")!.explanation, /Nash bargaining/);
    }
    const [record] = t.store.all();
    assert.equal(record.status, "mined");
    assert.deepEqual(record.outcomes!.map((o) => o.dealId).sort(), deals.map((deal) => deal.dealId).sort());
    await t.store.close();
  });

  it("never submits a match again: not in the next round, not after a restart, not from a stale book", async () => {
    assert.ok(firstBook !== undefined);
    const nonce = await x.nonce(account.address);
    const head = await x.head();

    const t = await createTestMatcher({ url: node.url, deployment: d, account, storeFile: storeFile() });
    const next = await t.matcher.runRound();
    assert.equal(next.status, "idle", "a restarted matcher finds the bids filled");
    await t.store.close();

    // A book source that lags but claims to be current (say, a stale indexer cache): the same
    // bundles clear again, and the submission record holds every one of them back.
    const stale = await createTestMatcher({
      url: node.url,
      deployment: d,
      account,
      storeFile: storeFile(),
      book: () => ({ openBook: async () => ({ ...firstBook!, blockNumber: head }) }),
    });
    const report = await stale.matcher.runRound();
    assert.equal(report.status, "idle");
    const dropped = (report as Extract<RoundReport, { status: "idle" }>).dropped;
    assert.equal(dropped.length, 2);
    assert.ok(dropped.every((m) => m.why === "already-submitted"));
    await stale.store.close();

    assert.equal(await x.nonce(account.address), nonce, "no transaction was sent");
  });

  it("keeps a settlement pending across a restart and sends it only once", async () => {
    const bidId = await postBid(x.buyer);
    const nonce = await x.nonce(account.address);
    const fromBlock = await x.head();
    await x.setAutomine(false);
    try {
      const first = await createTestMatcher({
        url: node.url,
        deployment: d,
        account,
        storeFile: storeFile(),
        overrides: { receiptTimeoutMs: 300 },
      });
      const sent = await first.matcher.runRound();
      assert.equal(sent.status, "pending");
      // The process "dies" here: its store is abandoned without closing, the lock left behind.

      const second = await createTestMatcher({
        url: node.url,
        deployment: d,
        account,
        storeFile: storeFile(),
        overrides: { receiptTimeoutMs: 300 },
      });
      const waiting = await second.matcher.runRound();
      assert.deepEqual(
        waiting,
        { status: "pending", txHash: (sent as { txHash: string }).txHash },
        "the same transaction, not a new one",
      );
      assert.ok(second.logs.some((l) => l.msg === "re-sending a pending submission"));
      assert.equal(await x.nonce(account.address), nonce + 1, "one transaction in the pool");

      await x.mine();
      const resolved = await second.matcher.runRound();
      assert.equal(resolved.status, "idle", "the mined settlement is recorded and nothing is left to match");
      const record = second.store.all().find((s) => s.txHash === (sent as { txHash: string }).txHash)!;
      assert.equal(record.status, "mined");
      await second.store.close();
    } finally {
      await x.setAutomine(true);
    }
    const deals = await x.dealsOpened(fromBlock);
    assert.deepEqual(
      deals.map((deal) => deal.bidId),
      [bidId],
      "exactly one deal for the bid",
    );
    for (const deal of deals) assertWithinLimits(deal);
    assert.equal(await x.nonce(account.address), nonce + 1);
  });

  it("gives up a pending settlement whose nonce another transaction took, and clears its matches again", async () => {
    const bidId = await postBid(x.buyer);
    const fromBlock = await x.head();
    await x.setAutomine(false);
    let replaced: string;
    try {
      const first = await createTestMatcher({
        url: node.url,
        deployment: d,
        account,
        storeFile: storeFile(),
        overrides: { receiptTimeoutMs: 300 },
      });
      const sent = (await first.matcher.runRound()) as Extract<RoundReport, { status: "pending" }>;
      assert.equal(sent.status, "pending");
      const { nonce } = first.store.pending()[0];
      // Someone with the matcher key (an operator, another instance) replaces it with a higher fee.
      const wallet = createChainClients({ chainId: d.chainId, rpcUrl: node.url, account }).walletClient!;
      replaced = await wallet.sendTransaction({ to: account.address, value: 0n, nonce, gasPrice: 100_000_000_000n });
      await x.mine();
    } finally {
      await x.setAutomine(true);
    }

    const second = await createTestMatcher({ url: node.url, deployment: d, account, storeFile: storeFile() });
    const report = await second.matcher.runRound();

    assert.equal(report.status, "settled", "the bid's match was cleared and sent again");
    const statuses = second.store
      .all()
      .slice(-2)
      .map((s) => s.status);
    assert.deepEqual(statuses, ["dropped", "mined"]);
    assert.ok(second.logs.some((l) => l.msg === "submission dropped: its nonce went to another transaction"));
    assert.ok(replaced.length > 0);
    assert.deepEqual(
      (await x.dealsOpened(fromBlock)).map((deal) => deal.bidId),
      [bidId],
    );
    await second.store.close();
  });

  it("drops a match whose bid was cancelled after the book was read, and settles the rest", async () => {
    const cancelled = await postBid(x.buyer);
    const kept = await postBid(x.otherBuyer);
    const fromBlock = await x.head();
    const t = await createTestMatcher({
      url: node.url,
      deployment: d,
      account,
      storeFile: storeFile(),
      book: (chain) => ({
        openBook: async () => {
          const book = await chain.openBook();
          await x.cancelBid(x.buyer, cancelled);
          return book;
        },
      }),
    });

    const report = await t.matcher.runRound();

    assert.equal(report.status, "settled");
    const { dropped, settlement } = report as Extract<RoundReport, { status: "settled" }>;
    assert.deepEqual(
      dropped.map((m) => [m.match.bidId, m.why, m.reason]),
      [[cancelled, "would-skip", "BidNotOpen"]],
      "the simulation saw the cancellation and named it",
    );
    assert.deepEqual(
      settlement.matches.map((m) => m.outcome),
      ["opened"],
    );
    assert.deepEqual(
      (await x.dealsOpened(fromBlock)).map((deal) => deal.bidId),
      [kept],
    );
    await t.store.close();
  });

  it("records a match the market skipped because its bid was cancelled after simulation, and the rest settles", async () => {
    const cancelled = await postBid(x.buyer);
    const kept = await postBid(x.otherBuyer);
    const fromBlock = await x.head();
    let cancelledFirst = false;
    const t = await createTestMatcher({
      url: node.url,
      deployment: d,
      account,
      storeFile: storeFile(),
      // The buyer's cancellation lands between the matcher's simulation and its transaction.
      transport: hookedTransport(node.url, async (method) => {
        if (method === "eth_sendRawTransaction" && !cancelledFirst) {
          cancelledFirst = true;
          await x.cancelBid(x.buyer, cancelled);
        }
      }),
    });

    const report = await t.matcher.runRound();

    assert.equal(report.status, "settled");
    const { settlement, submitted } = report as Extract<RoundReport, { status: "settled" }>;
    const byBid = new Map(submitted.map((p, i) => [p.match.bidId, settlement.matches[i]]));
    assert.deepEqual(byBid.get(cancelled), { outcome: "skipped", reason: "BidNotOpen" });
    assert.equal(byBid.get(kept)?.outcome, "opened");
    assert.deepEqual(
      (await x.dealsOpened(fromBlock)).map((deal) => deal.bidId),
      [kept],
    );
    assert.ok(t.logs.some((l) => l.msg === "match skipped by the market: BidNotOpen" && l.reason === "BidNotOpen"));
    const record = t.store.all().at(-1)!;
    assert.ok(record.outcomes!.some((o) => o.skipReason === "BidNotOpen"));
    await t.store.close();
  });

  it("retries a flaky node and settles", async () => {
    const bidId = await postBid(x.buyer);
    const fromBlock = await x.head();
    let requests = 0;
    let injected = 0;
    const t = await createTestMatcher({
      url: node.url,
      deployment: d,
      account,
      storeFile: storeFile(),
      retry: { retries: 6, baseDelayMs: 5, maxDelayMs: 20 },
      transport: hookedTransport(node.url, () => {
        if (++requests % 3 === 0) {
          injected++;
          throw new HttpRequestError({ url: node.url, cause: new Error("connect ECONNREFUSED") });
        }
      }),
    });

    const report = await t.matcher.runRound();

    assert.equal(
      report.status,
      "settled",
      JSON.stringify(report, (_k, v) => (typeof v === "bigint" ? String(v) : v)),
    );
    assert.ok(injected >= 3, `faults injected: ${injected}`);
    assert.ok(t.logs.length > 0);
    assert.deepEqual(
      (await x.dealsOpened(fromBlock)).map((deal) => deal.bidId),
      [bidId],
    );
    await t.store.close();
  });

  it("survives the node freezing mid-round and settles once it is back", { timeout: 60_000 }, async () => {
    const bidId = await postBid(x.buyer);
    const fromBlock = await x.head();
    const nonce = await x.nonce(account.address);
    let frozen = false;
    const t = await createTestMatcher({
      url: node.url,
      deployment: d,
      account,
      storeFile: storeFile(),
      retry: { retries: 2, baseDelayMs: 20, maxDelayMs: 50 },
      // Freeze the node (SIGSTOP: it keeps its state but answers nothing) as the matcher prepares
      // its transaction, and thaw it 1.5 s later.
      transport: hookedTransport(
        node.url,
        (method) => {
          if (method === "eth_estimateGas" && !frozen) {
            frozen = true;
            node.process.kill("SIGSTOP");
            setTimeout(() => node.process.kill("SIGCONT"), 1_500);
          }
        },
        250,
      ),
    });

    t.matcher.start();
    const deadline = Date.now() + 30_000;
    let deals: Awaited<ReturnType<Exchange["dealsOpened"]>> = [];
    while (deals.length === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      deals = await x.dealsOpened(fromBlock).catch(() => []);
    }
    await t.matcher.stop();

    assert.ok(frozen, "the node was frozen mid-round");
    assert.ok(
      t.logs.some((l) => l.msg === "round failed" && l.retryable === true),
      "the round failed on the frozen node",
    );
    assert.deepEqual(
      deals.map((deal) => deal.bidId),
      [bidId],
      "and a later round settled the bid, once",
    );
    assert.equal(await x.nonce(account.address), nonce + 1);
    await t.store.close();
  });

  it("settles the honest bids when the book holds a pair pricing cannot price, and names that pair", async () => {
    const honest = await postBid(x.buyer);
    const fromBlock = await x.head();
    // A bid and a compute offer of hardware class 7 (any uint8 fits the market's field) that clear
    // against each other; the book sources leave such orders out, so they are slipped in past them.
    const poisonedBid: BookBid = {
      id: 1_000_000n,
      buyer: x.otherBuyer,
      hardwareClass: 7,
      acceptableRegions: 1n << BigInt(Region.Gansu),
      buyerRegion: Region.Gansu,
      earliestStart: windowStart,
      latestEnd: windowEnd,
      durationHours: 2,
      vcu: 5,
      remainingVcu: 5,
      start: 0,
      limitPricePerVcuHour: 2_000_000n,
      minGreenBps: 0,
      certificateOrigin: Origin.GridArea,
      bandwidthMbps: 0n,
      maxLatencyMs: 0,
      expiry: windowStart,
    };
    const poisonedOffer: BookComputeOffer = {
      id: 1_000_000n,
      supplier: x.compute,
      hardwareClass: 7,
      region: Region.Gansu,
      windowStart: windowStart - HOUR,
      windowEnd: windowEnd + HOUR,
      vcu: 100,
      reservePricePerVcuHour: 1_000_000n,
      whPerVcuHour: 500n,
      pueMilli: 1_100,
      expiry: windowStart,
    };
    const t = await createTestMatcher({
      url: node.url,
      deployment: d,
      account,
      storeFile: storeFile(),
      book: (chain) => ({
        openBook: async () => {
          const book = await chain.openBook();
          return { ...book, bids: [...book.bids, poisonedBid], computeOffers: [...book.computeOffers, poisonedOffer] };
        },
      }),
    });

    const report = await t.matcher.runRound();

    assert.equal(
      report.status,
      "settled",
      JSON.stringify(report, (_k, v) => (typeof v === "bigint" ? String(v) : v)),
    );
    const { dropped } = report as Extract<RoundReport, { status: "settled" }>;
    assert.deepEqual(
      dropped.map((m) => [m.match.bidId, m.match.computeOfferId, m.why]),
      [[poisonedBid.id, poisonedOffer.id, "unpriced"]],
    );
    assert.match(dropped[0].reason ?? "", /hardware class 7/);
    assert.ok(
      t.logs.some((l) => l.msg === "match dropped" && l.why === "unpriced"),
      "the dropped pair is logged with its reason",
    );
    assert.deepEqual(
      (await x.dealsOpened(fromBlock)).map((deal) => deal.bidId),
      [honest],
    );
    await t.store.close();
  });
});

describe("the matcher process", () => {
  it("signs with an encrypted keystore, settles, follows new orders and stops cleanly on SIGTERM", {
    timeout: 60_000,
  }, async () => {
    const privateKey = generatePrivateKey();
    const address = privateKeyToAddress(privateKey);
    await x.enrolMatcher(address);
    const keystore = path.join(dir, "matcher-keystore.json");
    await writeFile(
      keystore,
      await encryptKeystoreJson({ address, privateKey }, "correct horse", { scrypt: { N: 1 << 10 } }),
    );
    const proposalsFile = path.join(dir, "proposals.json");
    const first = await postBid(x.buyer);
    const fromBlock = await x.head();

    const child = spawn(process.execPath, [path.join(ROOT, "backend", "matcher", "main.ts")], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        RPC_URL: node.url,
        DEPLOYMENT: d.file,
        MATCHER_KEYSTORE: keystore,
        MATCHER_KEYSTORE_PASSWORD: "correct horse",
        // Long enough that only the order watch can explain a prompt second settlement.
        MATCHER_INTERVAL_MS: "60000",
        MATCHER_DATA_DIR: path.join(dir, "process-data"),
        MATCHER_PROPOSALS_FILE: proposalsFile,
        LOG_LEVEL: "info",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const lines: LogLine[] = [];
    let stderr = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      for (const line of chunk.toString().split("\n")) if (line.trim() !== "") lines.push(JSON.parse(line) as LogLine);
    });
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      const dealFor = async (bidId: bigint, withinMs: number) => {
        const deadline = Date.now() + withinMs;
        while (Date.now() < deadline) {
          const deal = (await x.dealsOpened(fromBlock)).find((deal) => deal.bidId === bidId);
          if (deal !== undefined) return deal;
          await new Promise((r) => setTimeout(r, 100));
        }
        assert.fail(`no deal for bid ${bidId}; stderr: ${stderr}; log: ${lines.map((l) => l.msg).join(" | ")}`);
      };
      assertWithinLimits(await dealFor(first, 20_000));
      const second = await postBid(x.otherBuyer);
      assertWithinLimits(await dealFor(second, 8_000));

      const published = await new JsonFileProposalStore(proposalsFile).latest();
      assert.deepEqual(
        published?.matches.map((m) => m.match.bidId),
        [second],
      );
      assert.equal(await x.nonce(address), 2, "one settlement per bid, signed by the keystore's key");
    } finally {
      child.kill("SIGTERM");
    }
    assert.equal(await exited, 0);
    assert.ok(lines.some((l) => l.msg === "stopped"));
    assert.ok(!lines.some((l) => JSON.stringify(l).includes(privateKey.slice(2))), "the key never reaches the log");
  });
});

describe("the indexer's GraphQL as the book source", () => {
  it("reads the same open book as the market's events", { timeout: 120_000 }, async () => {
    await postBid(x.buyer, { vcu: 7 }); // left open: no matcher runs
    const indexer = await startIndexer(
      loadIndexerConfig({
        RPC_URL: node.url,
        INDEXER_WS_URL: "off",
        INDEXER_DEPLOYMENT: d.file,
        INDEXER_DATA_DIR: path.join(dir, "indexer"),
        INDEXER_CONFIRMATIONS: "0",
        INDEXER_POLL_MS: "50",
        INDEXER_PORT: "0",
        INDEXER_GRAPHIQL: "false",
        LOG_LEVEL: "silent",
      }),
      pino({ level: "silent" }),
    );
    try {
      const source = new IndexerBookSource({
        url: `${indexer.url}/graphql`,
        retry: { retries: 3, baseDelayMs: 50, maxDelayMs: 200 },
      });
      const head = await x.head();
      let fromIndexer = await source.openBook().catch(() => undefined);
      const deadline = Date.now() + 30_000;
      while ((fromIndexer?.blockNumber ?? -1n) < head && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        fromIndexer = await source.openBook().catch(() => undefined);
      }
      const fromChain = await new ChainBookSource({
        client: createChainClients({ chainId: d.chainId, rpcUrl: node.url }).publicClient,
        market: d.market,
        startBlock: d.startBlock,
      }).openBook();

      const byId = <T extends { id: bigint }>(orders: T[]) => [...orders].sort((a, b) => (a.id < b.id ? -1 : 1));
      // The indexer does not say which links a bid already reserved (pricing then charges the link
      // again, which the market accepts), nor the hours an energy offer named with 0 Wh.
      const normalised = (b: BlockBook) => ({
        asOf: b.asOf,
        blockNumber: b.blockNumber,
        bids: byId(b.bids).map(({ reservedLinks: _, ...bid }) => bid),
        computeOffers: byId(b.computeOffers),
        energyOffers: byId(b.energyOffers).map(({ firstHour, whPerHour, soldWhPerHour, ...offer }) => ({
          ...offer,
          hours: whPerHour
            .map((wh, i) => [firstHour + i * HOUR, wh, soldWhPerHour?.[i] ?? 0n] as const)
            .filter(([, wh]) => wh > 0n),
        })),
        bandwidthOffers: byId(b.bandwidthOffers),
      });
      assert.ok(
        fromChain.bids.length > 0 && fromChain.computeOffers.some((o) => (o.usedVcu?.size ?? 0) > 0),
        "a book with open orders and offers with sold hours",
      );
      assert.deepEqual(normalised(fromIndexer!), normalised(fromChain));
    } finally {
      await indexer.close();
    }
  });
});

describe("simulateSettle", () => {
  /** A match the market accepts for a fresh bid, as the matcher would price it. */
  async function openableMatch() {
    const bidId = await postBid(x.buyer);
    const { publicClient } = createChainClients({ chainId: d.chainId, rpcUrl: node.url });
    const book = await new ChainBookSource({
      client: publicClient,
      market: d.market,
      startBlock: d.startBlock,
    }).openBook();
    const { proposed } = clearAndPrice(book, { now: book.asOf + 30, platformFeeBps: Number(FEE_BPS) });
    return proposed.find((p) => p.match.bidId === bidId)!.match;
  }

  it("tells which matches open and which the market skips (and why), by trace and by plain calls", async () => {
    const good = await openableMatch();
    const matches = [good, { ...good, bidId: 999_999n }];
    const { publicClient } = createChainClients({ chainId: d.chainId, rpcUrl: node.url });

    const traced = await simulateSettle(publicClient, {
      market: d.market,
      from: account.address,
      matches,
      method: "trace",
    });
    assert.equal(traced.method, "trace");
    assert.deepEqual(traced.matches, [{ outcome: "opens" }, { outcome: "skipped", reason: "BidNotOpen" }]);

    const called = await simulateSettle(publicClient, {
      market: d.market,
      from: account.address,
      matches,
      method: "call",
    });
    assert.equal(called.method, "call");
    assert.deepEqual(called.matches, [{ outcome: "opens" }, { outcome: "skipped", reason: undefined }]);

    // Nothing was sent: cancel so later rounds do not see the bid.
    await x.cancelBid(x.buyer, good.bidId);
  });

  it("finds a match that makes the whole batch revert, drops it and keeps the rest", async () => {
    // The market skips every bad match rather than revert, so the node is made to revert instead:
    // any dry run whose calldata holds the poisoned bid id reverts with MarketZeroQuantity().
    const POISON = 0xbadbadbadn;
    const word = POISON.toString(16).padStart(64, "0");
    const revertData = encodeErrorResult({ abi: marketAbi, errorName: "MarketZeroQuantity" });
    const poisoned = (params: unknown) => JSON.stringify(params).includes(word);
    const { publicClient } = createChainClients({
      chainId: d.chainId,
      transport: hookedTransport(node.url, (method, params) => {
        if (method === "debug_traceCall" && poisoned(params))
          return { result: { error: "execution reverted", output: revertData } };
        if (method === "eth_call" && poisoned(params)) {
          throw new RpcRequestError({
            body: {},
            url: node.url,
            error: { code: 3, message: "execution reverted", data: revertData },
          });
        }
      }),
    });
    const good = await openableMatch();
    const matches = [good, { ...good, bidId: POISON }];
    for (const method of ["trace", "call"] as const) {
      const result = await simulateSettle(publicClient, { market: d.market, from: account.address, matches, method });
      assert.deepEqual(
        result.matches,
        [{ outcome: "opens" }, { outcome: "reverts", errorName: "MarketZeroQuantity" }],
        method,
      );
    }
    await x.cancelBid(x.buyer, good.bidId);
  });

  it("falls back to plain calls when the node has no debug_traceCall", async () => {
    const good = await openableMatch();
    const { publicClient } = createChainClients({
      chainId: d.chainId,
      transport: hookedTransport(node.url, (method) => {
        if (method === "debug_traceCall")
          throw new MethodNotFoundRpcError(new Error("the method debug_traceCall does not exist"), { method });
      }),
    });
    const result = await simulateSettle(publicClient, { market: d.market, from: account.address, matches: [good] });
    assert.equal(result.method, "call");
    assert.deepEqual(result.matches, [{ outcome: "opens" }]);
    await x.cancelBid(x.buyer, good.bidId);
  });

  it("reports a batch the market refuses outright (no matcher role) as a revert of the round, not of each match", async () => {
    const good = await openableMatch();
    const { publicClient } = createChainClients({ chainId: d.chainId, rpcUrl: node.url });
    for (const method of ["trace", "call"] as const) {
      await assert.rejects(
        simulateSettle(publicClient, { market: d.market, from: x.buyer, matches: [good], method }),
        (err: unknown) => err instanceof ContractRevertError && err.errorName === "AccessControlUnauthorizedAccount",
      );
    }
    await x.cancelBid(x.buyer, good.bidId);
  });
});
