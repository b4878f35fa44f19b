// Follows the local node and writes each new block to the chain journal as soon as it is mined, so a
// restart (or a crash) loses at most the blocks of the last poll interval.
import { type Hex, keccak256, type PublicClient, serializeTransaction, type Transaction } from "viem";

import type { ChainJournal, JournalBlock } from "./journal.ts";

/**
 * The signed raw form of a mined transaction, rebuilt from the block's fields. It must hash to the
 * transaction's hash: otherwise replaying it would not give the same transaction (a node-forged
 * signature, as impersonation makes, cannot be replayed).
 * @throws {Error} naming the transaction when its fields do not rebuild it
 */
export function rawTransaction(tx: Transaction): Hex {
  const raw = serializeTransaction(
    { ...tx, data: tx.input } as never,
    { r: tx.r, s: tx.s, v: tx.v, yParity: tx.yParity } as never,
  );
  if (keccak256(raw) !== tx.hash) {
    throw new Error(
      `transaction ${tx.hash} (type ${tx.type}) cannot be rebuilt from its fields; it was not signed by its sender's key and cannot be replayed`,
    );
  }
  return raw;
}

/** Block `n` as a journal entry, with its parent's hash to check that it continues the journal. */
export async function readBlock(client: PublicClient, n: number): Promise<JournalBlock & { parentHash: Hex }> {
  const block = await client.getBlock({ blockNumber: BigInt(n), includeTransactions: true });
  return {
    n,
    hash: block.hash,
    parentHash: block.parentHash,
    timestamp: Number(block.timestamp),
    txs: block.transactions.map(rawTransaction),
  };
}

export type RecorderOptions = {
  client: PublicClient;
  journal: ChainJournal;
  pollIntervalMs?: number;
  /** A poll that failed (the node is busy or gone); the recorder keeps polling. */
  onError: (error: Error) => void;
};

export class ChainRecorder {
  readonly #options: RecorderOptions;
  #timer: NodeJS.Timeout | undefined;
  /** One catch-up at a time: the poll and a final flush must not write the same block twice. */
  #running: Promise<number> | undefined;

  constructor(options: RecorderOptions) {
    this.#options = options;
  }

  start(): void {
    const poll = async () => {
      await this.catchUp().catch((error: Error) => this.#options.onError(error));
      if (this.#timer !== undefined) this.#timer = setTimeout(poll, this.#options.pollIntervalMs ?? 250);
    };
    this.#timer = setTimeout(poll, 0);
  }

  /** Records every block up to the node's head; resolves with the journal's head. */
  catchUp(): Promise<number> {
    this.#running ??= this.#catchUp().finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #catchUp(): Promise<number> {
    const { client, journal } = this.#options;
    const head = Number(await client.getBlockNumber({ cacheTime: 0 }));
    while (journal.head < head) {
      const batch: JournalBlock[] = [];
      let parent = journal.blocks.at(-1)?.hash ?? journal.header.genesisHash;
      for (let n = journal.head + 1; n <= Math.min(head, journal.head + 50); n++) {
        const { parentHash, ...block } = await readBlock(client, n);
        // Only a rewritten history (evm_revert, a node started without the replay) breaks the link.
        if (parentHash !== parent)
          throw new Error(
            `block ${n} does not continue the journal (its parent is ${parentHash}, the journal's block ${n - 1} is ${parent}): the chain's history was rewritten`,
          );
        batch.push(block);
        parent = block.hash;
      }
      await journal.append(batch);
    }
    return journal.head;
  }

  /**
   * Stops polling without asking the node for more (it may be hung); resolves once a catch-up under
   * way has ended, however it ended, but at most after `waitMs`.
   */
  async halt(waitMs = 5_000): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.#running?.catch(() => undefined),
      new Promise((resolve) => {
        timer = setTimeout(resolve, waitMs);
      }),
    ]);
    clearTimeout(timer);
  }

  /** Stops polling after recording up to the node's head (the stack calls it before stopping the node). */
  async stop(): Promise<number> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => undefined);
    return this.catchUp();
  }
}
