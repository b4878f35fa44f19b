// Indexes a backfill drops and builds again: which ones, and that they come back exactly.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  countDeferredIndexes,
  deferSecondaryIndexes,
  EVENT_LOG_TABLES,
  listIndexes,
  restoreDeferredIndexes,
} from "../../../indexer/db/deferred-indexes.ts";
import { type Database, openDatabase } from "../../../indexer/db/driver.ts";
import { migrate } from "../../../indexer/db/migrate.ts";
import { WRITE_ONCE_TABLES } from "../../../indexer/db/tables.ts";

describe("deferred indexes", () => {
  let db: Database;
  before(async () => {
    db = await openDatabase({ kind: "pglite" });
    await migrate(db);
  });
  after(async () => {
    await db.close();
  });

  const primaryKeys = async () =>
    (
      await db.query<{ name: string }>(
        `SELECT conname AS name FROM pg_constraint
         WHERE contype = 'p' AND conrelid IN ('events'::regclass, 'account_events'::regclass) ORDER BY conname`,
      )
    ).map((r) => r.name);

  it("defers the event log's primary keys with the secondary indexes and builds all of them again as they were", async () => {
    const indexes = await listIndexes(db);
    const deferred = await db.transaction((tx) => deferSecondaryIndexes(tx, EVENT_LOG_TABLES));
    const left = new Map(await listIndexes(db));
    assert.equal(left.has("events_pkey"), false);
    assert.equal(left.has("account_events_pkey"), false);
    assert.equal(left.has("account_events_position"), false);
    // The keys that make a replayed step write nothing twice stay.
    assert.equal(left.has("blocks_pkey"), true);
    assert.equal(left.has("deals_pkey"), true);
    assert.equal(indexes.length - left.size, deferred);
    assert.equal(await countDeferredIndexes(db), deferred);
    assert.deepEqual(await primaryKeys(), []);

    assert.equal(await db.transaction((tx) => restoreDeferredIndexes(tx)), deferred);
    assert.deepEqual(await listIndexes(db), indexes);
    assert.deepEqual(await primaryKeys(), ["account_events_pkey", "events_pkey"]);
    assert.equal(await countDeferredIndexes(db), 0);
  });

  it("keeps the event log's primary keys where the backfill does not append it by COPY", async () => {
    await db.transaction((tx) => deferSecondaryIndexes(tx));
    assert.deepEqual(await primaryKeys(), ["account_events_pkey", "events_pkey"]);
    await db.transaction((tx) => restoreDeferredIndexes(tx));
  });

  it("defers the primary keys of the tables it is given and builds them again as they were", async () => {
    const indexes = await listIndexes(db);
    const deferred = await db.transaction((tx) =>
      deferSecondaryIndexes(tx, [...EVENT_LOG_TABLES, ...WRITE_ONCE_TABLES]),
    );
    const left = new Map(await listIndexes(db));
    for (const table of WRITE_ONCE_TABLES) assert.equal(left.has(`${table}_pkey`), false, table);
    // The tables handlers read back keep theirs, and so do the blocks (a replayed step is recognised by them).
    assert.equal(left.has("deals_pkey"), true);
    assert.equal(left.has("blocks_pkey"), true);
    assert.equal(indexes.length - left.size, deferred);
    assert.equal(await db.transaction((tx) => restoreDeferredIndexes(tx)), deferred);
    assert.deepEqual(await listIndexes(db), indexes);
  });

  it("refuses to build a deferred primary key over a row written twice, and keeps it deferred", async () => {
    await db.transaction((tx) => deferSecondaryIndexes(tx, EVENT_LOG_TABLES));
    await db.exec(
      "INSERT INTO account_events (account, block_number, log_indexes) VALUES ('0xa', 1, '{0}'), ('0xa', 1, '{1}')",
    );
    await assert.rejects(
      db.transaction((tx) => restoreDeferredIndexes(tx)),
      (e: Error & { code?: string }) => e.code === "23505",
    );
    assert.ok((await countDeferredIndexes(db)) > 0);
    await db.exec("DELETE FROM account_events");
    await db.transaction((tx) => restoreDeferredIndexes(tx));
    assert.deepEqual(await primaryKeys(), ["account_events_pkey", "events_pkey"]);
  });
});
