// Secondary indexes that no query reads are dropped (migration 20261207_0640_unused_indexes,
// docs/indexer.md, Backfill speed), also from the list a backfill in progress builds at its end.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { openDatabase } from "../../../indexer/db/driver.ts";
import { migrate } from "../../../indexer/db/migrate.ts";
import { migrateUpTo } from "../helpers/migrations.ts";

const MIGRATION = "20261207_0640_unused_indexes";
const DROPPED = [
  "credit_retirements_holder",
  "deal_hours_hour",
  "deal_payments_account",
  "deals_buyer",
  "retirements_beneficiary",
];

describe("unused secondary indexes", () => {
  it("an account's retirements, asked for as holder OR beneficiary, could not use an index on one of them", async () => {
    const db = await openDatabase({ kind: "pglite" });
    try {
      await migrateUpTo(db, MIGRATION);
      // With sequential scans priced out, the planner takes any index that can answer the filter.
      await db.query("SET enable_seqscan = off");
      for (const table of ["retirements", "credit_retirements"]) {
        const plan = await db.query<{ "QUERY PLAN": string }>(
          `EXPLAIN SELECT * FROM ${table} t WHERE (t.holder = $1 OR t.beneficiary = $1)
           ORDER BY t.block_number DESC, t.log_index DESC LIMIT 21`,
          ["0x0000000000000000000000000000000000000001"],
        );
        const text = plan.map((r) => r["QUERY PLAN"]).join("\n");
        assert.match(text, new RegExp(`Seq Scan on ${table}`), text);
        assert.doesNotMatch(text, /Index/, text);
      }
    } finally {
      await db.close();
    }
  });

  it("drops them, and from the indexes a backfill in progress would build at its end", async () => {
    const db = await openDatabase({ kind: "pglite" });
    try {
      const { rest } = await migrateUpTo(db, MIGRATION);
      // A backfill in progress: it dropped two of them and one it keeps, and remembers all three.
      const kept = await db.query<{ name: string; definition: string }>(
        `SELECT indexname AS name, indexdef AS definition FROM pg_indexes
         WHERE indexname IN ('deal_payments_account', 'deals_buyer', 'retirements_batch') ORDER BY indexname`,
      );
      assert.equal(kept.length, 3);
      for (const k of kept) {
        await db.query(`DROP INDEX ${k.name}`);
        await db.query("INSERT INTO deferred_indexes (name, definition) VALUES ($1, $2)", [k.name, k.definition]);
      }
      await migrate(db, rest);
      const left = await db.query<{ indexname: string }>("SELECT indexname FROM pg_indexes WHERE indexname = ANY($1)", [
        DROPPED,
      ]);
      assert.deepStrictEqual(left, []);
      const deferred = await db.query<{ name: string }>("SELECT name FROM deferred_indexes ORDER BY name");
      assert.deepStrictEqual(
        deferred.map((d) => d.name),
        ["retirements_batch"],
      );
    } finally {
      await db.close();
    }
  });
});
