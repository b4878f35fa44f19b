// Set-based writes: json_populate_recordset turns one JSON parameter into typed rows, so one
// statement writes any number of rows of any table without building per-table parameter lists.
// Where the database takes COPY (PGlite), new rows go as COPY text instead: PostgreSQL parses
// no JSON and PGlite copies no multi-megabyte parameter through its protocol buffers.
import { type AnyRow, JsonParam, type Queryable } from "./driver.ts";

/**
 * A table's column names, in order; `json` names those of type json or jsonb, and `types` gives
 * each column's SQL type (`numeric`, `text[]`…), where known.
 */
export type ColumnList = readonly string[] & {
  readonly json?: ReadonlySet<string>;
  readonly types?: ReadonlyMap<string, string>;
};

/** Column names per table, read from the live schema so that writes never drift from it. */
export type TableColumns = ReadonlyMap<string, ColumnList>;

/** A column list whose json and jsonb columns are known, so that its rows can be written by COPY. */
export function columnList(
  names: readonly string[],
  json: readonly string[],
  types?: ReadonlyMap<string, string>,
): ColumnList {
  return Object.assign([...names], { json: new Set(json), ...(types ? { types } : {}) });
}

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

/**
 * Appends `rows` to `table`: by COPY where the database takes it and the json columns are known,
 * else by one INSERT of a JSON recordset. Either way a key that exists fails the statement.
 */
export async function insertRows(tx: Queryable, table: string, columns: ColumnList, rows: readonly object[]) {
  if (tx.copyFrom && columns.json) return tx.copyFrom(table, columns, copyText(columns, columns.json, rows));
  const cols = columns.join(", ");
  await tx.query(
    `INSERT INTO ${table} (${cols}) SELECT ${cols} FROM json_populate_recordset(null::${table}, $1::json)`,
    [jsonParam(rows)],
  );
}

/**
 * Sets `columns` of the rows of `table` whose key (`keyCols`, within `columns`) matches. With the
 * columns' SQL `types` known, the JSON rows are read as records of just those columns:
 * json_populate_recordset would build a record of every column of the table for each row (a deal
 * has 50), which cost PGlite about as much as the update itself.
 */
export async function updateRows(
  tx: Queryable,
  table: string,
  keyCols: readonly string[],
  columns: readonly string[],
  rows: readonly object[],
  types?: ReadonlyMap<string, string>,
) {
  const set = columns.filter((c) => !keyCols.includes(c)).map((c) => `${c} = r.${c}`);
  if (set.length === 0) return;
  const on = keyCols.map((c) => `t.${c} = r.${c}`).join(" AND ");
  const record = types && columns.every((c) => types.has(c)) ? columns.map((c) => `${c} ${types.get(c)}`) : null;
  const from = record
    ? `json_to_recordset($1::json) AS r(${record.join(", ")})`
    : `json_populate_recordset(null::${table}, $1::json) r`;
  await tx.query(`UPDATE ${table} t SET ${set.join(", ")} FROM ${from} WHERE ${on}`, [jsonParam(rows)]);
}

export async function deleteRows(tx: Queryable, table: string, keyCols: readonly string[], keys: readonly object[]) {
  const on = keyCols.map((c) => `t.${c} = r.${c}`).join(" AND ");
  await tx.query(`DELETE FROM ${table} t USING json_populate_recordset(null::${table}, $1::json) r WHERE ${on}`, [
    jsonParam(keys),
  ]);
}

/**
 * Rows in COPY's text format, each value as json_populate_recordset would read it from the JSON
 * of `jsonParam`: missing and null are NULL, json columns hold the value's JSON (a string too),
 * other arrays are array literals, bigints decimal.
 */
export function copyText(columns: readonly string[], json: ReadonlySet<string>, rows: readonly object[]): string {
  const isJson = columns.map((c) => json.has(c));
  let out = "";
  for (const row of rows as readonly AnyRow[]) {
    for (let i = 0; i < columns.length; i++) {
      const v = row[columns[i]];
      if (i > 0) out += "\t";
      if (v === null || v === undefined) out += "\\N";
      else if (isJson[i]) out += jsonEscape(jsonText(v));
      else if (typeof v === "string") out += copyEscape(v);
      else if (typeof v === "object") out += copyEscape(arrayLiteral(v as readonly unknown[]));
      else out += String(v);
    }
    out += "\n";
  }
  return out;
}

const COPY_SPECIAL = /[\\\n\r\t]/;
const COPY_ESCAPES: Record<string, string> = { "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function copyEscape(s: string): string {
  return COPY_SPECIAL.test(s) ? s.replace(/[\\\n\r\t]/g, (c) => COPY_ESCAPES[c]) : s;
}

/** JSON text holds no raw tab or line break (JSON escapes them): only its backslashes need doubling. */
function jsonEscape(s: string): string {
  return s.includes("\\") ? s.replaceAll("\\", "\\\\") : s;
}

function jsonText(v: unknown): string {
  try {
    return JSON.stringify(v);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    return JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x));
  }
}

/** A one-dimensional PostgreSQL array literal (`{1,2}`, `{"a b",NULL}`). */
function arrayLiteral(values: readonly unknown[]): string {
  const items = values.map((x) =>
    x === null || x === undefined ? "NULL" : typeof x === "string" ? `"${x.replace(/["\\]/g, "\\$&")}"` : String(x),
  );
  return `{${items.join(",")}}`;
}

/** Reads the column list of each table from the schema the migrations built. */
export async function readColumns(db: Queryable, tables: readonly string[]): Promise<TableColumns> {
  // The catalog itself: information_schema's views take PGlite half a second to plan and run.
  const rows = await db.query<{ table_name: string; column_name: string; json: boolean; type: string }>(
    `SELECT c.relname AS table_name, a.attname AS column_name, a.atttypid IN ('json'::regtype, 'jsonb'::regtype) AS json,
       format_type(a.atttypid, a.atttypmod) AS type
     FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
     WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' AND c.relname = ANY($1)
       AND a.attnum > 0 AND NOT a.attisdropped
     ORDER BY c.relname, a.attnum`,
    [tables],
  );
  const names = new Map<string, string[]>();
  const json = new Map<string, string[]>();
  const types = new Map<string, Map<string, string>>();
  for (const r of rows) {
    if (!names.has(r.table_name)) {
      names.set(r.table_name, []);
      json.set(r.table_name, []);
      types.set(r.table_name, new Map());
    }
    names.get(r.table_name)!.push(r.column_name);
    if (r.json) json.get(r.table_name)!.push(r.column_name);
    types.get(r.table_name)!.set(r.column_name, r.type);
  }
  return new Map([...names].map(([t, cols]) => [t, columnList(cols, json.get(t)!, types.get(t))]));
}
