import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { postJson, problemOf, startTestServer, type TestServer } from "./server.ts";

describe("API error responses", () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer({ bodyLimit: 1024 });
  });
  after(() => srv.close());

  it("answers an unknown route with a 404 problem naming the path", async () => {
    const res = await fetch(`${srv.url}/api/nope?x=1`);
    assert.equal(res.status, 404);
    const p = await problemOf(res);
    assert.equal(p.type, "/problems/not-found");
    assert.equal(p.title, "Not found");
    assert.equal(p.status, 404);
    assert.equal(p.instance, "/api/nope");
    assert.match(String(p.detail), /\/api\/nope/);
    assert.equal(p.requestId, res.headers.get("x-request-id"));
  });

  it("answers a wrong method with 405 and the Allow header", async () => {
    const res = await fetch(`${srv.url}/api/quote`, { method: "GET" });
    assert.equal(res.status, 405);
    assert.equal(res.headers.get("allow"), "POST");
    const p = await problemOf(res);
    assert.equal(p.type, "/problems/method-not-allowed");

    const del = await fetch(`${srv.url}/api/proposals`, { method: "DELETE" });
    assert.equal(del.status, 405);
    assert.equal(del.headers.get("allow"), "GET, HEAD");
  });

  it("answers OPTIONS with 204 and the allowed methods", async () => {
    const res = await fetch(`${srv.url}/health`, { method: "OPTIONS" });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get("allow"), "GET, HEAD");
  });

  it("answers malformed JSON with a 400 malformed-json problem", async () => {
    const res = await postJson(`${srv.url}/api/quote`, '{"vcu": 1,');
    assert.equal(res.status, 400);
    const p = await problemOf(res);
    assert.equal(p.type, "/problems/malformed-json");
  });

  it("answers a JSON scalar body as malformed, since a bid is an object", async () => {
    const res = await postJson(`${srv.url}/api/quote`, "42");
    assert.equal(res.status, 400);
    assert.equal((await problemOf(res)).type, "/problems/malformed-json");
  });

  it("answers an oversized body with 413", async () => {
    const res = await postJson(`${srv.url}/api/quote`, { padding: "x".repeat(2048) });
    assert.equal(res.status, 413);
    const p = await problemOf(res);
    assert.equal(p.type, "/problems/payload-too-large");
  });

  it("answers a non-JSON body with 415", async () => {
    const res = await fetch(`${srv.url}/api/quote`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "hardwareClass=gpu-training",
    });
    assert.equal(res.status, 415);
    assert.equal((await problemOf(res)).type, "/problems/unsupported-media-type");
  });

  it("answers a POST without body with 400 naming the body", async () => {
    const res = await fetch(`${srv.url}/api/quote`, { method: "POST" });
    assert.equal(res.status, 400);
    const p = await problemOf(res);
    assert.deepEqual(
      p.errors?.map((e) => e.field),
      ["body"],
    );
  });

  it("answers a broken percent-encoding in a path parameter and a corrupt gzip body with 400", async () => {
    const path = await fetch(`${srv.url}/problems/%E0%A4%A`);
    assert.equal(path.status, 400);
    assert.equal((await problemOf(path)).type, "/problems/invalid-request");
    const gzip = await fetch(`${srv.url}/api/quote`, {
      method: "POST",
      headers: { "content-type": "application/json", "content-encoding": "gzip" },
      body: "not gzip",
    });
    assert.equal(gzip.status, 400);
    assert.equal((await problemOf(gzip)).type, "/problems/invalid-request");
  });

  it("sets security headers on every response", async () => {
    const res = await fetch(`${srv.url}/health`);
    assert.equal(res.headers.get("x-content-type-options"), "nosniff");
    assert.ok(res.headers.get("content-security-policy"));
    assert.equal(res.headers.get("x-powered-by"), null);
    const missing = await fetch(`${srv.url}/missing`);
    assert.equal(missing.headers.get("x-content-type-options"), "nosniff");
  });

  it("keeps a caller's harmless X-Request-Id and replaces a hostile one", async () => {
    const kept = await fetch(`${srv.url}/health`, { headers: { "x-request-id": "abc-123" } });
    assert.equal(kept.headers.get("x-request-id"), "abc-123");
    const replaced = await fetch(`${srv.url}/health`, { headers: { "x-request-id": "a b\tc<script>" } });
    assert.match(replaced.headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/);
  });

  it("serves the meaning of each problem type at its type URI", async () => {
    const res = await fetch(`${srv.url}/problems/invalid-request`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { type: string; status: number; description: string };
    assert.equal(body.type, "/problems/invalid-request");
    assert.equal(body.status, 400);
    assert.ok(body.description.length > 0);
  });

  it("validates the problem slug path parameter", async () => {
    const bad = await fetch(`${srv.url}/problems/NOT_A_SLUG`);
    assert.equal(bad.status, 400);
    const p = await problemOf(bad);
    assert.deepEqual(p.errors, [
      { in: "path", field: "slug", message: "expected a lower-case slug such as invalid-request" },
    ]);
    const unknown = await fetch(`${srv.url}/problems/no-such-problem`);
    assert.equal(unknown.status, 404);
    const proto = await fetch(`${srv.url}/problems/constructor`);
    assert.equal(proto.status, 404);
  });
});
