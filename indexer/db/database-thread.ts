// A database on a worker thread (database-worker.ts), seen from the sync loop's thread as a Database:
// PGlite on its own thread (pglite-thread.ts) and the connection that writes PostgreSQL's steps
// behind (postgres.ts).
//
// Why: the sync loop's thread is busy with a step's JavaScript (decoding, handlers, building rows)
// for tens of milliseconds at a time. PGlite runs PostgreSQL's WebAssembly on the thread that calls
// it, and a PostgreSQL client sends a connection's next statement only when its thread reads the
// answer to the one before: either way the database would wait for the loop. On a thread of its own
// the database writes one step while the loop builds the next (`writeBehind`).
//
// Order is what keeps it correct: every statement is posted in order and the worker runs them one
// at a time, so a read posted after a step's writes sees them, without waiting for anything else.
import { Worker } from "node:worker_threads";
import type { AnyRow, Database, Queryable } from "./driver.ts";
import { JsonParam, returnsNoRows } from "./driver.ts";

/** A statement: its reply is wanted, or (in a write-behind transaction) only its failure matters. */
export type ThreadStatement = { id: number; reply: boolean } & (
  | { op: "query"; sql: string; params?: unknown[] }
  | { op: "exec"; sql: string }
  | { op: "copy"; table: string; columns: readonly string[]; data: Uint8Array<ArrayBuffer> }
);

/** What the worker opens: a PGlite cluster (`load`: an empty one to start from; `dump`: send the fresh one back) or a server's connection. */
export type OpenRequest =
  | { op: "open"; kind: "pglite"; dataDir?: string; load?: Uint8Array<ArrayBuffer>; dump: boolean }
  | { op: "open"; kind: "postgres"; url: string };

export type ThreadRequest =
  | ThreadStatement
  | ({ id: number } & OpenRequest)
  /**
   * `behind`: a write-behind transaction. `chained`: posted while the write-behind transaction
   * before it was not yet answered; it commits only if that one did.
   */
  | { id: number; op: "begin"; behind?: boolean; chained?: boolean }
  | { id: number; op: "commit" | "rollback" | "stats" | "close" };

/** What one kind of statement has cost the database thread so far. */
export type StatementCost = { count: number; cpuMicros: number; bytes: number };

export type ThreadReply = {
  id: number;
  rows?: unknown[];
  dumped?: Uint8Array<ArrayBuffer>;
  cpuMicros?: number;
  statements?: Record<string, StatementCost>;
  error?: { message: string; name?: string; code?: string; detail?: string };
};

/** A database error as the worker reported it, with PostgreSQL's code and detail. */
export class DatabaseThreadError extends Error {
  readonly code: string | undefined;
  readonly detail: string | undefined;
  constructor(e: NonNullable<ThreadReply["error"]>) {
    super(e.message);
    this.name = e.name && e.name !== "Error" ? e.name : "DatabaseThreadError";
    this.code = e.code;
    this.detail = e.detail;
  }
}

export type ThreadDatabase = Database & {
  /** CPU time the database's thread has used so far (µs). */
  threadCpuMicros(): Promise<number>;
  /** CPU time the database's thread has spent per kind of statement so far (`COPY events`, `UPDATE deals`…). */
  threadStatements(): Promise<Record<string, StatementCost>>;
};

/**
 * Starts the worker `script` (a database-worker.ts entry) and opens its database; returns it with
 * the worker's answer to the opening (a PGlite cluster's files, when asked to dump it).
 */
