// A PostgreSQL server seen as a Database (driver.ts): a pool for reads and plain transactions, and
// one connection of its own, on a thread of its own (postgres-worker.ts), for the transactions
// written behind — the backfill's steps.
//
// Why: a step's statements are sent and not waited for, and the sync loop builds the next step
// while the server writes this one (docs/indexer.md, "Backfill speed"). Order is what keeps that
// correct, as on PGlite's thread: everything written behind runs on that one connection strictly in
// the order it was posted (database-thread.ts), so the next step's reads come after the previous
// step's COMMIT and see its rows, and whether a chained transaction commits is decided when its turn
// comes, after the one before it has answered.
import { finished } from "node:stream/promises";
import pg from "pg";
import { from as copyFromStdin } from "pg-copy-streams";
import { openDatabaseThread, type ThreadDatabase } from "./database-thread.ts";
import { type AnyRow, type Database, JsonParam, type Queryable } from "./driver.ts";
import { postgresTypes } from "./postgres-types.ts";

/** Opens a pool on `url`, failing now with the server's own message if it cannot connect. */
export async function openPostgres(url: string): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: 10, types: postgresTypes });
  (await pool.connect()).release();
  // Opened by the first transaction written behind: a process that only serves GraphQL
  // (INDEXER_ROLE=api) never holds the thread or its connection.
  let behind: Promise<ThreadDatabase> | null = null;
  const writer = () => {
    behind ??= openDatabaseThread(new URL("./postgres-worker.ts", import.meta.url), {
      op: "open",
      kind: "postgres",
      url,
    })
      .then((t) => t.db)
      .catch((error) => {
        behind = null;
        throw error;
      });
    return behind;
  };
  /** The COMMIT of the last transaction written behind (settled: it committed or rolled back). */
  let lastWritten: Promise<unknown> = Promise.resolve();
  const direct = on(pool, pool);
  // A statement issued after a write-behind transaction returned runs after it has ended (and
  // sees its rows), not beside it on another connection of the pool.
  const after = async <T>(fn: () => Promise<T>): Promise<T> => {
    await lastWritten;
    return fn();
  };
  return {
    kind: "postgres",
    query: (sql, params) => after(() => direct.query(sql, params)),
    exec: (sql) => after(() => direct.exec(sql)),
    copyFrom: (table, columns, text) => after(() => direct.copyFrom!(table, columns, text)),
    transaction: (fn) =>
      after(async () => {
        const client = await pool.connect();
        try {
          await client.query("BEGIN");
          const result = await fn(on(client, pool));
          await client.query("COMMIT");
          return result;
        } catch (error) {
          await client.query("ROLLBACK").catch(() => undefined);
          throw error;
        } finally {
          client.release();
        }
      }),
    async writeBehind(fn) {
      const written = await (await writer()).writeBehind!(fn);
      lastWritten = written.committed.catch(() => undefined);
      return written;
    },
    async close() {
      await lastWritten;
      await (await behind?.catch(() => null))?.close();
      await pool.end();
    },
  };
}

/** Statements on one client, or on the pool (COPY then takes a client of its own for its length). */
function on(c: pg.Pool | pg.PoolClient, pool: pg.Pool): Queryable {
  return {
    async query<T = AnyRow>(sql: string, params?: unknown[]): Promise<T[]> {
      const values = params?.map((p) => (p instanceof JsonParam ? p.text : p));
      return (await c.query(sql, values)).rows as T[];
    },
    async exec(sql) {
      await c.query(sql);
    },
    async copyFrom(table, columns, text) {
      const client = c === pool ? await pool.connect() : (c as pg.PoolClient);
      try {
        // COPY … FROM STDIN of COPY text (recordset.ts copyText): the server parses the rows as PGlite
        // does its `/dev/blob` file, with no JSON in between.
        const stream = client.query(copyFromStdin(`COPY ${table} (${columns.join(", ")}) FROM STDIN`));
        stream.end(text);
        await finished(stream);
      } finally {
        if (c === pool) client.release();
      }
    },
  };
}
