import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { ConfigError, DEFAULT_QUOTE_WORKERS, loadConfig } from "../../backend/config.ts";

describe("backend server config", () => {
  it("binds to loopback on 8080 with rate limiting on by default", () => {
    const c = loadConfig({});
    assert.equal(c.host, "127.0.0.1");
    assert.equal(c.port, 8080);
    assert.deepEqual(c.rateLimit, { windowMs: 60_000, limit: 300, exemptLocal: false });
    const local = loadConfig({ RATE_LIMIT_EXEMPT_LOCAL: "on" });
    assert.deepEqual(local.rateLimit, { windowMs: 60_000, limit: 300, exemptLocal: true });
    assert.equal(c.bodyLimitBytes, 16_384);
    assert.deepEqual(c.book, { from: "memory" });
    assert.equal(c.platformFeeBps, 30);
  });

  it("reads HOST, PORT and turns rate limiting off with RATE_LIMIT_MAX=0", () => {
    const c = loadConfig({ HOST: "::1", PORT: "0", RATE_LIMIT_MAX: "0", TRUST_PROXY_HOPS: "1" });
    assert.equal(c.host, "::1");
    assert.equal(c.port, 0);
    assert.equal(c.rateLimit, false);
    assert.equal(c.trustProxyHops, 1);
  });

  it("reads the book from a file or from the chain of a deployment, not both", () => {
    assert.deepEqual(loadConfig({ BOOK_FILE: "/tmp/book.json" }).book, { from: "file", file: "/tmp/book.json" });
    assert.deepEqual(loadConfig({ RPC_URL: "http://127.0.0.1:8545" }).book, {
      from: "chain",
      rpcUrl: "http://127.0.0.1:8545",
      deployment: 31337,
      maxAgeMs: 2_000,
    });
    assert.equal(
      (loadConfig({ RPC_URL: "http://127.0.0.1:8545", DEPLOYMENT: "/srv/d.json" }).book as { deployment: unknown })
        .deployment,
      "/srv/d.json",
    );
    assert.throws(
      () => loadConfig({ BOOK_FILE: "/tmp/book.json", RPC_URL: "http://127.0.0.1:8545" }),
      /BOOK_FILE: set BOOK_FILE or RPC_URL, not both/,
    );
    assert.throws(() => loadConfig({ RPC_URL: "ftp://x" }), /RPC_URL/);
  });

  it("runs quotes in QUOTE_WORKERS worker threads, 0 on the serving thread", () => {
    assert.equal(loadConfig({}).quoteWorkers, DEFAULT_QUOTE_WORKERS);
    assert.equal(loadConfig({ QUOTE_WORKERS: "0" }).quoteWorkers, 0);
    assert.equal(loadConfig({ QUOTE_WORKERS: "3" }).quoteWorkers, 3);
    assert.throws(() => loadConfig({ QUOTE_WORKERS: "-1" }), /QUOTE_WORKERS/);
    assert.throws(() => loadConfig({ QUOTE_WORKERS: "two" }), /QUOTE_WORKERS/);
  });

  it("names every invalid variable", () => {
    assert.throws(
      () => loadConfig({ PORT: "70000", LOG_LEVEL: "loud", BODY_LIMIT_BYTES: "12kb" }),
      (err: unknown) =>
        err instanceof ConfigError &&
        /PORT/.test(err.message) &&
        /LOG_LEVEL/.test(err.message) &&
        /BODY_LIMIT_BYTES/.test(err.message),
    );
  });
});
