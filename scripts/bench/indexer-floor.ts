// The floor of a backfill: what the database alone needs to hold the finished index. A backfilled
// index's every table is taken out as COPY text and written into a fresh database as an indexer
// that already knew the answer would write it — one transaction, each row once by COPY, no reads,
// no updates, the secondary indexes and the append-only tables' keys dropped first and built at
// the end, as the backfill does. No fetching, no decoding, no handlers. Its rate bounds from above
// what any indexer writing this schema into that database can reach (docs/indexer.md, "The floor").
//
// Used by `npm run bench:indexer` (PGlite and PostgreSQL, in the same run as the fetch-only rate)
// and by `scripts/bench/indexer-replay.ts --floor` (PGlite, on a recorded history).
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { deferSecondaryIndexes, EVENT_LOG_TABLES, restoreDeferredIndexes } from "../../indexer/db/deferred-indexes.ts";
import { type Database, openDatabase, type Queryable } from "../../indexer/db/driver.ts";
import { migrate } from "../../indexer/db/migrate.ts";
import type { ThreadDatabase } from "../../indexer/db/pglite-thread.ts";
import { readColumns } from "../../indexer/db/recordset.ts";
import { WRITE_ONCE_TABLES } from "../../indexer/db/tables.ts";
import { processCpuSeconds, threadsCpu, threadsCpuSince } from "./thread-cpu.ts";

export type TableText = { table: string; columns: string[]; text: string; rows: number };
export type FinishedIndex = { tables: TableText[]; events: number };

/** Every non-empty table of a finished PGlite index (closed, in `dataDir`) as COPY text. */
export async function finishedTables(dataDir: string): Promise<FinishedIndex> {
  const client = await PGlite.create({ dataDir });
  try {
    const db: Queryable = {
      query: async <T>(sql: string, params?: unknown[]) => (await client.query<T>(sql, params)).rows,
      exec: async (sql: string) => void (await client.exec(sql)),
    };
    const names = (
      await db.query<{ name: string }>(
        `SELECT relname AS name FROM pg_class
         WHERE relnamespace = current_schema()::regnamespace AND relkind = 'r' ORDER BY relname`,
      )
    ).map((t) => t.name);
    const columnsOf = await readColumns(db, names);
    const tables: TableText[] = [];
    for (const table of names) {
      const out = await client.query(`COPY ${table} TO '/dev/blob'`);
      const text = out.blob ? await out.blob.text() : "";
      let rows = 0;
      for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) rows++;
      if (rows > 0) tables.push({ table, columns: [...columnsOf.get(table)!], text, rows });
    }
    const [{ n }] = await db.query<{ n: number }>("SELECT count(*)::int4 AS n FROM events");
    return { tables, events: n };
  } finally {
    await client.close();
  }
}

export type Floor = {
  events: number;
  rows: number;
  eventsPerSecond: number;
  seconds: number;
  /** CPU-µs per event: PGlite's thread (or PostgreSQL's backend), and the whole indexer process. */
  databaseCpuUsPerEvent: number;
  processCpuUsPerEvent: number;
  /** Of the database's wall time, the part building indexes and keys at the end (seconds). */
  indexSeconds: number;
  loadAverage: number;
};

/**
 * The floor on PGlite on its own thread, as the indexer opens it. `inspect` sees the database it
 * wrote before it is thrown away (the test checks that it is the index it was given).
 */
