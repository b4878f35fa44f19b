// PGlite on its own thread (db/pglite-thread.ts): statements run in the order they were posted, a
// transaction written behind commits whole or not at all, and what fails says why.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Database, JsonParam, openDatabase } from "../../../indexer/db/driver.ts";

describe("PGlite on its own thread", () => {
  let db: Database;

  before(async () => {
    db = await openDatabase({ kind: "pglite", thread: true });
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
    const rows = await db.query<{ owner: string }>("SELECT owner FROM lots WHERE id IN (10, 11) ORDER BY id");
    assert.deepEqual(
      rows.map((r) => r.owner),
      ["c", "b"],
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
