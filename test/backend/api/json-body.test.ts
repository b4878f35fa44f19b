import assert from "node:assert/strict";
import { request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";

import express, { type RequestHandler } from "express";

import { errorHandler, requireJsonBody } from "../../../backend/api/errors.ts";
import { jsonBody } from "../../../backend/api/json-body.ts";

const LIMIT = 64;

/** An app that reads a body with `read` and answers what it read, or the API's problem answer. */
async function serve(read: RequestHandler[]): Promise<{ port: number; server: Server }> {
  const app = express();
  app.post("/", ...read, (req, res) => {
    res.json({ body: req.body });
  });
  app.use(errorHandler);
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  return { port: (server.address() as AddressInfo).port, server };
}

type Sent = { headers: Record<string, string>; body?: Buffer; chunked?: boolean };

/** Status, content type and body text of a raw POST. */
function post(port: number, sent: Sent): Promise<string> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...sent.headers };
    if (!sent.chunked && sent.body !== undefined && headers["content-length"] === undefined)
      headers["content-length"] = String(sent.body.length);
    const req = request({ host: "127.0.0.1", port, method: "POST", path: "/", headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve(`${res.statusCode} ${res.headers["content-type"]} ${Buffer.concat(chunks).toString()}`),
      );
    });
    req.on("error", reject);
    if (sent.body !== undefined) req.write(sent.body);
    req.end();
  });
}

const json = (text: string | Buffer, contentType = "application/json"): Sent => ({
  headers: { "content-type": contentType },
  body: typeof text === "string" ? Buffer.from(text) : text,
});

const CASES: Record<string, Sent> = {
  "an object": json('{"vcu":4,"regions":["gansu",8]}'),
  "an array": json("[1,2,3]"),
  "an object after spaces": json(' \n\t{"a":1}'),
  "an object after a byte order mark": json(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}')])),
  "invalid UTF-8 in a string": json(
    Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]),
  ),
  "an empty body": json(""),
  "a string": json('"text"'),
  "a number after spaces": json("  42"),
  "a literal": json("true"),
  "only spaces": json("   "),
  "a truncated object": json('{"a":'),
  "an object with trailing text": json('{"a":1}x'),
  "a bare word": json("nul"),
  "a body at the limit": json(`{"a":"${"x".repeat(LIMIT - 8)}"}`),
  "a body over the limit": json(`{"a":"${"x".repeat(LIMIT)}"}`),
  "a utf-8 charset": json('{"a":1}', "application/json; charset=utf-8"),
  "a utf-8 charset malformed": json('{"a":', "application/json; charset=utf-8"),
  "a latin-1 charset": json('{"a":1}', "application/json; charset=latin1"),
  "a +json type": json('{"a":1}', "application/problem+json"),
  "upper-case type": json('{"a":1}', "Application/JSON"),
  "text/plain": json('{"a":1}', "text/plain"),
  "no content type": { headers: {}, body: Buffer.from('{"a":1}') },
  "no content type, no body": { headers: { "content-length": "0" } },
  "a chunked body": { headers: { "content-type": "application/json" }, body: Buffer.from('{"a":[1]}'), chunked: true },
  "a chunked malformed body": {
    headers: { "content-type": "application/json" },
    body: Buffer.from("{"),
    chunked: true,
  },
  "a gzip encoding": {
    headers: { "content-type": "application/json", "content-encoding": "gzip" },
    body: Buffer.from("not gzip"),
  },
  "an unknown encoding": {
    headers: { "content-type": "application/json", "content-encoding": "x-unknown" },
    body: Buffer.from('{"a":1}'),
  },
};

describe("jsonBody", () => {
  let direct: { port: number; server: Server };
  let bodyParser: { port: number; server: Server };
  before(async () => {
    direct = await serve([jsonBody({ limit: LIMIT })]);
    bodyParser = await serve([
      requireJsonBody,
      express.json({ limit: LIMIT, type: ["application/json", "application/*+json"] }),
    ]);
  });
  after(() => {
    for (const { server } of [direct, bodyParser]) {
      server.closeAllConnections();
      server.close();
    }
  });

  for (const [name, sent] of Object.entries(CASES)) {
    it(`reads or refuses ${name} as express.json does`, async () => {
      const expected = await post(bodyParser.port, sent);
      assert.equal(await post(direct.port, sent), expected);
    });
  }

  it("reads well-formed bodies and refuses malformed ones with the parser's message", async () => {
    assert.equal(
      await post(direct.port, CASES["an object"]),
      '200 application/json; charset=utf-8 {"body":{"vcu":4,"regions":["gansu",8]}}',
    );
    const refused = await post(direct.port, CASES["a bare word"]);
    assert.match(refused, /^400 application\/problem\+json/);
    assert.match(refused, /malformed-json/);
    assert.match(await post(direct.port, CASES["a body over the limit"]), /^413 .*payload-too-large/);
  });

  it("reads a body sent in several packets", async () => {
    const body = Buffer.from(`{"a":"${"y".repeat(40)}"}`);
    const answer = await new Promise<string>((resolve, reject) => {
      const req = request(
        {
          host: "127.0.0.1",
          port: direct.port,
          method: "POST",
          path: "/",
          headers: { "content-type": "application/json", "content-length": String(body.length) },
        },
        (res) => {
          let text = "";
          res.on("data", (c: Buffer) => {
            text += c.toString();
          });
          res.on("end", () => resolve(`${res.statusCode} ${text}`));
        },
      );
      req.on("error", reject);
      req.flushHeaders();
      req.write(body.subarray(0, 10));
      setTimeout(() => {
        req.write(body.subarray(10, 20));
        setTimeout(() => req.end(body.subarray(20)), 20);
      }, 20);
    });
    assert.equal(answer, `200 {"body":${body.toString()}}`);
  });
});
