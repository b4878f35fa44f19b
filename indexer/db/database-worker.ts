// The worker's side of a database on a thread of its own (database-thread.ts is the other side):
// PGlite (pglite-worker.ts) or a PostgreSQL connection (postgres-worker.ts) behind the same loop.
//
// Messages are taken strictly one at a time, in the order they were posted: a read posted after a
// step's writes sees them. Inside a transaction a statement may be posted with no reply wanted
// (a write whose result nobody reads); the first such statement that fails spoils the transaction,
// whose COMMIT then rolls it back and answers with that statement's error. A write-behind
// transaction posted while the one before it was still unanswered is chained to it: if that one did
// not commit, neither does this one (the steps of a backfill commit in order or not at all).
import { parentPort } from "node:worker_threads";
import type { OpenRequest, StatementCost, ThreadReply, ThreadRequest, ThreadStatement } from "./database-thread.ts";

/** The database a worker serves: what each message turns into. */
export type WorkerDatabase = {
  /** Opens it; may answer with a PGlite cluster's files. */
  open(m: OpenRequest): Promise<{ dumped?: Uint8Array<ArrayBuffer> }>;
  begin(): Promise<void>;
  /** Rejects if the transaction did not commit. */
  commit(): Promise<void>;
  rollback(): Promise<void>;
  exec(sql: string): Promise<void>;
  /** JSON parameters arrive as their UTF-8 bytes (Uint8Array). */
  query(sql: string, params?: unknown[]): Promise<unknown[]>;
  /** Appends COPY text (UTF-8) to `table`. */
  copy(table: string, columns: readonly string[], data: Uint8Array<ArrayBuffer>): Promise<void>;
  close(): Promise<void>;
};

/** Takes this worker's messages and runs them on `database`, one at a time. */
export function serveDatabase(database: WorkerDatabase): void {
  db = database;
  port.on("message", (m: ThreadRequest) => {
    queue.push(m);
    if (!draining) void drain();
  });
}

const port = parentPort!;
let db: WorkerDatabase;
/** A transaction is open. */
let open = false;
/** The first error of the open transaction (statements after it are not run). */
let spoiled: unknown = null;
/** The open transaction was written behind (its COMMIT may fail a chained one after it). */
let behind = false;
/**
 * Why the last write-behind transaction did not commit (null: it did). A chained transaction,
 * posted before that one's COMMIT was answered, is rolled back with the same error.
 */
let behindFailure: unknown = null;
const queue: ThreadRequest[] = [];
/** CPU time per kind of statement (`COPY events`, `UPDATE deals`, `COMMIT`…), for the bench's split. */
const profile: Record<string, StatementCost> = {};
let draining = false;

async function drain(): Promise<void> {
  draining = true;
  while (queue.length > 0) {
    const m = queue.shift()!;
    const start = process.threadCpuUsage();
    try {
      const reply = await handle(m);
      count(m, start);
      if (reply) port.postMessage(reply.message, reply.transfer ?? []);
    } catch (error) {
      count(m, start);
      // PostgreSQL itself would answer a COMMIT of a failed transaction with a silent ROLLBACK.
      if (open && "reply" in m) spoiled ??= error;
      if (!("reply" in m) || m.reply) port.postMessage({ id: m.id, error: errorData(error) } satisfies ThreadReply);
    }
  }
  draining = false;
}

async function handle(m: ThreadRequest): Promise<{ message: ThreadReply; transfer?: ArrayBuffer[] } | null> {
  switch (m.op) {
    case "open": {
      const { dumped } = await db.open(m);
      return dumped
        ? { message: { id: m.id, dumped }, transfer: [dumped.buffer as ArrayBuffer] }
        : { message: { id: m.id } };
    }
    case "begin":
      // A chained transaction must not commit after one that failed: it is spoiled from the start.
      // (Other transactions posted meanwhile neither break nor mend the chain.)
      if (m.behind && !m.chained) behindFailure = null;
      spoiled = m.chained ? behindFailure : null;
      behind = m.behind === true;
      open = true;
      // A BEGIN that failed (a lost connection) spoils the transaction: nothing of it may run.
      await db.begin().catch((error) => {
        spoiled ??= error;
      });
      return { message: { id: m.id } };
    case "commit": {
      const failure = spoiled;
      const wasBehind = behind;
      spoiled = null;
      open = false;
      if (wasBehind) behindFailure = failure;
      behind = false;
      if (failure !== null) {
        await db.rollback().catch(() => undefined);
        throw failure;
      }
      try {
        await db.commit();
      } catch (error) {
        // The COMMIT itself failed (a deferred check): a transaction chained to this one must not commit either.
        if (wasBehind) behindFailure = error;
        throw error;
      }
      return { message: { id: m.id } };
    }
    case "rollback":
      spoiled = null;
      open = false;
      behind = false;
      // Rolled back by its author before COMMIT: a transaction chained after it would have been
      // posted by the same author after hearing of it, so it is not chained (see begin).
      await db.rollback();
      return { message: { id: m.id } };
    case "stats": {
      const cpu = process.threadCpuUsage();
      return { message: { id: m.id, cpuMicros: cpu.user + cpu.system, statements: profile } };
    }
    case "close":
      await db.close();
      return { message: { id: m.id } };
    default: {
      // A statement: skipped once the transaction it belongs to is spoiled.
      if (spoiled !== null) {
        if (!m.reply) return null;
        throw spoiled;
      }
      const rows = await run(m);
      return m.reply ? { message: { id: m.id, rows } } : null;
    }
  }
}

async function run(m: ThreadStatement): Promise<unknown[]> {
  if (m.op === "exec") {
    await db.exec(m.sql);
    return [];
  }
  if (m.op === "copy") {
    await db.copy(m.table, m.columns, m.data);
    return [];
  }
  return db.query(m.sql, m.params);
}

function count(m: ThreadRequest, start: NodeJS.CpuUsage): void {
  const kind = statementKind(m);
  if (kind === null) return;
  const used = process.threadCpuUsage(start);
  const c = (profile[kind] ??= { count: 0, cpuMicros: 0, bytes: 0 });
  c.count++;
  c.cpuMicros += used.user + used.system;
  if (m.op === "copy") c.bytes += m.data.byteLength;
  else if (m.op === "query") for (const p of m.params ?? []) if (p instanceof Uint8Array) c.bytes += p.byteLength;
}

/** `COPY events`, `UPDATE deals`, `INSERT blocks`, `SELECT`, `BEGIN`…: the verb and, for writes, the table. */
function statementKind(m: ThreadRequest): string | null {
  switch (m.op) {
    case "begin":
    case "commit":
    case "rollback":
      return m.op.toUpperCase();
    case "copy":
      return `COPY ${m.table}`;
    case "query":
    case "exec": {
      const w = /^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM|CREATE\s+(?:UNIQUE\s+)?INDEX|\w+)\s+(\w+)?/i.exec(m.sql);
      if (!w) return "other";
      const verb = w[1].replace(/\s+/g, " ").toUpperCase();
      return verb === "SELECT" || verb === "WITH" || !w[2]
        ? verb
        : `${verb.replace(" INTO", "").replace(" FROM", "")} ${w[2]}`;
    }
    default:
      return null;
  }
}

/** What survives the trip to the other thread: the message and PostgreSQL's fields. */
function errorData(error: unknown): ThreadReply["error"] {
  const e = error as { message?: string; name?: string; code?: string; detail?: string };
  return { message: e?.message ?? String(error), name: e?.name, code: e?.code, detail: e?.detail };
}
