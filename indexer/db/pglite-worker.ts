// PGlite on a thread of its own (node:worker_threads), so that its WebAssembly runs on the machine's
// second core while the sync loop decodes and handles the next step on the first (docs/indexer.md
// "Backfill speed"). The other side is pglite-thread.ts; the message loop is database-worker.ts.
import { PGlite } from "@electric-sql/pglite";
import { serveDatabase } from "./database-worker.ts";

/** JSON parameters arrive as their UTF-8 bytes and are passed on as such (driver.ts JsonParam). */
const JSON_BYTES = { serializers: { 114: (x: unknown) => x as string } };

let client: PGlite | null = null;

serveDatabase({
  async open(m) {
    if (m.kind !== "pglite") throw new Error(`a PGlite worker cannot open ${m.kind}`);
    const load = m.load ? new Blob([m.load]) : undefined;
    client = await PGlite.create({
      ...(m.dataDir ? { dataDir: m.dataDir } : {}),
      ...(load ? { loadDataDir: load } : {}),
    });
    if (!m.dump) return {};
    return { dumped: new Uint8Array(await (await client.dumpDataDir("none")).arrayBuffer()) };
  },
  begin: () => client!.exec("BEGIN").then(() => undefined),
  commit: () => client!.exec("COMMIT").then(() => undefined),
  rollback: () => client!.exec("ROLLBACK").then(() => undefined),
  exec: (sql) => client!.exec(sql).then(() => undefined),
  async query(sql, params) {
    const json = params?.some((p) => p instanceof Uint8Array) ?? false;
    return (await client!.query(sql, params, json ? JSON_BYTES : undefined)).rows;
  },
  async copy(table, columns, data) {
    await client!.query(`COPY ${table} (${columns.join(", ")}) FROM '/dev/blob'`, [], { blob: new Blob([data]) });
  },
  async close() {
    await client?.close();
    client = null;
  },
});
