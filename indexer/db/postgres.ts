// A PostgreSQL server seen as a Database (driver.ts): a pool for reads and plain transactions, and
// one connection of its own for the transactions written behind — the backfill's pipeline.
//
// Why a connection of its own: a backfill step's statements are sent and not waited for, and the
// sync loop builds the next step while the server writes this one (docs/indexer.md, "Backfill
// speed"). Order is what keeps that correct, as on PGlite's thread (pglite-thread.ts): everything
// written behind runs on that one connection strictly in the order it was issued, so the next
// step's reads come after the previous step's COMMIT and see its rows, and whether a transaction
// commits is decided when its turn comes, after the one before it has answered.
import { finished } from "node:stream/promises";
import pg from "pg";
import { from as copyFromStdin } from "pg-copy-streams";
import { type AnyRow, type Database, JsonParam, type Queryable, returnsNoRows } from "./driver.ts";

// Block numbers, log indexes and unix times are int8 and fit in a double; money and uint256 ids
// are numeric and stay decimal strings (as PGlite gives them).
const INT8 = 20;

/** Opens a pool on `url`, failing now with the server's own message if it cannot connect. */
export async function openPostgres(url: string): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    types: {
      getTypeParser: ((oid: number, format?: string) =>
        oid === INT8 ? Number : pg.types.getTypeParser(oid, format as "text")) as typeof pg.types.getTypeParser,
    },
  });
  (await pool.connect()).release();
  const pipeline = new Pipeline(pool);
  const direct = on(pool, pool);
  // A statement issued after a write-behind transaction returned runs after it has ended: it waits
  // for the pipeline to run what was issued before it (not for what is issued later).
  const after = async <T>(fn: () => Promise<T>): Promise<T> => {
    await pipeline.idle();
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
    writeBehind: (fn) => pipeline.transaction(fn),
    async close() {
      await pipeline.close();
      await pool.end();
    },
  };
}

/** Statements on one client, or on the pool (COPY then takes a client of its own for its length). */
function on(c: pg.Pool | pg.PoolClient, pool: pg.Pool): Queryable {
  return {
    query: (sql, params) => query(c, sql, params),
    exec: async (sql) => {
      await c.query(sql);
    },
    async copyFrom(table, columns, text) {
      if (c !== pool) return copyInto(c as pg.PoolClient, table, columns, text);
      const client = await pool.connect();
      try {
        await copyInto(client, table, columns, text);
      } finally {
        client.release();
      }
    },
  };
}

async function query<T = AnyRow>(c: pg.Pool | pg.PoolClient, sql: string, params?: unknown[]): Promise<T[]> {
  const values = params?.map((p) => (p instanceof JsonParam ? p.text : p));
  return (await c.query(sql, values)).rows as T[];
}

/**
 * `COPY table (columns) FROM STDIN` of COPY text (recordset.ts `copyText`), through pg-copy-streams:
 * the server parses the rows as PGlite does its `/dev/blob` file, with no JSON in between.
 */
async function copyInto(client: pg.PoolClient, table: string, columns: readonly string[], text: string) {
  const stream = client.query(copyFromStdin(`COPY ${table} (${columns.join(", ")}) FROM STDIN`));
  stream.end(text);
  await finished(stream);
}

/** The transaction open on the pipeline's connection, as its statements find it when their turn comes. */
type Open = { client: pg.PoolClient; failure: unknown };

/**
 * The connection that writes the transactions written behind, one after another. Everything issued
 * to it becomes an operation run when the ones before it have settled; an operation decides then
 * what to send (a statement of a spoiled transaction is skipped, its COMMIT becomes a ROLLBACK).
 */
class Pipeline {
  readonly #pool: pg.Pool;
  #client: pg.PoolClient | null = null;
  /** The last operation issued; never rejects. */
  #tail: Promise<unknown> = Promise.resolve();
  /** Serialises transactions: between a BEGIN and its COMMIT only that transaction's statements are issued. */
  #gate: Promise<unknown> = Promise.resolve();
  /** Transactions whose COMMIT has been issued and not yet answered. */
  #unanswered = 0;
  /**
   * Why the last write-behind transaction to end did not commit (null: it did). A transaction
   * begun while one before it was unanswered is chained to it: rolled back with the same error.
   */
  #lastFailure: unknown = null;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  /** Settles when everything issued so far has run. */
  idle(): Promise<void> {
    return this.#tail.then(() => undefined);
  }

