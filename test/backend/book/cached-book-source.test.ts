import assert from "node:assert/strict";
import { describe, it } from "node:test";

import type { BookSource, OpenBook } from "../../../backend/book/book-source.ts";
import { CachedBookSource } from "../../../backend/book/cached-book-source.ts";

function countingSource(fail = () => false): BookSource & { reads: number } {
  const source = {
    reads: 0,
    async openBook(): Promise<OpenBook> {
      source.reads++;
      await new Promise((r) => setTimeout(r, 5));
      if (fail()) throw new Error("node down");
      return { asOf: source.reads, bids: [], computeOffers: [], energyOffers: [], bandwidthOffers: [] };
    },
  };
  return source;
}

describe("CachedBookSource", () => {
  it("reads the source once for concurrent callers and again only after maxAgeMs", async () => {
    let now = 0;
    const source = countingSource();
    const cached = new CachedBookSource(source, { maxAgeMs: 1_000, now: () => now });
    const books = await Promise.all([cached.openBook(), cached.openBook(), cached.openBook()]);
    assert.equal(source.reads, 1);
    assert.ok(books.every((b) => b === books[0]));
    now = 999;
    assert.equal((await cached.openBook()).asOf, 1);
    now = 1_000;
    assert.equal((await cached.openBook()).asOf, 2);
    assert.equal(source.reads, 2);
  });

  it("does not cache a failure: the next call tries the source again", async () => {
    let failing = true;
    const source = countingSource(() => failing);
    const cached = new CachedBookSource(source, { maxAgeMs: 1_000, now: () => 0 });
    await assert.rejects(cached.openBook(), /node down/);
    failing = false;
    assert.equal((await cached.openBook()).asOf, 2);
  });
});
