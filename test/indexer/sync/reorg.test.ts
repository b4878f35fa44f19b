// Re-orgs: index a history, revert the node to a snapshot and mine a different one. The index must
// end up equal to a fresh index of the canonical chain, both when the orphaned blocks are within
// the journal (rolled back block by block) and when they are deeper (rebuilt from the start block).
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import type { SyncEvent } from "../../../indexer/sync/engine.ts";
import { type Deployment, deploy, Exchange, type Node, startNode } from "../helpers/chain.ts";
import { type Running, runIndexer, tempDir } from "../helpers/indexer.ts";
import { type Book, bid, computeOffer, openBook, parties, skippedHistory } from "../helpers/market.ts";

describe("indexer re-orgs", () => {
  let node: Node;
  let deployment: Deployment;
  let x: Exchange;
  let book: Book;
  let deployDir: string;

  before(async () => {
    node = await startNode();
    deployDir = tempDir("deploy");
    deployment = await deploy(node, deployDir);
    x = await new Exchange(node.url, deployment).init();
    book = await openBook(x);
  });

  after(async () => {
    await node?.stop();
    rmSync(deployDir, { recursive: true, force: true });
  });

  async function equalsFreshIndex(ix: Running) {
    await ix.synced();
    const fresh = await runIndexer(node, deployment);
    try {
      await fresh.synced();
      assert.deepEqual(await ix.dump(), await fresh.dump());
    } finally {
      await fresh.stop();
    }
  }

  /** History A: orders posted, one cancelled; what a re-org will orphan. */
  async function historyA() {
    const p = parties(x);
    await x.send("Market", "postComputeOffer", [computeOffer(book.t0, { vcu: 77n })], p.compute);
    await x.send("Market", "postBid", [bid(book.t0, { vcu: 11n })], p.otherBuyer);
    await x.send("Market", "cancelBid", [book.bidId], p.buyer);
    await skippedHistory(x, 2, 20);
  }

  /** History B: other orders, other amounts, and more blocks than A. */
  async function historyB() {
    const p = parties(x);
    await x.send(
      "Market",
      "postComputeOffer",
      [computeOffer(book.t0, { vcu: 5n, reservePricePerVcuHour: 1_600_000n })],
      p.compute,
    );
    await x.send("Market", "cancelComputeOffer", [book.computeOfferId], p.compute);
    for (let i = 0; i < 4; i++) await x.send("Market", "postBid", [bid(book.t0, { vcu: BigInt(3 + i) })], p.buyer);
    await skippedHistory(x, 1, 7);
  }

  it("rolls back orphaned blocks to the common ancestor and re-applies the canonical ones", async () => {
    const ix = await runIndexer(node, deployment, { reorgDepth: 64 });
    const seen: SyncEvent[] = [];
    ix.engine!.on((e) => seen.push(e));
    try {
      await ix.synced();
      const snapshot = await x.rpc("evm_snapshot");
      await historyA();
      await ix.synced();
      const before = await ix.gql(`{ orders(filter: { kind: COMPUTE_OFFER }) { nodes { id quantity } } }`);
      // 77 VCU in each of the offer's six hours.
      assert.ok(before.orders.nodes.some((o: { quantity: string }) => o.quantity === String(77 * 6)));

      assert.equal(await x.rpc("evm_revert", [snapshot]), true);
      await historyB();
      await ix.synced();
      const reorgs = seen.filter((e) => e.type === "reorg");
      assert.equal(reorgs.length, 1);
      assert.equal(reorgs[0].type === "reorg" && reorgs[0].reset, false, "rolled back, not rebuilt");
      const after = await ix.gql(`{ orders(filter: { kind: COMPUTE_OFFER }) { nodes { id quantity status } } }`);
      assert.ok(
        !after.orders.nodes.some((o: { quantity: string }) => o.quantity === String(77 * 6)),
        "orphaned offer gone",
      );
      assert.equal(
        after.orders.nodes.find((o: { id: string }) => o.id === String(book.computeOfferId)).status,
        "CANCELLED",
      );
      await equalsFreshIndex(ix);
    } finally {
      await ix.stop();
    }
  });

  it("marks what the last `confirmations` blocks changed as not final until they are buried", async () => {
    const ix = await runIndexer(node, deployment, { confirmations: 2, reorgDepth: 8 });
    try {
      const p = parties(x);
      const receipt = await x.send("Market", "postComputeOffer", [computeOffer(book.t0, { vcu: 31n })], p.compute);
      const id = String(x.events(receipt, "Market", "ComputeOfferPosted")[0].offerId);
      await ix.synced();
      const q = `query($id: BigInt!) { order(kind: COMPUTE_OFFER, id: $id) { final posted { final } } status { indexedBlock finalizedBlock confirmations } }`;
      let r = await ix.gql(q, { id });
      assert.deepEqual(r.order, { final: false, posted: { final: false } });
      assert.equal(r.status.finalizedBlock, r.status.indexedBlock - 2);
      for (let i = 0; i < 2; i++) await x.rpc("evm_mine");
      await ix.synced();
      r = await ix.gql(q, { id });
      assert.deepEqual(r.order, { final: true, posted: { final: true } });
    } finally {
      await ix.stop();
    }
  });

  it("rebuilds from the start block when a re-org is deeper than the journal", async () => {
    const ix = await runIndexer(node, deployment, { reorgDepth: 2 });
    const seen: SyncEvent[] = [];
    ix.engine!.on((e) => seen.push(e));
    try {
      await ix.synced();
      const snapshot = await x.rpc("evm_snapshot");
      await historyA();
      await ix.synced();
      await x.rpc("evm_revert", [snapshot]);
      // A shorter history this time: the head drops below the checkpoint.
      await x.send("Market", "postBid", [bid(book.t0, { vcu: 9n })], parties(x).otherBuyer);
      await ix.synced();
      const reorgs = seen.filter((e) => e.type === "reorg");
      assert.equal(reorgs.length, 1);
      assert.equal(reorgs[0].type === "reorg" && reorgs[0].reset, true);
      await equalsFreshIndex(ix);
    } finally {
      await ix.stop();
    }
  });
});
