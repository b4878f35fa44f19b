// Transactions written behind (Database.writeBehind), on both databases that offer them: PGlite on
// its own thread (db/pglite-thread.ts) and a PostgreSQL server on a connection kept for them
// (db/postgres.ts). Statements run in the order they were issued, a transaction written behind
// commits whole or not at all, none commits after a failed one it was chained to, and what fails
// says why.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Database, type DatabaseOptions, JsonParam, openDatabase } from "../../../indexer/db/driver.ts";
import { type Server, startPostgres } from "../helpers/postgres.ts";

let server: Server | null = null;
after(() => server?.stop());

const databases: [string, () => Promise<DatabaseOptions>][] = [
  ["PGlite on its own thread", async () => ({ kind: "pglite", thread: true })],
  ["PostgreSQL", async () => ({ kind: "postgres", url: (server ??= await startPostgres()).url })],
];

for (const [name, options] of databases)
  describe(`written behind: ${name}`, () => {
    let db: Database;

    before(async () => {
      db = await openDatabase(await options());
      await db.exec("CREATE TABLE lots (id int8 PRIMARY KEY, owner text NOT NULL, doc json)");
    });

    after(async () => {
      await db.close();
    });

    it("passes rows, COPY files and JSON parameters both ways", async () => {
      await db.query("INSERT INTO lots VALUES ($1, $2, $3::json)", [1, "ünïcode", new JsonParam('{"wh":"12"}')]);
      await db.copyFrom!("lots", ["id", "owner"], "2\ttab\\there\n3\tplain\n");
      const rows = await db.query("SELECT id, owner, doc FROM lots WHERE id <= 3 ORDER BY id");
      assert.deepEqual(rows, [
        { id: 1, owner: "ünïcode", doc: { wh: "12" } },
        { id: 2, owner: "tab\there", doc: null },
        { id: 3, owner: "plain", doc: null },
      ]);
    });

    it("returns from a write-behind transaction before it commits, and a read after it sees its rows", async () => {
      const { value, committed } = await db.writeBehind!(async (tx) => {
        await tx.copyFrom!("lots", ["id", "owner"], "10\ta\n11\tb\n");
        await tx.query("UPDATE lots SET owner = $1 WHERE id = 10", ["c"]);
        // Slow, and not waited for: a read that did not wait for the transaction would miss it.
        await tx.query("INSERT INTO lots SELECT 12, 'slow' FROM pg_sleep(0.2)");
        return "posted";
      });
      let done = false;
      void committed.then(() => {
        done = true;
      });
      await Promise.resolve();
      // The worker answers by message, which no microtask can deliver: the commit is still on its way.
      assert.equal(done, false);
      assert.equal(value, "posted");
      // Posted after the transaction: runs after its COMMIT.
      const rows = await db.query<{ owner: string }>("SELECT owner FROM lots WHERE id IN (10, 11, 12) ORDER BY id");
      assert.deepEqual(
        rows.map((r) => r.owner),
        ["c", "b", "slow"],
      );
      await committed;
      assert.equal(done, true);
    });

    it("rolls a write-behind transaction back whole when one of its statements fails, naming the error", async () => {
      const { committed } = await db.writeBehind!(async (tx) => {
        await tx.query("INSERT INTO lots VALUES (20, 'first')");
        await tx.query("INSERT INTO lots VALUES (20, 'again')");
        await tx.query("INSERT INTO lots VALUES (21, 'after the failure')");
        return null;
      });
      await assert.rejects(committed, (e: Error & { code?: string }) => {
        assert.match(e.message, /duplicate key/);
        assert.equal(e.code, "23505");
        return true;
      });
      const [{ n }] = await db.query<{ n: number }>("SELECT count(*)::int4 AS n FROM lots WHERE id IN (20, 21)");
      assert.equal(n, 0);
      // The connection is usable after it.
      await db.transaction((tx) => tx.query("INSERT INTO lots VALUES (22, 'later')"));
      assert.equal((await db.query("SELECT 1 FROM lots WHERE id = 22")).length, 1);
    });

    it("rolls back the write-behind transactions begun before a failing one was answered, and no later one", async () => {
      // Three steps of a pipeline, all posted before the database has run the first: the first fails.
      const first = await db.writeBehind!(async (tx) => {
        await tx.query("INSERT INTO lots VALUES (50, 'first')");
        await tx.query("INSERT INTO lots VALUES (50, 'again')");
        return null;
      });
      const second = await db.writeBehind!((tx) => tx.query("INSERT INTO lots VALUES (51, 'second')"));
      const third = await db.writeBehind!((tx) => tx.query("INSERT INTO lots VALUES (52, 'third')"));
      // Outside the chain: a plain transaction posted meanwhile commits on its own.
      const plain = db.transaction((tx) => tx.query("INSERT INTO lots VALUES (53, 'plain')"));
      for (const step of [first, second, third]) await assert.rejects(step.committed, /duplicate key/);
      await plain;
      const ids = async () =>
        (await db.query<{ id: number }>("SELECT id FROM lots WHERE id >= 50 ORDER BY id")).map((r) => r.id);
      assert.deepEqual(await ids(), [53]);
      // Begun after every failure was answered, the next write-behind transaction starts a new chain.
      const next = await db.writeBehind!((tx) => tx.query("INSERT INTO lots VALUES (54, 'next')"));
      await next.committed;
      assert.deepEqual(await ids(), [53, 54]);
    });

    it("rolls back the transactions chained to one whose COMMIT fails", async () => {
      // A deferred check runs at COMMIT: every statement of the first transaction succeeds.
      await db.exec(
        `CREATE TABLE owners (name text PRIMARY KEY);
         CREATE TABLE claims (id int8 PRIMARY KEY, owner text REFERENCES owners DEFERRABLE INITIALLY DEFERRED)`,
      );
      const first = await db.writeBehind!((tx) => tx.query("INSERT INTO claims VALUES (1, 'nobody')"));
      const second = await db.writeBehind!((tx) => tx.query("INSERT INTO claims VALUES (2, NULL)"));
      for (const step of [first, second]) await assert.rejects(step.committed, /foreign key/);
      assert.equal((await db.query("SELECT 1 FROM claims")).length, 0);
      const next = await db.writeBehind!((tx) => tx.query("INSERT INTO claims VALUES (3, NULL)"));
      await next.committed;
      assert.equal((await db.query("SELECT 1 FROM claims")).length, 1);
    });

    it("waits for a statement that returns rows, even in a write-behind transaction", async () => {
      const { value, committed } = await db.writeBehind!(async (tx) => {
        await tx.query("INSERT INTO lots VALUES (30, 'x')");
        return tx.query<{ id: number }>("INSERT INTO lots VALUES (31, 'y') RETURNING id");
      });
      assert.deepEqual(value, [{ id: 31 }]);
      await committed;
    });

    it("rolls back a transaction whose body throws, after its writes were posted", async () => {
      await assert.rejects(
        db.writeBehind!(async (tx) => {
          await tx.query("INSERT INTO lots VALUES (40, 'x')");
          throw new Error("handler failed");
        }),
        /handler failed/,
      );
      assert.equal((await db.query("SELECT 1 FROM lots WHERE id = 40")).length, 0);
    });
  });

