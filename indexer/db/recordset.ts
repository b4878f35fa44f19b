// Set-based writes: json_populate_recordset turns one JSON parameter into typed rows, so one
// statement writes any number of rows of any table without building per-table parameter lists.
import { type AnyRow, JsonParam, type Queryable } from "./driver.ts";

/** Column names per table, read from the live schema so that writes never drift from it. */
export type TableColumns = ReadonlyMap<string, readonly string[]>;

/** Rows as one JSON parameter (bigints as decimal strings). */
export function jsonParam(rows: readonly unknown[]): JsonParam {
  // Rows rarely hold a bigint, and a replacer function makes V8 serialise several times slower:
  // try without it, and only a row with a bigint (which plain JSON refuses) pays for it.
  try {
    return new JsonParam(JSON.stringify(rows));
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    return new JsonParam(JSON.stringify(rows, (_k, v) => (typeof v === "bigint" ? v.toString() : v)));
  }
}

/** The key columns of a row as an object (bigints as decimal strings), as journal entries keep it. */
export function keyObject(cols: readonly string[], values: readonly unknown[]): AnyRow {
  const o: AnyRow = {};
  cols.forEach((c, i) => (o[c] = typeof values[i] === "bigint" ? values[i].toString() : values[i]));
  return o;
}

export async function insertRows(tx: Queryable, table: string, columns: readonly string[], rows: readonly object[]) {
  const cols = columns.join(", ");
  await tx.query(
    `INSERT INTO ${table} (${cols}) SELECT ${cols} FROM json_populate_recordset(null::${table}, $1::json)`,
    [jsonParam(rows)],
  );
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
    `UPDATE ${table} t SET ${set.join(", ")} FROM json_populate_recordset(null::${table}, $1::json) r WHERE ${on}`,
    [jsonParam(rows)],
  );
}

export async function deleteRows(tx: Queryable, table: string, keyCols: readonly string[], keys: readonly object[]) {
  const on = keyCols.map((c) => `t.${c} = r.${c}`).join(" AND ");
  await tx.query(`DELETE FROM ${table} t USING json_populate_recordset(null::${table}, $1::json) r WHERE ${on}`, [
    jsonParam(keys),
  ]);
}

/** Reads the column list of each table from the schema the migrations built. */
export async function readColumns(db: Queryable, tables: readonly string[]): Promise<TableColumns> {
  // The catalog itself: information_schema's views take PGlite half a second to plan and run.
  const rows = await db.query<{ table_name: string; column_name: string }>(
    `SELECT c.relname AS table_name, a.attname AS column_name
     FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
     WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' AND c.relname = ANY($1)
       AND a.attnum > 0 AND NOT a.attisdropped
     ORDER BY c.relname, a.attnum`,
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
