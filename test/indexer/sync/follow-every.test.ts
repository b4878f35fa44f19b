// Spaced live steps (`followEveryMs`, INDEXER_FOLLOW_EVERY_MS): once caught up, the indexer takes at most
// one step per interval. A block after a quiet interval is indexed at once; the blocks of a burst that
// arrive while it waits are taken together as one journaled step.
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import type { SyncEvent } from "../../../indexer/sync/engine.ts";
import { rpc } from "../../helpers/local-chain.ts";
import { type Deployment, deploy, type Node, startNode } from "../helpers/chain.ts";
import { type Running, runIndexer, tempDir } from "../helpers/indexer.ts";

const FOLLOW_EVERY_MS = 2_000;

describe("indexer live steps spaced by followEveryMs", () => {
  let node: Node;
  let deployment: Deployment;
  let deployDir: string;
  let ix: Running;
  const steps: Extract<SyncEvent, { type: "block" }>[] = [];

  before(async () => {
    node = await startNode();
    deployDir = tempDir("deploy");
    deployment = await deploy(node, deployDir);
    ix = await runIndexer(node, deployment, { followEveryMs: FOLLOW_EVERY_MS });
    await ix.synced();
    ix.engine!.on((e) => {
      if (e.type === "block") steps.push(e);
    });
  });

  after(async () => {
    await ix?.stop();
    await node?.stop();
    rmSync(deployDir, { recursive: true, force: true });
  });

  /** Resolves with the ms from now until the step that indexes `block` is committed. */
  function stepReaching(block: number): Promise<number> {
    const since = Date.now();
    return new Promise((resolve) => {
      const off = ix.engine!.on((e) => {
        if (e.type === "block" && e.toBlock >= block) {
          off();
          resolve(Date.now() - since);
        }
      });
    });
  }

  it("indexes a block that comes after a quiet interval at once, in a step of its own", async () => {
    await new Promise((r) => setTimeout(r, FOLLOW_EVERY_MS + 200));
    const head = Number(await rpc(node.url, "eth_blockNumber"));
    steps.length = 0;
    const reached = stepReaching(head + 1);
    await rpc(node.url, "evm_mine");
    const ms = await reached;
    assert.ok(ms < FOLLOW_EVERY_MS, `the block waited ${ms} ms, as if behind a step`);
    assert.deepEqual(
      steps.map((s) => [s.fromBlock, s.toBlock]),
      [[head + 1, head + 1]],
    );
  });

  it("takes the blocks of a burst that arrive within the interval as one step", async () => {
    const head = Number(await rpc(node.url, "eth_blockNumber"));
    steps.length = 0;
    const reached = stepReaching(head + 6);
    // The first block is indexed at once (the last step was long enough ago); the five after it
    // arrive while the indexer waits out the interval, each long after the indexer could have taken
    // the one before on its own.
    for (let i = 0; i < 6; i++) {
      await rpc(node.url, "evm_mine");
      await new Promise((r) => setTimeout(r, 200));
    }
    await reached;
    assert.equal(await ix.synced(), head + 6);
    const covered = steps.flatMap((s) =>
      Array.from({ length: s.toBlock - s.fromBlock + 1 }, (_, i) => s.fromBlock + i),
    );
    assert.deepEqual(
      covered,
      [1, 2, 3, 4, 5, 6].map((i) => head + i),
      "every block exactly once, in order",
    );
    assert.ok(
      steps.length <= 3,
      `six blocks in ${steps.length} steps: ${JSON.stringify(steps.map((s) => [s.fromBlock, s.toBlock]))}`,
    );
    assert.ok(
      steps.some((s) => s.toBlock > s.fromBlock),
      "no step took more than one block",
    );
  });
});
