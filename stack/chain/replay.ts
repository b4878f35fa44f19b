// Rebuilds the local chain from its journal in a fresh node started with the journal's initial date:
// every recorded block is mined again at its recorded timestamp with its recorded transactions, in
// order. The node then holds the same state; with the same genesis, gas rules and arrival order the
// blocks also come out with the same hashes, which is checked rather than assumed.

import type { ChainJournal } from "./journal.ts";
import { rpcCall } from "./rpc.ts";

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
 * @throws {ReplayError} naming the block and transaction the node refused
 */
export async function replayJournal(
  url: string,
  journal: ChainJournal,
  onProgress: (done: number) => void = () => {},
): Promise<ReplayReport> {
  const started = Date.now();
  const head = Number(await rpcCall(url, "eth_blockNumber"));
  if (head !== 0) throw new ReplayError(`the node at ${url} already has ${head} blocks; a replay needs a fresh node`);
  let transactions = 0;
  // Without automine, the recorded transactions wait in the pool until the block is mined whole.
  await rpcCall(url, "evm_setAutomine", [false]);
  try {
    for (const block of journal.blocks) {
      for (const [i, raw] of block.txs.entries()) {
        try {
          await rpcCall(url, "eth_sendRawTransaction", [raw]);
        } catch (error) {
          throw new ReplayError(
            `cannot replay block ${block.n} of ${journal.file}: the node refused its transaction ${i} (${(error as Error).message})`,
          );
        }
      }
      await rpcCall(url, "evm_setNextBlockTimestamp", [block.timestamp]);
      await rpcCall(url, "evm_mine");
      transactions += block.txs.length;
      if (block.n % 500 === 0) onProgress(block.n);
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
