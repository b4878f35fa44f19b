// Crash safety: the indexer process is killed with SIGKILL in the middle of its backfill, started
// again on the same data folder, and must end up identical to an index that was never interrupted.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { rmSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { openDatabase } from "../../../indexer/db/driver.ts";
import { dumpIndex } from "../../../indexer/db/dump.ts";
import { type Deployment, deploy, Exchange, freePort, type Node, ROOT, startNode } from "../helpers/chain.ts";
import { runIndexer, tempDir } from "../helpers/indexer.ts";
import { openBook, skippedHistory } from "../helpers/market.ts";

type Health = { phase: string; eventsIndexed: number | null; indexedBlock: number | null; blocksBehind: number | null };

describe("indexer restart", () => {
  let node: Node;
  let deployment: Deployment;
  let deployDir: string;
  const children: ChildProcess[] = [];

  before(async () => {
    node = await startNode();
    deployDir = tempDir("deploy");
    deployment = await deploy(node, deployDir);
    const x = await new Exchange(node.url, deployment).init();
    await openBook(x);
    // Enough history that the backfill takes many steps.
    await skippedHistory(x, 12, 400);
  });

  after(async () => {
    for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
    await node?.stop();
    rmSync(deployDir, { recursive: true, force: true });
  });

  function start(dataDir: string, port: number): ChildProcess {
    const child = spawn(process.execPath, [path.join(ROOT, "indexer", "main.ts")], {
      cwd: ROOT,
      env: {
        ...process.env,
        RPC_URL: node.url,
        INDEXER_WS_URL: "off",
        INDEXER_DEPLOYMENT: deployment.file,
        INDEXER_DATA_DIR: dataDir,
        INDEXER_PORT: String(port),
        INDEXER_POLL_MS: "100",
        // Small steps: many checkpoints, so the kill lands between and inside them.
        INDEXER_TARGET_LOGS_PER_STEP: "300",
        INDEXER_REORG_DEPTH: "8",
        LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "ignore", "inherit"],
    });
    children.push(child);
    return child;
  }

  async function health(port: number): Promise<Health | null> {
    try {
      return (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as Health;
    } catch {
      return null;
    }
  }

  async function until(port: number, ok: (h: Health) => boolean, what: string): Promise<Health> {
    const deadline = Date.now() + 90_000;
    for (;;) {
      const h = await health(port);
      if (h && ok(h)) return h;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(h)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  it("loses and duplicates nothing when killed mid-backfill", async () => {
    const head = await new Exchange(node.url, deployment).init().then((x) => x.head());
    const dataDir = tempDir("restart");
    try {
      const port = await freePort();
      const first = start(dataDir, port);
      const atKill = await until(
        port,
        (h) => (h.eventsIndexed ?? 0) > 0 && h.phase === "backfill",
        "backfill to start",
      );
      first.kill("SIGKILL");
      await new Promise((r) => first.once("exit", r));
      assert.ok((atKill.indexedBlock ?? 0) < head, "killed before the head was reached");

      const port2 = await freePort();
      const second = start(dataDir, port2);
      await until(port2, (h) => h.phase === "live" && h.indexedBlock === head, "the restarted indexer to catch up");
      second.kill("SIGTERM");
      await new Promise((r) => second.once("exit", r));

      const db = await openDatabase({ kind: "pglite", dataDir });
      const restarted = await dumpIndex(db);
      await db.close();
      const clean = await runIndexer(node, deployment);
      try {
        await clean.synced();
        const expected = await clean.dump();
        assert.equal(restarted.events.length, expected.events.length);
        assert.deepEqual(restarted, expected);
      } finally {
        await clean.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
