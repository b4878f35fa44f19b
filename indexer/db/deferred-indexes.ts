// Secondary indexes are maintained row by row: on a backfill of final blocks into empty tables,
// keeping a few dozen of them up to date costs more than building each once at the end. The
// backfill drops them in its first step's transaction and builds them in its last, each time with
// the checkpoint, and keeps their definitions in `deferred_indexes` meanwhile, so a process that
// dies in between finds them on restart. The primary keys of `blocks` and of the tables handlers
// read back stay: a replayed step is recognised by its blocks, and handlers read rows by key
// (docs/indexer.md, Backfill). Where rows are appended by COPY, the keys of what is only appended
// are deferred too: the event log's (such a step appends only events of blocks new to `blocks`, so
// none can be there twice) and the history tables' (WRITE_ONCE_TABLES: ids assigned on chain,
// handlers run once per event; a row written twice fails the build at the end).
import type { Queryable } from "./driver.ts";
import { TABLE_NAMES } from "./tables.ts";

/** Tables whose secondary indexes a backfill may defer: the handlers' and the event log. */
const DEFERRABLE = [...TABLE_NAMES, "events", "account_events"];

/**
 * The event log's tables, whose primary keys a backfill that appends them by COPY defers: kept up
 * to date during the backfill they cost PGlite about as much as the rows themselves
 * (docs/indexer.md, Backfill).
 */
export const EVENT_LOG_TABLES: readonly string[] = ["events", "account_events"];

/**
 * Drops the secondary indexes of the index's tables, remembering them, and the primary keys of
 * the tables in `keysOf` (for a backfill that appends them by COPY: saveEvents's other path needs
 * the event log's; tables that are read by key must keep theirs). Returns how many.
 */
export async function deferSecondaryIndexes(tx: Queryable, keysOf: readonly string[] = []): Promise<number> {
  const indexes = await tx.query<{ name: string; definition: string }>(
    `SELECT i.relname AS name, pg_get_indexdef(x.indexrelid) AS definition
     FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
     WHERE t.relnamespace = current_schema()::regnamespace AND t.relname = ANY($1)
       AND NOT x.indisunique AND NOT x.indisprimary
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
     ORDER BY i.relname`,
    [DEFERRABLE],
  );
  // A primary key is kept as the ALTER TABLE that adds it again: the same constraint, index name
  // and definition.
  const keys =
    keysOf.length > 0
      ? await tx.query<{ name: string; table: string; definition: string }>(
          `SELECT c.conname AS name, t.relname AS table, pg_get_constraintdef(c.oid) AS definition
         FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
         WHERE t.relnamespace = current_schema()::regnamespace AND t.relname = ANY($1) AND c.contype = 'p'
         ORDER BY c.conname`,
          [keysOf],
        )
      : [];
  const kept = [
    ...indexes,
    ...keys.map((k) => ({
      name: k.name,
      definition: `ALTER TABLE ${quoteIdent(k.table)} ADD CONSTRAINT ${quoteIdent(k.name)} ${k.definition}`,
    })),
  ];
  if (kept.length === 0) return 0;
  await tx.query(
    "INSERT INTO deferred_indexes (name, definition) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING",
    [kept.map((i) => i.name), kept.map((i) => i.definition)],
  );
  if (indexes.length > 0) await tx.exec(`DROP INDEX ${indexes.map((i) => quoteIdent(i.name)).join(", ")}`);
  for (const k of keys) await tx.exec(`ALTER TABLE ${quoteIdent(k.table)} DROP CONSTRAINT ${quoteIdent(k.name)}`);
  return kept.length;
}

/** Builds every deferred index (and primary key) again. Returns how many. */
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
