// The backfill's floor (scripts/bench/indexer-floor.ts) is only a bound on the indexer if what it
// writes is the index itself: the finished tables taken out of an indexed PGlite and written back by
// COPY alone must give the same rows, the same indexes and keys (docs/indexer.md, "The floor").
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { dumpIndex, type IndexDump } from "../../../indexer/db/dump.ts";
import { finishedTables, pgliteFloor } from "../../../scripts/bench/indexer-floor.ts";
import { type Deployment, deploy, Exchange, type Node, startNode } from "../helpers/chain.ts";
import { buildMarketHistory } from "../helpers/history.ts";
import { runIndexer, tempDir } from "../helpers/indexer.ts";

describe("the backfill's floor", () => {
  let node: Node;
  let deployment: Deployment;
  const dirs: string[] = [];

  before(async () => {
    node = await startNode();
    const deployDir = tempDir("floor-deploy");
    dirs.push(deployDir);
    deployment = await deploy(node, deployDir);
    await buildMarketHistory(await new Exchange(node.url, deployment).init(), { deals: 12 });
  });

  after(async () => {
    await node?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("writes back, by COPY alone, the very index the backfill wrote", async () => {
    const dataDir = tempDir("floor-index");
    dirs.push(dataDir);
    const indexer = await runIndexer(node, deployment, { dataDir });
    let indexed: IndexDump;
    try {
      await indexer.synced();
      indexed = await indexer.dump();
    } finally {
      await indexer.stop();
    }
    assert.ok(indexed.deals.length >= 10 && indexed.retirements.length > 0 && indexed.deal_hours.length > 0);

    const finished = await finishedTables(dataDir);
    assert.equal(finished.events, indexed.events.length);
    let written: IndexDump | null = null;
    const floor = await pgliteFloor(finished, async (db) => {
      written = await dumpIndex(db);
    });
    assert.deepEqual(written, indexed);
    assert.equal(floor.events, indexed.events.length);
    assert.equal(
      floor.rows,
      finished.tables.filter((t) => t.table !== "schema_migrations").reduce((n, t) => n + t.rows, 0),
    );
    assert.ok(floor.eventsPerSecond > 0 && floor.databaseCpuUsPerEvent > 0);
  });
});
