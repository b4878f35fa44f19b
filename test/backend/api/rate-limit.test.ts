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
