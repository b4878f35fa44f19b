// The same index on a real PostgreSQL server (Debian's `postgresql` package), started by the test
// in a temporary folder: same migrations, same SQL, and the same data as PGlite for the same chain.
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, describe, it } from "node:test";
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
});
