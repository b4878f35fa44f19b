// The metered series in the indexer's database family (PGlite by default, PostgreSQL with
// DATABASE_URL), behind indexer/db/driver.ts. A batch is appended in one transaction and
// acknowledged only after it commits, so a restart never loses an acknowledged sample.
import path from "node:path";

import { type Database, type DatabaseOptions, openDatabase } from "../../indexer/db/driver.ts";
import { loadMigrations, migrate } from "../../indexer/db/migrate.ts";
import type { Hex } from "./merkle.ts";
import type { Sample } from "./series.ts";

export const METERING_MIGRATIONS_DIR = path.join(import.meta.dirname, "db", "migrations");

/** A signed batch as stored beside its samples. */
export type StoredBatch = { samplesHash: Hex; signature: Hex; signer: string };

export class MeteringStore {
  readonly db: Database;

  private constructor(db: Database) {
    this.db = db;
  }

  /**
   * Opens the database and brings the metering schema up to date.
   * @example const store = await MeteringStore.open({ kind: "pglite", dataDir: ".data/metering" });
   */
  static async open(options: DatabaseOptions): Promise<MeteringStore> {
    const db = await openDatabase(options);
    await migrate(db, loadMigrations(METERING_MIGRATIONS_DIR));
    return new MeteringStore(db);
  }

  /**
   * Appends a batch: `check` sees the last stored second under the deal's lock and throws to store
   * nothing. Resolves once the batch has committed.
   */
  async append(
    dealId: bigint,
    samples: readonly Sample[],
    batch: StoredBatch,
    check: (storedUntil: number | null) => void,
  ): Promise<{ storedUntil: number; samples: number }> {
    const id = dealId.toString();
    return this.db.transaction(async (tx) => {
      // Creates the deal's row on its first batch and locks it either way.
      const [row] = await tx.query<{ stored_until: number | null }>(
        `INSERT INTO metering_deals (deal_id) VALUES ($1)
         ON CONFLICT (deal_id) DO UPDATE SET deal_id = EXCLUDED.deal_id RETURNING stored_until`,
        [id],
      );
      check(row.stored_until);
      const ts = samples.map((s) => s.t);
      // One statement for the three writes: on PGlite every round trip counts (scripts/bench/metering.ts).
      const [updated] = await tx.query<{ stored_until: number; samples: number }>(
        `WITH s AS (
           INSERT INTO metering_samples (deal_id, t, w) SELECT $1, t, w FROM unnest($2::int8[], $3::int8[]) AS u(t, w)
         ), b AS (
           INSERT INTO metering_batches (deal_id, first_t, last_t, count, samples_hash, signature, signer)
           VALUES ($1, $4, $5, $6, $7, $8, $9)
         )
         UPDATE metering_deals SET stored_until = $5, samples = samples + $6 WHERE deal_id = $1
         RETURNING stored_until, samples`,
        [
          id,
          ts,
          samples.map((s) => s.w),
          ts[0],
          ts[ts.length - 1],
          samples.length,
          batch.samplesHash,
          batch.signature,
          batch.signer.toLowerCase(),
        ],
      );
      return { storedUntil: Number(updated.stored_until), samples: Number(updated.samples) };
    });
  }

  /** The last stored second of the deal and how many samples it has. */
  async cursor(dealId: bigint): Promise<{ storedUntil: number | null; samples: number }> {
    const [row] = await this.db.query<{ stored_until: number | null; samples: number }>(
      "SELECT stored_until, samples FROM metering_deals WHERE deal_id = $1",
      [dealId.toString()],
    );
    return row === undefined
      ? { storedUntil: null, samples: 0 }
      : { storedUntil: row.stored_until === null ? null : Number(row.stored_until), samples: Number(row.samples) };
  }

  /** The whole series of a deal, in time order. */
  async series(dealId: bigint): Promise<Sample[]> {
    const rows = await this.db.query<{ t: number; w: number }>(
      "SELECT t, w FROM metering_samples WHERE deal_id = $1 ORDER BY t",
      [dealId.toString()],
    );
    return rows.map((r) => ({ t: Number(r.t), w: Number(r.w) }));
  }

  /** The signed batches of a deal, in time order. */
  async batches(dealId: bigint): Promise<(StoredBatch & { firstT: number; lastT: number; count: number })[]> {
    const rows = await this.db.query<{
      first_t: number;
      last_t: number;
      count: number;
      samples_hash: Hex;
      signature: Hex;
      signer: string;
    }>(
      "SELECT first_t, last_t, count, samples_hash, signature, signer FROM metering_batches WHERE deal_id = $1 ORDER BY first_t",
      [dealId.toString()],
    );
    return rows.map((r) => ({
      firstT: Number(r.first_t),
      lastT: Number(r.last_t),
      count: Number(r.count),
      samplesHash: r.samples_hash,
      signature: r.signature,
      signer: r.signer,
    }));
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
