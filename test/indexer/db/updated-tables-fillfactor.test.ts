// The tables whose rows a backfill updates after writing them keep half of each page free, so that
// their updates stay on the row's page and write no index entry (HOT; migration
// 20261207_0410_updated_tables_half_free, docs/indexer.md, Backfill speed).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { openDatabase } from "../../../indexer/db/driver.ts";
import { migrate } from "../../../indexer/db/migrate.ts";

describe("room for updates", () => {
  it("gives orders, deals, deal lots and deal hours a fillfactor of 50, and the tables written once none", async () => {
    const db = await openDatabase({ kind: "pglite" });
    try {
      await migrate(db);
      const rows = await db.query<{ relname: string; reloptions: string[] | null }>(
        `SELECT relname, reloptions FROM pg_class
         WHERE relname IN ('orders', 'deals', 'deal_lots', 'deal_hours', 'trades', 'events') ORDER BY relname`,
      );
      assert.deepStrictEqual(Object.fromEntries(rows.map((r) => [r.relname, r.reloptions])), {
        deal_hours: ["fillfactor=50"],
        deal_lots: ["fillfactor=50"],
        deals: ["fillfactor=50"],
        events: null,
        orders: ["fillfactor=50"],
        trades: null,
      });
    } finally {
      await db.close();
    }
  });
});
