// The indexer's backfill on a recorded history, without a node: for profiling the handlers' and the
// store's JavaScript (`node --cpu-prof scripts/bench/indexer-replay.ts --replay FILE`) and for quick
// A/B comparisons of CPU per event, which a live node's share of the machine would blur.
//
//   node scripts/bench/indexer-replay.ts --record /tmp/history.json --events 40000
//   node scripts/bench/indexer-replay.ts --replay /tmp/history.json [--runs 2] [--json] [--js-only]
//   node scripts/bench/indexer-replay.ts --replay /tmp/history.json --js-only --profile /tmp/steps.cpuprofile
//   node scripts/bench/indexer-replay.ts --replay /tmp/history.json --floor [--runs 3] [--json]
//
// --js-only: the steps' statements and COPY texts are built and then dropped instead of run (the
// database is used only to start the index), so the figure is the indexer's own JavaScript:
// decoding, handlers, the store, building the writes. Much steadier on a loaded machine.
//
// Recording starts a local node, builds the bench's market history (test/indexer/helpers/history.ts)
// and keeps every block header and indexed log. Replaying serves them through the engine's Chain
// interface and backfills into a fresh PGlite as `npm run bench:indexer` does (same step options),
// printing CPU-µs per event split into inside and outside the steps' transactions. The load
// average is printed with the figures: the machine is shared.
//
// --floor: the recording is backfilled once, then its finished tables are written into a fresh
// PGlite --runs times the cheapest way there is (scripts/bench/indexer-floor.ts).
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { pino } from "pino";
import { type JsonParam, openDatabase, type Queryable } from "../../indexer/db/driver.ts";
import { migrate } from "../../indexer/db/migrate.ts";
import type { ThreadDatabase } from "../../indexer/db/pglite-thread.ts";
import { loadContracts } from "../../indexer/deployment.ts";
import { handlers } from "../../indexer/handlers/index.ts";
import type { BlockHeader, Chain, RawLog } from "../../indexer/sync/chain.ts";
import type { ContractSpec } from "../../indexer/sync/decode.ts";
import { SyncEngine } from "../../indexer/sync/engine.ts";
import { deploy, Exchange, startNode } from "../../test/indexer/helpers/chain.ts";
import { buildMarketHistory } from "../../test/indexer/helpers/history.ts";
import { tempDir } from "../../test/indexer/helpers/indexer.ts";
import { finishedTables, pgliteFloor } from "./indexer-floor.ts";
import { threadsCpu, threadsCpuSince } from "./thread-cpu.ts";

type Recording = {
  chainId: number;
  startBlock: number;
  head: number;
  contracts: { name: string; address: string }[];
  headers: BlockHeader[];
  logs: RawLog[];
};

const { values: args } = parseArgs({
  options: {
    record: { type: "string" },
    replay: { type: "string" },
    events: { type: "string", default: "40000" },
    runs: { type: "string", default: "1" },
    "target-logs": { type: "string", default: "5000" },
    json: { type: "boolean", default: false },
    /** Steps write nothing: the statements are built and dropped, so only JavaScript is measured. */
    "js-only": { type: "boolean", default: false },
    /** PGlite on its own thread, as the indexer runs it; prints the thread's CPU per kind of statement. */
    thread: { type: "boolean", default: false },
    /**
     * Writes a CPU profile of the backfill's steps alone (the last run's), without the database's
     * opening and migrations that `node --cpu-prof` would mix in.
     */
    profile: { type: "string" },
    /** After one backfill, loads its finished tables into a fresh PGlite by COPY, --runs times. */
    floor: { type: "boolean", default: false },
  },
});

