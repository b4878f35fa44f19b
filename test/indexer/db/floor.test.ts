// The backfill's floor (scripts/bench/indexer-floor.ts) is only a bound on the indexer if what it
// writes is the index itself: the finished tables taken out of an indexed PGlite and written back by
// COPY alone must give the same rows, the same indexes and keys, in PGlite and in PostgreSQL
// (docs/indexer.md, "The floor").
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { dumpIndex, type IndexDump } from "../../../indexer/db/dump.ts";
import {
  type FinishedIndex,
  finishedTables,
  pgliteFloor,
  postgresFloor,
} from "../../../scripts/bench/indexer-floor.ts";
import { deploy, Exchange, type Node, startNode } from "../helpers/chain.ts";
import { buildMarketHistory } from "../helpers/history.ts";
import { runIndexer, tempDir } from "../helpers/indexer.ts";
import { type Server, startPostgres } from "../helpers/postgres.ts";

describe("the backfill's floor", () => {
  let node: Node;
  let pg: Server;
  const dirs: string[] = [];
  let indexed: IndexDump;
  let finished: FinishedIndex;

  before(async () => {
    pg = await startPostgres();
    node = await startNode();
    const deployDir = tempDir("floor-deploy");
    dirs.push(deployDir);
    const deployment = await deploy(node, deployDir);
    await buildMarketHistory(await new Exchange(node.url, deployment).init(), { deals: 12 });
    const dataDir = tempDir("floor-index");
    dirs.push(dataDir);
    const indexer = await runIndexer(node, deployment, { dataDir });
    try {
      await indexer.synced();
      indexed = await indexer.dump();
    } finally {
      await indexer.stop();
    }
    finished = await finishedTables(dataDir);
  });

  after(async () => {
    pg?.stop();
    await node?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("writes back into PGlite, by COPY alone, the very index the backfill wrote", async () => {
    assert.ok(indexed.deals.length >= 10 && indexed.retirements.length > 0 && indexed.deal_hours.length > 0);
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

  it("writes the same index into a fresh PostgreSQL database by server-side COPY", async () => {
    let written: IndexDump | null = null;
    const floor = await postgresFloor(pg.url, finished, async (db) => {
      written = await dumpIndex(db);
    });
    assert.deepEqual(written, indexed);
    assert.equal(floor.events, indexed.events.length);
    assert.ok(floor.eventsPerSecond > 0 && floor.databaseCpuUsPerEvent > 0);
  });
});
