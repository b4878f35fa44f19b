// Indexer benchmark on a local Hardhat node: builds a history of ≥100k real market events, then
// measures backfill throughput, head latency (block mined → visible in GraphQL) and order-book
// query latency under concurrent load.
//
//   npm run bench:indexer                    table
//   npm run bench:indexer -- --json          one JSON object
//   npm run bench:indexer -- --events 20000  a smaller history (quick look)
//   npm run bench:indexer -- --in-process    also backfill into PGlite on the sync loop's thread (the
//                                            baseline of the database thread, in the same run)
//   npm run bench:indexer -- --profile F     a CPU profile of the sync loop's thread during the PGlite
//                                            backfill alone (not the history's building), to F
//
// History (test/indexer/helpers/history.ts): what a market looks like after some weeks of trading —
// devices, certificate batches, energy, compute and bandwidth offers, bids, deals with energy lots
// and a link (about 1 in 25 matches skipped), usage reports (some flagged), confirmations,
// disputes, finalisations, no-shows, cancellations, retirements, credit transfers and retirements,
// withdrawals. About 10.6 indexed events per deal.
//
// Measured in one run: backfill on PGlite (as `npm run indexer` runs it) and on PostgreSQL (a real
// server started here; --skip-postgres to leave it out); the same block ranges fetched from the
// same node with no decoding and no database (`fetchOnlyEventsPerSecond`, the machine's ceiling);
// head latency; the order-book query under load; the peak resident memory of the PGlite backfill
// (`peakRssMb`), and each backfill's share of the fetch-only rate; last, the floor (`floor`): the
// finished index written into a fresh PGlite and PostgreSQL by COPY alone, the most a backfill into
// each can reach (indexer-floor.ts). The load average is printed with the figures: the machine is
// shared.
import { rmSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { pino } from "pino";
import { type Abi, encodeFunctionData } from "viem";
import { type Database, openDatabase, type Queryable } from "../../indexer/db/driver.ts";
import { migrate } from "../../indexer/db/migrate.ts";
import type { StatementCost, ThreadDatabase } from "../../indexer/db/pglite-thread.ts";
import { loadContracts } from "../../indexer/deployment.ts";
import { startServer } from "../../indexer/graphql/server.ts";
import { handlers } from "../../indexer/handlers/index.ts";
import { createChain } from "../../indexer/sync/chain.ts";
import { createDecoder } from "../../indexer/sync/decode.ts";
import { SyncEngine } from "../../indexer/sync/engine.ts";
import { marketAbi } from "../../protocol/generated/abis.ts";
import { type Deployment, deploy, Exchange, type Node, startNode } from "../../test/indexer/helpers/chain.ts";
import { buildMarketHistory } from "../../test/indexer/helpers/history.ts";
import { tempDir } from "../../test/indexer/helpers/indexer.ts";
import { bid, computeOffer, parties } from "../../test/indexer/helpers/market.ts";
import { type Server, startPostgres } from "../../test/indexer/helpers/postgres.ts";
import { finishedTables, pgliteFloor, postgresFloor } from "./indexer-floor.ts";
import { processCpuSeconds, processTreeCpuSeconds, threadsCpu, threadsCpuSince } from "./thread-cpu.ts";

const { values: args } = parseArgs({
  options: {
    json: { type: "boolean", default: false },
    events: { type: "string", default: "100000" },
    "head-samples": { type: "string", default: "50" },
    duration: { type: "string", default: "5" },
    connections: { type: "string", default: "10" },
    "skip-postgres": { type: "boolean", default: false },
    /** Also backfill into PGlite on the sync loop's own thread (the baseline of the database thread). */
    "in-process": { type: "boolean", default: false },
    /** Writes a CPU profile (.cpuprofile) of the sync loop's thread during the PGlite backfill. */
    profile: { type: "string" },
    /** INDEXER_TARGET_LOGS_PER_STEP of the backfills (the indexer's default). */
    "target-logs": { type: "string", default: "5000" },
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
/** Indexed events per deal of the history, rounded down from the 10.6 measured, to size it. */
const EVENTS_PER_DEAL = 9.5;

/**
 * Backfills the whole history into `db` and returns the wall and CPU time it took, the events
 * indexed and the block ranges the engine committed (for the fetch-only pass).
 */
async function backfill(
  db: Database,
  node: Node,
  deployment: Deployment,
  head: number,
  o: { profileTo?: string; server?: Server } = {},
) {
  const profileTo = o.profileTo;
  await migrate(db);
  const chain = createChain({ rpcUrl: node.url, wsUrl: node.url.replace("http", "ws") });
  const contracts = await loadContracts(deployment.chainId, deployment.file);
  const parts = new Parts();
  const decode = createDecoder(contracts.contracts);
  const engine = new SyncEngine({
    db: parts.database(db),
    decoder: (log, blockTime) => parts.time("decode", () => decode(log, blockTime)),
    chain,
    contracts: contracts.contracts,
    handlers,
    startBlock: contracts.startBlock,
    confirmations: 0,
    reorgDepth: 64,
    maxBlockRange: 2_000,
    targetLogsPerStep: Number(args["target-logs"]),
    pollIntervalMs: 1_000,
    log: pino({ level: "silent" }),
  });
  const ranges: [number, number][] = [];
  engine.on((e) => {
    if (e.type === "block") ranges.push([e.fromBlock, e.toBlock]);
  });
  // The step that reaches the head ends the clock (no polling beside the engine).
  const reached = new Promise<void>((resolve) => {
    const off = engine.on((e) => {
      if (e.type === "block" && e.toBlock >= head) {
        off();
        resolve();
      }
    });
  });
  // Peak resident memory of the process while it backfills (rows kept between steps, JSON batches).
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 20);
  const profiler = profileTo ? new Session() : null;
  if (profiler) {
    profiler.connect();
    await profiler.post("Profiler.enable");
    await profiler.post("Profiler.start");
  }
  const loadBefore = loadavg()[0];
  const t0 = performance.now();
  const cpuBefore = process.cpuUsage();
  const mainBefore = process.threadCpuUsage();
  const threadsBefore = threadsCpu();
  const nodeBefore = processCpuSeconds(node.process.pid);
  const serverBefore = o.server ? processTreeCpuSeconds(o.server.pid) : 0;
  const dbThreadBefore = await (db as Partial<ThreadDatabase>).threadCpuMicros?.();
  const statementsBefore = await (db as Partial<ThreadDatabase>).threadStatements?.();
  await engine.init();
  const running = engine.run();
  const stop = async () => {
    await engine.stop();
    await running.catch(() => undefined);
    await chain.close();
  };
  // The run ends only on an error (or a stop) before the head: then the race fails with it.
  const ended = running.then(() => {
    throw new Error("sync stopped before the head");
  });
  ended.catch(() => undefined);
  try {
    await Promise.race([reached, ended]);
  } catch (error) {
    clearInterval(sampler);
    await stop();
    throw new Error(`sync failed: ${(error as Error).message}`);
  }
  clearInterval(sampler);
  const seconds = (performance.now() - t0) / 1000;
  if (profiler) {
    const { profile } = await profiler.post("Profiler.stop");
    writeFileSync(profileTo!, JSON.stringify(profile));
    profiler.disconnect();
  }
  // CPU time of this process (sync loop and PGlite both run in it): steadier than wall time on a
  // machine shared with other work.
  const cpu = process.cpuUsage(cpuBefore);
  const main = process.threadCpuUsage(mainBefore);
  const threads = threadsCpuSince(threadsBefore, threadsCpu());
  const nodeCpu = processCpuSeconds(node.process.pid) - nodeBefore;
  const serverCpu = o.server ? processTreeCpuSeconds(o.server.pid) - serverBefore : null;
  const dbThread =
    dbThreadBefore === undefined ? undefined : (await (db as ThreadDatabase).threadCpuMicros()) - dbThreadBefore;
  const events = engine.status().eventsIndexed;
  const statements =
    statementsBefore === undefined
      ? undefined
      : databaseStatements(statementsBefore, await (db as ThreadDatabase).threadStatements(), events);
  return {
    engine,
    stop,
    ranges,
    events,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    /** CPU of the sync loop's thread and of the database's (PGlite on its own thread), seconds. */
    threadCpuSeconds: {
      main: Number(((main.user + main.system) / 1e6).toFixed(2)),
      database: dbThread === undefined ? null : Number((dbThread / 1e6).toFixed(2)),
    },
    /** CPU of every thread of the process by name (Linux), seconds: V8's and libuv's helpers too. */
    threadsByName: threads,
    /** CPU of the node's process meanwhile (serving the logs and headers; Linux), seconds. */
    nodeCpuSeconds: Number(nodeCpu.toFixed(2)),
    /** CPU of the PostgreSQL server's processes meanwhile (its backends; Linux), seconds. */
    serverCpuSeconds: serverCpu === null ? null : Number(serverCpu.toFixed(2)),
    eventsPerSecond: Math.round(events / seconds),
    peakRssMb: Math.round(peakRss / 2 ** 20),
    loadAverage: Number(((loadBefore + loadavg()[0]) / 2).toFixed(2)),
    parts: { ...parts.perEvent(events), ...waits(engine, events) },
    ...(statements ? { databaseThreadUsPerEvent: statements } : {}),
  };
}

/**
 * The database thread's CPU per kind of statement during the backfill, in µs per event, with how
 * many statements of the kind ran and their mean size (the COPY file or JSON parameter, KiB).
 */
function databaseStatements(
  before: Record<string, StatementCost>,
  after: Record<string, StatementCost>,
  events: number,
): Record<string, { usPerEvent: number; count: number; kibEach: number }> {
  const out: Record<string, { usPerEvent: number; count: number; kibEach: number }> = {};
  const kinds = Object.entries(after)
    .map(([kind, a]) => {
      const b = before[kind] ?? { count: 0, cpuMicros: 0, bytes: 0 };
      return { kind, count: a.count - b.count, micros: a.cpuMicros - b.cpuMicros, bytes: a.bytes - b.bytes };
    })
    .filter((k) => k.count > 0)
    .sort((x, y) => y.micros - x.micros);
  for (const k of kinds)
    out[k.kind] = {
      usPerEvent: Number((k.micros / events).toFixed(2)),
      count: k.count,
      kibEach: Number((k.bytes / k.count / 1024).toFixed(1)),
    };
  return out;
}

/**
 * Where a backfill's time goes, in CPU-µs per event: each kind of statement (by its first words and
 * table), the decoder, the rest of each step's transaction (handlers, the store's JavaScript, the
 * commit, and whatever callbacks ran between its statements) and the engine's CPU outside a
 * transaction (reading the fetched ranges, between steps), and the wall time it waited outside one
 * (for the node). CPU rather than wall: on a shared machine wall time follows the load. The
 * decoder runs as fetched ranges arrive, between the statements of a step or between steps, so its
 * time is also inside one of those parts.
 */
class Parts {
  readonly #us = new Map<string, number>();
  #outside = { wall: performance.now(), cpu: cpuNow() };

  /** A synchronous part (the decoder), by wall time: it never waits, and is called per event. */
  time<T>(part: string, fn: () => T): T {
    const t = performance.now();
    try {
      return fn();
    } finally {
      this.#add(part, (performance.now() - t) * 1000);
    }
  }

  async #timed<T>(part: string, p: () => Promise<T>): Promise<T> {
    const t = cpuNow();
    try {
      return await p();
    } finally {
      this.#add(part, cpuNow() - t);
    }
  }

  #add(part: string, us: number) {
    this.#us.set(part, (this.#us.get(part) ?? 0) + us);
  }

  /** `db` with every statement of a transaction timed, and each transaction's own remainder. */
  database(db: Database): Database {
    const statement = (sql: string) => {
      const words = sql.replace(/\s+/g, " ").trim();
      const table = /\b(?:INTO|UPDATE|FROM|TRUNCATE)\s+(?!json|\(|'\/dev)([a-z_]+)/i.exec(words)?.[1] ?? "";
      return `sql ${words.split(" ")[0].toUpperCase()} ${table}`.trim();
    };
    type Body = (tx: Queryable) => Promise<unknown>;
    const around = <P>(fn: Body, run: (f: Body) => Promise<P>): Promise<P> => {
      const t = { wall: performance.now(), cpu: cpuNow() };
      const outsideCpu = t.cpu - this.#outside.cpu;
      this.#add("outside a step: engine, fetched ranges (CPU)", outsideCpu);
      this.#add("outside a step: waiting (wall − CPU)", (t.wall - this.#outside.wall) * 1000 - outsideCpu);
      let inQueries = 0;
      const timed = async <T>(part: string, p: () => Promise<T>) => {
        const q = { wall: performance.now(), cpu: cpuNow() };
        try {
          return await this.#timed(part, p);
        } finally {
          const cpu = cpuNow() - q.cpu;
          inQueries += cpu;
          // A statement whose answer is awaited (a read) waits for the ones posted before it.
          this.#add("  of which for statements' answers", (performance.now() - q.wall) * 1000 - cpu);
        }
      };
      return run((tx) =>
        fn({
          ...tx,
          query: (sql, params) => timed(statement(sql), () => tx.query(sql, params)),
          copyFrom: tx.copyFrom
            ? (table, columns, text) => timed(`sql COPY ${table}`, () => tx.copyFrom!(table, columns, text))
            : undefined,
        }),
      ).finally(() => {
        const cpu = cpuNow() - t.cpu;
        this.#add("step JS (handlers, store), commit", cpu - inQueries);
        // Inside a step the loop waits only for the database: reads queued behind earlier writes,
        // the commit of its own (not written behind).
        this.#add("in a step: waiting for the database (wall − CPU)", (performance.now() - t.wall) * 1000 - cpu);
        this.#outside = { wall: performance.now(), cpu: cpuNow() };
      });
    };
    return {
      ...db,
      transaction: (fn) => around(fn, (f) => db.transaction(f)) as never,
      // Written behind, a statement's part is what posting it to the database's thread costs here.
      writeBehind: db.writeBehind ? (fn) => around(fn, (f) => db.writeBehind!(f)) as never : undefined,
    };
  }

  perEvent(events: number): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, us] of [...this.#us].sort((a, b) => b[1] - a[1]))
      if (us / events >= 0.05) out[k] = Number((us / events).toFixed(1));
    return out;
  }
}

/** What the engine waited for between steps, wall µs per event (SyncEngine.waited). */
function waits(engine: SyncEngine, events: number): Record<string, number> {
  const { node, database } = engine.waited();
  return {
    "  of which for the node (a fetched range)": Number(((node * 1000) / events).toFixed(1)),
    "  of which for the database (steps written behind)": Number(((database * 1000) / events).toFixed(1)),
  };
}

/** CPU time of this thread so far, µs (PGlite on its own thread counts apart). */
function cpuNow(): number {
  const u = process.threadCpuUsage();
  return u.user + u.system;
}

/**
 * The same block ranges read from the same node as the backfill reads them (logs, then the headers
 * of the range's ends and of the blocks with logs), with no decoding and no database.
 */
async function fetchOnly(node: Node, deployment: Deployment, ranges: [number, number][]) {
  const chain = createChain({ rpcUrl: node.url, wsUrl: "off" });
  const addresses = (await loadContracts(deployment.chainId, deployment.file)).contracts.map((c) =>
    c.address.toLowerCase(),
  );
  const loadBefore = loadavg()[0];
  const t0 = performance.now();
  const cpuBefore = process.cpuUsage();
  const nodeBefore = processCpuSeconds(node.process.pid);
  let logs = 0;
  try {
    for (const [fromBlock, toBlock] of ranges) {
      const got = await chain.logs({ addresses, fromBlock, toBlock });
      logs += got.length;
      const ends = fromBlock === toBlock ? [fromBlock] : [fromBlock, toBlock];
      const wanted = [...new Set(got.map((l) => l.blockNumber))].filter((n) => !ends.includes(n));
      await chain.headers([...ends, ...wanted]);
    }
  } finally {
    await chain.close();
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    logs,
    seconds,
    /** CPU of this process (reading the answers) and of the node's, seconds. */
    cpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(2)),
    nodeCpuSeconds: Number((processCpuSeconds(node.process.pid) - nodeBefore).toFixed(2)),
    eventsPerSecond: Math.round(logs / seconds),
    loadAverage: Number(((loadBefore + loadavg()[0]) / 2).toFixed(2)),
  };
}

function share(rate: number, ceiling: number): number {
  return Number((rate / ceiling).toFixed(2));
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function main() {
  const started = Date.now();
  let node: Node | null = null;
  let db: Database | null = null;
  let pgServer: Server | null = null;
  const dirs: string[] = [];
  const closers: (() => Promise<unknown>)[] = [];
  try {
    log("starting a local node and deploying…");
    node = await startNode();
    const deployDir = tempDir("bench-deploy");
    dirs.push(deployDir);
    const deployment = await deploy(node, deployDir);
    const x = await new Exchange(node.url, deployment).init();
    log(`building a market history of ≥${target} events…`);
    const tHistory = Date.now();
    const counts = await buildMarketHistory(x, { deals: Math.ceil(target / EVENTS_PER_DEAL), log });
    const historySeconds = (Date.now() - tHistory) / 1000;
    const historyEvents = Object.values(counts).reduce((a, b) => a + b, 0);
    const head = await x.head();

    log("backfilling into PGlite…");
    // The indexer as `npm run indexer` runs it: PGlite in a data folder.
    const dataDir = tempDir("bench-indexer");
    dirs.push(dataDir);
    db = await openDatabase({ kind: "pglite", dataDir, thread: true });
    const lite = await backfill(db, node, deployment, head, { profileTo: args.profile });
    closers.push(lite.stop);
    const { engine, events, eventsPerSecond } = lite;
    log(`  ${events} events indexed (${historyEvents} emitted; the settlement token's are not indexed)`);

    log("fetching the same ranges with no decoding and no database…");
    const fetched = await fetchOnly(node, deployment, lite.ranges);
    if (fetched.logs !== events) throw new Error(`fetch-only read ${fetched.logs} logs, the backfill ${events} events`);

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
        args: [computeOffer(t0, { vcu: 5n })],
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
    // The history's bids have expired by now (its deals are long over): a few live ones face the asks.
    for (let i = 0; i < 5; i++)
      await x.send("Market", "postBid", [bid(t0, { limitPricePerVcuHour: BigInt(2_000_000 + i * 50_000) })], p.buyer);
    while ((engine.status().indexedBlock ?? -1) < (await x.head())) await new Promise((r) => setTimeout(r, 5));
    const query = JSON.stringify({
      query: `{ orderBook(resource: COMPUTE, filter: { hardwareClass: "gpu-inference", region: 7 }, depth: 20) { bids { price quantity orders } asks { price quantity orders } bestBid bestAsk spread } }`,
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

    // Last, so that its load on the node does not disturb the head-latency samples (with it first,
    // the WebSocket head feed of the PGlite indexer was seen to fall back to 1 s polling).
    let inProcess: Record<string, unknown> | null = null;
    if (args["in-process"]) {
      log("backfilling into PGlite on the sync loop's thread…");
      const dir = tempDir("bench-indexer-in-process");
      dirs.push(dir);
      const oneThread = await openDatabase({ kind: "pglite", dataDir: dir });
      try {
        const now = await x.head();
        while ((engine.status().indexedBlock ?? -1) < now) await new Promise((r) => setTimeout(r, 5));
        const run = await backfill(oneThread, node, deployment, now);
        await run.stop();
        inProcess = {
          eventsPerSecond: run.eventsPerSecond,
          backfillSeconds: Number(run.seconds.toFixed(2)),
          backfillCpuSeconds: Number(run.cpuSeconds.toFixed(2)),
          cpuUsPerEvent: Number(((run.cpuSeconds * 1e6) / run.events).toFixed(1)),
          shareOfFetchOnly: Number((run.eventsPerSecond / fetched.eventsPerSecond).toFixed(2)),
          peakRssMb: run.peakRssMb,
          loadAverage: run.loadAverage,
        };
      } finally {
        await oneThread.close();
      }
    }
    let postgres: Record<string, unknown> | null = null;
    if (!args["skip-postgres"]) {
      log("backfilling into PostgreSQL…");
      pgServer = await startPostgres();
      const pgDb = await openDatabase({ kind: "postgres", url: pgServer.url });
      try {
        // The chain as it is now (the latency samples added to it), indexed by PGlite too.
        const now = await x.head();
        while ((engine.status().indexedBlock ?? -1) < now) await new Promise((r) => setTimeout(r, 5));
        const run = await backfill(pgDb, node, deployment, now, { server: pgServer });
        await run.stop();
        const indexed = engine.status().eventsIndexed;
        if (run.events !== indexed) throw new Error(`PostgreSQL indexed ${run.events} events, PGlite ${indexed}`);
        postgres = {
          eventsPerSecond: run.eventsPerSecond,
          backfillSeconds: Number(run.seconds.toFixed(2)),
          backfillCpuSeconds: Number(run.cpuSeconds.toFixed(2)),
          shareOfFetchOnly: Number((run.eventsPerSecond / fetched.eventsPerSecond).toFixed(2)),
          /** The server's processes (backends), CPU-µs per event: the floor's is databaseCpuUsPerEvent. */
          serverCpuUsPerEvent: Number((((run.serverCpuSeconds ?? Number.NaN) * 1e6) / run.events).toFixed(1)),
          loadAverage: run.loadAverage,
          partsUsPerEvent: run.parts,
        };
      } finally {
        await pgDb.close();
      }
    }

    // Last: the finished index (the PGlite one, closed) written into fresh databases the cheapest
    // way there is, for the rate no indexer writing this schema into them can pass.
    log("the floor: the finished index written into fresh databases by COPY alone…");
    for (const close of closers.splice(0)) await close().catch(() => undefined);
    await db.close();
    db = null;
    const finished = await finishedTables(dataDir);
    const pgliteFloorRun = await pgliteFloor(finished);
    const postgresFloorRun = pgServer ? await postgresFloor(pgServer.url, finished) : null;
    const floor = {
      pglite: { ...pgliteFloorRun, shareOfFetchOnly: share(pgliteFloorRun.eventsPerSecond, fetched.eventsPerSecond) },
      postgres: postgresFloorRun && {
        ...postgresFloorRun,
        shareOfFetchOnly: share(postgresFloorRun.eventsPerSecond, fetched.eventsPerSecond),
      },
    };

    const result = {
      events,
      eventsPerSecond,
      fetchOnlyEventsPerSecond: fetched.eventsPerSecond,
      /** The backfill's rate as a share of the fetch-only rate (target ≥ 0.70, aim 0.85). */
      shareOfFetchOnly: Number((eventsPerSecond / fetched.eventsPerSecond).toFixed(2)),
      backfillSeconds: Number(lite.seconds.toFixed(2)),
      backfillCpuSeconds: Number(lite.cpuSeconds.toFixed(2)),
      eventsPerCpuSecond: Math.round(events / lite.cpuSeconds),
      cpuUsPerEvent: Number(((lite.cpuSeconds * 1e6) / events).toFixed(1)),
      /** CPU of the sync loop's thread and of PGlite's thread during the backfill (seconds). */
      threadCpuSeconds: lite.threadCpuSeconds,
      /** CPU seconds of each of the process's threads by name during the PGlite backfill (Linux). */
      threadCpuSecondsByName: lite.threadsByName,
      /** The same backfill with PGlite on the sync loop's thread (--in-process), later in the run. */
      inProcess,
      /** Peak resident memory of the process during the PGlite backfill (MiB). */
      peakRssMb: lite.peakRssMb,
      /** Where the sync loop thread's CPU went, µs per event, and its wait for the node (wall). */
      partsUsPerEvent: lite.parts,
      /** Where the database thread's CPU went, µs per event, per kind of statement (with count and size). */
      databaseThreadUsPerEvent: lite.databaseThreadUsPerEvent,
      fetchOnlySeconds: Number(fetched.seconds.toFixed(2)),
      /** CPU seconds of this process and of the node during the fetch-only pass and the PGlite backfill. */
      cpuSecondsOfNode: { backfill: lite.nodeCpuSeconds, fetchOnly: fetched.nodeCpuSeconds },
      fetchOnlyCpuSeconds: fetched.cpuSeconds,
      /**
       * The finished index written into a fresh PGlite (and PostgreSQL) by COPY alone, no fetching,
       * decoding or handlers: the most any backfill into it can reach (indexer-floor.ts).
       */
      floor,
      steps: lite.ranges.length,
      blocks: head - deployment.startBlock + 1,
      history: { counts, seconds: Number(historySeconds.toFixed(1)) },
      postgres,
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
      database: "pglite (file, on its own thread)",
      loadAverage: { backfill: lite.loadAverage, fetchOnly: fetched.loadAverage, end: Number(loadavg()[0].toFixed(2)) },
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
        "fetch-only events/s": result.fetchOnlyEventsPerSecond,
        "backfill / fetch-only": result.shareOfFetchOnly,
        "floor (COPY of the finished index) events/s": result.floor.pglite.eventsPerSecond,
        "floor / fetch-only": result.floor.pglite.shareOfFetchOnly,
        "PostgreSQL floor events/s": result.floor.postgres?.eventsPerSecond ?? "skipped",
        "PostgreSQL backfill events/s": result.postgres?.eventsPerSecond ?? "skipped",
        "backfill events per CPU-second": result.eventsPerCpuSecond,
        "backfill CPU-µs per event": result.cpuUsPerEvent,
        "sync loop thread CPU-s": result.threadCpuSeconds.main,
        "database thread CPU-s": result.threadCpuSeconds.database ?? "n/a",
        "in-process PGlite events/s": result.inProcess?.eventsPerSecond ?? "skipped",
        "backfill peak RSS MiB": result.peakRssMb,
        "head latency p50 ms": result.headLatencyP50Ms,
        "head latency p99 ms": result.headLatencyP99Ms,
        "head feed": result.realtime,
        "orderBook req/s": result.orderBookQuery.requestsPerSecond,
        "orderBook p50 ms": result.orderBookQuery.latencyP50Ms,
        "orderBook p99 ms": result.orderBookQuery.latencyP99Ms,
      });
      console.log("PGlite backfill, CPU-µs per event by part (and the wall time it waited):");
      console.table(result.partsUsPerEvent);
      console.log(`history (${result.history.seconds}s):`, counts);
      console.log("load average:", result.loadAverage, "(2 shared cores)");
    }
  } finally {
    for (const close of closers) await close().catch(() => undefined);
    await db?.close().catch(() => undefined);
    await node?.stop();
    pgServer?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

await main();
