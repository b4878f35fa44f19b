// A canonical, order-independent picture of everything the index holds, for comparing two
// databases (a re-orged one against a fresh index of the canonical chain, a restarted one against
// an uninterrupted one).

import { listIndexes } from "./deferred-indexes.ts";
import type { AnyRow, Queryable } from "./driver.ts";
import { TABLE_NAMES } from "./tables.ts";

export type IndexDump = Record<string, AnyRow[]>;

export async function dumpIndex(db: Queryable): Promise<IndexDump> {
  const out: IndexDump = {};
  // `blocks` is left out: which blocks are kept depends on how the history was cut into steps.
  const tables = [...TABLE_NAMES, "events", "account_events"].sort();
  for (const t of tables) {
    const rows = await db.query<{ row: AnyRow }>(`SELECT to_jsonb(t) AS row FROM ${t} t`);
    out[t] = rows.map((r) => r.row).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  }
  const [state] = await db.query("SELECT chain_id, deployment, block_number, block_hash FROM sync_state");
  out.sync_state = state ? [state] : [];
  // The schema's indexes too: a backfill that deferred them must have built every one again.
  out.indexes = (await listIndexes(db)).map(([name, definition]) => ({ name, definition }));
  return out;
}
