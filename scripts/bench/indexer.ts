// Indexer benchmark on a local Hardhat node: builds a history of ≥100k real market events, then
// measures backfill throughput, head latency (block mined → visible in GraphQL) and order-book
// query latency under concurrent load.
//
//   npm run bench:indexer                    table
//   npm run bench:indexer -- --json          one JSON object
//   npm run bench:indexer -- --events 20000  a smaller history (quick look)
//
// History: orders posted through multicall (ComputeOfferPosted, BidPosted), settlements of one
// VCU-hour each between a large bid and a large offer (DealOpened: the heaviest handler), and
// settlements of zero-quantity matches (MatchSkipped). Each is an ordinary mined transaction.
import { rmSync } from "node:fs";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { pino } from "pino";
import { type Abi, type Address, encodeFunctionData } from "viem";
import { type Database, openDatabase } from "../../indexer/db/driver.ts";
import { migrate } from "../../indexer/db/migrate.ts";
import { loadContracts } from "../../indexer/deployment.ts";
import { startServer } from "../../indexer/graphql/server.ts";
import { handlers } from "../../indexer/handlers/index.ts";
import { createChain } from "../../indexer/sync/chain.ts";
import { SyncEngine } from "../../indexer/sync/engine.ts";
import { marketAbi } from "../../protocol/generated/abis.ts";
import { deploy, Exchange, type Node, startNode } from "../../test/indexer/helpers/chain.ts";
import { tempDir } from "../../test/indexer/helpers/indexer.ts";
import { bid, computeOffer, fund, parties, Region, regions, USD } from "../../test/indexer/helpers/market.ts";

const { values: args } = parseArgs({
  options: {
    json: { type: "boolean", default: false },
    events: { type: "string", default: "100000" },
    "head-samples": { type: "string", default: "50" },
    duration: { type: "string", default: "5" },
    connections: { type: "string", default: "10" },
  },
});
const target = Number(args.events);
const headSamples = Number(args["head-samples"]);
const duration = Number(args.duration);
const connections = Number(args.connections);
if (!(target >= 1_000) || !(headSamples >= 1) || !(duration > 0) || !(connections >= 1)) {
  console.error("--events ≥ 1000, --head-samples ≥ 1, --duration > 0, --connections ≥ 1");
  process.exit(2);
}
const log = (msg: string) => {
  if (!args.json) console.error(msg);
};

const MARKET = marketAbi as Abi;
const DEALS_PER_TX = 150;
const SKIPS_PER_TX = 500;
const POSTS_PER_TX = 100;

type Rpc = (method: string, params?: unknown[]) => Promise<any>;

