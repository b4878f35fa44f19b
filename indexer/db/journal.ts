// The re-org journal: for every step of blocks that may still be re-orged, each changed row's state
// before the step, and the keys of the rows it created. Rolling back replays it newest first, which
// restores every table the handlers write exactly (docs/indexer.md).
import { IndexerError } from "../errors.ts";
import type { AnyRow, Queryable } from "./driver.ts";
import { deleteRows, insertRows, type TableColumns } from "./recordset.ts";
import { TABLE_KEYS, type TableName } from "./tables.ts";

/** One row of reorg_journal. `key` is one key with a before-image, or the keys of the rows a step created. */
export type JournalEntry = {
  /** The last block of the step, which labels it. */
  block_number: number;
  /** The first block of the step: rolling the step back returns to the block before it. */
  step_from: number;
  seq: number;
  table_name: TableName;
  key: AnyRow | AnyRow[];
  before: AnyRow | null;
};

const JOURNAL_COLUMNS = ["block_number", "step_from", "seq", "table_name", "key", "before"] as const;

export async function writeJournal(tx: Queryable, entries: readonly JournalEntry[]): Promise<void> {
  if (entries.length > 0) await insertRows(tx, "reorg_journal", JOURNAL_COLUMNS, entries);
}

/** Forgets the journal of blocks at or below `floor`: they can no longer be rolled back block by block. */
export async function pruneJournal(tx: Queryable, floor: number): Promise<void> {
  await tx.query("DELETE FROM reorg_journal WHERE block_number <= $1", [floor]);
}

/** The first block of the oldest journaled step above `ancestor`, or null when none is. */
export async function firstJournaledBlockAbove(tx: Queryable, ancestor: number): Promise<number | null> {
  const [{ first }] = await tx.query<{ first: number | null }>(
    "SELECT min(step_from) AS first FROM reorg_journal WHERE block_number > $1",
    [ancestor],
  );
  return first;
}

/**
 * Undoes every journaled change of the blocks above `ancestor`, newest first, leaving each row as
 * it was at the end of `ancestor`.
 */
export async function rollbackJournal(tx: Queryable, columns: TableColumns, ancestor: number): Promise<void> {
  const entries = await tx.query<Pick<JournalEntry, "table_name" | "key" | "before">>(
    `SELECT table_name, key, before FROM reorg_journal WHERE block_number > $1 ORDER BY block_number DESC, seq DESC`,
    [ancestor],
  );
  for (const e of entries) {
    const keyCols: readonly string[] | undefined = TABLE_KEYS[e.table_name];
    const cols = columns.get(e.table_name);
    if (!keyCols || !cols) throw new IndexerError("UNKNOWN_TABLE", `journal names unknown table ${e.table_name}`);
    // An array of keys: rows the step created. One key with a before-image: a row it changed.
    await deleteRows(tx, e.table_name, keyCols, Array.isArray(e.key) ? e.key : [e.key]);
    if (e.before) await insertRows(tx, e.table_name, cols, [e.before]);
  }
  await tx.query("DELETE FROM reorg_journal WHERE block_number > $1", [ancestor]);
}
