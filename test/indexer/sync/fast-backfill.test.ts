// The backfill's fast path (compiled decoder, ranges fetched three ahead, large steps, rows kept in
// memory from step to step, secondary indexes built at the end, new rows appended by COPY) must
// leave exactly the database the reference path leaves (viem's decoder, one range ahead, small
// steps, every step reading its rows from the database, indexes kept up to date throughout, every
// row written by INSERT from JSON):
// one market history indexed both ways, every table dumped and compared row by row. The fast path
// runs on PGlite (in this thread and on its own) and on a PostgreSQL server, whose steps are written
// behind and appended by COPY too, failures and all.
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { pino } from "pino";
import { readSyncState } from "../../../indexer/db/checkpoint.ts";
import { countDeferredIndexes } from "../../../indexer/db/deferred-indexes.ts";
import { type Database, openDatabase, type Queryable } from "../../../indexer/db/driver.ts";
import { dumpIndex } from "../../../indexer/db/dump.ts";
import { migrate } from "../../../indexer/db/migrate.ts";
import { TABLE_NAMES, WRITE_ONCE_TABLES } from "../../../indexer/db/tables.ts";
import { type IndexedDeployment, loadContracts } from "../../../indexer/deployment.ts";
import { handlers } from "../../../indexer/handlers/index.ts";
import { createChain } from "../../../indexer/sync/chain.ts";
import { createDecoder, createReferenceDecoder } from "../../../indexer/sync/decode.ts";
import { SyncEngine, type SyncOptions } from "../../../indexer/sync/engine.ts";
import { fetchRange } from "../../../indexer/sync/fetch-range.ts";
import { deploy, Exchange, type Node, startNode } from "../helpers/chain.ts";
import { buildMarketHistory } from "../helpers/history.ts";
import { tempDir } from "../helpers/indexer.ts";
import { type Server, startPostgres } from "../helpers/postgres.ts";

