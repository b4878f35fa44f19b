// Group commit: batches appended at once are written by one transaction, each judged against what
// the batches before it left, a refused one holding back none of the others.
import assert from "node:assert/strict";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import { METERING_MIGRATIONS_DIR, MeteringStore } from "../../../backend/metering/store.ts";
import { openDatabase } from "../../../indexer/db/driver.ts";
import { loadMigrations, migrate } from "../../../indexer/db/migrate.ts";
import { removeDir } from "./helpers.ts";

const batch = {
  samplesHash: `0x${"00".repeat(32)}`,
  signature: `0x${"ab".repeat(65)}`,
  signer: `0x${"cd".repeat(20)}`,
} as const;
const run = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ t: from + i, w: 100 + i }));

describe("metering store", () => {
  let dir: string;
  let store: MeteringStore;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "ccex-metering-store-"));
    store = await MeteringStore.open({ kind: "pglite", dataDir: dir });
  });
  after(async () => {
    await store.close();
    await removeDir(dir);
  });

  it("writes batches of several deals appended at once, each seeing the one before it", async () => {
    const seen: (number | null)[] = [];
    const refusal = new Error("refused by its check");
    const results = await Promise.allSettled([
      store.append(1n, run(1_000, 60), batch, (until) => void seen.push(until)),
      store.append(1n, run(1_060, 60), batch, (until) => void seen.push(until)),
      store.append(2n, run(5_000, 10), batch, () => {
        throw refusal;
      }),
      store.append(3n, run(7_000, 5), batch, (until) => void seen.push(until)),
    ]);
    assert.deepEqual(seen, [null, 1_059, null]);
    assert.deepEqual(results[0], { status: "fulfilled", value: { storedUntil: 1_059, samples: 60 } });
    assert.deepEqual(results[1], { status: "fulfilled", value: { storedUntil: 1_119, samples: 120 } });
    assert.deepEqual(results[2], { status: "rejected", reason: refusal });
    assert.deepEqual(results[3], { status: "fulfilled", value: { storedUntil: 7_004, samples: 5 } });
    assert.deepEqual(await store.series(1n), [...run(1_000, 60), ...run(1_060, 60)]);
    assert.deepEqual(await store.cursor(2n), { storedUntil: null, samples: 0 });
    assert.deepEqual(await store.series(2n), []);
    assert.equal((await store.batches(1n)).length, 2);
    assert.deepEqual(await store.cursor(3n), { storedUntil: 7_004, samples: 5 });
  });

  it("fails every batch of a transaction the database refuses, storing none of them", async () => {
    // The router never lets a negative watt through; the table refuses it too (CHECK w >= 0).
    const results = await Promise.allSettled([
      store.append(4n, run(1, 3), batch, () => {}),
      store.append(5n, [{ t: 1, w: -1 }], batch, () => {}),
    ]);
    assert.equal(results[0].status, "rejected");
    assert.equal(results[1].status, "rejected");
    assert.deepEqual(await store.cursor(4n), { storedUntil: null, samples: 0 });
    assert.deepEqual(await store.series(4n), []);
  });

  it("moves a series stored one row per sample into the rows of its batches, losing none", async () => {
    const older = await mkdtemp(path.join(tmpdir(), "ccex-metering-store-"));
    try {
      const db = await openDatabase({ kind: "pglite", dataDir: older });
      const [first, ...later] = loadMigrations(METERING_MIGRATIONS_DIR);
      assert.ok(later.length > 0, "a migration after the first stores samples in batches");
      await migrate(db, [first]);
      const samples = [...run(1_000, 60), ...run(1_060, 3)];
      await db.query("INSERT INTO metering_deals (deal_id, stored_until, samples) VALUES (7, 1062, 63)");
      await db.query("INSERT INTO metering_samples (deal_id, t, w) SELECT 7, * FROM unnest($1::int8[], $2::int8[])", [
        samples.map((s) => s.t),
        samples.map((s) => s.w),
      ]);
      await db.query(
        `INSERT INTO metering_batches (deal_id, first_t, last_t, count, samples_hash, signature, signer)
         VALUES (7, 1000, 1059, 60, $1, $2, $3), (7, 1060, 1062, 3, $1, $2, $3)`,
        [batch.samplesHash, batch.signature, batch.signer],
      );
      await db.close();

      const migrated = await MeteringStore.open({ kind: "pglite", dataDir: older });
      try {
        assert.deepEqual(await migrated.series(7n), samples);
        assert.deepEqual(
          (await migrated.batches(7n)).map((b) => [b.firstT, b.lastT, b.count]),
          [
            [1_000, 1_059, 60],
            [1_060, 1_062, 3],
          ],
        );
        const next = await migrated.append(7n, run(1_063, 2), batch, (until) => assert.equal(until, 1_062));
        assert.deepEqual(next, { storedUntil: 1_064, samples: 65 });
      } finally {
        await migrated.close();
      }
    } finally {
      await removeDir(older);
    }
  });
});
