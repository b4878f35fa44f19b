// One database behind one interface: PGlite (Postgres in WebAssembly, a folder on disk) by default,
// a PostgreSQL server when DATABASE_URL is set. Both speak the same SQL, so the schema, migrations,
// handlers and resolvers never ask which one they run on.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { openPgliteThread } from "./pglite-thread.ts";
import { openPostgres } from "./postgres.ts";

/** A row whose shape the caller did not state; tables.ts has the row type of every table. */
export type AnyRow = Record<string, unknown>;

/** Anything that runs SQL: the database itself or one open transaction. */
export type Queryable = {
  /** Runs one statement; `T` is the shape of its result rows (a row type from tables.ts, or the columns selected). */
  query<T = AnyRow>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * Appends rows given in COPY's text format (one line per row, tab-separated, `\N` for NULL) to
   * `table`: PGlite reads them as a file beside the protocol, PostgreSQL as `COPY … FROM STDIN`.
   * Callers fall back to an INSERT where it is missing (and where told to, `copyRows: false`).
   */
  copyFrom?(table: string, columns: readonly string[], text: string): Promise<void>;
};

export type Database = Queryable & {
  kind: "pglite" | "postgres";
  /** Runs `fn` in one transaction: everything it wrote commits together or not at all. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Like `transaction`, but returns as soon as `fn` has run, with `committed` settling when the
   * database has committed (or rolled back: then it rejects with the error). Statements that
   * return no rows are not waited for; the first that fails rolls the whole transaction back. A
   * statement issued after this returns runs after the transaction ends, and sees its rows.
   * A write-behind transaction begun before the one before it has committed is chained to it:
   * it commits only if that one did (else it rejects with the same error), so the steps of a
   * pipeline commit in order and none after a failed one.
   * PGlite on its own thread offers it (pglite-thread.ts), and PostgreSQL on a connection kept
   * for it (postgres.ts).
   */
  writeBehind?<T>(fn: (tx: Queryable) => Promise<T>): Promise<{ value: T; committed: Promise<void> }>;
  close(): Promise<void>;
};

/**
 * A JSON document passed as one query parameter (`$n::json`). PGlite gets its UTF-8 bytes in binary
 * format: given a string it would scan every character in JavaScript to measure it, which on the
 * multi-megabyte batches of a backfill step costs more than the database's own work. The database
 * threads (database-thread.ts) get the same bytes; a PostgreSQL pool gets the text.
 */
export class JsonParam {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

/** PGlite's json type (oid 114): a JsonParam arrives as bytes and must not be serialised again. */
const PGLITE_JSON_BYTES = { serializers: { 114: (x: unknown) => x as string } };

export type DatabaseOptions =
  | {
      kind: "pglite";
      dataDir?: string;
      /** Run PGlite on a worker thread of its own (pglite-thread.ts); default false. */
      thread?: boolean;
    }
  | { kind: "postgres"; url: string };

const WRITE = /^\s*(INSERT|UPDATE|DELETE|COPY|CREATE|DROP|ALTER|TRUNCATE)\b/i;
const RETURNING = /\bRETURNING\b/i;

/**
 * Whether a statement returns no rows (it writes and says no RETURNING): in a write-behind
 * transaction nobody can need its answer, so it is issued and not waited for.
 */
export function returnsNoRows(sql: string): boolean {
  return WRITE.test(sql) && !RETURNING.test(sql);
}

/**
 * Opens the database.
 * @example const db = await openDatabase({ kind: "pglite", dataDir: "data/indexer" });
 */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.kind === "postgres") return openPostgres(options.url);
  return options.thread ? openPgliteOnThread(options.dataDir) : openPglite(options.dataDir);
}

// Creating a PGlite cluster (initdb in WebAssembly) takes seconds. A process that opens many fresh
// databases (tests, benchmarks) can opt in to doing it once and copying the empty cluster after.
let template: Promise<Blob> | null = null;
let reuseInit = false;
let templateFile: string | null = null;

