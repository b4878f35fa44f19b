// Rebuilds the local chain from its journal in a fresh node started with the journal's initial date:
// every recorded block is mined again at its recorded timestamp with its recorded transactions, in
// order. The node then holds the same state; with the same genesis, gas rules and arrival order the
// blocks also come out with the same hashes, which is checked rather than assumed.

import type { ChainJournal, JournalBlock } from "./journal.ts";
import { BatchCallError, rpcBatch, rpcCall } from "./rpc.ts";

/** Calls per JSON-RPC batch: large enough to save the round trips, small enough to keep each answer quick. */
const CALLS_PER_BATCH = 500;

export class ReplayError extends Error {
  override name = "ReplayError";
}

export type ReplayReport = {
  blocks: number;
  transactions: number;
  ms: number;
  /** The first block whose replayed hash differs from the journal's, or null when all match. */
  firstMismatch: number | null;
};

/**
 * @param onProgress called now and then with the number of blocks replayed so far
 * @param callsPerBatch how many JSON-RPC calls (about) go in one request
 * @throws {ReplayError} naming the block and transaction the node refused
 */
export async function replayJournal(
  url: string,
  journal: ChainJournal,
  onProgress: (done: number) => void = () => {},
  callsPerBatch = CALLS_PER_BATCH,
): Promise<ReplayReport> {
  const started = Date.now();
  const head = Number(await rpcCall(url, "eth_blockNumber"));
  if (head !== 0) throw new ReplayError(`the node at ${url} already has ${head} blocks; a replay needs a fresh node`);
  let transactions = 0;
  // Without automine, the recorded transactions wait in the pool until the block is mined whole.
  await rpcCall(url, "evm_setAutomine", [false]);
  try {
    // Blocks go in JSON-RPC batches (each block's transactions, its timestamp, the mining): one
    // round trip for many blocks instead of a few per block.
    const blocks = journal.blocks;
    let from = 0;
    while (from < blocks.length) {
      const batch: JournalBlock[] = [];
      let calls = 0;
      while (from + batch.length < blocks.length && (batch.length === 0 || calls < callsPerBatch)) {
        const block = blocks[from + batch.length];
        batch.push(block);
        calls += block.txs.length + 2;
      }
      const plan = batch.flatMap((block) => [
        ...block.txs.map((raw, i) => ({ block, tx: i, call: { method: "eth_sendRawTransaction", params: [raw] } })),
        { block, tx: -1, call: { method: "evm_setNextBlockTimestamp", params: [block.timestamp] } },
        { block, tx: -1, call: { method: "evm_mine", params: [] } },
      ]);
      try {
        await rpcBatch(
          url,
          plan.map((p) => p.call),
        );
      } catch (error) {
        if (!(error instanceof BatchCallError)) throw error;
        const { block, tx } = plan[error.index];
        throw new ReplayError(
          tx >= 0
            ? `cannot replay block ${block.n} of ${journal.file}: the node refused its transaction ${tx} (${error.message})`
            : `cannot replay block ${block.n} of ${journal.file}: ${error.message}`,
        );
      }
      const before = from;
      from += batch.length;
      transactions += batch.reduce((sum, block) => sum + block.txs.length, 0);
      if (Math.floor(from / 500) > Math.floor(before / 500)) onProgress(from);
    }
  } finally {
    await rpcCall(url, "evm_setAutomine", [true]);
  }
  const replayedHead = Number(await rpcCall(url, "eth_blockNumber"));
  if (replayedHead !== journal.head) {
    throw new ReplayError(
      `replaying ${journal.file} gave ${replayedHead} blocks instead of ${journal.head} (a block's transactions did not fit where they were)`,
    );
  }
  return {
    blocks: journal.head,
    transactions,
    ms: Date.now() - started,
    firstMismatch: await firstMismatch(url, journal),
  };
}

/**
 * Each block hash commits to its parent's, so one comparison at the head settles the whole chain;
 * only when it differs does a binary search look for the first block that went another way.
 */
async function firstMismatch(url: string, journal: ChainJournal): Promise<number | null> {
  const hashAt = async (n: number): Promise<string> =>
    (await rpcCall(url, "eth_getBlockByNumber", [`0x${n.toString(16)}`, false])).hash;
  const recorded = (n: number) => (n === 0 ? journal.header.genesisHash : journal.blocks[n - 1].hash);
  if ((await hashAt(journal.head)) === recorded(journal.head)) return null;
  let good = -1;
  let bad = journal.head;
  while (bad - good > 1) {
    const mid = Math.floor((good + bad) / 2);
    if ((await hashAt(mid)) === recorded(mid)) good = mid;
    else bad = mid;
  }
  return bad;
}

/** Moves the chain's clock up to wall-clock time with one empty block (a replayed chain ends in the past). */
export async function catchUpClock(url: string, now = Math.floor(Date.now() / 1000)): Promise<boolean> {
  const latest = await rpcCall(url, "eth_getBlockByNumber", ["latest", false]);
  if (Number(latest.timestamp) >= now) return false;
  await rpcCall(url, "evm_setNextBlockTimestamp", [now]);
  await rpcCall(url, "evm_mine");
  return true;
}
