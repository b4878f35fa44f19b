// A range far denser than the step target is committed as several steps, cut between blocks.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { BlockHeader } from "../../../indexer/sync/chain.ts";
import type { DecodedEvent } from "../../../indexer/sync/decode.ts";
import { splitSteps } from "../../../indexer/sync/engine.ts";

const header = (n: number): BlockHeader => ({ number: n, hash: `0x${n}`, parentHash: `0x${n - 1}`, timestamp: n });
const event = (blockNumber: number, logIndex: number) => ({ blockNumber, logIndex }) as DecodedEvent;

describe("splitSteps", () => {
  // Blocks 10–16 fetched; events in 10, 11, 13 and 15; the range ends at 16 (no events).
  const events = [10, 10, 11, 11, 11, 11, 13, 15, 15].map((b, i) => event(b, i));
  const headers = [10, 11, 13, 15, 16].map(header);

  it("keeps a range within the limit whole", () => {
    const parts = splitSteps({ events, headers, to: header(16) }, 9);
    assert.equal(parts.length, 1);
    assert.equal(parts[0].to.number, 16);
    assert.equal(parts[0].events.length, 9);
  });

  it("cuts a denser range at block boundaries into steps of about half the limit, ending where the range ends", () => {
    const parts = splitSteps({ events, headers, to: header(16) }, 4);
    assert.deepEqual(
      parts.map((p) => [p.to.number, p.events.map((e) => e.blockNumber), p.headers.map((h) => h.number)]),
      [
        [10, [10, 10], [10]],
        [11, [11, 11, 11, 11], [11]],
        [16, [13, 15, 15], [13, 15, 16]],
      ],
    );
  });

  it("never splits a block, and every event lands in exactly one step, in order", () => {
    const parts = splitSteps({ events, headers, to: header(16) }, 2);
    assert.deepEqual(
      parts.map((p) => p.events.map((e) => e.logIndex)),
      [[0, 1], [2, 3, 4, 5], [6], [7, 8]],
    );
    assert.deepEqual(
      parts.map((p) => p.to.number),
      [10, 11, 13, 16],
    );
  });
});
