// A deal's terms are json, not jsonb (migration 20261207_0400_deal_terms_json; docs/indexer.md,
// Backfill speed): an existing index keeps every deal's terms, and terms come back with the values
// and the key order they were written with.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { openDatabase } from "../../../indexer/db/driver.ts";
import { migrate } from "../../../indexer/db/migrate.ts";
import { migrateUpTo } from "../helpers/migrations.ts";

const TERMS_JSON = "20261207_0400_deal_terms_json";

/** A deal row with every NOT NULL column filled and the given terms. */
async function insertDeal(db: Awaited<ReturnType<typeof openDatabase>>, id: number, terms: unknown) {
  const required = await db.query<{ name: string; type: string }>(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a
     WHERE a.attrelid = 'deals'::regclass AND a.attnum > 0 AND NOT a.attisdropped AND a.attnotnull`,
  );
  const row: Record<string, unknown> = { terms };
  for (const c of required) row[c.name] = c.type === "text" ? "x" : 1;
  row.id = id;
  await db.query("INSERT INTO deals SELECT * FROM json_populate_record(null::deals, $1::json)", [JSON.stringify(row)]);
}

describe("deal terms as json", () => {
  it("keeps the terms of an existing index and gives them back as written", async () => {
    const db = await openDatabase({ kind: "pglite" });
    try {
      const { all } = await migrateUpTo(db, TERMS_JSON);
      const before = { vcuHours: "123456789012345678901234567890", lots: [{ offerId: "7", wh: 5 }], note: 'a\t"b"' };
      await insertDeal(db, 1, before);
      await migrate(db, all);

      const [{ type }] = await db.query<{ type: string }>(
        "SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = 'deals'::regclass AND attname = 'terms'",
      );
      assert.equal(type, "json");
      const after = { zeta: 1, alpha: { b: "2", a: [3, null] }, id: "99" };
      await insertDeal(db, 2, after);
      const rows = await db.query<{ id: string; terms: unknown }>("SELECT id, terms FROM deals ORDER BY id");
      assert.deepStrictEqual(rows[0].terms, before);
      assert.deepStrictEqual(rows[1].terms, after);
      // Stored as sent: the keys in the order they were written (jsonb would sort them by length).
      assert.deepStrictEqual(Object.keys(rows[1].terms as object), ["zeta", "alpha", "id"]);
    } finally {
      await db.close();
    }
  });
});