  #run<T>(op: () => Promise<T>): Promise<T> {
    const next = this.#tail.then(op);
    this.#tail = next.catch(() => undefined);
    return next;
  }

  /** The pipeline's connection, taken from the pool the first time and again after one broke. */
  async #connection(): Promise<pg.PoolClient> {
    if (this.#client) return this.#client;
    const client = await this.#pool.connect();
    // A connection that breaks while checked out would throw its error at the process; here it
    // only fails the transaction it was running, and the next one takes a new connection.
    client.on("error", (error) => {
      if (this.#client !== client) return;
      this.#client = null;
      client.release(error);
    });
    this.#client = client;
    return client;
  }

  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<{ value: T; committed: Promise<void> }> {
    const next = this.#gate.then(() => this.#transaction(fn));
    this.#gate = next.catch(() => undefined);
    return next;
  }

  async #transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<{ value: T; committed: Promise<void> }> {
    const chained = this.#unanswered > 0;
    const open: Open = { client: null as never, failure: null };
    void this.#run(async () => {
      // A chained transaction must not commit after one that failed: it is spoiled from the start.
      if (!chained) this.#lastFailure = null;
      open.failure = chained ? this.#lastFailure : null;
      try {
        open.client = await this.#connection();
        await open.client.query("BEGIN");
      } catch (error) {
        open.failure ??= error;
      }
    });
    /** Runs a statement of this transaction in its turn, unless an earlier one failed. */
    const statement = <R>(run: (client: pg.PoolClient) => Promise<R>): Promise<R> =>
      this.#run(async () => {
        if (open.failure !== null) throw open.failure;
        try {
          return await run(open.client);
        } catch (error) {
          open.failure = error;
          throw error;
        }
      });
    /** Issued and, unless its rows are wanted, not waited for: its failure surfaces at COMMIT. */
    const issue = async <R>(run: (client: pg.PoolClient) => Promise<R>, wait: boolean, none: R): Promise<R> => {
      const done = statement(run);
      if (wait) return done;
      done.catch(() => undefined);
      return none;
    };
    const tx: Queryable = {
      query: <R = AnyRow>(sql: string, params?: unknown[]) =>
        issue((c) => query<R>(c, sql, params), !returnsNoRows(sql), [] as R[]),
      exec: (sql) => issue((c) => c.query(sql).then(() => undefined), false, undefined),
      copyFrom: (table, columns, text) => issue((c) => copyInto(c, table, columns, text), false, undefined),
    };
    let value: T;
    try {
      value = await fn(tx);
    } catch (error) {
      // Its author hears of this failure before it begins another transaction, which is therefore
      // not chained to this one.
      void this.#run(async () => {
        if (open.client) await open.client.query("ROLLBACK").catch(() => undefined);
      });
      throw error;
    }
    this.#unanswered++;
    const committed = this.#run(async () => {
      try {
        if (open.failure !== null) {
          if (open.client) await open.client.query("ROLLBACK").catch(() => undefined);
          throw open.failure;
        }
        const result = await open.client.query("COMMIT");
        // PostgreSQL answers the COMMIT of a transaction it has aborted with a ROLLBACK, no error.
        if (result.command !== "COMMIT") throw new Error(`the transaction was rolled back (${result.command})`);
        this.#lastFailure = null;
      } catch (error) {
        this.#lastFailure = error;
        throw error;
      } finally {
        this.#unanswered--;
      }
    });
    // Whoever took the transaction hears of a failure; an unheard one must not crash the process.
    committed.catch(() => undefined);
    return { value, committed };
  }

  async close(): Promise<void> {
    await this.#gate;
    await this.idle();
    this.#client?.release();
    this.#client = null;
  }
}
