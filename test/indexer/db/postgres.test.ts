// The same index on a real PostgreSQL server (Debian's `postgresql` package), started by the test
// in a temporary folder: same migrations, same SQL, and the same data as PGlite for the same chain.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { type Deployment, deploy, Exchange, freePort, type Node, startNode } from "../helpers/chain.ts";
import { runIndexer, tempDir } from "../helpers/indexer.ts";
import { bundle, deliver, openBook, settle } from "../helpers/market.ts";

function pgBin(): string {
  const base = "/usr/lib/postgresql";
  const versions = existsSync(base) ? readdirSync(base).sort((a, b) => Number(b) - Number(a)) : [];
  const bin = versions.map((v) => path.join(base, v, "bin")).find((b) => existsSync(path.join(b, "pg_ctl")));
  if (!bin) throw new Error("PostgreSQL is not installed: apt-get install -y postgresql");
  return bin;
}

type Server = { url: string; stop(): void };

/** initdb + pg_ctl start on a free loopback port; as root, as the `postgres` user. */
async function startPostgres(): Promise<Server> {
  const bin = pgBin();
  const dir = mkdtempSync(path.join(tmpdir(), "ccex-pg-"));
  const asRoot = process.getuid?.() === 0;
  const run = (cmd: string, args: string[]) =>
    asRoot
      ? execFileSync("runuser", ["-u", "postgres", "--", path.join(bin, cmd), ...args], { stdio: "pipe" })
      : execFileSync(path.join(bin, cmd), args, { stdio: "pipe" });
  if (asRoot) {
    const uid = Number(execFileSync("id", ["-u", "postgres"]).toString());
    const gid = Number(execFileSync("id", ["-g", "postgres"]).toString());
    chownSync(dir, uid, gid);
  }
  const data = path.join(dir, "data");
  run("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync"]);
  const port = await freePort();
  run("pg_ctl", [
    "-D",
    data,
    "-l",
    path.join(dir, "log"),
    "-w",
    "-o",
    `-p ${port} -h 127.0.0.1 -k ${dir} -c fsync=off`,
    "start",
  ]);
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    process.removeListener("exit", stop);
    try {
      run("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  // Even if the test process dies of an error, the server must not outlive it.
  process.once("exit", stop);
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, stop };
}

describe("indexer on PostgreSQL", () => {
  let node: Node;
  let deployment: Deployment;
  let deployDir: string;
  let pg: Server;

  before(async () => {
    pg = await startPostgres();
    node = await startNode();
    deployDir = tempDir("deploy");
    deployment = await deploy(node, deployDir);
    const x = await new Exchange(node.url, deployment).init();
    const book = await openBook(x);
    const { deals } = await settle(x, [bundle(book)]);
    await deliver(x, deals[0]);
  });

  after(async () => {
    pg?.stop();
    await node?.stop();
    rmSync(deployDir, { recursive: true, force: true });
  });

  it("indexes the same chain into the same rows as PGlite and serves them", async () => {
    const onPostgres = await runIndexer(node, deployment, { database: { kind: "postgres", url: pg.url } });
    const onPglite = await runIndexer(node, deployment);
    try {
      await Promise.all([onPostgres.synced(), onPglite.synced()]);
      const dump = await onPostgres.dump();
      assert.ok(dump.deals.length === 1 && dump.events.length > 20);
      assert.deepEqual(dump, await onPglite.dump());
      const q = `{ deal(id: "1") { status payments { kind amount } } orderBook(resource: ENERGY) { asks { price quantity } } }`;
      assert.deepEqual(await onPostgres.gql(q), await onPglite.gql(q));
      assert.equal((await onPostgres.gql(q)).deal.status, "FINALIZED");

      // A stateless GraphQL replica beside the syncing process: same answers, the same head.
      const replica = await runIndexer(node, deployment, { database: { kind: "postgres", url: pg.url }, role: "api" });
      try {
        assert.equal(replica.engine, null);
        assert.deepEqual(await replica.gql(q), await onPostgres.gql(q));
        const { status } = await replica.gql(`{ status { phase indexedBlock } }`);
        assert.deepEqual(status, {
          phase: "api-only",
          indexedBlock: (await onPostgres.gql(`{ status { indexedBlock } }`)).status.indexedBlock,
        });
      } finally {
        await replica.stop();
      }
    } finally {
      await onPostgres.stop();
      await onPglite.stop();
    }
  });
});
