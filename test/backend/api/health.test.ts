import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import type { BookSource } from "../../../backend/book/book-source.ts";
import { problemOf, startTestServer, type TestServer } from "./server.ts";

describe("GET /health", () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer();
  });
  after(() => srv.close());

  it("reports ok with the book's size and no batch before the first clearing", async () => {
    srv.book.replace({ asOf: 1_700_000_000 });
    const res = await fetch(`${srv.url}/health`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body.status, "ok");
    assert.deepEqual(body.book, { asOf: 1_700_000_000, bids: 0, offers: 0 });
    assert.equal(body.proposals, null);
  });

  it("shows the latest batch once the matcher published one", async () => {
    await srv.proposals.publish({ id: 7n, clearedAt: 1_700_000_100, matches: [] });
    const body = (await (await fetch(`${srv.url}/health`)).json()) as Record<string, unknown>;
    assert.deepEqual(body.proposals, { batchId: "7", clearedAt: 1_700_000_100 });
  });

  it("answers HEAD without a body", async () => {
    const res = await fetch(`${srv.url}/health`, { method: "HEAD" });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), "");
  });

  it("answers 503 when the book source fails", async () => {
    const broken: BookSource = { openBook: () => Promise.reject(new Error("indexer down")) };
    const down = await startTestServer({ book: broken });
    try {
      const res = await fetch(`${down.url}/health`);
      assert.equal(res.status, 503);
      const p = await problemOf(res);
      assert.equal(p.type, "/problems/unavailable");
      assert.doesNotMatch(JSON.stringify(p), /indexer down/, "internals stay in the log");
    } finally {
      await down.close();
    }
  });
});
