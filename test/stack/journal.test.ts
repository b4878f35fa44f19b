import assert from "node:assert/strict";
import { appendFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import { ChainJournal, type JournalBlock, JournalError, type JournalHeader } from "../../stack/chain/journal.ts";

const header: JournalHeader = {
  v: 1,
  chainId: 31337,
  initialDate: "2026-11-18T22:00:00Z",
  genesisHash: `0x${"00".repeat(32)}`,
};
const block = (n: number, txs: `0x${string}`[] = []): JournalBlock => ({
  n,
  hash: `0x${n.toString(16).padStart(64, "0")}`,
  timestamp: 1_795_000_000 + n,
  txs,
});

describe("chain journal", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "ccex-journal-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("reads back the header and the blocks it appended", async () => {
    const file = path.join(dir, "a.jsonl");
    const journal = await ChainJournal.create(file, header);
    await journal.append([block(1, ["0x02f8"]), block(2)]);
    await journal.append([block(3, ["0x01", "0x02"])]);
    await journal.close();
    const again = await ChainJournal.open(file);
    assert.ok(again);
    assert.deepEqual(again.header, header);
    assert.deepEqual(again.blocks, [block(1, ["0x02f8"]), block(2), block(3, ["0x01", "0x02"])]);
    assert.equal(again.head, 3);
    await again.close();
  });

  it("is absent when there is no file or not even a complete header", async () => {
    assert.equal(await ChainJournal.open(path.join(dir, "none.jsonl")), undefined);
    const torn = path.join(dir, "torn-header.jsonl");
    await writeFile(torn, '{"v":1,"chainId":313');
    assert.equal(await ChainJournal.open(torn), undefined);
  });

  it("drops a torn last line (a crash mid-write) and appends cleanly after it", async () => {
    const file = path.join(dir, "b.jsonl");
    const journal = await ChainJournal.create(file, header);
    await journal.append([block(1), block(2)]);
    await journal.close();
    await appendFile(file, JSON.stringify(block(3)).slice(0, 25));
    const reopened = await ChainJournal.open(file);
    assert.ok(reopened);
    assert.equal(reopened.head, 2);
    assert.deepEqual(reopened.tornTail, { bytes: 25, block: 3 }, "what was dropped is said, not silent");
    await reopened.append([block(3, ["0xaa"])]);
    await reopened.close();
    const lines = (await readFile(file, "utf8")).trimEnd().split("\n");
    assert.equal(lines.length, 4);
    assert.deepEqual(JSON.parse(lines[3]), block(3, ["0xaa"]));
  });

  it("reports a complete line that is not an entry, naming the line", async () => {
    const file = path.join(dir, "c.jsonl");
    await writeFile(
      file,
      `${JSON.stringify(header)}\n${JSON.stringify(block(1))}\nnot json\n${JSON.stringify(block(2))}\n`,
    );
    await assert.rejects(
      ChainJournal.open(file),
      (e: Error) => e instanceof JournalError && /c\.jsonl line 3 is not JSON/.test(e.message),
    );
    await writeFile(file, `${JSON.stringify(header)}\n${JSON.stringify({ ...block(1), hash: "0x12" })}\n`);
    await assert.rejects(ChainJournal.open(file), /line 2 is not a journal entry: hash: expected a 32-byte hash/);
    await writeFile(file, `${JSON.stringify(header)}\n${JSON.stringify(block(2))}\n`);
    await assert.rejects(ChainJournal.open(file), /line 2: block 2 where block 1 was expected/);
  });

  it("appends only the next block", async () => {
    const journal = await ChainJournal.create(path.join(dir, "d.jsonl"), header);
    await assert.rejects(journal.append([block(2)]), /cannot append block 2 .*: the next block is 1/);
    await assert.rejects(journal.append([block(1), block(3)]), /cannot append block 3/);
    assert.equal(journal.head, 0, "nothing of a refused batch is kept");
    await journal.close();
  });

  it("rewrites its blocks whole and keeps appending after them", async () => {
    const file = path.join(dir, "e.jsonl");
    const journal = await ChainJournal.create(file, header);
    await journal.append([block(1), block(2)]);
    const replayed = [
      { ...block(1), hash: `0x${"11".repeat(32)}` as const },
      { ...block(2), hash: `0x${"22".repeat(32)}` as const },
    ];
    await journal.rewrite(replayed);
    await journal.append([block(3)]);
    await journal.close();
    const again = await ChainJournal.open(file);
    assert.deepEqual(again?.blocks, [...replayed, block(3)]);
    await again?.close();
  });
});
