// Dated migrations, applied in file-name order, each recorded with a checksum so that a migration
// edited after it ran is caught instead of silently diverging between databases.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { IndexerError } from "../errors.ts";
import type { Database } from "./driver.ts";

export const MIGRATIONS_DIR = path.join(import.meta.dirname, "migrations");

// Any constant will do; it only has to be the same for every indexer sharing one PostgreSQL.
const MIGRATION_LOCK = 4_350_001;

export type Migration = { id: string; sql: string; checksum: string };

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{8}_\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((f) => {
      const sql = readFileSync(path.join(dir, f), "utf8");
      return { id: f.replace(/\.sql$/, ""), sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

/**
 * Brings the schema up to date in one transaction; returns the ids it applied.
 * Several indexers starting at once against one PostgreSQL serialise on an advisory lock.
 */
export async function migrate(db: Database, migrations = loadMigrations()): Promise<string[]> {
  return db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
    await tx.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         id text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const applied = new Map(
      (await tx.query<{ id: string; checksum: string }>("SELECT id, checksum FROM schema_migrations")).map((r) => [
        r.id,
        r.checksum,
      ]),
    );
    const ran: string[] = [];
    for (const m of migrations) {
      const seen = applied.get(m.id);
      if (seen !== undefined) {
        if (seen !== m.checksum) {
          throw new IndexerError("MIGRATION_CHANGED", `migration ${m.id} changed after it was applied`, {
            retryable: false,
          });
        }
        continue;
      }
      await tx.exec(m.sql);
      await tx.query("INSERT INTO schema_migrations (id, checksum) VALUES ($1, $2)", [m.id, m.checksum]);
      ran.push(m.id);
    }
    return ran;
  });
}
