// Account.activity, the one reader of the raw event log, answers what it answered when `events` kept
// every event's block hash and address and `account_events` one row per event and account: each
// account's events newest first, with the arguments as decoded, paged by the same cursors. The
// expected answers are computed here from the node's own logs with viem's decoder (the reference
// the indexer's decoder is tested against) — every account of a market history, every page.
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { loadContracts } from "../../../indexer/deployment.ts";
import { createChain } from "../../../indexer/sync/chain.ts";
import { createReferenceDecoder, type DecodedEvent } from "../../../indexer/sync/decode.ts";
import { type Deployment, deploy, Exchange, type Node, startNode } from "../helpers/chain.ts";
import { buildMarketHistory } from "../helpers/history.ts";
import { type Running, runIndexer, tempDir } from "../helpers/indexer.ts";

type Activity = {
  contract: string;
  name: string;
  args: unknown;
  at: { blockNumber: number; time: number; txHash: string; logIndex: number | null; final: boolean };
};

const ACTIVITY = `query ($a: String!, $first: Int, $after: String) {
  account(address: $a) {
    activity(first: $first, after: $after) {
      nodes { contract name args at { blockNumber time txHash logIndex final } }
      pageInfo { endCursor hasNextPage }
    }
  }
}`;

/** The cursor the list has always returned: the last node's block number and log index. */
const cursorOf = (e: Activity) => Buffer.from(JSON.stringify([e.at.blockNumber, e.at.logIndex])).toString("base64url");

describe("Account.activity", () => {
  let node: Node;
  let deployDir: string;
  let deployment: Deployment;
  let ix: Running;
  /** Per account, its events newest first, as the API has always answered them. */
  const expected = new Map<string, Activity[]>();

  before(async () => {
    node = await startNode();
    deployDir = tempDir("activity-deploy");
    deployment = await deploy(node, deployDir);
    const x = await new Exchange(node.url, deployment).init();
    await buildMarketHistory(x, { deals: 60 });
    ix = await runIndexer(node, deployment);
    const head = await ix.synced();

    const { contracts, startBlock } = await loadContracts(deployment.chainId, deployment.file);
    const chain = createChain({ rpcUrl: node.url, wsUrl: "off" });
    try {
      const logs = await chain.logs({
        addresses: contracts.map((c) => c.address.toLowerCase()),
        fromBlock: startBlock,
        toBlock: head,
      });
      const headers = await chain.headers([...new Set(logs.map((l) => l.blockNumber))]);
      const decode = createReferenceDecoder(contracts);
      const events = logs.map((l) => decode(l, headers.get(l.blockNumber)!.timestamp)).filter((e) => e !== null);
      for (const e of events.reverse() as DecodedEvent[])
        for (const account of e.accounts) {
          const list = expected.get(account) ?? [];
          // Stored as JSON and read back: what a JSON column gives.
          list.push({
            contract: e.contract,
            name: e.name,
            args: JSON.parse(JSON.stringify(e.args)),
            at: { blockNumber: e.blockNumber, time: e.blockTime, txHash: e.txHash, logIndex: e.logIndex, final: true },
          });
          expected.set(account, list);
        }
    } finally {
      await chain.close();
    }
  });

  after(async () => {
    await ix?.stop();
    await node?.stop();
    rmSync(deployDir, { recursive: true, force: true });
  });

  it("lists every account's events newest first, page by page, with the cursors it always returned", async () => {
    assert.ok(expected.size >= 10, `${expected.size} accounts`);
    const busiest = Math.max(...[...expected.values()].map((l) => l.length));
    assert.ok(busiest > 200, `the busiest account has ${busiest} events`);
    for (const [account, want] of expected) {
      const got: Activity[] = [];
      let after: string | null = null;
      for (;;) {
        const { account: a } = await ix.gql(ACTIVITY, { a: account, first: 7, after });
        const { nodes, pageInfo } = a.activity as {
          nodes: Activity[];
          pageInfo: { endCursor: string | null; hasNextPage: boolean };
        };
        got.push(...nodes);
        assert.equal(pageInfo.endCursor, nodes.length ? cursorOf(nodes[nodes.length - 1]) : null, account);
        assert.equal(pageInfo.hasNextPage, got.length < want.length, account);
        if (!pageInfo.hasNextPage) break;
        after = pageInfo.endCursor;
      }
      assert.deepStrictEqual(got, want, account);
    }
  });

  it("starts after any event of the account's list, inside a block or at its end", async () => {
    const [account, want] = [...expected].sort((a, b) => b[1].length - a[1].length)[0];
    for (let i = 0; i < want.length; i += 13) {
      const { account: a } = await ix.gql(ACTIVITY, { a: account, first: 20, after: cursorOf(want[i]) });
      assert.deepStrictEqual(a.activity.nodes, want.slice(i + 1, i + 21), `after entry ${i}`);
      assert.equal(a.activity.pageInfo.hasNextPage, i + 21 < want.length);
    }
  });

  it("answers an account that named in no event with an empty list", async () => {
    const { account: a } = await ix.gql(ACTIVITY, { a: `0x${"77".repeat(20)}`, first: 5, after: null });
    assert.deepStrictEqual(a.activity, { nodes: [], pageInfo: { endCursor: null, hasNextPage: false } });
  });
});
