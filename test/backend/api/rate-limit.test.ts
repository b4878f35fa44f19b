import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { problemOf, startTestServer, type TestServer } from "./server.ts";

describe("rate limiting of /api", () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer({ rateLimit: { windowMs: 60_000, limit: 3 } });
  });
  after(() => srv.close());

  it("answers 429 problem+json with Retry-After once a client exceeds its limit", async () => {
    for (let i = 0; i < 3; i++) {
      const ok = await fetch(`${srv.url}/api/proposals`);
      assert.equal(ok.status, 200);
      assert.ok(ok.headers.get("ratelimit"), "standard RateLimit header on every /api answer");
    }
    const res = await fetch(`${srv.url}/api/proposals`);
    assert.equal(res.status, 429);
    const p = await problemOf(res);
    assert.equal(p.type, "/problems/too-many-requests");
    assert.equal(p.status, 429);
    assert.ok(Number(res.headers.get("retry-after")) > 0);
  });

  it("counts every /api route, including bad requests, against the same budget", async () => {
    const res = await fetch(`${srv.url}/api/quote`, { method: "POST" });
    assert.equal(res.status, 429);
  });

  it("leaves /health and /metrics out of the limit so probes keep working", async () => {
    assert.equal((await fetch(`${srv.url}/health`)).status, 200);
    assert.equal((await fetch(`${srv.url}/metrics`)).status, 200);
  });
});

describe("rate limiting of /api with the stack's own services exempt", () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer({ rateLimit: { windowMs: 60_000, limit: 3, exemptLocal: true }, trustProxy: 1 });
  });
  after(() => srv.close());

  it("never limits a client on this machine that did not come through the proxy", async () => {
    for (let i = 0; i < 6; i++) assert.equal((await fetch(`${srv.url}/api/proposals`)).status, 200);
  });

  it("limits a visitor the proxy names in X-Forwarded-For, though it connects from loopback", async () => {
    const visitor = { headers: { "x-forwarded-for": "203.0.113.7" } };
    for (let i = 0; i < 3; i++) assert.equal((await fetch(`${srv.url}/api/proposals`, visitor)).status, 200);
    assert.equal((await fetch(`${srv.url}/api/proposals`, visitor)).status, 429);
  });
});