export async function openDatabaseThread(
  script: URL,
  open: OpenRequest,
  transfer: ArrayBuffer[] = [],
): Promise<{ db: ThreadDatabase; opened: ThreadReply }> {
  const worker = new Worker(script);
  let nextId = 1;
  const waiting = new Map<number, { resolve: (r: ThreadReply) => void; reject: (e: Error) => void }>();
  let broken: Error | null = null;
  const failAll = (error: Error) => {
    broken ??= error;
    for (const w of waiting.values()) w.reject(error);
    waiting.clear();
  };
  worker.on("message", (r: ThreadReply) => {
    const w = waiting.get(r.id);
    if (!w) return;
    waiting.delete(r.id);
    if (r.error) w.reject(new DatabaseThreadError(r.error));
    else w.resolve(r);
  });
  worker.on("error", failAll);
  worker.on("exit", (code) => failAll(new Error(`the database thread exited (code ${code})`)));

  type Body = ThreadRequest extends infer R ? (R extends ThreadRequest ? Omit<R, "id"> : never) : never;
  /** Posts a request; with `wait`, returns its reply. */
  const post = (body: Body, wait: boolean, transfer: ArrayBuffer[] = []): Promise<ThreadReply> | null => {
    if (broken) throw broken;
    const id = nextId++;
    const reply = wait ? new Promise<ThreadReply>((resolve, reject) => waiting.set(id, { resolve, reject })) : null;
    worker.postMessage({ ...body, id }, transfer);
    return reply;
  };
  const ask = async (body: Body, transfer: ArrayBuffer[] = []) => (await post(body, true, transfer))!;

  const opened = await ask(open, transfer).catch(async (error) => {
    await worker.terminate();
    throw error;
  });

  /** Runs of statements as one client sees them; `behind`: writes are posted and not waited for. */
  const on = (behind: boolean): Queryable => ({
    async query<T = AnyRow>(sql: string, params?: unknown[]): Promise<T[]> {
      const transfer: ArrayBuffer[] = [];
      const values = params?.map((p) => {
        if (!(p instanceof JsonParam)) return p;
        const bytes = new TextEncoder().encode(p.text);
        transfer.push(bytes.buffer as ArrayBuffer);
        return bytes;
      });
      const wait = !(behind && returnsNoRows(sql));
      const reply = post({ op: "query", sql, params: values, reply: wait }, wait, transfer);
      return reply ? ((await reply).rows as T[]) : [];
    },
    async exec(sql: string) {
      await post({ op: "exec", sql, reply: !behind }, !behind);
    },
    async copyFrom(table: string, columns: readonly string[], text: string) {
      const data = new TextEncoder().encode(text);
      await post({ op: "copy", table, columns, data, reply: !behind }, !behind, [data.buffer as ArrayBuffer]);
    },
  });

  // The worker is one connection: nothing may be posted between a transaction's BEGIN and its
  // COMMIT but the transaction's own statements. A turn lasts while a transaction is posted (not
  // until it is committed), or while one statement is posted.
  let gate: Promise<unknown> = Promise.resolve();
  const turn = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = gate.then(fn, fn);
    gate = next.catch(() => undefined);
    return next;
  };
  const direct = on(false);
  const once = <T>(fn: (q: Queryable) => Promise<T>): Promise<T> =>
    turn(async () => ({ result: fn(direct) })).then((r) => r.result);

  /** Write-behind transactions whose COMMIT has been posted and not yet answered. */
  let unanswered = 0;
  async function begin<T>(fn: (tx: Queryable) => Promise<T>, behind: boolean) {
    return turn(async () => {
      post({ op: "begin", behind, chained: behind && unanswered > 0 }, false);
      let value: T;
      try {
        value = await fn(on(behind));
      } catch (error) {
        post({ op: "rollback" }, true)?.catch(() => undefined);
        throw error;
      }
      if (behind) unanswered++;
      const answered = () => {
        if (behind) unanswered--;
      };
      const committed = post({ op: "commit" }, true)!.then(answered, (error) => {
        answered();
        throw error;
      });
      // Whoever took the transaction hears of a failure; an unheard one must not crash the process.
      committed.catch(() => undefined);
      return { value, committed };
    });
  }

  const db: ThreadDatabase = {
    kind: open.kind,
    query: (sql, params) => once((q) => q.query(sql, params)),
    exec: (sql) => once((q) => q.exec(sql)),
    copyFrom: (table, columns, text) => once((q) => q.copyFrom!(table, columns, text)),
    async transaction(fn) {
      const { value, committed } = await begin(fn, false);
      await committed;
      return value;
    },
    writeBehind: (fn) => begin(fn, true),
    threadCpuMicros: async () => (await turn(() => ask({ op: "stats" }))).cpuMicros ?? 0,
    threadStatements: async () => (await turn(() => ask({ op: "stats" }))).statements ?? {},
    async close() {
      if (!broken) await turn(() => ask({ op: "close" })).catch(() => undefined);
      await worker.terminate();
    },
  };
  return { db, opened };
}