/**
 * Opt in to copying one empty PGlite cluster instead of running initdb for every fresh database;
 * with `cacheFile`, the copy is also kept on disk for later processes.
 */
export function reusePgliteInit(cacheFile: string | null = null): void {
  reuseInit = true;
  templateFile = cacheFile;
  if (!template && cacheFile && existsSync(cacheFile)) template = Promise.resolve(new Blob([readFileSync(cacheFile)]));
}

async function keepTemplate(dump: Promise<Blob>): Promise<Blob> {
  const blob = await dump;
  if (templateFile) {
    // Written aside and renamed, so a concurrent process never reads half a file.
    const tmp = `${templateFile}.${process.pid}.tmp`;
    writeFileSync(tmp, Buffer.from(await blob.arrayBuffer()));
    renameSync(tmp, templateFile);
  }
  return blob;
}

/**
 * PGLITE_TEMPLATE: an empty cluster of this PGlite version (the stack's build makes one,
 * stack/pglite-template.ts) that a fresh database starts as a copy of, instead of running initdb.
 */
function givenTemplate(): Blob | undefined {
  const file = process.env.PGLITE_TEMPLATE;
  if (file === undefined || file === "" || !existsSync(file)) return undefined;
  return new Blob([readFileSync(file)]);
}

async function openPgliteOnThread(dataDir: string | undefined): Promise<Database> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const fresh = !dataDir || !existsSync(path.join(dataDir, "PG_VERSION"));
  const given = fresh && !reuseInit ? givenTemplate() : undefined;
  const load = fresh && reuseInit && template ? await template : given;
  const dump = fresh && reuseInit && !template;
  const { db, dumped } = await openPgliteThread(dataDir, load, dump);
  if (dump && dumped) template = keepTemplate(Promise.resolve(dumped));
  return db;
}

async function openPglite(dataDir: string | undefined): Promise<Database> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const fresh = !dataDir || !existsSync(path.join(dataDir, "PG_VERSION"));
  let client: PGlite;
  const given = fresh && !reuseInit ? givenTemplate() : undefined;
  if (fresh && reuseInit && template) {
    client = await PGlite.create({ ...(dataDir ? { dataDir } : {}), loadDataDir: await template });
  } else if (given !== undefined) {
    client = await PGlite.create({ ...(dataDir ? { dataDir } : {}), loadDataDir: given });
  } else {
    client = await PGlite.create(dataDir ? { dataDir } : {});
    if (fresh && reuseInit && !template) template = keepTemplate(client.dumpDataDir("none"));
  }
  const on = (q: Pick<PGlite, "query" | "exec">): Queryable => ({
    async query<T>(sql: string, params?: unknown[]) {
      if (!params?.some((p) => p instanceof JsonParam)) return (await q.query<T>(sql, params)).rows;
      const bytes = params.map((p) => (p instanceof JsonParam ? Buffer.from(p.text) : p));
      return (await q.query<T>(sql, bytes, PGLITE_JSON_BYTES)).rows;
    },
    async exec(sql: string) {
      await q.exec(sql);
    },
    async copyFrom(table: string, columns: readonly string[], text: string) {
      await q.query(`COPY ${table} (${columns.join(", ")}) FROM '/dev/blob'`, [], { blob: new Blob([text]) });
    },
  });
  // PGlite is one connection: queries outside a transaction must not interleave with one that is
  // open, or they would run inside it. A promise chain serialises every entry point.
  let tail: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = tail.then(fn, fn);
    tail = next.catch(() => undefined);
    return next;
  };
  const self = on(client);
  return {
    kind: "pglite",
    query: (sql, params) => serial(() => self.query(sql, params)),
    exec: (sql) => serial(() => self.exec(sql)),
    copyFrom: (table, columns, text) => serial(() => self.copyFrom!(table, columns, text)),
    transaction: (fn) => serial(() => client.transaction((tx) => fn(on(tx)))),
    close: () => serial(() => client.close()),
  };
}
