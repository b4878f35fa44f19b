// The same index on a real PostgreSQL server (Debian's `postgresql` package), started by the test
// in a temporary folder: same migrations, same SQL, and the same data as PGlite for the same chain.
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { openDatabase } from "../../../indexer/db/driver.ts";
import { type Deployment, deploy, Exchange, type Node, startNode } from "../helpers/chain.ts";
import { runIndexer, tempDir } from "../helpers/indexer.ts";
import { bundle, deliver, openBook, settle } from "../helpers/market.ts";
import { type Server, startPostgres } from "../helpers/postgres.ts";

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

  it("backfills in many steps written behind and appended by COPY into the same rows and indexes as PGlite", async () => {
    // Final blocks (no re-org depth) in steps of a few events: every step but those at the head is
    // written behind, the tables are appended by COPY … FROM STDIN, and the keys and indexes the
    // backfill deferred are built again at its end (the dump compares them too).
    const admin = await openDatabase({ kind: "postgres", url: pg.url });
    await admin.exec("CREATE DATABASE steps");
    await admin.close();
    const o = { reorgDepth: 0, targetLogsPerStep: 2, maxBlockRange: 1 };
    const onPostgres = await runIndexer(node, deployment, {
      ...o,
      database: { kind: "postgres", url: pg.url.replace(/\/postgres$/, "/steps") },
    });
    const onPglite = await runIndexer(node, deployment, o);
    try {
      await Promise.all([onPostgres.synced(), onPglite.synced()]);
      // One block per step at most: each kept block with events was a step of its own.
      const [{ steps }] = await onPostgres.db.query<{ steps: number }>("SELECT count(*)::int4 AS steps FROM blocks");
      assert.ok(steps >= 10, `${steps} steps`);
      assert.deepEqual(await onPostgres.dump(), await onPglite.dump());
    } finally {
      await onPostgres.stop();
      await onPglite.stop();
    }
  });
});
