// The handlers' view of the database during one sync step. Rows are read once, changed in memory
// and written back in one set-based statement per table and kind of change: a step of thousands of
// events costs a handful of round trips instead of thousands (PGlite runs one statement at a time).
//
// When the step covers a block that may still be re-orged, every changed row's state before the
// block is written to `reorg_journal` (journal.ts), which is what makes a rollback exact.

import { IndexerError } from "../errors.ts";
import type { AnyRow, Queryable } from "./driver.ts";
import { type JournalEntry, writeJournal } from "./journal.ts";
import {
  type ColumnList,
  deleteRows,
  insertRows,
  jsonParam,
  keyObject,
  type TableColumns,
  updateRows,
} from "./recordset.ts";
import { type KeyOf, type NewRow, TABLE_KEYS, type TableName, type Tables, WRITE_ONCE_TABLES } from "./tables.ts";

class Entry {
  readonly table: TableName;
  /** The key's values as one string (keyString). */
  readonly id: string;
  /** The row as stored (undefined: none); never changed in place, the journal's before-image. */
  original: AnyRow | undefined;
  current: AnyRow | undefined;
  /** Inserted with columns left out: they are NULL, filled in only if the row is read back. */
  sparse = false;
  /**
   * `current` is this step's own copy (or an inserted row), which updates change in place: a row
   * updated many times in a step (a deal's counters, a balance) is copied once, not per update.
   */
  owned = false;
  /** Columns the step's updates set, for rows it read; null: compare every column at the flush. */
  changed: Set<string> | null = null;

  constructor(table: TableName, id: string, original: AnyRow | undefined, current: AnyRow | undefined) {
    this.table = table;
    this.id = id;
    this.original = original;
    this.current = current;
  }
}

export type StoreOptions = {
  /**
   * Change rows in place instead of copying a row at its first update in a step: for steps flushed
   * without a journal (a backfill's), which want no before-image. The copy of a deal's 50 columns
   * cost more than the update itself. A failed step must drop the cache it used, as always.
   */
  inPlace?: boolean;
};

/** A patch of some columns of a row. */
export type Patch<T extends TableName> = Partial<Tables[T]>;

/**
 * Rows kept in memory from one backfill step to the next, so that a step reads from the database
 * only rows no earlier step of this process has seen. The indexer is the only writer of these
 * tables, so a row as the last committed step left it is the row in the database.
 *
 * After a new index starts from empty tables, every row the index holds went through the cache:
 * a key it lacks is a row that does not exist, and reads skip the database entirely. That holds
 * per table until the table is evicted (the cache keeps at most `limit` rows).
 *
 * Whoever commits through a cached store must `drop()` the cache when the transaction fails, and
 * whenever the database changes behind it (a re-org's rollback, a restart of the index).
 */
export class RowCache {
  /**
   * Rows per table by key (keyString): a map per table keeps the keys short, lets a single-column
   * key be the column's own string (no string is built per lookup), and lets `trim` drop a table
   * whole instead of visiting every row.
   */
  readonly tables = new Map<TableName, Map<string, Entry>>();
  /** Tables of which every row is in `tables`. */
  readonly complete = new Set<TableName>();
  readonly limit: number;
  /** Tables whose rows are forgotten after each step (history no handler reads back). */
  readonly writeOnce: ReadonlySet<TableName>;

  constructor(limit = 1_500_000, writeOnce: readonly TableName[] = WRITE_ONCE_TABLES) {
    this.limit = limit;
    this.writeOnce = new Set(writeOnce);
  }

  /** Declares every table empty and fully known (a new index of empty tables). */
  startEmpty(tables: readonly TableName[]): void {
    this.drop();
    for (const t of tables) this.complete.add(t);
  }

  /** Forgets everything: the next steps read what they need from the database again. */
  drop(): void {
    this.tables.clear();
    this.complete.clear();
  }

  /** Rows (and known misses) held. */
  get size(): number {
    let n = 0;
    for (const rows of this.tables.values()) n += rows.size;
    return n;
  }

