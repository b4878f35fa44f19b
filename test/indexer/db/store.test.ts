// The database layer without a chain: migrations, the batched store, and journal rollback.
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { type Database, type JsonParam, openDatabase, type Queryable } from "../../../indexer/db/driver.ts";
import { dumpIndex } from "../../../indexer/db/dump.ts";
import { rollbackJournal } from "../../../indexer/db/journal.ts";
import { loadMigrations, MIGRATIONS_DIR, migrate } from "../../../indexer/db/migrate.ts";
import { columnList, insertRows, readColumns } from "../../../indexer/db/recordset.ts";
import { RowCache, Store } from "../../../indexer/db/store.ts";
import { TABLE_KEYS, TABLE_NAMES } from "../../../indexer/db/tables.ts";

describe("indexer database", () => {
  let db: Database;
  before(async () => {
    db = await openDatabase({ kind: "pglite" });
    await migrate(db);
  });
  after(async () => {
    await db.close();
  });

  it("applies every migration once and nothing on a second run", async () => {
    const applied = await db.query<{ id: string }>("SELECT id FROM schema_migrations ORDER BY id");
    assert.deepEqual(
      applied.map((r) => r.id),
      loadMigrations().map((m) => m.id),
    );
    assert.deepEqual(await migrate(db), []);
  });

  it("refuses a migration that changed after it was applied", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "ccex-migrations-"));
    try {
      cpSync(MIGRATIONS_DIR, dir, { recursive: true });
      const [first] = loadMigrations(dir);
      writeFileSync(path.join(dir, `${first.id}.sql`), `${first.sql}\n-- edited\n`);
      await assert.rejects(
        migrate(db, loadMigrations(dir)),
        (e: Error & { code?: string }) => e.code === "MIGRATION_CHANGED",
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("writes inserts, updates and deletes in one flush, and reads them back typed", async () => {
    const columns = await readColumns(db, TABLE_NAMES);
    await db.transaction(async (tx) => {
      const store = new Store(tx, columns);
      store.insert("market_params", { name: "feeBps", value: "30", updated_block: 1 });
      store.insert("market_params", { name: "treasury", value: "0xabc", updated_block: 1 });
      await store.flush();
      await store.update("market_params", ["feeBps"], { value: "40", updated_block: 2 });
      await store.delete("market_params", ["treasury"]);
      await store.flush();
    });
    const rows = await db.query("SELECT name, value, updated_block FROM market_params ORDER BY name");
    assert.deepEqual(rows, [{ name: "feeBps", value: "40", updated_block: 2 }]);
  });

  it("rolls a journaled block back to exactly the state before it", async () => {
    const columns = await readColumns(db, TABLE_NAMES);
    const before = await dumpIndex(db);
    await db.transaction(async (tx) => {
      const store = new Store(tx, columns);
      store.insert("certificate_balances", { batch_id: "7", holder: "0x01", wh: "1000", updated_block: 10 });
      await store.update("market_params", ["feeBps"], { value: "99", updated_block: 10 });
      store.insert("credit_holders", {
        account: "0x02",
        balance: "5",
        lots: [{ dealId: "1", amount: "5" }],
        updated_block: 10,
      });
      await store.flush({ block: 10, stepFrom: 10 });
    });
    await db.transaction(async (tx) => {
      const store = new Store(tx, columns);
      await store.update("certificate_balances", ["7", "0x01"], { wh: "400", updated_block: 11 });
      await store.delete("market_params", ["feeBps"]);
      await store.flush({ block: 11, stepFrom: 11 });
    });
    assert.notDeepEqual(await dumpIndex(db), before);
    await db.transaction((tx) => rollbackJournal(tx, columns, 9));
    assert.deepEqual(await dumpIndex(db), before);
    assert.equal((await db.query("SELECT count(*)::int AS n FROM reorg_journal"))[0].n, 0);
  });

  it("declares for every table the primary key the migrations gave it", async () => {
    const rows = await db.query<{ table_name: string; column_name: string }>(
      `SELECT c.relname AS table_name, a.attname AS column_name
       FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY(i.indkey)
       WHERE i.indisprimary AND c.relname = ANY($1) ORDER BY c.relname, array_position(i.indkey, a.attnum)`,
      [TABLE_NAMES],
    );
    const fromSchema: Record<string, string[]> = {};
    for (const r of rows) (fromSchema[r.table_name] ??= []).push(r.column_name);
    const declared = Object.fromEntries(TABLE_NAMES.map((t) => [t, [...TABLE_KEYS[t]]]));
    assert.deepEqual(fromSchema, declared);
  });

  it("starts the columns an insert leaves out as NULL, in memory as in the database", async () => {
    const columns = await readColumns(db, TABLE_NAMES);
    // The transaction is rolled back at the end so the rows stay out of the other tests.
    const written = db.transaction(async (tx) => {
      const store = new Store(tx, columns);
      store.insert("devices", {
        id: "9",
        owner: "0x0b",
        source: 0,
        region: 1,
        capacity_w: "1000",
        commissioned_at: 1,
        metadata_uri: "ipfs://d",
        status: "Pending",
        issued_wh: "0",
        batches: 0,
        created_block: 3,
        created_time: 1,
        created_tx: "0x01",
        created_log: 0,
        updated_block: 3,
      });
      const device = await store.require("devices", ["9"]);
      assert.equal(device.registrar, null);
      assert.equal(device.approved_block, null);
      assert.equal(device.owner, "0x0b");
      await store.flush();
      const [stored] = await tx.query<{ registrar: string | null; approved_block: number | null }>(
        "SELECT registrar, approved_block FROM devices WHERE id = 9",
      );
      assert.deepEqual(stored, { registrar: null, approved_block: null });
      throw new Error("roll back");
    });
    await assert.rejects(written, /^Error: roll back$/);
  });

  it("refuses to write a column the schema does not have instead of dropping it", async () => {
    const columns = await readColumns(db, TABLE_NAMES);
    const attempt = db.transaction(async (tx) => {
      const store = new Store(tx, columns);
      store.insert("market_params", { name: "y", value: "1", updated_block: 1 });
      // A row type that drifted from the migrations: the cast stands in for the stale type.
      await store.update("market_params", ["y"], { value: "2", valu: "3" } as never);
    });
    await assert.rejects(
      attempt,
      (e: Error & { code?: string }) => e.code === "UNKNOWN_COLUMN" && /valu/.test(e.message),
    );
    assert.throws(
      () =>
        new Store(db, columns).insert("market_params", { name: "z", value: "1", updated_block: 1, extra: 1 } as never),
      (e: Error & { code?: string }) => e.code === "UNKNOWN_COLUMN",
    );
  });

  it("rejects a second insert of the same key instead of overwriting it", async () => {
    const columns = await readColumns(db, TABLE_NAMES);
    await assert.rejects(
      db.transaction(async (tx) => {
        const store = new Store(tx, columns);
        store.insert("market_params", { name: "x", value: "1", updated_block: 1 });
        await store.flush();
        const again = new Store(tx, columns);
        again.insert("market_params", { name: "x", value: "2", updated_block: 1 });
        await again.flush();
      }),
    );
    assert.equal((await db.query("SELECT count(*)::int AS n FROM market_params WHERE name = 'x'"))[0].n, 0);
  });
  /** The transaction with every statement it ran counted. */
  const counted = (tx: Queryable) => {
    const c = { queries: 0, tx: { ...tx } as Queryable };
    c.tx.query = (sql, params) => {
      c.queries++;
      return tx.query(sql, params);
    };
    if (tx.copyFrom)
      c.tx.copyFrom = (table, columns, text) => {
        c.queries++;
        return tx.copyFrom!(table, columns, text);
      };
    return c;
  };

  it("appends rows by COPY exactly as an INSERT from JSON writes them", async () => {
    await db.exec(`CREATE TABLE copy_probe (n int8, amount numeric, note text, args json, terms jsonb,
      regions int2[], names text[], flag boolean, PRIMARY KEY (n))`);
    const columns = columnList(["n", "amount", "note", "args", "terms", "regions", "names", "flag"], ["args", "terms"]);
    const rows = [
      {
        amount: "115792089237316195423570985008687907853269984665640564039457584007913129639935",
        note: 'tab\there, line\nbreak, return\r, back\\slash, "quotes", \\N, ünïcödé',
        args: { id: 7n, nested: { list: [1, "2", null], text: "a\tb\\c" } },
        terms: [{ dealId: "1", amount: "5" }],
        regions: [1, 2, 7],
        names: ['a "b"', "c,d", "e\\f", "{g}", "NULL"],
        flag: true,
      },
      { amount: null, note: null, args: "just a string", terms: null, regions: [], names: [], flag: false },
      { amount: 0, note: "", args: null, terms: { ok: false }, regions: null, names: null },
      { args: [true, 1.5, -3], terms: "text" },
    ];
    try {
      await db.transaction(async (tx) => {
        assert.ok(tx.copyFrom, "PGlite takes COPY");
        await insertRows(
          tx,
          "copy_probe",
          columns,
          rows.map((r, i) => ({ n: i, ...r })),
        );
        await insertRows(
          { query: tx.query, exec: tx.exec },
          "copy_probe",
          columns,
          rows.map((r, i) => ({ n: 100 + i, ...r })),
        );
      });
      const stored = await db.query<{ n: number; row: Record<string, unknown> }>(
        "SELECT n, to_jsonb(t) - 'n' AS row, args::text AS args_text FROM copy_probe t ORDER BY n",
      );
      assert.equal(stored.length, 8);
      for (let i = 0; i < rows.length; i++) assert.deepStrictEqual(stored[i], { ...stored[i + 4], n: i }, `row ${i}`);
      assert.equal(stored[0].row.note, rows[0].note);
      await assert.rejects(
        db.transaction((tx) => insertRows(tx, "copy_probe", columns, [{ n: 0, args: {} }])),
        /duplicate key/,
      );
    } finally {
      await db.exec("DROP TABLE copy_probe");
    }
  });

  it("reads a row an earlier step kept in the cache without asking the database", async () => {
    const columns = await readColumns(db, TABLE_NAMES);
    const cache = new RowCache();
    await db.transaction(async (tx) => {
      const store = new Store(tx, columns, cache);
      store.insert("market_balances", { account: "0xc1", credited: "5", withdrawn: "0", updated_block: 1 });
      await store.flush();
    });
    const next = await db.transaction(async (tx) => {
      const c = counted(tx);
      const store = new Store(c.tx, columns, cache);
      const row = await store.update("market_balances", ["0xc1"], (b) => ({
        credited: String(Number(b.credited) + 2),
      }));
      const reads = c.queries;
      await store.flush();
      return { row, reads };
    });
    assert.equal(next.reads, 0);
    assert.equal(next.row.credited, "7");
    const [stored] = await db.query("SELECT credited, withdrawn FROM market_balances WHERE account = '0xc1'");
    assert.deepEqual(stored, { credited: "7", withdrawn: "0" });
  });

  it("journals a row updated many times in a step as it was stored, and sends only the columns that changed", async () => {
    const columns = await readColumns(db, TABLE_NAMES);
    const cache = new RowCache();
    await db.transaction(async (tx) => {
      const store = new Store(tx, columns, cache);
      store.insert("market_balances", { account: "0xe1", credited: "5", withdrawn: "0", updated_block: 1 });
      await store.flush();
    });
    const sent: unknown[] = [];
    const seen = await db.transaction(async (tx) => {
      const store = new Store(
        {
          ...tx,
          query: (sql, params) => {
            if (sql.startsWith("UPDATE market_balances")) sent.push(JSON.parse((params![0] as JsonParam).text));
            return tx.query(sql, params);
          },
        },
        columns,
        cache,
      );
      const stored = await store.require("market_balances", ["0xe1"]);
      for (let i = 1; i <= 3; i++)
        await store.update("market_balances", ["0xe1"], (b) => ({
          credited: String(Number(b.credited) + i),
          withdrawn: "0",
          updated_block: 2,
        }));
      const storedAfter = { ...stored };
      await store.flush({ block: 2, stepFrom: 2 });
      return { storedAfter, stored };
    });
    // The row as read before the updates is the one the journal keeps: updates never change it.
    assert.deepEqual(seen.storedAfter, { account: "0xe1", credited: "5", withdrawn: "0", updated_block: 1 });
    const [journal] = await db.query<{ before: unknown }>(
      "SELECT before FROM reorg_journal WHERE table_name = 'market_balances' AND block_number = 2",
    );
    assert.deepEqual(journal.before, { account: "0xe1", credited: "5", withdrawn: "0", updated_block: 1 });
    // withdrawn was set to the value it had: not sent.
    assert.deepEqual(sent, [[{ account: "0xe1", credited: "11", updated_block: 2 }]]);
    // The next step updates the written row again (copying it first: the cache keeps it as stored).
    await db.transaction(async (tx) => {
      const store = new Store(tx, columns, cache);
      await store.update("market_balances", ["0xe1"], { withdrawn: "4", updated_block: 3 });
      await store.flush({ block: 3, stepFrom: 3 });
    });
    const [before3] = await db.query<{ before: unknown }>(
      "SELECT before FROM reorg_journal WHERE table_name = 'market_balances' AND block_number = 3",
    );
    assert.deepEqual(before3.before, { account: "0xe1", credited: "11", withdrawn: "0", updated_block: 2 });
    await db.transaction((tx) => rollbackJournal(tx, columns, 1));
    const [rolled] = await db.query(
      "SELECT credited, withdrawn, updated_block FROM market_balances WHERE account = '0xe1'",
    );
    assert.deepEqual(rolled, { credited: "5", withdrawn: "0", updated_block: 1 });
    await db.exec("DELETE FROM market_balances WHERE account = '0xe1'");
  });

  it("knows a key missing from a table the cache holds whole does not exist, and asks once it is evicted", async () => {
    const columns = await readColumns(db, TABLE_NAMES);
    const cache = new RowCache(6);
    cache.startEmpty(["market_balances", "credit_holders", "market_params", "trades"]);
    const reads = await db.transaction(async (tx) => {
      const c = counted(tx);
      const store = new Store(c.tx, columns, cache);
      assert.equal(await store.get("market_balances", ["0xnobody"]), undefined);
      assert.equal(await store.get("credit_holders", ["0xnobody"]), undefined);
      for (let i = 0; i < 3; i++)
        store.insert("credit_holders", { account: `0xd${i}`, balance: "1", lots: [], updated_block: 1 });
      // History: written once, never read back, not worth keeping.
      store.insert("trades", {
        id: "9001",
        deal_id: "1",
        resource: "compute",
        offer_id: "1",
        supplier: "0xs",
        buyer: "0xb",
        quantity: "1",
        value: "1",
        price: "1",
        block_number: 1,
        block_time: 1,
        tx_hash: "0xt",
        log_index: 0,
      });
      // Written now and read only in a later step (as a deal's hours are at its end): kept.
      store.insert("market_params", { name: "written-first", value: "1", updated_block: 1 });
      await store.flush();
      return c.queries;
    });
    // The flush wrote the rows (one statement per table), and nothing was read before it.
    assert.equal(reads, 3);
    cache.trim();
    // The history table went, the table written before its first read stayed whole; six entries
    // (rows and known misses) fit.
    assert.equal(cache.complete.has("trades"), false);
    assert.equal(cache.complete.has("market_params"), true);
    assert.equal(cache.size, 6);
    const params = await db.transaction(async (tx) => {
      const c = counted(tx);
      const store = new Store(c.tx, columns, cache);
      const row = await store.get("market_params", ["written-first"]);
      const missing = await store.get("market_params", ["never-written"]);
      return { row, missing, reads: c.queries };
    });
    assert.deepEqual([params.row?.value, params.missing, params.reads], ["1", undefined, 0]);
    await db.transaction(async (tx) => {
      const store = new Store(tx, columns, cache);
      store.insert("credit_holders", { account: "0xd3", balance: "1", lots: [], updated_block: 1 });
      store.insert("credit_holders", { account: "0xd4", balance: "1", lots: [], updated_block: 1 });
      await store.flush();
    });
    cache.trim();
    // Nine entries over a limit of six: the largest table went, and with it the claim to know it whole.
    assert.equal(cache.complete.has("credit_holders"), false);
    assert.equal(cache.complete.has("market_balances"), true);
    assert.equal(cache.size, 3);
    const again = await db.transaction(async (tx) => {
      const c = counted(tx);
      const store = new Store(c.tx, columns, cache);
      const row = await store.get("credit_holders", ["0xd3"]);
      return { row, reads: c.queries };
    });
    assert.equal(again.reads, 1);
    assert.equal(again.row?.balance, "1");
  });
});
