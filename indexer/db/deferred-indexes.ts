// Secondary indexes are maintained row by row: on a backfill of final blocks into empty tables,
// keeping a few dozen of them up to date costs more than building each once at the end. The
// backfill drops them in its first step's transaction and builds them in its last, each time with
// the checkpoint, and keeps their definitions in `deferred_indexes` meanwhile, so a process that
// dies in between finds them on restart. Primary keys and unique indexes stay: they are what makes
// a replayed step write nothing twice (docs/indexer.md, Backfill).
import type { Queryable } from "./driver.ts";
import { TABLE_NAMES } from "./tables.ts";

/** Tables whose secondary indexes a backfill may defer: the handlers' and the event log. */
const DEFERRABLE = [...TABLE_NAMES, "events", "account_events"];

/** Drops the secondary indexes of the index's tables, remembering them. Returns how many. */
export async function deferSecondaryIndexes(tx: Queryable): Promise<number> {
  const indexes = await tx.query<{ name: string; definition: string }>(
    `SELECT i.relname AS name, pg_get_indexdef(x.indexrelid) AS definition
     FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
     WHERE t.relnamespace = current_schema()::regnamespace AND t.relname = ANY($1)
       AND NOT x.indisunique AND NOT x.indisprimary
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
     ORDER BY i.relname`,
    [DEFERRABLE],
  );
  if (indexes.length === 0) return 0;
  await tx.query(
    "INSERT INTO deferred_indexes (name, definition) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING",
    [indexes.map((i) => i.name), indexes.map((i) => i.definition)],
  );
  await tx.exec(`DROP INDEX ${indexes.map((i) => quoteIdent(i.name)).join(", ")}`);
  return indexes.length;
}

/** Builds every deferred index again. Returns how many. */
export async function restoreDeferredIndexes(tx: Queryable): Promise<number> {
  const indexes = await tx.query<{ definition: string }>("DELETE FROM deferred_indexes RETURNING definition");
  for (const { definition } of indexes) await tx.exec(definition);
  return indexes.length;
}

export async function countDeferredIndexes(db: Queryable): Promise<number> {
  return (await db.query<{ n: number }>("SELECT count(*)::int4 AS n FROM deferred_indexes"))[0].n;
}

/** Every index of the schema as name → definition, sorted (tests compare databases by it). */
export async function listIndexes(db: Queryable): Promise<[string, string][]> {
  const rows = await db.query<{ name: string; definition: string }>(
    `SELECT indexname AS name, indexdef AS definition FROM pg_indexes
     WHERE schemaname = current_schema() ORDER BY indexname`,
  );
  return rows.map((r) => [r.name, r.definition]);
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
