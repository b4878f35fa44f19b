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

// A well-formed quote body (a 4-hour job of 25 VCU in the first 6 hours of 2030).
const QUOTE = {
  hardwareClass: "gpu-training",
  acceptableRegions: ["gansu"],
  buyerRegion: "yangtze-delta",
  earliestStart: 1_893_456_000,
  latestEnd: 1_893_477_600,
  durationHours: 4,
  vcu: 25,
  limitPricePerVcuHour: "2500000",
};

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

  it("write pino-http's lines: completed requests with the request, failures with the error", async () => {
    const { logger, lines } = capture("debug");
    const srv = await startTestServer({ logger });
    srv.book.openBook = () => Promise.reject(new Error("book store down"));
    try {
      const ok = await fetch(`${srv.url}/problems/not-found`, { headers: { "x-request-id": "caller-id-1" } });
      await ok.arrayBuffer();
      const failed = await fetch(`${srv.url}/api/quote`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(QUOTE),
      });
      assert.equal(failed.status, 503);
      const id = failed.headers.get("x-request-id");
      const completed = lines.find((l) => (l.req as { id?: string } | undefined)?.id === "caller-id-1");
      assert.ok(completed, "the caller's request id is kept");
      assert.deepEqual(Object.keys(completed).sort(), [
        "hostname",
        "level",
        "msg",
        "pid",
        "req",
        "res",
        "responseTime",
        "time",
      ]);
      assert.equal(completed.msg, "request completed");
      assert.deepEqual(Object.keys(completed.req as object), ["id", "method", "url", "remoteAddress"]);
      const mine = lines.filter((l) => (l.req as { id?: string } | undefined)?.id === id);
      // The handler's own line (the dependency's cause) and the request's line, both under its id.
      assert.deepEqual(
        mine.map((l) => [l.level, l.msg]),
        [
          [50, "the order book did not answer"],
          [50, "request errored"],
        ],
      );
      assert.deepEqual(mine[1].res, { statusCode: 503 });
      assert.equal((mine[1].err as { message: string }).message, "failed with status code 503");
    } finally {
      await srv.close();
    }
  });
});