  /**
   * After a committed step: forgets the rows of the write-once tables, then keeps the cache within
   * its limit by evicting the largest tables. A table that lost rows is no longer known whole.
   *
   * Which tables to forget is declared, not guessed from what has been read so far: a table
   * written long before a handler first reads it (a deal's hours, read at its end) would lose its
   * rows, and every later read of it would go to the database one key at a time.
   */
  trim(): void {
    for (const t of this.writeOnce) {
      if (this.tables.delete(t)) this.complete.delete(t);
    }
    let left = this.size;
    if (left <= this.limit) return;
    const largest = [...this.tables].sort((a, b) => b[1].size - a[1].size);
    for (const [table, rows] of largest) {
      if (left <= this.limit / 2) break;
      this.tables.delete(table);
      this.complete.delete(table);
      left -= rows.size;
    }
  }
}

export class Store {
  readonly #tx: Queryable;
  readonly #columns: TableColumns;
  readonly #tables: Map<TableName, Map<string, Entry>>;
  readonly #complete: ReadonlySet<TableName>;
  /** Entries changed since the last flush (the cache may hold many more). */
  readonly #dirty = new Set<Entry>();
  readonly #known = new Map<TableName, Set<string>>();
  /**
   * Rows are changed in place, never copied (StoreOptions.inPlace): no before-image is kept, and
   * an update notes a column only if it changes its value, which is all the flush needs.
   */
  readonly #inPlace: boolean;
  /**
   * With `inPlace`, rows of the write-once tables (history no handler reads back) are kept in a
   * list per table and never enter the cache's maps: adding each under its composite key string
   * to a map holding a whole backfill's rows was the dearest part of an insert. A duplicate key
   * still fails the step, in the database; a read of such a table in the step is refused.
   */
  readonly #appended = new Map<TableName, AnyRow[]>();
  readonly #writeOnce: ReadonlySet<TableName>;
  /** Tables and keys changed in this step, for live subscriptions (filled in by `flush`). */
  readonly touched = new Map<string, Set<string>>();

  /** With `cache`, rows are read from and kept in it across steps (see RowCache). */
  constructor(tx: Queryable, columns: TableColumns, cache?: RowCache, options: StoreOptions = {}) {
    this.#inPlace = options.inPlace === true;
    this.#writeOnce = this.#inPlace ? new Set(cache?.writeOnce ?? WRITE_ONCE_TABLES) : new Set();
    this.#tx = tx;
    this.#columns = columns;
    this.#tables = cache?.tables ?? new Map();
    this.#complete = cache?.complete ?? new Set();
  }

