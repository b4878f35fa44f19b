// PGlite on a worker thread of its own (pglite-worker.ts): PostgreSQL's WebAssembly runs on the
// machine's second core while the sync loop decodes and handles the next step on the first
// (database-thread.ts says how statements travel and why order keeps it correct).
import { openDatabaseThread, type ThreadDatabase } from "./database-thread.ts";

export type { StatementCost, ThreadDatabase } from "./database-thread.ts";

/**
 * Opens PGlite on a worker thread. `load`: a cluster to start from (an empty template) instead of
 * running initdb; `dump`: also return the fresh cluster's files (to serve as such a template).
 */
export async function openPgliteThread(
  dataDir: string | undefined,
  load?: Blob,
  dump = false,
): Promise<{ db: ThreadDatabase; dumped: Blob | undefined }> {
  const bytes = load ? new Uint8Array(await load.arrayBuffer()) : undefined;
  const { db, opened } = await openDatabaseThread(new URL("./pglite-worker.ts", import.meta.url), {
    op: "open",
    kind: "pglite",
    dataDir,
    load: bytes,
    dump,
  });
  return { db, dumped: opened.dumped ? new Blob([opened.dumped]) : undefined };
}
