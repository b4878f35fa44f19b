// The metered series in the indexer's database family (PGlite by default, PostgreSQL with
// DATABASE_URL), behind indexer/db/driver.ts. A batch is appended in a transaction (shared with
// the batches that arrived with it) and acknowledged only after it commits, so a restart never
// loses an acknowledged sample. A batch is one row, its samples the arrays of its seconds and watts.
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
    const batches = {
      deal: [] as string[],
      first: [] as number[],
      last: [] as number[],
      count: [] as number[],
      hash: [] as string[],
      signature: [] as string[],
      signer: [] as string[],
      t: [] as string[],
      w: [] as string[],
    };
    for (const pending of group) {
      const cursor = cursors.get(pending.dealId) ?? { storedUntil: null, samples: 0 };
      try {
        pending.check(cursor.storedUntil);
      } catch (error) {
        settle.push(() => pending.reject(error));
        continue;
      }
      const { samples } = pending;
      const last = samples[samples.length - 1].t;
      batches.deal.push(pending.dealId);
      batches.first.push(samples[0].t);
      batches.last.push(last);
      batches.count.push(samples.length);
      batches.hash.push(pending.batch.samplesHash);
      batches.signature.push(pending.batch.signature);
      batches.signer.push(pending.batch.signer.toLowerCase());
      batches.t.push(arrayLiteral(samples, "t"));
      batches.w.push(arrayLiteral(samples, "w"));
      cursor.storedUntil = last;
      cursor.samples += samples.length;
      cursors.set(pending.dealId, cursor);
      const appended = { storedUntil: last, samples: cursor.samples };
      settle.push(() => pending.resolve(appended));
    }
    if (batches.deal.length === 0) return settle;
    const touched = [...new Set(batches.deal)];
    // One statement for both writes: on PGlite every round trip counts (scripts/bench/metering.ts).
    // The arrays travel as their text form, one string per batch, which both drivers pass as is.
    await tx.query(
      `WITH b AS (
         INSERT INTO metering_batches (deal_id, first_t, last_t, count, samples_hash, signature, signer, t, w)
         SELECT deal_id, first_t, last_t, count, samples_hash, signature, signer, t::int8[], w::int8[]
         FROM unnest($1::numeric[], $2::int8[], $3::int8[], $4::int4[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
           AS u(deal_id, first_t, last_t, count, samples_hash, signature, signer, t, w)
       )
       UPDATE metering_deals d SET stored_until = u.stored_until, samples = u.samples
       FROM unnest($10::numeric[], $11::int8[], $12::int8[]) AS u(deal_id, stored_until, samples)
       WHERE d.deal_id = u.deal_id`,
      [
        batches.deal,
        batches.first,
        batches.last,
        batches.count,
        batches.hash,
        batches.signature,
        batches.signer,
        batches.t,
        batches.w,
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
    const rows = await this.db.query<{ t: (number | string)[]; w: (number | string)[] }>(
      "SELECT t, w FROM metering_batches WHERE deal_id = $1 ORDER BY first_t",
      [dealId.toString()],
    );
    const series: Sample[] = [];
    for (const { t, w } of rows) for (let i = 0; i < t.length; i++) series.push({ t: Number(t[i]), w: Number(w[i]) });
    return series;
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

/** The text form of a batch's seconds or watts as a PostgreSQL array: `{1767225600,1767225601,…}`. */
function arrayLiteral(samples: readonly Sample[], field: "t" | "w"): string {
  let text = "{";
  for (let i = 0; i < samples.length; i++) text += i === 0 ? samples[i][field] : `,${samples[i][field]}`;
  return `${text}}`;
}
