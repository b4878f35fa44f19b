// The handlers' view of the database during one sync step. Rows are read once, changed in memory
// and written back in one set-based statement per table and kind of change: a step of thousands of
// events costs a handful of round trips instead of thousands (PGlite runs one statement at a time).
//
// When the step covers a block that may still be re-orged, every changed row's state before the
// block is written to `reorg_journal`, which is what makes a rollback exact.

import { IndexerError } from "../errors.ts";
import type { Queryable, Row } from "./driver.ts";

/** Primary key columns of every table the handlers write. */
export type TableKeys = Readonly<Record<string, readonly string[]>>;

/** Column names per table, read from the live schema so that the store never drifts from it. */
export type TableColumns = ReadonlyMap<string, readonly string[]>;

type Entry = { table: string; original: Row | undefined; current: Row | undefined; dirty: boolean };

export type KeyValue = string | number | bigint;

export class Store {
  readonly #tx: Queryable;
  readonly #keys: TableKeys;
  readonly #columns: TableColumns;
  readonly #entries = new Map<string, Entry>();
  /** Tables and keys changed in this step, for live subscriptions. */
  readonly touched = new Map<string, Set<string>>();

  constructor(tx: Queryable, keys: TableKeys, columns: TableColumns) {
    this.#tx = tx;
    this.#keys = keys;
    this.#columns = columns;
  }

  /** Loads many rows of one table in one query so that later `get`s hit memory. */
  async prefetch(table: string, keys: KeyValue[][]): Promise<void> {
    const keyCols = this.#keyColumns(table);
    const wanted = new Map<string, KeyValue[]>();
    for (const k of keys) {
      const id = entryId(table, k);
      if (!this.#entries.has(id)) wanted.set(id, k);
    }
    if (wanted.size === 0) return;
    const rows = await this.#tx.query(
      `SELECT t.* FROM ${table} t JOIN json_populate_recordset(null::${table}, $1) k USING (${keyCols.join(", ")})`,
      [JSON.stringify([...wanted.values()].map((k) => keyObject(keyCols, k)))],
    );
    for (const row of rows) {
      const id = entryId(
        table,
        keyCols.map((c) => row[c]),
      );
      this.#entries.set(id, { table, original: row, current: { ...row }, dirty: false });
      wanted.delete(id);
    }
    for (const id of wanted.keys())
      this.#entries.set(id, { table, original: undefined, current: undefined, dirty: false });
  }