async function record(file: string, events: number) {
  const node = await startNode();
  const dir = tempDir("replay-deploy");
  try {
    const deployment = await deploy(node, dir);
    const x = await new Exchange(node.url, deployment).init();
    await buildMarketHistory(x, { deals: Math.ceil(events / 9.5), log: (m) => console.error(m) });
    const head = await x.head();
    const { contracts, startBlock } = await loadContracts(deployment.chainId, deployment.file);
    const { createChain } = await import("../../indexer/sync/chain.ts");
    const chain = createChain({ rpcUrl: node.url, wsUrl: "off" });
    const addresses = contracts.map((c) => c.address.toLowerCase());
    const logs: RawLog[] = [];
    for (let from = startBlock; from <= head; from += 50)
      logs.push(...(await chain.logs({ addresses, fromBlock: from, toBlock: Math.min(head, from + 49) })));
    console.error(`read ${logs.length} logs`);
    // in slices: one answer for every header of a 100k-event history is over viem's 64 MiB
    const headers: BlockHeader[] = [];
    for (let from = 0; from <= head; from += 5_000) {
      const numbers = Array.from({ length: Math.min(5_000, head + 1 - from) }, (_, i) => from + i);
      headers.push(...(await chain.headers(numbers)).values());
    }
    await chain.close();
    const out: Recording = {
      chainId: deployment.chainId,
      startBlock,
      head,
      contracts: contracts.map((c) => ({ name: c.name, address: c.address })),
      headers,
      logs,
    };
    writeFileSync(file, JSON.stringify(out));
    console.error(`recorded ${logs.length} logs in ${head + 1} blocks to ${file}`);
  } finally {
    await node.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The recorded chain behind the engine's Chain interface (copies, as a node's answers would be). */
function replayChain(r: Recording): Chain {
  const byBlock = new Map<number, RawLog[]>();
  for (const l of r.logs) {
    let list = byBlock.get(l.blockNumber);
    if (!list) byBlock.set(l.blockNumber, (list = []));
    list.push(l);
  }
  return {
    chainId: async () => r.chainId,
    head: async () => r.head,
    header: async (n) => (r.headers[n] ? { ...r.headers[n] } : null),
    headers: async (numbers) => new Map(numbers.map((n) => [n, { ...r.headers[n] }])),
    logs: async (filter) => {
      if ("blockHash" in filter) throw new Error("the replay serves ranges only");
      const out: RawLog[] = [];
      for (let n = filter.fromBlock; n <= filter.toBlock; n++) for (const l of byBlock.get(n) ?? []) out.push({ ...l });
      return out;
    },
    subscribeHeads: async () => null,
    close: async () => undefined,
  };
}

async function replay(file: string, keepDir?: string) {
  const r = JSON.parse(readFileSync(file, "utf8")) as Recording;
  const { contracts: full } = await loadContractsFromRecording(r);
  const dataDir = keepDir ?? tempDir("replay-indexer");
  const db = await openDatabase({ kind: "pglite", dataDir, thread: args.thread });
  try {
    await migrate(db);
    let inside = 0;
    let steps = 0;
    const timed: typeof db = {
      ...db,
      transaction: async (fn) => {
        const t = cpuNow();
        try {
          return args["js-only"] && steps > 0 ? await fn(dropWrites) : await db.transaction(fn);
        } finally {
          inside += cpuNow() - t;
          steps++;
        }
      },
    };
    const engine = new SyncEngine({
      db: timed,
      chain: replayChain(r),
      contracts: full,
      handlers,
      startBlock: r.startBlock,
      confirmations: 0,
      reorgDepth: 64,
      maxBlockRange: 2_000,
      targetLogsPerStep: Number(args["target-logs"]),
      pollIntervalMs: 1_000,
      deferIndexes: !args["js-only"],
      log: pino({ level: "silent" }),
    });
    const load = loadavg()[0];
    const thread = db as Partial<ThreadDatabase>;
    const threadCpu0 = await thread.threadCpuMicros?.();
    const statements0 = await thread.threadStatements?.();
    const profiler = args.profile ? new Session() : null;
    if (profiler) {
      profiler.connect();
      await profiler.post("Profiler.enable");
      await profiler.post("Profiler.start");
    }
    const threads0 = threadsCpu();
    const t0 = performance.now();
    const cpu0 = cpuNow();
    await engine.init();
    // The recording's last blocks are within the re-org depth: stop where the journaled steps start,
    // as the bench's backfill clock stops at its head.
    while ((engine.status().indexedBlock ?? -1) < r.head - 64) await engine.step();
    const cpu = cpuNow() - cpu0;
    const wall = performance.now() - t0;
    const threads = threadsCpuSince(threads0, threadsCpu());
    if (profiler) {
      const { profile } = await profiler.post("Profiler.stop");
      writeFileSync(args.profile!, JSON.stringify(profile));
      profiler.disconnect();
    }
    const events = engine.status().eventsIndexed;
    const threadCpu = threadCpu0 === undefined ? undefined : (await thread.threadCpuMicros!()) - threadCpu0;
    const statements = statements0 && (await thread.threadStatements!());
    const rss = Math.round(process.memoryUsage.rss() / 2 ** 20);
    return {
      events,
      steps,
      cpuUsPerEvent: Number((cpu / events).toFixed(1)),
      insideStepsUsPerEvent: Number((inside / events).toFixed(1)),
      outsideStepsUsPerEvent: Number(((cpu - inside) / events).toFixed(1)),
      wallSeconds: Number((wall / 1000).toFixed(2)),
      /** CPU-µs per event of each of the process's threads by name (Linux): V8's helpers too. */
      threadsUsPerEvent: Object.fromEntries(
        Object.entries(threads)
          .filter(([, s]) => s > 0)
          .map(([name, s]) => [name, Number(((s * 1e6) / events).toFixed(1))]),
      ),
      rssMb: rss,
      ...(threadCpu === undefined
        ? {}
        : {
            databaseThreadUsPerEvent: Number((threadCpu / events).toFixed(1)),
            databaseStatementsUsPerEvent: Object.fromEntries(
              Object.entries(statements!)
                .map(([k, c]): [string, number] => [k, (c.cpuMicros - (statements0![k]?.cpuMicros ?? 0)) / events])
                .filter(([, us]) => us >= 0.05)
                .sort((a, b) => b[1] - a[1])
                .map(([k, us]) => [k, Number(us.toFixed(2))]),
            ),
          }),
      loadAverage: Number(((load + loadavg()[0]) / 2).toFixed(2)),
    };
  } finally {
    await db.close();
    if (!keepDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * A transaction that runs nothing: every block is new to `blocks` (the one answer a step reads
 * back from a write), every other statement answers no rows. A backfill from an empty index reads
 * no rows either (the row cache knows every table whole).
 */
const dropWrites: Queryable = {
  query: async <T>(sql: string, params?: unknown[]) => {
    if (sql.startsWith("INSERT INTO blocks")) {
      const rows = JSON.parse((params![0] as JsonParam).text) as { number: number }[];
      return rows.map((r) => ({ number: r.number })) as T[];
    }
    return [];
  },
  exec: async () => undefined,
  copyFrom: async () => undefined,
};

async function loadContractsFromRecording(r: Recording): Promise<{ contracts: ContractSpec[] }> {
  const { INDEXED_CONTRACTS } = await import("../../indexer/contracts.ts");
  return {
    contracts: r.contracts.map((c) => ({
      name: c.name,
      address: c.address,
      abi: (INDEXED_CONTRACTS as Record<string, ContractSpec["abi"]>)[c.name],
    })),
  };
}

function cpuNow(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

if (args.record) await record(args.record, Number(args.events));
else if (args.replay && args.floor) {
  const dir = tempDir("replay-finished");
  try {
    const backfill = await replay(args.replay, dir);
    console.log(args.json ? JSON.stringify({ backfill }) : { backfill });
    const index = await finishedTables(dir);
    for (let i = 0; i < Number(args.runs); i++) {
      const floor = await pgliteFloor(index);
      console.log(args.json ? JSON.stringify({ floor }) : { floor });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
} else if (args.replay) {
  for (let i = 0; i < Number(args.runs); i++) {
    const result = await replay(args.replay);
    console.log(args.json ? JSON.stringify(result) : result);
  }
} else {
  console.error("--record FILE [--events N] | --replay FILE [--runs N]");
  process.exit(2);
}
