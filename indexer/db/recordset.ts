// Set-based writes: json_populate_recordset turns one JSON parameter into typed rows, so one
// statement writes any number of rows of any table without building per-table parameter lists.
import type { AnyRow, Queryable } from "./driver.ts";

/** Column names per table, read from the live schema so that writes never drift from it. */
export type TableColumns = ReadonlyMap<string, readonly string[]>;

function json(rows: readonly object[]): string {
  return JSON.stringify(rows, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
}

/** The key columns of a row as an object (bigints as decimal strings), as journal entries keep it. */
export function keyObject(cols: readonly string[], values: readonly unknown[]): AnyRow {
  const o: AnyRow = {};
  cols.forEach((c, i) => (o[c] = typeof values[i] === "bigint" ? values[i].toString() : values[i]));
  return o;
}

export async function insertRows(tx: Queryable, table: string, columns: readonly string[], rows: readonly object[]) {
  const cols = columns.join(", ");
  await tx.query(`INSERT INTO ${table} (${cols}) SELECT ${cols} FROM json_populate_recordset(null::${table}, $1)`, [
    json(rows),
  ]);
}

export async function updateRows(
  tx: Queryable,
  table: string,
  keyCols: readonly string[],
  columns: readonly string[],
  rows: readonly object[],
) {
  const set = columns.filter((c) => !keyCols.includes(c)).map((c) => `${c} = r.${c}`);
  if (set.length === 0) return;
  const on = keyCols.map((c) => `t.${c} = r.${c}`).join(" AND ");
  await tx.query(
    `UPDATE ${table} t SET ${set.join(", ")} FROM json_populate_recordset(null::${table}, $1) r WHERE ${on}`,
    [json(rows)],
  );
}

export async function deleteRows(tx: Queryable, table: string, keyCols: readonly string[], keys: readonly object[]) {
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
