import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { quoteBid } from "../../../backend/api/quote.ts";
import { readQuoteRequest } from "../../../backend/api/schemas/quote.ts";
import { marketBook } from "./market-book.ts";
import { quoteBodies } from "./quote-bodies.ts";
import { startTestServer, type TestServer } from "./server.ts";

const NOW = 1_893_456_000 + 1_800;
const FEE_BPS = 30;

/** What a quote answer carries besides its body: helmet's security headers, the request id, the length. */
const HEADERS = [
  "connection",
  "content-length",
  "content-security-policy",
  "content-type",
  "cross-origin-opener-policy",
  "cross-origin-resource-policy",
  "date",
  "keep-alive",
  "origin-agent-cluster",
  "referrer-policy",
  "strict-transport-security",
  "x-content-type-options",
  "x-dns-prefetch-control",
  "x-download-options",
  "x-frame-options",
  "x-permitted-cross-domain-policies",
  "x-request-id",
  "x-xss-protection",
];

describe("POST /api/quote answers", () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer({ clock: () => NOW, platformFeeBps: FEE_BPS });
    srv.book.replace(marketBook({ now: NOW }));
  });
  after(() => srv.close());

  it("are quoteBid's answer as JSON.stringify writes it, with the same headers, in one piece", async () => {
    const open = await srv.book.openBook();
    for (const body of quoteBodies({ now: NOW, count: 60 })) {
      const res = await fetch(`${srv.url}/api/quote`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      const text = await res.text();
      assert.equal(res.status, 200);
      const expected = JSON.stringify(
        quoteBid(readQuoteRequest(JSON.parse(body)), open, { now: NOW, platformFeeBps: FEE_BPS }),
      );
      assert.equal(text, expected);
      assert.deepEqual([...res.headers.keys()].sort(), HEADERS);
      assert.equal(res.headers.get("content-type"), "application/json; charset=utf-8");
      assert.equal(res.headers.get("content-length"), String(Buffer.byteLength(expected)));
      assert.equal(res.headers.get("x-content-type-options"), "nosniff");
      assert.match(res.headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/);
    }
  });
});
