// The journal's replay against real nodes: a chain recorded from one node, mined again into a fresh
// one in JSON-RPC batches, gives the same blocks (hashes, timestamps) and the same state, across batch
// boundaries; a transaction the fresh node refuses is named with its block.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import { createPublicClient, createWalletClient, http, parseEther } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { hardhat } from "viem/chains";

import { devAccount } from "../../protocol/accounts.ts";
import { ChainJournal } from "../../stack/chain/journal.ts";
import { ChainRecorder } from "../../stack/chain/recorder.ts";
import { ReplayError, replayJournal } from "../../stack/chain/replay.ts";
import { type Node, rpc, startNode } from "../helpers/local-chain.ts";

const GENESIS = new Date("2026-11-01T00:00:00Z");

describe("replaying the chain journal", () => {
  let dir: string;
  let recorded: Node;
  let journal: ChainJournal;
  const fresh: Node[] = [];

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "ccex-replay-"));
    recorded = await startNode({ genesisTime: GENESIS });
    const genesis = await rpc(recorded.url, "eth_getBlockByNumber", ["0x0", false]);
    journal = await ChainJournal.create(path.join(dir, "journal.jsonl"), {
      v: 1,
      chainId: 31337,
      initialDate: GENESIS.toISOString(),
      genesisHash: genesis.hash,
    });
    // 12 blocks: some with several transactions from several senders, some empty, each at its own time.
    await rpc(recorded.url, "evm_setAutomine", [false]);
    const senders = [1, 2, 3].map((i) =>
      createWalletClient({
        chain: hardhat,
        transport: http(recorded.url),
        account: privateKeyToAccount(devAccount(i).privateKey),
      }),
    );
    const nonces = [0, 0, 0];
    let time = Math.floor(GENESIS.getTime() / 1000) + 60;
    for (let block = 1; block <= 12; block++) {
      for (let s = 0; s < block % 4; s++) {
        await senders[s].sendTransaction({
          to: devAccount(9).address,
          value: parseEther(String(block)),
          nonce: nonces[s]++,
          gas: 21_000n,
          maxFeePerGas: 50_000_000_000n,
          maxPriorityFeePerGas: 1_000_000_000n,
        });
      }
      time += 37 * block;
      await rpc(recorded.url, "evm_setNextBlockTimestamp", [time]);
      await rpc(recorded.url, "evm_mine");
    }
    const client = createPublicClient({ chain: hardhat, transport: http(recorded.url) });
    const recorder = new ChainRecorder({ client: client as never, journal, onError: (error) => assert.fail(error) });
    assert.equal(await recorder.catchUp(), 12);
  });
  after(async () => {
    await journal?.close();
    await Promise.all([recorded, ...fresh].map((node) => node?.stop()));
    await rm(dir, { recursive: true, force: true });
  });

  it("mines every block again with its transactions and time, in batches that split the chain", async () => {
    assert.ok(
      journal.blocks.reduce((n, b) => n + b.txs.length, 0) >= 15,
      "the recorded chain has transactions to replay",
    );
    const node = await startNode({ genesisTime: GENESIS });
    fresh.push(node);
    const progress: number[] = [];
    // 7 calls a batch: most batches hold two or three blocks, and one block's calls never straddle two.
    const report = await replayJournal(node.url, journal, (done) => progress.push(done), 7);
    assert.equal(report.blocks, 12);
    assert.equal(
      report.transactions,
      journal.blocks.reduce((n, b) => n + b.txs.length, 0),
    );
    assert.equal(report.firstMismatch, null, "every replayed block hash matches the journal");
    for (const n of [1, 6, 12]) {
      const original = await rpc(recorded.url, "eth_getBlockByNumber", [`0x${n.toString(16)}`, false]);
      const replayed = await rpc(node.url, "eth_getBlockByNumber", [`0x${n.toString(16)}`, false]);
      assert.equal(replayed.timestamp, original.timestamp);
      assert.deepEqual(replayed.transactions, original.transactions);
    }
    const receiver = devAccount(9).address;
    assert.equal(
      await rpc(node.url, "eth_getBalance", [receiver, "latest"]),
      await rpc(recorded.url, "eth_getBalance", [receiver, "latest"]),
    );
    assert.equal(await rpc(node.url, "hardhat_getAutomine"), true, "automine is back on");
    assert.equal(
      (await rpc(node.url, "eth_getBlockByNumber", ["pending", false])).transactions.length,
      0,
      "no transaction is left in the pool",
    );
  });

  it("names the block and transaction a fresh node refuses", async () => {
    const file = path.join(dir, "broken.jsonl");
    const broken = await ChainJournal.create(file, journal.header);
    // Block 2 again at the end: its transactions' nonces are used up by then.
    const again = journal.blocks[1];
    await broken.append([...journal.blocks.slice(0, 3), { ...again, n: 4, hash: journal.blocks[3].hash }]);
    await broken.close();
    const node = await startNode({ genesisTime: GENESIS });
    fresh.push(node);
    await assert.rejects(
      replayJournal(node.url, (await ChainJournal.open(file))!, () => {}, 7),
      (error: Error) => {
        assert.ok(error instanceof ReplayError);
        assert.match(
          error.message,
          /cannot replay block 4 of .*broken\.jsonl: the node refused its transaction 0 \(eth_sendRawTransaction: .*nonce/i,
        );
        return true;
      },
    );
  });
});