  /** The entries of one table, by keyString. */
  #rows(table: TableName): Map<string, Entry> {
    let rows = this.#tables.get(table);
    if (!rows) this.#tables.set(table, (rows = new Map()));
    return rows;
  }

  /** Loads many rows of one table in one query so that later `get`s hit memory. */
  async prefetch<T extends TableName>(table: T, keys: readonly KeyOf<T>[]): Promise<void> {
    if (this.#writeOnce.has(table)) throw writeOnceRead(table);
    const keyCols = TABLE_KEYS[table];
    const known = this.#rows(table);
    const wanted = new Map<string, readonly unknown[]>();
    for (const k of keys) {
      const id = keyString(k);
      if (!known.has(id)) wanted.set(id, k);
    }
    if (wanted.size === 0) return;
    if (this.#complete.has(table)) {
      for (const id of wanted.keys()) known.set(id, new Entry(table, id, undefined, undefined));
      return;
    }
    // One primary-key probe per key: LIMIT 1 keeps the subquery from being flattened into a join,
    // which the planner would run as a scan of the whole table (it cannot see how few keys come).
    const match = keyCols.map((c) => `t.${c} = k.${c}`).join(" AND ");
    const rows = await this.#tx.query(
      `SELECT t.* FROM json_populate_recordset(null::${table}, $1::json) k
       CROSS JOIN LATERAL (SELECT * FROM ${table} t WHERE ${match} LIMIT 1) t`,
      [jsonParam([...wanted.values()].map((k) => keyObject(keyCols, k)))],
    );
    for (const row of rows) {
      const id = keyString(keyCols.map((c) => row[c]));
      // The row as read stands for both: the first update of the step copies it (Entry.owned).
      known.set(id, new Entry(table, id, row, row));
      wanted.delete(id);
    }
    for (const id of wanted.keys()) known.set(id, new Entry(table, id, undefined, undefined));
  }

  // get, require, update and upsert answer synchronously when the row is in memory (nearly every read of a
  // backfill, after the step's prefetch): an async method per call cost a promise and a microtask
  // per level, three levels per update. Handlers `await` the answer either way; a failure is always
  // a rejected promise, never a throw.

  get<T extends TableName>(table: T, key: KeyOf<T>): Tables[T] | undefined | Promise<Tables[T] | undefined> {
    const entry = this.#entry(table, key);
    return entry instanceof Promise
      ? entry.then((e) => e.current as Tables[T] | undefined)
      : (entry.current as Tables[T] | undefined);
  }

  /** Like `get`, for rows an event can only refer to if an earlier event created them. */
  require<T extends TableName>(table: T, key: KeyOf<T>): Tables[T] | Promise<Tables[T]> {
    const entry = this.#entry(table, key);
    if (entry instanceof Promise) return entry.then((e) => this.#existing(table, key, e).current as Tables[T]);
    if (!entry.current) return Promise.reject(missing(table, key));
    return entry.current as Tables[T];
  }

  /** The entry of a row (its `current` undefined if the row does not exist), read if not known. */
  #entry(table: TableName, key: readonly unknown[]): Entry | Promise<Entry> {
    if (this.#writeOnce.has(table)) return Promise.reject(writeOnceRead(table));
    const rows = this.#rows(table);
    const id = keyString(key);
    const entry = rows.get(id);
    if (entry) return this.#filled(table, entry);
    return this.prefetch(table, [key] as never[]).then(() => this.#filled(table, rows.get(id)!));
  }

  #filled(table: TableName, entry: Entry): Entry {
    if (entry.sparse && entry.current) {
      entry.current = filledRow(this.#columnsOf(table), entry.current);
      entry.sparse = false;
    }
    return entry;
  }

  #existing(table: TableName, key: readonly unknown[], entry: Entry): Entry {
    if (!entry.current) throw missing(table, key);
    return entry;
  }

  /**
   * Adds a row whose key the contracts guarantee to be new (ids are assigned on chain). Should it
   * exist after all, the INSERT fails and the whole step rolls back rather than overwrite history.
   * Columns left out are NULL, in the database and to a later `get` of the row. The store takes
   * the row object as it is (no copy): the handler must not change it afterwards.
   */
  insert<T extends TableName>(table: T, row: NewRow<Tables[T]>): void {
    this.#checkColumns(table, row);
    const current = row as AnyRow;
    if (this.#writeOnce.has(table)) {
      let list = this.#appended.get(table);
      if (!list) this.#appended.set(table, (list = []));
      list.push(current);
      return;
    }
    const key = TABLE_KEYS[table].map((c) => current[c]);
    const rows = this.#rows(table);
    const id = keyString(key);
    const entry = rows.get(id);
    if (entry?.current) {
      throw new IndexerError("DUPLICATE_ROW", `${table} ${key.join("/")} already exists`, { details: { table } });
    }
    // Filling the NULLs here would cost every insert of a backfill; few rows are read back.
    const next = new Entry(table, id, entry?.original, current);
    next.sparse = true;
    next.owned = true;
    if (entry) this.#dirty.delete(entry);
    rows.set(id, next);
    this.#dirty.add(next);
  }

  /**
   * Changes some columns of an existing row and returns the row. A row object the store returned
   * earlier in the step may be the one changed: read what you need from it before updating it.
   */
  update<T extends TableName>(
    table: T,
    key: KeyOf<T>,
    patch: Patch<T> | ((row: Tables[T]) => Patch<T>),
  ): Tables[T] | Promise<Tables[T]> {
    const entry = this.#entry(table, key);
    if (entry instanceof Promise) return entry.then((e) => this.#patch(table, this.#existing(table, key, e), patch));
    try {
      return this.#patch(table, this.#existing(table, key, entry), patch);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #patch<T extends TableName>(table: T, entry: Entry, patch: Patch<T> | ((row: Tables[T]) => Patch<T>)): Tables[T] {
    const change = (typeof patch === "function" ? patch(entry.current as Tables[T]) : patch) as AnyRow;
    this.#checkColumns(table, change);
    let row = entry.current!;
    if (!entry.owned) {
      if (!this.#inPlace) row = entry.current = { ...row };
      entry.owned = true;
      entry.changed = new Set();
    }
    const changed = entry.changed;
    if (this.#inPlace) {
      for (const c in change) {
        const v = change[c];
        if (sameValue(row[c], v)) continue;
        row[c] = v;
        changed?.add(c);
      }
    } else {
      for (const c in change) {
        row[c] = change[c];
        changed?.add(c);
      }
    }
    this.#dirty.add(entry);
    return row as Tables[T];
  }

  /** Creates the row from `create` or changes it with `patch` (balances, counters). */
  upsert<T extends TableName>(
    table: T,
    key: KeyOf<T>,
    create: () => NewRow<Tables[T]>,
    patch: (row: Tables[T]) => Patch<T>,
  ): void | Promise<void> {
    const entry = this.#entry(table, key);
    if (entry instanceof Promise) return entry.then((e) => this.#upsert(table, e, create, patch));
    try {
      this.#upsert(table, entry, create, patch);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #upsert<T extends TableName>(
    table: T,
    entry: Entry,
    create: () => NewRow<Tables[T]>,
    patch: (row: Tables[T]) => Patch<T>,
  ): void {
    if (entry.current) this.#patch(table, entry, patch);
    else this.insert(table, create());
  }

  async delete<T extends TableName>(table: T, key: KeyOf<T>): Promise<void> {
    const entry = this.#existing(table, key, await this.#entry(table, key));
    entry.current = undefined;
    this.#dirty.add(entry);
  }

  /**
   * Writes every changed row. With `journal`, also records each row's state before this step under
   * the step's last block (and its first), so that `rollbackJournal` can restore it if orphaned.
   */
  async flush(journal?: { block: number; stepFrom: number }): Promise<void> {
    if (journal && this.#inPlace) {
      throw new IndexerError("NO_BEFORE_IMAGES", "a store that changes rows in place cannot write a journal");
    }
    const byTable = new Map<TableName, Entry[]>();
    for (const e of this.#dirty) {
      let list = byTable.get(e.table);
      if (!list) byTable.set(e.table, (list = []));
      list.push(e);
    }
    const journalRows: JournalEntry[] = [];
    const note = (table: TableName, key: AnyRow | AnyRow[], before: AnyRow | null) => {
      if (journal) {
        const seq = journalRows.length;
        journalRows.push({
          block_number: journal.block,
          step_from: journal.stepFrom,
          seq,
          table_name: table,
          key,
          before,
        });
      }
    };
    for (const [table, entries] of byTable) {
      const keyCols = TABLE_KEYS[table];
      const columns = this.#columnsOf(table);
      const keyOf = (row: AnyRow) =>
        keyObject(
          keyCols,
          keyCols.map((c) => row[c]),
        );
      const inserts: AnyRow[] = [];
      const deletes: AnyRow[] = [];
      // Updated rows grouped by the columns that changed: each group is one UPDATE that sends and
      // sets only those (a deal's report changes 6 of its 50 columns).
      const updates = new Map<string, { columns: string[]; rows: AnyRow[] }>();
      const valueColumns = columns.filter((c) => !(keyCols as readonly string[]).includes(c));
      for (const e of entries) {
        const { original, current } = e;
        if (original === undefined && current !== undefined) inserts.push(current);
        else if (original !== undefined && current !== undefined) {
          // Only the columns the step's updates set can differ (all of them for a row re-inserted).
          const set = e.changed;
          const changed = valueColumns.filter(
            (c) => (set === null || set.has(c)) && (original === current || !sameValue(original[c], current[c])),
          );
          if (changed.length === 0) continue;
          const signature = changed.join(",");
          let group = updates.get(signature);
          if (!group) updates.set(signature, (group = { columns: [...keyCols, ...changed], rows: [] }));
          group.rows.push(current);
        } else if (original !== undefined) deletes.push(keyOf(original));
        else continue;
        if (journal && original !== undefined) note(table, keyOf(original), original);
      }
      // Rows the step created need no before-image: one entry lists all their keys.
      if (journal && inserts.length > 0) note(table, inserts.map(keyOf), null);
      if (deletes.length > 0) await deleteRows(this.#tx, table, keyCols, deletes);
      for (const { columns: set, rows } of updates.values())
        await updateRows(
          this.#tx,
          table,
          keyCols,
          set,
          rows.map((r) => pick(r, set)),
          columns.types,
        );
      if (inserts.length > 0) await insertRows(this.#tx, table, columns, inserts);
    }
    for (const [table, rows] of this.#appended) {
      const keyCols = TABLE_KEYS[table];
      let keys = this.touched.get(table);
      if (!keys) this.touched.set(table, (keys = new Set()));
      for (const row of rows) keys.add(keyString(keyCols.map((c) => row[c])));
      await insertRows(this.#tx, table, this.#columnsOf(table), rows);
    }
    this.#appended.clear();
    await writeJournal(this.#tx, journalRows);
    // The row as written stands for the stored one uncopied: the next update copies it first
    // (filling in a sparse row's NULLs changes none of its values).
    for (const e of this.#dirty) {
      e.original = e.current;
      e.owned = false;
      e.changed = null;
      let keys = this.touched.get(e.table);
      if (!keys) this.touched.set(e.table, (keys = new Set()));
      keys.add(e.id);
    }
    this.#dirty.clear();
  }

  // json_populate_recordset would drop a column the schema lacks without a word; a row type that
  // drifted from the migrations must fail the step instead.
  #checkColumns(table: TableName, row: object): void {
    let known = this.#known.get(table);
    if (!known) this.#known.set(table, (known = new Set(this.#columnsOf(table))));
    for (const column in row) {
      if (!known.has(column)) {
        throw new IndexerError("UNKNOWN_COLUMN", `table ${table} has no column ${column}`, {
          details: { table, column },
        });
      }
    }
  }

  #columnsOf(table: TableName): ColumnList {
    const cols = this.#columns.get(table);
    if (!cols) throw new IndexerError("UNKNOWN_TABLE", `table ${table} is not in the schema`);
    return cols;
  }
}

function writeOnceRead(table: TableName): IndexerError {
  return new IndexerError("WRITE_ONCE_READ", `table ${table} is written once and not read back during a backfill`, {
    details: { table },
  });
}

function missing(table: TableName, key: readonly unknown[]): IndexerError {
  return new IndexerError("MISSING_ROW", `${table} ${key.join("/")} is referenced before it was created`, {
    details: { table, key: key.map(String) },
  });
}

/**
 * Whether a column kept its value: the same value, or a missing column and NULL (a row inserted
 * with columns left out, read back with them filled in). Objects (json, arrays) count as changed
 * unless they are the very same object.
 */
function sameValue(a: unknown, b: unknown): boolean {
  return a === b || (a == null && b == null);
}

/** A row of every column set to NULL, per column list: the shape `filledRow` copies. */
const nullRows = new WeakMap<ColumnList, AnyRow>();

/**
 * `row` with the columns it leaves out set to NULL, as a new object of every column in schema
 * order. Adding the missing columns to the row itself, one at a time, cost more than the copy (a
 * deal inserted with 30 of its 50 columns went through 20 shape changes, likely to a slow
 * dictionary object), and left the rows of one table in many shapes for every later read.
 * The row as stored is not changed: where it is also the entry's `original`, it stays the row as
 * written, which the flush compares with.
 */
function filledRow(columns: ColumnList, row: AnyRow): AnyRow {
  let nulls = nullRows.get(columns);
  if (!nulls) {
    nulls = {};
    for (const c of columns) nulls[c] = null;
    nullRows.set(columns, nulls);
  }
  const out: AnyRow = { ...nulls };
  for (const c in row) out[c] = row[c];
  return out;
}

function pick(row: AnyRow, columns: readonly string[]): AnyRow {
  const out: AnyRow = {};
  for (const c of columns) out[c] = row[c];
  return out;
}

/**
 * A key's values as one string (`7`, `bid/7`): the same for a value given as a number or as its
 * decimal string, as handlers and rows read back may differ there. A one-column key of a string
 * is that string itself, whose hash the engine keeps: looking it up again costs no string work.
 */
function keyString(key: readonly unknown[]): string {
  if (key.length === 1) {
    const k = key[0];
    return typeof k === "string" ? k : String(k);
  }
  let id = String(key[0]);
  for (let i = 1; i < key.length; i++) id += `/${key[i]}`;
  return id;
}
