// The metered series in the indexer's database family (PGlite by default, PostgreSQL with
// DATABASE_URL), behind indexer/db/driver.ts. A batch is appended in a transaction (shared with
// the batches that arrived with it) and acknowledged only after it commits, so a restart never
// loses an acknowledged sample.
import path from "node:path";

import { type Database, type DatabaseOptions, openDatabase, type Queryable } from "../../indexer/db/driver.ts";
import { loadMigrations, migrate } from "../../indexer/db/migrate.ts";
import type { Hex } from "./merkle.ts";
import type { Sample } from "./series.ts";

export const METERING_MIGRATIONS_DIR = path.join(import.meta.dirname, "db", "migrations");

/** A signed batch as stored beside its samples. */
export type StoredBatch = { samplesHash: Hex; signature: Hex; signer: string };

/** What `append` resolves to: the deal's last stored second and sample count after the batch. */
export type Appended = { storedUntil: number; samples: number };

type PendingAppend = {
  dealId: string;
  samples: readonly Sample[];
  batch: StoredBatch;
  check: (storedUntil: number | null) => void;
  resolve: (appended: Appended) => void;
  reject: (error: unknown) => void;
};

export class MeteringStore {
  readonly db: Database;
  /** Batches waiting for the next group commit, and whether one is running. */
  #queue: PendingAppend[] = [];
  #committing = false;

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
   * Appends a batch: `check` sees the deal's last stored second (under the deal's row lock) and
   * throws to store nothing of the batch; the error is what the returned promise rejects with.
   * Resolves once the batch has committed.
   *
   * Group commit: batches that arrive while a commit is running are written together by the next
   * one — one transaction of two statements for all of them, whatever their deals — so the cost
   * of a commit is shared by every batch waiting for it. A batch refused by its check does not
   * hold back the others; a failed transaction fails every batch in it (each is retried by its sender).
   */
  append(
    dealId: bigint,
    samples: readonly Sample[],
    batch: StoredBatch,
    check: (storedUntil: number | null) => void,
  ): Promise<Appended> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ dealId: dealId.toString(), samples, batch, check, resolve, reject });
      if (this.#committing) return;
      this.#committing = true;
      // PGlite runs in this thread: a commit started at once would finish before the next request
      // is even read. Started after the event loop's I/O phase, it takes every batch read meanwhile.
      setImmediate(() => void this.#commitQueued());
    });
  }

  async #commitQueued(): Promise<void> {
    while (this.#queue.length > 0) {
      const group = this.#queue;
      this.#queue = [];
      let settle: (() => void)[] = [];
      try {
        settle = await this.db.transaction((tx) => this.#write(tx, group));
      } catch (error) {
        for (const pending of group) pending.reject(error);
        continue;
      }
      for (const done of settle) done();
    }
    this.#committing = false;
  }

  /** Writes one group in `tx`; returns what to tell each batch once the transaction has committed. */
  async #write(tx: Queryable, group: PendingAppend[]): Promise<(() => void)[]> {
    // Creates each deal's row on its first batch and locks them all, in one order (no deadlock
    // between two API processes sharing a PostgreSQL).
    const ids = [...new Set(group.map((p) => p.dealId))].sort();
    const rows = await tx.query<{ deal_id: string; stored_until: string | number | null; samples: string | number }>(
      `INSERT INTO metering_deals (deal_id) SELECT unnest($1::numeric[]) ORDER BY 1
       ON CONFLICT (deal_id) DO UPDATE SET deal_id = EXCLUDED.deal_id RETURNING deal_id::text, stored_until, samples`,
      [ids],
    );
    const cursors = new Map(
      rows.map((r) => [
        r.deal_id,
        { storedUntil: r.stored_until === null ? null : Number(r.stored_until), samples: Number(r.samples) },
      ]),
    );
    const settle: (() => void)[] = [];
    const sampleDeal: string[] = [];
    const sampleT: number[] = [];
    const sampleW: number[] = [];
    const batchCols = { deal: [] as string[], first: [] as number[], last: [] as number[], count: [] as number[] };
    const batchSigs = { hash: [] as string[], signature: [] as string[], signer: [] as string[] };
    for (const pending of group) {
      const cursor = cursors.get(pending.dealId) ?? { storedUntil: null, samples: 0 };
      try {
        pending.check(cursor.storedUntil);
      } catch (error) {
        settle.push(() => pending.reject(error));
        continue;
      }
      for (const { t, w } of pending.samples) {
        sampleDeal.push(pending.dealId);
        sampleT.push(t);
        sampleW.push(w);
      }
      const last = pending.samples[pending.samples.length - 1].t;
      batchCols.deal.push(pending.dealId);
      batchCols.first.push(pending.samples[0].t);
      batchCols.last.push(last);
      batchCols.count.push(pending.samples.length);
      batchSigs.hash.push(pending.batch.samplesHash);
      batchSigs.signature.push(pending.batch.signature);
      batchSigs.signer.push(pending.batch.signer.toLowerCase());
      cursor.storedUntil = last;
      cursor.samples += pending.samples.length;
      cursors.set(pending.dealId, cursor);
      const appended = { storedUntil: last, samples: cursor.samples };
      settle.push(() => pending.resolve(appended));
    }
    if (sampleT.length === 0) return settle;
    const touched = [...new Set(batchCols.deal)];
    // One statement for the three writes: on PGlite every round trip counts (scripts/bench/metering.ts).
    await tx.query(
      `WITH s AS (
         INSERT INTO metering_samples (deal_id, t, w)
         SELECT * FROM unnest($1::numeric[], $2::int8[], $3::int8[])
       ), b AS (
         INSERT INTO metering_batches (deal_id, first_t, last_t, count, samples_hash, signature, signer)
         SELECT * FROM unnest($4::numeric[], $5::int8[], $6::int8[], $7::int4[], $8::text[], $9::text[], $10::text[])
       )
       UPDATE metering_deals d SET stored_until = u.stored_until, samples = u.samples
       FROM unnest($11::numeric[], $12::int8[], $13::int8[]) AS u(deal_id, stored_until, samples)
       WHERE d.deal_id = u.deal_id`,
      [
        sampleDeal,
        sampleT,
        sampleW,
        batchCols.deal,
        batchCols.first,
        batchCols.last,
        batchCols.count,
        batchSigs.hash,
        batchSigs.signature,
        batchSigs.signer,
        touched,
        touched.map((id) => cursors.get(id)?.storedUntil),
        touched.map((id) => cursors.get(id)?.samples),
      ],
    );
    return settle;
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