async function buildHistory(x: Exchange): Promise<Record<string, number>> {
  const p = parties(x);
  const market = x.deployment.addresses.Market;
  const rpc: Rpc = (m, params = []) => x.rpc(m, params);
  const send = async (from: Address, data: string, gas = 16_000_000n) => {
    const hash = await rpc("eth_sendTransaction", [{ from, to: market, data, gas: `0x${gas.toString(16)}` }]);
    const receipt = await rpc("eth_getTransactionReceipt", [hash]);
    if (receipt?.status !== "0x1") throw new Error(`history transaction failed: ${hash}`);
    return receipt as { logs: unknown[] };
  };
  const t0 = await x.now();
  // A tenth orders, a third deals, the rest skipped matches.
  const postTxs = Math.ceil((target * 0.1) / POSTS_PER_TX);
  const dealTxs = Math.ceil((target * 0.3) / DEALS_PER_TX);
  const dealVcu = BigInt(dealTxs * DEALS_PER_TX);
  // Deals need a window that outlives the benchmark; both orders share one region (no bandwidth).
  const dealBid = bid(t0, {
    vcuHours: dealVcu,
    limitPricePerVcuHour: 3_000_000n,
    minGreenBps: 0,
    acceptableRegions: regions(Region.Northwest),
    buyerRegion: Region.Northwest,
    bandwidthMbps: 0,
  });
  await fund(x, p.buyer, dealVcu * 3n * USD);
  await fund(x, p.otherBuyer, BigInt(postTxs * POSTS_PER_TX) * 60n * USD);
  await send(p.buyer, encodeFunctionData({ abi: MARKET, functionName: "postBid", args: [dealBid] }));
  await send(
    p.compute,
    encodeFunctionData({
      abi: MARKET,
      functionName: "postComputeOffer",
      args: [computeOffer(t0, { vcuHours: dealVcu })],
    }),
  );
  const counts = { posts: 2, deals: 0, skipped: 0 };

  for (let i = 0; i < postTxs; i++) {
    const calls = Array.from({ length: POSTS_PER_TX / 2 }, (_, j) =>
      encodeFunctionData({
        abi: MARKET,
        functionName: "postComputeOffer",
        args: [
          computeOffer(t0, {
            vcuHours: BigInt(10 + ((i * 7 + j) % 90)),
            reservePricePerVcuHour: BigInt(1_000_000 + ((i * 13 + j * 17) % 50) * 20_000),
          }),
        ],
      }),
    );
    await send(p.compute, encodeFunctionData({ abi: MARKET, functionName: "multicall", args: [calls] }));
    const bids = Array.from({ length: POSTS_PER_TX / 2 }, (_, j) =>
      encodeFunctionData({
        abi: MARKET,
        functionName: "postBid",
        args: [
          bid(t0, {
            vcuHours: BigInt(1 + ((i + j) % 20)),
            limitPricePerVcuHour: BigInt(2_000_000 + ((i * 11 + j * 3) % 40) * 25_000),
          }),
        ],
      }),
    );
    await send(p.otherBuyer, encodeFunctionData({ abi: MARKET, functionName: "multicall", args: [bids] }));
    counts.posts += POSTS_PER_TX;
  }
  log(`  ${counts.posts} orders posted`);
  const deal = {
    bidId: 1n,
    computeOfferId: 1n,
    vcuHours: 1n,
    computePayment: 2n * USD,
    energyLots: [],
    bandwidthOfferId: 0n,
    bandwidthPayment: 0n,
  };
  for (let i = 0; i < dealTxs; i++) {
    const r = await send(
      p.admin,
      encodeFunctionData({ abi: MARKET, functionName: "settle", args: [Array(DEALS_PER_TX).fill(deal)] }),
    );
    counts.deals += r.logs.length;
    if (i % 20 === 0) log(`  ${counts.deals} deals opened`);
  }
  const skip = { ...deal, vcuHours: 0n, computePayment: 0n };
  const skipTxs = Math.ceil(Math.max(0, target - counts.posts - counts.deals) / SKIPS_PER_TX);
  for (let i = 0; i < skipTxs; i++) {
    const r = await send(
      p.admin,
      encodeFunctionData({ abi: MARKET, functionName: "settle", args: [Array(SKIPS_PER_TX).fill(skip)] }),
    );
    counts.skipped += r.logs.length;
  }
  log(`  ${counts.skipped} skipped matches`);
  return counts;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function main() {
  const started = Date.now();
  let node: Node | null = null;
  let db: Database | null = null;
  const dirs: string[] = [];
  const closers: (() => Promise<unknown>)[] = [];
  try {
    log("starting a local node and deploying…");
    node = await startNode();
    const deployDir = tempDir("bench-deploy");
    dirs.push(deployDir);
    const deployment = await deploy(node, deployDir);
    const x = await new Exchange(node.url, deployment).init();
    log(`building a history of ≥${target} events…`);
    const tHistory = Date.now();
    const counts = await buildHistory(x);
    const historySeconds = (Date.now() - tHistory) / 1000;
    const head = await x.head();

    // The indexer as `npm run indexer` runs it: PGlite in a data folder, WebSocket head feed.
    const dataDir = tempDir("bench-indexer");
    dirs.push(dataDir);
    db = await openDatabase({ kind: "pglite", dataDir });
    await migrate(db);
    const chain = createChain({ rpcUrl: node.url, wsUrl: node.url.replace("http", "ws") });
    closers.push(() => chain.close());
    const contracts = await loadContracts(deployment.chainId, deployment.file);
    const engine = new SyncEngine({
      db,
      chain,
      contracts: contracts.contracts,
      handlers,
      startBlock: contracts.startBlock,
      confirmations: 0,
      reorgDepth: 64,
      maxBlockRange: 2_000,
      targetLogsPerStep: 5_000,
      pollIntervalMs: 1_000,
      log: pino({ level: "silent" }),
    });
    log("backfilling…");
    const tBackfill = performance.now();
    const cpuBefore = process.cpuUsage();
    await engine.init();
    const running = engine.run();
    // A failure shows as phase "failed" below; it must not also crash the process past `finally`.
    running.catch(() => undefined);
    closers.push(async () => {
      await engine.stop();
      await running.catch(() => undefined);
    });
    while ((engine.status().indexedBlock ?? -1) < head) {
      if (engine.status().phase === "failed")
        throw new Error(`sync failed: ${JSON.stringify(engine.status().lastError)}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    const backfillSeconds = (performance.now() - tBackfill) / 1000;
    // CPU time of this process (sync loop and PGlite both run in it): steadier than wall time on a
    // machine shared with other work.
    const cpu = process.cpuUsage(cpuBefore);
    const backfillCpuSeconds = (cpu.user + cpu.system) / 1e6;
    const events = engine.status().eventsIndexed;
    const eventsPerSecond = Math.round(events / backfillSeconds);

    const server = await startServer({
      db,
      confirmations: 0,
      syncStatus: () => engine.status(),
      feed: engine,
      host: "127.0.0.1",
      port: 0,
      graphiql: false,
      log: pino({ level: "silent" }),
    });
    closers.unshift(() => server.close());
    const gql = async (query: string) => {
      const res = await fetch(`${server.url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query }),
      });
      return ((await res.json()) as { data: any }).data;
    };

    log("measuring head latency…");
    const p = parties(x);
    const t0 = await x.now();
    const latencies: number[] = [];
    for (let i = 0; i < headSamples; i++) {
      const data = encodeFunctionData({
        abi: MARKET,
        functionName: "postComputeOffer",
        args: [computeOffer(t0, { vcuHours: 5n })],
      });
      const hash = await x.rpc("eth_sendTransaction", [
        { from: p.compute, to: deployment.addresses.Market, data, gas: "0x100000" },
      ]);
      // With automine the node answers once the block is mined: the clock starts there.
      const mined = performance.now();
      const receipt = await x.rpc("eth_getTransactionReceipt", [hash]);
      const offerId = BigInt(receipt.logs[0].topics[1]).toString();
      for (;;) {
        const r = await gql(`{ order(kind: COMPUTE_OFFER, id: "${offerId}") { id } }`);
        if (r?.order) break;
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      latencies.push(performance.now() - mined);
    }
    latencies.sort((a, b) => a - b);

    log("loading the order book query…");
    const query = JSON.stringify({
      query: `{ orderBook(resource: COMPUTE, filter: { hardwareClass: "gpu-inference", region: 4 }, depth: 20) { bids { price quantity orders } asks { price quantity orders } bestBid bestAsk spread } }`,
    });
    const check = await gql(JSON.parse(query).query);
    if (!(check?.orderBook?.asks?.length > 0 && check.orderBook.bids.length > 0))
      throw new Error("order book query returned an empty book");
    const load = await autocannon({
      url: `${server.url}/graphql`,
      method: "POST",
      headers: { "content-type": "application/json" },
      body: query,
      connections,
      duration,
    });
    if (load.non2xx > 0 || load.errors > 0)
      throw new Error(`order book load: ${load.non2xx} non-2xx, ${load.errors} errors`);

    const result = {
      events,
      eventsPerSecond,
      backfillSeconds: Number(backfillSeconds.toFixed(2)),
      backfillCpuSeconds: Number(backfillCpuSeconds.toFixed(2)),
      eventsPerCpuSecond: Math.round(events / backfillCpuSeconds),
      blocks: head - deployment.startBlock + 1,
      history: { ...counts, seconds: Number(historySeconds.toFixed(1)) },
      headLatencyP50Ms: Number(percentile(latencies, 50).toFixed(1)),
      headLatencyP99Ms: Number(percentile(latencies, 99).toFixed(1)),
      headSamples,
      realtime: engine.status().realtime,
      orderBookQuery: {
        connections,
        durationSeconds: duration,
        requestsPerSecond: Math.round(load.requests.average),
        latencyP50Ms: load.latency.p50,
        latencyP99Ms: load.latency.p99,
      },
      database: "pglite (file)",
      loadAverage: Number((await import("node:os")).loadavg()[0].toFixed(2)),
      totalSeconds: Math.round((Date.now() - started) / 1000),
    };
    if (args.json) {
      console.log(JSON.stringify(result));
    } else {
      console.log("\nindexer benchmark (local hardhat node, PGlite in a data folder)\n");
      console.table({
        "events indexed": result.events,
        blocks: result.blocks,
        "backfill seconds": result.backfillSeconds,
        "backfill events/s": result.eventsPerSecond,
        "backfill events per CPU-second": result.eventsPerCpuSecond,
        "head latency p50 ms": result.headLatencyP50Ms,
        "head latency p99 ms": result.headLatencyP99Ms,
        "head feed": result.realtime,
        "orderBook req/s": result.orderBookQuery.requestsPerSecond,
        "orderBook p50 ms": result.orderBookQuery.latencyP50Ms,
        "orderBook p99 ms": result.orderBookQuery.latencyP99Ms,
      });
      console.log(
        `history: ${counts.posts} orders, ${counts.deals} deals, ${counts.skipped} skipped matches in ${result.history.seconds}s`,
      );
    }
  } finally {
    for (const close of closers) await close().catch(() => undefined);
    await db?.close().catch(() => undefined);
    await node?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

await main();
