// An index as a release before a given migration left it, for tests of what that migration does to
// existing data.
import assert from "node:assert/strict";
import type { Database } from "../../../indexer/db/driver.ts";
import { loadMigrations, type Migration, migrate } from "../../../indexer/db/migrate.ts";

/** Applies every migration before `id` to `db`; returns all migrations and those from `id` on. */
export async function migrateUpTo(db: Database, id: string): Promise<{ all: Migration[]; rest: Migration[] }> {
  const all = loadMigrations();
  const at = all.findIndex((m) => m.id === id);
  assert.ok(at > 0, `${id} is a migration after the first`);
  await migrate(db, all.slice(0, at));
  return { all, rest: all.slice(at) };
}