export async function pgliteFloor(index: FinishedIndex, inspect?: (db: Database) => Promise<void>): Promise<Floor> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "ccex-floor-"));
  const db = await openDatabase({ kind: "pglite", dataDir, thread: true });
  try {
    await migrate(db);
    const thread = db as ThreadDatabase;
    const floor = await load(
      db,
      index,
      async () => (await thread.threadCpuMicros()) / 1e6,
      (tx, t) => tx.copyFrom!(t.table, t.columns, t.text),
    );
    await inspect?.(db);
    return floor;
  } finally {
    await db.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * The floor on a PostgreSQL server (`serverUrl`: a superuser's, on this machine): a fresh database,
 * each table by a server-side `COPY … FROM` file, the cheapest way in — the server reads the file
 * itself, nothing crosses the wire. The backend's CPU is read from /proc. `inspect` as for PGlite.
 */
export async function postgresFloor(
  serverUrl: string,
  index: FinishedIndex,
  inspect?: (db: Database) => Promise<void>,
): Promise<Floor> {
  const name = `floor_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  const dir = mkdtempSync(path.join(tmpdir(), "ccex-floor-files-"));
  chmodSync(dir, 0o755);
  let db: Database | null = null;
  try {
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    db = await openDatabase({ kind: "postgres", url: url.toString() });
    await migrate(db);
    const files = new Map<string, string>();
    for (const t of index.tables) {
      const file = path.join(dir, `${t.table}.copy`);
      writeFileSync(file, t.text, { mode: 0o644 });
      files.set(t.table, file);
    }
    let backend = 0;
    const floor = await load(
      db,
      index,
      async () => (backend ? processCpuSeconds(backend) : 0),
      (tx, t) => tx.exec(`COPY ${t.table} (${t.columns.join(", ")}) FROM '${files.get(t.table)}'`),
      async (tx) => {
        backend = (await tx.query<{ pid: number }>("SELECT pg_backend_pid() AS pid"))[0].pid;
      },
    );
    await inspect?.(db);
    return floor;
  } finally {
    await db?.close();
    await admin.query(`DROP DATABASE IF EXISTS ${name}`).catch(() => undefined);
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function load(
  db: Database,
  index: FinishedIndex,
  databaseCpuSeconds: () => Promise<number>,
  copy: (tx: Queryable, t: TableText) => Promise<void>,
  begin?: (tx: Queryable) => Promise<void>,
): Promise<Floor> {
  // The migrations' journal is written by `migrate`, and `deferred_indexes` by the load itself.
  const tables = index.tables.filter((t) => t.table !== "schema_migrations" && t.table !== "deferred_indexes");
  const rows = tables.reduce((n, t) => n + t.rows, 0);
  const loadBefore = loadavg()[0];
  let dbCpu0 = 0;
  let dbCpu1 = 0;
  let indexSeconds = 0;
  const threads0 = threadsCpu();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  // PGlite's thread answers its CPU only between transactions; a PostgreSQL backend's is read
  // from /proc once the transaction knows which backend it has.
  if (!begin) dbCpu0 = await databaseCpuSeconds();
  await db.transaction(async (tx) => {
    if (begin) {
      await begin(tx);
      dbCpu0 = await databaseCpuSeconds();
    }
    await deferSecondaryIndexes(tx, [...EVENT_LOG_TABLES, ...WRITE_ONCE_TABLES]);
    for (const t of tables) await copy(tx, t);
    const i0 = performance.now();
    await restoreDeferredIndexes(tx);
    indexSeconds = (performance.now() - i0) / 1000;
    if (begin) dbCpu1 = await databaseCpuSeconds();
  });
  if (!begin) dbCpu1 = await databaseCpuSeconds();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const threads = threadsCpuSince(threads0, threadsCpu());
  const perEvent = (s: number) => Number(((s * 1e6) / index.events).toFixed(1));
  // PGlite's thread is part of this process: its CPU is in the process's figure already.
  const processSeconds = Object.values(threads).reduce((a, b) => a + b, 0) || (cpu.user + cpu.system) / 1e6;
  return {
    events: index.events,
    rows,
    eventsPerSecond: Math.round(index.events / seconds),
    seconds: Number(seconds.toFixed(2)),
    databaseCpuUsPerEvent: perEvent(dbCpu1 - dbCpu0),
    processCpuUsPerEvent: perEvent(processSeconds),
    indexSeconds: Number(indexSeconds.toFixed(2)),
    loadAverage: Number(((loadBefore + loadavg()[0]) / 2).toFixed(2)),
  };
}
