// The migration that narrows the raw event log keeps what an existing index holds: each event's
// position, time, transaction, contract, name and arguments, and every account link, now grouped per
// account and block with the log indexes ascending (docs/indexer.md, Backfill speed).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { openDatabase } from "../../../indexer/db/driver.ts";
import { migrate } from "../../../indexer/db/migrate.ts";
import { migrateUpTo } from "../helpers/migrations.ts";

const NARROWING = "20261206_2130_narrow_event_log";

describe("the narrowed event log's migration", () => {
  it("moves the events and their account links of an existing index into the new tables", async () => {
    const db = await openDatabase({ kind: "pglite" });
    try {
      const { all, rest } = await migrateUpTo(db, NARROWING);
      const hash = (n: number) => `0x${String(n).repeat(64)}`;
      for (const [block, log, args] of [
        [7, 3, { from: "0xaa", value: "12" }],
        [7, 1, { dealId: "5" }],
        [9, 0, { note: "a\\tb" }],
      ] as const)
        await db.query(`INSERT INTO events VALUES ($1, $2, $3, 1700000000, $4, 0, 'Market', '0xm', 'Ev', $5::json)`, [
          hash(block),
          log,
          block,
          hash(block + 1),
          JSON.stringify(args),
        ]);
      for (const [account, block, log] of [
        ["0xaa", 7, 3],
        ["0xaa", 7, 1],
        ["0xbb", 7, 3],
        ["0xaa", 9, 0],
      ] as const)
        await db.query("INSERT INTO account_events VALUES ($1, $2, $3)", [account, block, log]);
      // A backfill interrupted before the migration left the old tables' position indexes deferred.
      await db.query("DROP INDEX events_position, account_events_position");
      await db.query(
        "INSERT INTO deferred_indexes VALUES ('events_position', 'CREATE INDEX events_position ON events (block_number, log_index)'), ('account_events_position', 'CREATE INDEX account_events_position ON account_events (block_number)')",
      );

      assert.deepStrictEqual(
        await migrate(db, all),
        rest.map((m) => m.id),
      );
      assert.deepStrictEqual(
        await db.query("SELECT * FROM events ORDER BY block_number, log_index"),
        [
          [7, 1, { dealId: "5" }],
          [7, 3, { from: "0xaa", value: "12" }],
          [9, 0, { note: "a\\tb" }],
        ].map(([block, log, args]) => ({
          block_number: block,
          log_index: log,
          block_time: 1700000000,
          tx_hash: hash((block as number) + 1),
          contract: "Market",
          name: "Ev",
          args,
        })),
      );
      assert.deepStrictEqual(await db.query("SELECT * FROM account_events ORDER BY account, block_number"), [
        { account: "0xaa", block_number: 7, log_indexes: [1, 3] },
        { account: "0xaa", block_number: 9, log_indexes: [0] },
        { account: "0xbb", block_number: 7, log_indexes: [3] },
      ]);
      assert.deepStrictEqual(await db.query("SELECT name FROM deferred_indexes"), []);
      const indexes = await db.query<{ indexname: string }>(
        "SELECT indexname FROM pg_indexes WHERE tablename IN ('events', 'account_events') ORDER BY indexname",
      );
      assert.deepStrictEqual(
        indexes.map((i) => i.indexname),
        ["account_events_pkey", "account_events_position", "events_pkey"],
      );
    } finally {
      await db.close();
    }
  });
});
