import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { describe, it } from "node:test";

import { pino } from "pino";

import { startTestServer } from "./server.ts";

/** A logger at `level` whose lines land in the returned list. */
function capture(level: string): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level }, sink), lines };
}

const statusOf = (line: Record<string, unknown>) => (line.res as { statusCode?: number } | undefined)?.statusCode;

describe("request logs", () => {
  it("write one structured line per request with its id and status, without headers", async () => {
    const { logger, lines } = capture("debug");
    const srv = await startTestServer({ logger });
    try {
      const res = await fetch(`${srv.url}/api/quote`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: "Bearer secret-token" },
        body: "{}",
      });
      assert.equal(res.status, 400);
      const id = res.headers.get("x-request-id");
      await fetch(`${srv.url}/health`);
      const entry = lines.find((l) => (l.req as { id?: string } | undefined)?.id === id);
      assert.ok(entry, "the failed request is logged under its id");
      assert.equal(entry.level, 40, "client errors log at warn");
      assert.deepEqual(entry.res, { statusCode: 400 });
      assert.equal((entry.req as { url: string }).url, "/api/quote");
      assert.equal(typeof entry.responseTime, "number");
      assert.doesNotMatch(JSON.stringify(lines), /secret-token/);
      assert.ok(
        lines.some((l) => l.level === 20 && statusOf(l) === 200),
        "answered requests log at debug",
      );
    } finally {
      await srv.close();
    }
  });

  it("leave answered requests out at info, and keep client errors", async () => {
    const { logger, lines } = capture("info");
    const srv = await startTestServer({ logger });
    try {
      assert.equal((await fetch(`${srv.url}/health`)).status, 200);
      assert.equal((await fetch(`${srv.url}/api/reference`)).status, 200);
      assert.equal((await fetch(`${srv.url}/nowhere`)).status, 404);
      const requests = lines.filter((l) => statusOf(l) !== undefined);
      assert.deepEqual(
        requests.map((l) => [l.level, statusOf(l)]),
        [[40, 404]],
      );
    } finally {
      await srv.close();
    }
  });
});
