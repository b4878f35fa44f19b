// The connection that writes PostgreSQL's steps behind, on a thread of its own (postgres.ts opens
// it; the message loop is database-worker.ts). On the sync loop's thread, the client would send a
// step's next statement only when the loop, busy building the next step, read the answer to the one
// before, and the server would mostly wait: here each answer is read, and the next statement sent,
// as soon as it arrives.
import { finished } from "node:stream/promises";
import pg from "pg";
import { from as copyFromStdin } from "pg-copy-streams";
import { serveDatabase } from "./database-worker.ts";
import { postgresTypes } from "./postgres-types.ts";

let client: pg.Client | null = null;
let url = "";
/** The connection broke: the transaction it held is lost, and the next one opens a new one. */
let broken: Error | null = null;

async function connect(): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url, types: postgresTypes });
  // A broken connection fails what it was running; an unheard error must not end the thread.
  c.on("error", (error) => {
    if (client === c) broken = error;
  });
  await c.connect();
  client = c;
  broken = null;
  return c;
}

/** The connection, for a statement of the open transaction: never a new one, which would hold none. */
function current(): pg.Client {
  if (broken || !client) throw broken ?? new Error("no connection");
  return client;
}

serveDatabase({
  async open(m) {
    if (m.kind !== "postgres") throw new Error(`a PostgreSQL worker cannot open ${m.kind}`);
    url = m.url;
    await connect();
    return {};
  },
  async begin() {
    // Only at a transaction's start may a broken connection be replaced.
    if (broken || !client) {
      client?.end().catch(() => undefined);
      await connect();
    }
    await current().query("BEGIN");
  },
  async commit() {
    const result = await current().query("COMMIT");
    // PostgreSQL answers the COMMIT of a transaction it has aborted with a ROLLBACK, not an error.
    if (result.command !== "COMMIT") throw new Error(`the transaction was rolled back (${result.command})`);
  },
  async rollback() {
    await current().query("ROLLBACK");
  },
  async exec(sql) {
    await current().query(sql);
  },
  async query(sql, params) {
    // JSON parameters arrive as UTF-8 bytes: a Buffer goes in binary format, which for json is its text.
    const values = params?.map((p) =>
      p instanceof Uint8Array ? Buffer.from(p.buffer, p.byteOffset, p.byteLength) : p,
    );
    return (await current().query(sql, values)).rows;
  },
  async copy(table, columns, data) {
    const stream = current().query(copyFromStdin(`COPY ${table} (${columns.join(", ")}) FROM STDIN`));
    stream.end(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    await finished(stream);
  },
  async close() {
    await client?.end().catch(() => undefined);
    client = null;
  },
});
