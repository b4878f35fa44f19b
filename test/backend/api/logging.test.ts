import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { describe, it } from "node:test";

import { pino } from "pino";

import { startTestServer } from "./server.ts";

describe("request logs", () => {
  it("write one structured line per request with its id and status, without headers", async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    const srv = await startTestServer({ logger: pino({ level: "info" }, sink) });
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
      assert.ok(lines.some((l) => l.level === 30 && (l.res as { statusCode: number }).statusCode === 200));
    } finally {
      await srv.close();
    }
  });
});
