// Keyset pagination, newest first: the cursor holds the sort key of the last row returned, so a
// page costs an index range scan however deep the client has paged.
import type { Queryable } from "../db/driver.ts";
import { userError } from "./errors.ts";

export const MAX_PAGE = 200;

export type PageArgs = { first?: number | null; after?: string | null };
export type Page<T> = { nodes: T[]; pageInfo: { endCursor: string | null; hasNextPage: boolean } };

/** A list query over rows of type `R` (a row type from db/tables.ts). */
export type PageQuery<R> = {
  /** `SELECT … FROM … ` without WHERE/ORDER. */
  select: string;
  where: string[];
  params: unknown[];
  /** Sort key columns, all descending; together they must be unique. */
  order: { expr: string; column: keyof R & string; cast: string }[];
  /**
   * Also bound the first sort column alone (`first <= cursor's`), which an index on it can range
   * over: for sort columns from different tables, whose row comparison no index answers.
   */
  seek?: boolean;
};

export function pageSize(first: number | null | undefined, field = "first"): number {
  const n = first ?? 50;
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE) throw userError(field, `must be between 1 and ${MAX_PAGE}`);
  return n;
}

/** An integer key travels as a JSON number or a decimal string (a uint256 does not fit a double). */
const INTEGER = /^-?[0-9]{1,78}$/;
/** The SQL integer types a cursor may hold, by their largest value. */
const INTEGER_BOUNDS: Record<string, bigint> = { int4: 2n ** 31n - 1n, int8: 2n ** 63n - 1n };

/** Whether a cursor value fits its column's SQL cast, checked here so a forged cursor never reaches the database. */
function fitsCast(value: unknown, cast: string): boolean {
  if (cast === "text") return typeof value === "string";
  let n: bigint;
  if (typeof value === "number" && Number.isSafeInteger(value)) n = BigInt(value);
  else if (typeof value === "string" && INTEGER.test(value)) n = BigInt(value);
  else return false;
  const bound = INTEGER_BOUNDS[cast];
  return bound === undefined || (n <= bound && n >= -bound - 1n);
}

function decodeCursor(after: string, order: readonly { cast: string }[]): unknown[] {
  try {
    const values = JSON.parse(Buffer.from(after, "base64url").toString("utf8"));
    if (Array.isArray(values) && values.length === order.length && values.every((v, i) => fitsCast(v, order[i].cast)))
      return values;
  } catch {
    // fall through to the error below
  }
  throw userError("after", "not a cursor returned by this list");
}

export async function page<R, T>(db: Queryable, q: PageQuery<R>, args: PageArgs, map: (row: R) => T): Promise<Page<T>> {
  const first = pageSize(args.first);
  const where = [...q.where];
  const params = [...q.params];
  if (args.after) {
    const values = decodeCursor(args.after, q.order);
    const slots = values.map((v) => {
      params.push(v);
      return `$${params.length}`;
    });
    where.push(
      `(${q.order.map((o) => o.expr).join(", ")}) < (${slots.map((s, i) => `${s}::${q.order[i].cast}`).join(", ")})`,
    );
    if (q.seek) where.push(`${q.order[0].expr} <= ${slots[0]}::${q.order[0].cast}`);
  }
  params.push(first + 1);
  const sql = `${q.select} ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
    ORDER BY ${q.order.map((o) => `${o.expr} DESC`).join(", ")} LIMIT $${params.length}`;
  const rows = await db.query<R>(sql, params);
  const more = rows.length > first;
  const nodes = more ? rows.slice(0, first) : rows;
  const last = nodes[nodes.length - 1];
  return {
    nodes: nodes.map(map),
    pageInfo: {
      hasNextPage: more,
      endCursor: last ? Buffer.from(JSON.stringify(q.order.map((o) => last[o.column]))).toString("base64url") : null,
    },
  };
}

/** Adds `expr = $n` for a filter value that is set. */
export function whereEq<R>(q: PageQuery<R>, expr: string, value: unknown): void {
  if (value === undefined || value === null) return;
  q.params.push(value);
  q.where.push(`${expr} = $${q.params.length}`);
}

/** Adds a condition with one parameter, written as `$?` in `sql`. */
export function whereParam<R>(q: PageQuery<R>, sql: string, value: unknown): void {
  if (value === undefined || value === null) return;
  q.params.push(value);
  q.where.push(sql.replaceAll("$?", `$${q.params.length}`));
}