describe("fast backfill", () => {
  let node: Node;
  let deployDir: string;
  let deployment: IndexedDeployment;
  let head: number;
  const dirs: string[] = [];
  let pg: Server;
  let pgDatabases = 0;

  before(async () => {
    node = await startNode();
    deployDir = tempDir("fast-deploy");
    const d = await deploy(node, deployDir);
    const x = await new Exchange(node.url, d).init();
    await buildMarketHistory(x, { deals: 400 });
    deployment = await loadContracts(d.chainId, d.file);
    head = await x.head();
    pg = await startPostgres();
  });

  after(async () => {
    pg?.stop();
    await node?.stop();
    rmSync(deployDir, { recursive: true, force: true });
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  /** Per database indexed: the most secondary indexes it held deferred after a step. */
  const deferredMost = new Map<Database, number>();
  /** Per database indexed: the most primary keys it held deferred after a step, and of those of tables handlers read. */
  const keysDeferredMost = new Map<Database, { all: number; read: number }>();
  /** Per database whose step failed written behind: the steps posted after it, chained to it. */
  const chainedAfter = new Map<Database, number>();

  /**
   * Indexes the history; with `failTransaction`, that transaction fails once after its writes. On
   * PGlite on its own thread (`where`: "thread") or on PostgreSQL ("postgres", a fresh database of
   * the server), steps are written behind, and the failing transaction is one of them: a statement
   * after its writes fails in the database, after the engine has gone on to build the next step.
   * That statement is slow, so the steps after it are posted before it fails (they are chained to
   * it and must be rolled back with it): `chainedAfter` gets how many were.
   */
  async function index(
    options: Partial<SyncOptions>,
    failTransaction?: number,
    where: "pglite" | "thread" | "postgres" = "pglite",
  ): Promise<Database> {
    let db: Database;
    if (where === "postgres") {
      const name = `backfill_${++pgDatabases}`;
      const admin = await openDatabase({ kind: "postgres", url: pg.url });
      await admin.exec(`CREATE DATABASE ${name}`);
      await admin.close();
      db = await openDatabase({ kind: "postgres", url: pg.url.replace(/\/postgres$/, `/${name}`) });
    } else {
      const dataDir = tempDir("fast-db");
      dirs.push(dataDir);
      db = await openDatabase({ kind: "pglite", dataDir, thread: where === "thread" });
    }
    await migrate(db);
    let transactions = 0;
    /** Write-behind transactions begun, and how many had been when the failing one was. */
    let begun = 0;
    let failingBegun = 0;
    let deferred = 0;
    const keysDeferred = { all: 0, read: 0 };
    /** After a step's writes: what it left deferred. */
    const count = async (tx: Queryable) => {
      deferred = Math.max(deferred, await countDeferredIndexes(tx));
      const [keys] = await tx.query<{ all: number; read: number }>(
        `SELECT count(*)::int4 AS all, count(*) FILTER (WHERE name = ANY($1))::int4 AS read
         FROM deferred_indexes WHERE definition LIKE 'ALTER TABLE%PRIMARY KEY%'`,
        [TABLE_NAMES.filter((t) => !WRITE_ONCE_TABLES.includes(t)).map((t) => `${t}_pkey`)],
      );
      keysDeferred.all = Math.max(keysDeferred.all, keys.all);
      keysDeferred.read = Math.max(keysDeferred.read, keys.read);
    };
    const sync: Database = {
      ...db,
      transaction: (fn) =>
        db.transaction(async (tx) => {
          const result = await fn(tx);
          await count(tx);
          if (++transactions === failTransaction) throw new Error("connection lost before commit");
          return result;
        }),
      writeBehind: db.writeBehind
        ? (fn) =>
            db.writeBehind!(async (tx) => {
              begun++;
              const mine = begun;
              const result = await fn(tx);
              await count(tx);
              if (transactions + 1 === failTransaction) failingBegun = mine;
              // Posted and not waited for, like the step's own writes: the step returns before it
              // fails, and the engine posts the next steps while the database counts.
              if (++transactions === failTransaction)
                await tx.query(
                  "INSERT INTO blocks (number) SELECT CASE WHEN count(*) > 0 THEN NULL::int8 END FROM generate_series(1, 2000000)",
                );
              return result;
            })
        : undefined,
    };
    let failures = 0;
    const chain = createChain({ rpcUrl: node.url, wsUrl: "off" });
    const engine = new SyncEngine({
      db: sync,
      chain,
      contracts: deployment.contracts,
      handlers,
      startBlock: deployment.startBlock,
      confirmations: 0,
      reorgDepth: 64,
      maxBlockRange: 2_000,
      targetLogsPerStep: 5_000,
      pollIntervalMs: 100,
      log: pino({ level: "silent" }),
      ...options,
    });
    try {
      await engine.init();
      while ((engine.status().indexedBlock ?? -1) < head) {
        await engine.step().catch(async (error: Error) => {
          if (!/connection lost|null value in column "number"/.test(error.message)) throw error;
          failures++;
          if (db.writeBehind) chainedAfter.set(db, begun - failingBegun);
          // Nothing of the failed step is in the database, which is at the checkpoint the engine resumes from.
          const state = await readSyncState(db);
          assert.equal(state?.block_number, engine.status().indexedBlock);
          const [{ last }] = await db.query<{ last: number | null }>("SELECT max(number)::int8 AS last FROM blocks");
          assert.equal(last, state?.block_number);
        });
      }
    } finally {
      await chain.close();
    }
    assert.equal(failures, failTransaction === undefined ? 0 : 1);
    deferredMost.set(db, deferred);
    keysDeferredMost.set(db, keysDeferred);
    return db;
  }

  it("writes the same rows to every table as the reference path", async () => {
    const reference = await index({
      decoder: createReferenceDecoder(deployment.contracts),
      rangesAhead: 1,
      targetLogsPerStep: 500,
      rowCache: false,
      deferIndexes: false,
      copyRows: false,
    });
    const fast = await index({});
    // Many small steps: most rows a step touches were kept in the cache by an earlier one.
    const cachedSteps = await index({ targetLogsPerStep: 300, maxBlockRange: 10 });
    // A step whose transaction fails after its handlers ran: the retry must not see its rows.
    const retried = await index({ targetLogsPerStep: 300, maxBlockRange: 10 }, 5);
    // PGlite on its own thread, steps written behind; the same, with one step failing in the database.
    const threaded = await index({}, undefined, "thread");
    const threadedRetried = await index({ targetLogsPerStep: 300, maxBlockRange: 10 }, 5, "thread");
    // PostgreSQL: steps written behind on its pipeline connection, rows appended by COPY FROM STDIN.
    const postgres = await index({ targetLogsPerStep: 300, maxBlockRange: 10 }, undefined, "postgres");
    const postgresRetried = await index({ targetLogsPerStep: 300, maxBlockRange: 10 }, 5, "postgres");
    try {
      assert.equal(deferredMost.get(reference), 0);
      // The failing step's successors were posted before it failed, and rolled back with it: none
      // of their blocks is in the database at the failure (checked in index()), and the retry
      // leaves the reference rows (below).
      for (const db of [threadedRetried, postgresRetried]) {
        const chained = chainedAfter.get(db) ?? 0;
        assert.ok(chained >= 1, `${chained} steps were posted after the failing one`);
      }
      const manySteps = [cachedSteps, retried, threadedRetried, postgres, postgresRetried];
      // In many steps, the secondary indexes are dropped after the first and built in the last.
      for (const db of manySteps)
        assert.ok((deferredMost.get(db) ?? 0) >= 20, `the backfill deferred ${deferredMost.get(db)} indexes`);
      // Appended by COPY, the history tables' primary keys are deferred too (with the event log's),
      // and built again in the last step (the indexes compared below); the keys of the tables
      // handlers read back stay.
      for (const db of manySteps) {
        const keys = keysDeferredMost.get(db);
        assert.ok((keys?.all ?? 0) >= WRITE_ONCE_TABLES.length + 2, `the backfill deferred ${keys?.all} primary keys`);
        assert.equal(keys?.read, 0);
      }
      const want = await dumpIndex(reference);
      const got = await dumpIndex(fast);
      assert.ok(want.events.length > 3_000, `${want.events.length} events`);
      const links = want.account_events.reduce((n, r) => n + (r.log_indexes as number[]).length, 0);
      assert.ok(links >= want.events.length, `${links} account links`);
      assert.deepStrictEqual(Object.keys(got), Object.keys(want));
      for (const table of Object.keys(want)) assert.deepStrictEqual(got[table], want[table], table);
      const small = await dumpIndex(cachedSteps);
      for (const table of Object.keys(want))
        assert.deepStrictEqual(small[table], want[table], `${table} (small steps)`);
      for (const [label, db] of [
        ["retried", retried],
        ["database thread", threaded],
        ["database thread, retried", threadedRetried],
        ["PostgreSQL", postgres],
        ["PostgreSQL, retried", postgresRetried],
      ] as const) {
        const other = await dumpIndex(db);
        for (const table of Object.keys(want)) assert.deepStrictEqual(other[table], want[table], `${table} (${label})`);
      }
    } finally {
      await postgres.close();
      await postgresRetried.close();
      await threaded.close();
      await threadedRetried.close();
      await reference.close();
      await fast.close();
      await cachedSteps.close();
      await retried.close();
    }
  });

  it("halves a range whose logs exceed the response cap, while the ranges fetched beside it arrive whole", async () => {
    const whole = createChain({ rpcUrl: node.url, wsUrl: "off" });
    const addresses = deployment.contracts.map((c) => c.address.toLowerCase());
    const perBlock = new Map<number, number>();
    for (const l of await whole.logs({ addresses, fromBlock: deployment.startBlock, toBlock: head }))
      perBlock.set(l.blockNumber, (perBlock.get(l.blockNumber) ?? 0) + 1);
    await whole.close();
    // Two neighbouring blocks with logs, and two blocks with a few: the cap lies between the size of
    // the first block's answer and that of both blocks'.
    const dense = [...perBlock].find(([n, c]) => c >= 20 && (perBlock.get(n + 1) ?? 0) >= 20)?.[0];
    const sparse = [...perBlock].filter(([, c]) => c > 0 && c <= 5).map(([n]) => n);
    assert.ok(dense !== undefined && sparse.length >= 2, "the history has dense and sparse blocks");
    const bytes = async (fromBlock: number, toBlock: number) => {
      const params = [
        { address: addresses, fromBlock: `0x${fromBlock.toString(16)}`, toBlock: `0x${toBlock.toString(16)}` },
      ];
      const res = await fetch(node.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_getLogs", params }),
      });
      return (await res.arrayBuffer()).byteLength;
    };
    const one = await bytes(dense, dense);
    const cap = Math.floor((one + (await bytes(dense, dense + 1))) / 2);
    assert.ok(
      cap > 3 * ((await bytes(sparse[0], sparse[0])) + (await bytes(sparse[1], sparse[1]))),
      "the sparse blocks' answers fit under the cap thrice",
    );
    const capped = createChain({ rpcUrl: node.url, wsUrl: "off", maxLogsResponseBytes: cap });
    const decode = createDecoder(deployment.contracts);
    const get = (fromBlock: number, range: number) =>
      fetchRange(capped, addresses, decode, { fromBlock, limit: head, range, everyHeader: false });
    try {
      // Fetched together, as the engine fetches ranges ahead: each is answered on its own.
      const [big, a, b] = await Promise.all([get(dense, 2), get(sparse[0], 1), get(sparse[1], 1)]);
      assert.equal(big.range, 1, "the dense range was halved");
      assert.equal(big.events.length, perBlock.get(dense));
      assert.deepEqual(
        [a.range, a.events.length, b.range, b.events.length],
        [1, perBlock.get(sparse[0]), 1, perBlock.get(sparse[1])],
      );
    } finally {
      await capped.close();
    }
  });
});