  async get(table: string, key: KeyValue[]): Promise<Row | undefined> {
    const id = entryId(table, key);
    if (!this.#entries.has(id)) await this.prefetch(table, [key]);
    return this.#entries.get(id)!.current;
  }

  /** Like `get`, for rows an event can only refer to if an earlier event created them. */
  async require(table: string, key: KeyValue[]): Promise<Row> {
    const row = await this.get(table, key);
    if (!row) {
      throw new IndexerError("MISSING_ROW", `${table} ${key.join("/")} is referenced before it was created`, {
        details: { table, key: key.map(String) },
      });
    }
    return row;
  }

  /**
   * Adds a row whose key the contracts guarantee to be new (ids are assigned on chain). Should it
   * exist after all, the INSERT fails and the whole step rolls back rather than overwrite history.
   */
  insert(table: string, row: Row): void {
    const key = this.#keyColumns(table).map((c) => row[c]);
    const id = entryId(table, key);
    const entry = this.#entries.get(id);
    if (entry?.current) {
      throw new IndexerError("DUPLICATE_ROW", `${table} ${key.join("/")} already exists`, { details: { table } });
    }
    this.#entries.set(id, { table, original: entry?.original, current: { ...row }, dirty: true });
    this.#touch(table, id);
  }

  /** Changes some columns of an existing row and returns the new row. */
  async update(table: string, key: KeyValue[], patch: Row | ((row: Row) => Row)): Promise<Row> {
    const row = await this.require(table, key);
    const id = entryId(table, key);
    const entry = this.#entries.get(id)!;
    const next = { ...row, ...(typeof patch === "function" ? patch(row) : patch) };
    entry.current = next;
    entry.dirty = true;
    this.#touch(table, id);
    return next;
  }

  /** Creates the row from `create` or changes it with `patch` (balances, counters). */
  async upsert(table: string, key: KeyValue[], create: () => Row, patch: (row: Row) => Row): Promise<Row> {
    const row = await this.get(table, key);
    if (!row) {
      const fresh = create();
      this.insert(table, fresh);
      return fresh;
    }
    return this.update(table, key, patch);
  }

  async delete(table: string, key: KeyValue[]): Promise<void> {
    await this.require(table, key);
    const id = entryId(table, key);
    const entry = this.#entries.get(id)!;
    entry.current = undefined;
    entry.dirty = true;
    this.#touch(table, id);
  }

  /**
   * Writes every changed row. With `journal`, also records each row's state before this step under
   * the step's last block (and its first), so that `rollbackJournal` can restore it if orphaned.
   */
  async flush(journal?: { block: number; stepFrom: number }): Promise<void> {
    const byTable = new Map<string, Entry[]>();
    for (const e of this.#entries.values()) {
      if (!e.dirty) continue;
      let list = byTable.get(e.table);
      if (!list) byTable.set(e.table, (list = []));
      list.push(e);
    }
    const journalRows: {
      block_number: number;
      step_from: number;
      seq: number;
      table_name: string;
      key: Row;
      before: Row | null;
    }[] = [];
    for (const [table, entries] of byTable) {
      const keyCols = this.#keyColumns(table);
      const columns = this.#columnsOf(table);
      const inserts: Row[] = [];
      const updates: Row[] = [];
      const deletes: Row[] = [];
      for (const e of entries) {
        if (e.original === undefined && e.current !== undefined) inserts.push(e.current);
        else if (e.original !== undefined && e.current !== undefined) updates.push(e.current);
        else if (e.original !== undefined)
          deletes.push(
            keyObject(
              keyCols,
              keyCols.map((c) => e.original![c]),
            ),
          );
        else continue;
        if (journal && e.original !== undefined) {
          journalRows.push({
            block_number: journal.block,
            step_from: journal.stepFrom,
            seq: journalRows.length,
            table_name: table,
            key: keyObject(
              keyCols,
              keyCols.map((c) => e.original![c]),
            ),
            before: e.original,
          });
        }
      }
      // Rows the step created need no before-image: one entry lists all their keys.
      if (journal && inserts.length > 0) {
        journalRows.push({
          block_number: journal.block,
          step_from: journal.stepFrom,
          seq: journalRows.length,
          table_name: table,
          key: inserts.map((row) =>
            keyObject(
              keyCols,
              keyCols.map((c) => row[c]),
            ),
          ) as unknown as Row,
          before: null,
        });
      }
      if (deletes.length > 0) await deleteRows(this.#tx, table, keyCols, deletes);
      if (updates.length > 0) await updateRows(this.#tx, table, keyCols, columns, updates);
      if (inserts.length > 0) await insertRows(this.#tx, table, columns, inserts);
    }
    if (journalRows.length > 0) await insertRows(this.#tx, "reorg_journal", JOURNAL_COLUMNS, journalRows);
    for (const e of this.#entries.values()) {
      if (!e.dirty) continue;
      e.original = e.current === undefined ? undefined : { ...e.current };
      e.dirty = false;
    }
  }

  #keyColumns(table: string): readonly string[] {
    const cols = this.#keys[table];
    if (!cols) throw new IndexerError("UNKNOWN_TABLE", `no key declared for table ${table}`);
    return cols;
  }

  #columnsOf(table: string): readonly string[] {
    const cols = this.#columns.get(table);
    if (!cols) throw new IndexerError("UNKNOWN_TABLE", `table ${table} is not in the schema`);
    return cols;
  }

  #touch(table: string, id: string): void {
    let set = this.touched.get(table);
    if (!set) this.touched.set(table, (set = new Set()));
    set.add(id.slice(table.length + 1));
  }
}

const JOURNAL_COLUMNS = ["block_number", "step_from", "seq", "table_name", "key", "before"] as const;

function entryId(table: string, key: readonly unknown[]): string {
  return `${table}:${key.map(String).join("/")}`;
}

function keyObject(cols: readonly string[], values: readonly unknown[]): Row {
  const o: Row = {};
  cols.forEach((c, i) => (o[c] = typeof values[i] === "bigint" ? values[i].toString() : values[i]));
  return o;
}

function json(rows: Row[]): string {
  return JSON.stringify(rows, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
}

// json_populate_recordset turns one JSON parameter into typed rows, so one statement writes any
// number of rows of any table without building per-table parameter lists.
export async function insertRows(tx: Queryable, table: string, columns: readonly string[], rows: Row[]) {
  const cols = columns.join(", ");
  await tx.query(`INSERT INTO ${table} (${cols}) SELECT ${cols} FROM json_populate_recordset(null::${table}, $1)`, [
    json(rows),
  ]);
}

async function updateRows(
  tx: Queryable,
  table: string,
  keyCols: readonly string[],
  columns: readonly string[],
  rows: Row[],
) {
  const set = columns.filter((c) => !keyCols.includes(c)).map((c) => `${c} = r.${c}`);
  if (set.length === 0) return;
  const on = keyCols.map((c) => `t.${c} = r.${c}`).join(" AND ");
  await tx.query(
    `UPDATE ${table} t SET ${set.join(", ")} FROM json_populate_recordset(null::${table}, $1) r WHERE ${on}`,
    [json(rows)],
  );
}

async function deleteRows(tx: Queryable, table: string, keyCols: readonly string[], keys: Row[]) {
  const on = keyCols.map((c) => `t.${c} = r.${c}`).join(" AND ");
  await tx.query(`DELETE FROM ${table} t USING json_populate_recordset(null::${table}, $1) r WHERE ${on}`, [
    json(keys),
  ]);
}

/** Reads the column list of each table from the schema the migrations built. */
export async function readColumns(db: Queryable, tables: readonly string[]): Promise<TableColumns> {
  const rows = await db.query<{ table_name: string; column_name: string }>(
    `SELECT table_name, column_name FROM information_schema.columns
     WHERE table_schema = current_schema() AND table_name = ANY($1) ORDER BY table_name, ordinal_position`,
    [tables],
  );
  const out = new Map<string, string[]>();
  for (const r of rows) {
    let list = out.get(r.table_name);
    if (!list) out.set(r.table_name, (list = []));
    list.push(r.column_name);
  }
  return out;
}

/**
 * Undoes every journaled change of the blocks above `ancestor`, newest first, leaving each row as
 * it was at the end of `ancestor`.
 */
export async function rollbackJournal(tx: Queryable, keys: TableKeys, columns: TableColumns, ancestor: number) {
  const entries = await tx.query<{ table_name: string; key: Row; before: Row | null }>(
    `SELECT table_name, key, before FROM reorg_journal WHERE block_number > $1 ORDER BY block_number DESC, seq DESC`,
    [ancestor],
  );
  for (const e of entries) {
    const keyCols = keys[e.table_name];
    const cols = columns.get(e.table_name);
    if (!keyCols || !cols) throw new IndexerError("UNKNOWN_TABLE", `journal names unknown table ${e.table_name}`);
    // An array of keys: rows the step created. One key with a before-image: a row it changed.
    await deleteRows(tx, e.table_name, keyCols, Array.isArray(e.key) ? e.key : [e.key]);
    if (e.before) await insertRows(tx, e.table_name, cols, [e.before]);
  }
  await tx.query("DELETE FROM reorg_journal WHERE block_number > $1", [ancestor]);
}
