// The database layer without a chain: migrations, the batched store, and journal rollback.
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { type Database, openDatabase } from "../../indexer/db/driver.ts";
import { dumpIndex } from "../../indexer/db/dump.ts";
import { loadMigrations, MIGRATIONS_DIR, migrate } from "../../indexer/db/migrate.ts";
import { readColumns, rollbackJournal, Store } from "../../indexer/db/store.ts";
import { handlers } from "../../indexer/handlers/index.ts";

const tables = handlers.tables;

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
    const columns = await readColumns(db, Object.keys(tables));
    await db.transaction(async (tx) => {
      const store = new Store(tx, tables, columns);
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
    const columns = await readColumns(db, Object.keys(tables));
    const before = await dumpIndex(db);
    await db.transaction(async (tx) => {
      const store = new Store(tx, tables, columns);
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
      const store = new Store(tx, tables, columns);
      await store.update("certificate_balances", ["7", "0x01"], { wh: "400", updated_block: 11 });
      await store.delete("market_params", ["feeBps"]);
      await store.flush({ block: 11, stepFrom: 11 });
    });
    assert.notDeepEqual(await dumpIndex(db), before);
    await db.transaction((tx) => rollbackJournal(tx, tables, columns, 9));
    assert.deepEqual(await dumpIndex(db), before);
    assert.equal((await db.query("SELECT count(*)::int AS n FROM reorg_journal"))[0].n, 0);
  });

  it("rejects a second insert of the same key instead of overwriting it", async () => {
    const columns = await readColumns(db, Object.keys(tables));
    await assert.rejects(
      db.transaction(async (tx) => {
        const store = new Store(tx, tables, columns);
        store.insert("market_params", { name: "x", value: "1", updated_block: 1 });
        await store.flush();
        const again = new Store(tx, tables, columns);
        again.insert("market_params", { name: "x", value: "2", updated_block: 1 });
        await again.flush();
      }),
    );
    assert.equal((await db.query("SELECT count(*)::int AS n FROM market_params WHERE name = 'x'"))[0].n, 0);
  });
});
