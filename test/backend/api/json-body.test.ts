// Quote bodies are read by express.json (backend/api/routes/quote.ts), under the plain JSON media
// type or a `+json` one: broken bodies get a client problem, never a failure, whichever type they carry.
import assert from "node:assert/strict";
import { once } from "node:events";
import { request } from "node:http";
import { connect } from "node:net";
import { Writable } from "node:stream";
import { after, before, describe, it } from "node:test";

import { pino } from "pino";

import { marketBook } from "./market-book.ts";
import { quoteBodies } from "./quote-bodies.ts";
import { startTestServer, type TestServer } from "./server.ts";

const NOW = 1_900_000_000;
/** The plain media type, and a `+json` type the route also accepts. */
const DIRECT = "application/json";
const STANDARD = "application/vnd.ccex.quote+json";

describe("reading a quote's JSON body", () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer({ clock: () => NOW, bodyLimit: 4_096 });
    srv.book.replace(marketBook({ now: NOW }));
  });
  after(() => srv.close());

  async function answer(body: string, type: string) {
    const res = await fetch(`${srv.url}/api/quote`, { method: "POST", headers: { "content-type": type }, body });
    const json = (await res.json()) as Record<string, unknown>;
    delete json.requestId; // differs per request
    return { status: res.status, type: res.headers.get("content-type"), json };
  }

  it("gives the same answer to the same body under either media type, broken bodies a 4xx problem", async () => {
    const [valid] = quoteBodies({ now: NOW, count: 1 });
    const bodies = [
      valid,
      `\ufeff${valid}`,
      `  \n${valid}`,
      '{"vcuHours": 1,',
      "42",
      '  "a string"',
      "   ",
      "nul",
      "[1, 2]",
      "{}",
      '{"hardwareClass": "gpu-training", "extra": true}',
      '{"a": "\u00e9\u4e2d"}',
      `{"padding": "${"x".repeat(5_000)}"}`,
    ];
    for (const body of bodies) {
      const direct = await answer(body, DIRECT);
      assert.deepEqual(direct, await answer(body, STANDARD), JSON.stringify(body.slice(0, 60)));
      assert.equal(
        direct.status,
        body === valid || body.endsWith(valid) ? 200 : body.length > 4_096 ? 413 : 400,
        body.slice(0, 60),
      );
    }
  });

  /** The answer to a body sent without a Content-Length (chunked), which backend/api/json-body.ts leaves to express.json. */
  async function chunkedAnswer(body: string, type: string) {
    const { port } = new URL(srv.url);
    const { status, contentType, text } = await new Promise<{ status: number; contentType: string; text: string }>(
      (resolve, reject) => {
        const req = request(
          {
            host: "127.0.0.1",
            port,
            method: "POST",
            path: "/api/quote",
            headers: { "content-type": type, "transfer-encoding": "chunked" },
          },
          (res) => {
            let text = "";
            res.setEncoding("utf8");
            res.on("data", (c: string) => (text += c));
            res.on("end", () =>
              resolve({ status: res.statusCode ?? 0, contentType: res.headers["content-type"] ?? "", text }),
            );
          },
        );
        req.on("error", reject);
        req.end(body);
      },
    );
    const json = JSON.parse(text) as Record<string, unknown>;
    delete json.requestId;
    return { status, type: contentType, json };
  }

  it("answers a body read directly as express.json's reading of it would be answered", async () => {
    const [valid] = quoteBodies({ now: NOW, count: 1 });
    const bodies = [
      valid,
      `\ufeff${valid}`,
      `  \n${valid}`,
      `{"hardwareClass": "gpu-training",`,
      `{"hardwareClass": "gpu-training"}}`,
      "{}",
      "[1, 2]",
      "42",
      "   ",
      '{"a": "\u00e9\u4e2d"}',
      `${valid.slice(0, -1)}, "vcu": 0}`,
      `{"padding": "${"x".repeat(5_000)}"}`,
    ];
    for (const body of bodies) {
      for (const type of [DIRECT, STANDARD, `${DIRECT}; charset=utf-8`]) {
        const direct = await answer(body, type);
        assert.deepEqual(await chunkedAnswer(body, type), direct, `${type}: ${JSON.stringify(body.slice(0, 60))}`);
        assert.ok(direct.status === 200 || (direct.status >= 400 && direct.status < 500), String(direct.status));
      }
    }
  });

  it("reads a body that arrives in several chunks", async () => {
    const [valid] = quoteBodies({ now: NOW, count: 1 });
    const bytes = Buffer.from(valid);
    const { port } = new URL(srv.url);
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        {
          host: "127.0.0.1",
          port,
          method: "POST",
          path: "/api/quote",
          headers: { "content-type": DIRECT, "content-length": bytes.length },
        },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (c: string) => (text += c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on("error", reject);
      // Separate writes with pauses between them arrive as separate chunks.
      let at = 0;
      const write = () => {
        req.write(bytes.subarray(at, at + 40));
        at += 40;
        if (at < bytes.length) setTimeout(write, 5);
        else req.end();
      };
      write();
    });
    assert.equal(status, 200, text);
    assert.deepEqual(JSON.parse(text), (await answer(valid, STANDARD)).json);
  });

  it("takes a client that leaves mid-body for a client error, not a failure of the API", async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    const own = await startTestServer({ logger: pino({ level: "debug" }, sink) });
    try {
      const { port } = new URL(own.url);
      const socket = connect(Number(port), "127.0.0.1");
      await once(socket, "connect");
      socket.write(
        `POST /api/quote HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${DIRECT}\r\nContent-Length: 500\r\n\r\n{"hardwareClass":`,
      );
      await new Promise((r) => setTimeout(r, 50));
      socket.destroy();
      for (let i = 0; i < 50 && !lines.some((l) => l.req !== undefined); i++)
        await new Promise((r) => setTimeout(r, 20));
      const entry = lines.find((l) => (l.req as { url?: string } | undefined)?.url === "/api/quote");
      assert.ok(entry, "the request is logged");
      assert.ok(!lines.some((l) => l.level === 50), JSON.stringify(lines));
    } finally {
      await own.close();
    }
  });
});
