// The local chain's journal: Hardhat's node keeps its state in memory only, so the stack writes every
// block the node mines to an append-only file (one JSON line per block: number, hash, timestamp and
// each transaction as a signed raw transaction) and replays it into a fresh node on the next start.
// The first line is the genesis header: the node must be started with the same initial date for the
// replayed blocks to come out with the same hashes.
//
//   const journal = (await ChainJournal.open(file)) ?? (await ChainJournal.create(file, header));
//   await journal.append([{ n: 1, hash, timestamp, txs: ["0x02…"] }]);
//
// A crash can tear the last line (a write cut short); everything after the last newline is such a
// tail and is dropped on open, and `tornTail` says what it held so the stack can report it. Such a
// block was never acknowledged through the stack's origin, which answers a sent transaction only
// once its block is journaled. A complete line that does not parse is corruption and is reported.
import { type FileHandle, open, readFile, rename, truncate } from "node:fs/promises";

import { z } from "zod";

const hex = z.string().regex(/^0x[0-9a-fA-F]*$/, "expected 0x-prefixed hex");
const hash = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "expected a 32-byte hash");

const headerSchema = z.object({
  v: z.literal(1),
  chainId: z.number().int().positive(),
  /** The node's `initialDate` (CCEX_STACK_INITIAL_DATE), which fixes the genesis block. */
  initialDate: z.iso.datetime(),
  genesisHash: hash,
});
const blockSchema = z.object({
  n: z.number().int().positive(),
  hash,
  timestamp: z.number().int().nonnegative(),
  txs: z.array(hex),
});

export type JournalHeader = z.infer<typeof headerSchema>;
export type JournalBlock = { n: number; hash: `0x${string}`; timestamp: number; txs: `0x${string}`[] };

export class JournalError extends Error {
  override name = "JournalError";
}

/** What a torn last line held: its length and, when it got that far, its block number. */
export type TornTail = { bytes: number; block: number | null };

export class ChainJournal {
  readonly file: string;
  readonly header: JournalHeader;
  /** The torn last line dropped on open, or null when the file ended with a complete line. */
  tornTail: TornTail | null = null;
  /** Every recorded block after genesis, in order: blocks[i].n === i + 1. */
  readonly blocks: JournalBlock[];
  #handle: FileHandle;

  private constructor(file: string, header: JournalHeader, blocks: JournalBlock[], handle: FileHandle) {
    this.file = file;
    this.header = header;
    this.blocks = blocks;
    this.#handle = handle;
  }

  /** The number of the last recorded block (0: only genesis). */
  get head(): number {
    return this.blocks.length;
  }

  /**
   * Opens an existing journal for appending, dropping a torn last line. Undefined when there is no
   * file or not even a complete header line (the stack died before its chain had any history).
   * @throws {JournalError} naming the line when a complete line is not a journal entry
   */
  static async open(file: string): Promise<ChainJournal | undefined> {
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
    const complete = bytes.lastIndexOf(0x0a) + 1;
    const lines = bytes.subarray(0, complete).toString("utf8").split("\n").slice(0, -1);
    if (lines.length === 0) return undefined;
    const header = parseLine(headerSchema, lines[0], file, 1);
    const blocks: JournalBlock[] = [];
    for (let i = 1; i < lines.length; i++) {
      const block = parseLine(blockSchema, lines[i], file, i + 1) as JournalBlock;
      if (block.n !== blocks.length + 1)
        throw new JournalError(`${file} line ${i + 1}: block ${block.n} where block ${blocks.length + 1} was expected`);
      blocks.push(block);
    }
    let tornTail: TornTail | null = null;
    if (complete < bytes.length) {
      const tail = bytes.subarray(complete).toString("utf8");
      const block = /^\{"n":(\d+)/.exec(tail);
      tornTail = { bytes: bytes.length - complete, block: block ? Number(block[1]) : null };
      await truncate(file, complete);
    }
    const journal = new ChainJournal(file, header, blocks, await open(file, "a"));
    journal.tornTail = tornTail;
    return journal;
  }

  /** Starts a new journal (replacing any file) with its genesis header, durably written. */
  static async create(file: string, header: JournalHeader): Promise<ChainJournal> {
    const checked = headerSchema.parse(header);
    const handle = await open(file, "w");
    await handle.write(`${JSON.stringify(checked)}\n`);
    await handle.datasync();
    return new ChainJournal(file, checked, [], handle);
  }

  /** Appends the next blocks (numbered from head + 1) and syncs them to disk before resolving. */
  async append(blocks: JournalBlock[]): Promise<void> {
    if (blocks.length === 0) return;
    let expected = this.head + 1;
    for (const block of blocks) {
      if (block.n !== expected)
        throw new JournalError(`cannot append block ${block.n} to ${this.file}: the next block is ${expected}`);
      expected++;
    }
    await this.#handle.write(blocks.map((b) => `${JSON.stringify(b)}\n`).join(""));
    await this.#handle.datasync();
    this.blocks.push(...blocks);
  }

  /**
   * Replaces every block (after a replay gave some blocks other hashes, the journal must describe
   * the chain that now exists): written to a temporary file and renamed over the journal, so a
   * crash leaves either the old or the new journal, never a mix.
   */
  async rewrite(blocks: JournalBlock[]): Promise<void> {
    const temporary = `${this.file}.rewrite`;
    const handle = await open(temporary, "w");
    try {
      await handle.write([this.header, ...blocks].map((entry) => `${JSON.stringify(entry)}\n`).join(""));
      await handle.datasync();
    } finally {
      await handle.close();
    }
    await rename(temporary, this.file);
    await this.#handle.close();
    this.#handle = await open(this.file, "a");
    this.blocks.splice(0, this.blocks.length, ...blocks);
  }

  async close(): Promise<void> {
    await this.#handle.close();
  }
}

function parseLine<T>(schema: z.ZodType<T>, line: string, file: string, lineNumber: number): T {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    throw new JournalError(`${file} line ${lineNumber} is not JSON: the journal is corrupt`);
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join(".") || "(line)"}: ${i.message}`).join("; ");
    throw new JournalError(`${file} line ${lineNumber} is not a journal entry: ${problems}`);
  }
  return result.data;
}