describe("written behind: PostgreSQL's connection for it breaks", () => {
  let db: Database;

  before(async () => {
    server ??= await startPostgres();
    db = await openDatabase({ kind: "postgres", url: server.url });
    await db.exec("CREATE TABLE marks (id int8 PRIMARY KEY)");
  });

  after(async () => {
    await db.close();
  });

  it("opens its connection at the first transaction written behind, not before", async () => {
    const fresh = await openDatabase({ kind: "postgres", url: server!.url });
    try {
      const connections = async () =>
        (
          await fresh.query<{ n: number }>(
            "SELECT count(*)::int4 AS n FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'",
          )
        )[0].n;
      const before = await connections();
      await (await fresh.writeBehind!((tx) => tx.query("INSERT INTO marks VALUES (100)"))).committed;
      assert.equal(await connections(), before + 1);
    } finally {
      await fresh.query("DELETE FROM marks");
      await fresh.close();
    }
  });

  it("fails the transaction it was writing, and the next one writes on a new connection", async () => {
    const { committed } = await db.writeBehind!(async (tx) => {
      await tx.query("INSERT INTO marks VALUES (1)");
      const [{ pid }] = await tx.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
      // From another connection, as a server restart or a network fault would.
      await db.query("SELECT pg_terminate_backend($1)", [pid]);
      await tx.query("INSERT INTO marks VALUES (2)");
      return null;
    });
    await assert.rejects(committed, /terminat|Connection/i);
    assert.equal((await db.query("SELECT 1 FROM marks")).length, 0);
    const next = await db.writeBehind!((tx) => tx.query("INSERT INTO marks VALUES (3)"));
    await next.committed;
    assert.deepEqual(await db.query("SELECT id FROM marks"), [{ id: 3 }]);
  });
});
