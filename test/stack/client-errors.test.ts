// A request followed by bytes that do not parse as the next one (a GET whose body has no length): the
// answer to the request must reach the client whole, not be cut off when the server drops the socket.
import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import { connect } from "node:net";
import { after, before, describe, it } from "node:test";

import { endOnClientError } from "../../protocol/client-errors.ts";

const ANSWER = "x".repeat(4 * 1024 * 1024);

async function serve(server: Server): Promise<number> {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return (server.address() as { port: number }).port;
}

/** Sends one GET with an unframed body and reads the whole connection until the server closes it. */
async function exchange(port: number): Promise<string> {
  const socket = connect(port, "127.0.0.1");
  await once(socket, "connect");
  socket.write("GET /quote HTTP/1.1\r\nHost: localhost\r\n\r\n{not a request line}\r\n\r\n");
  const chunks: Buffer[] = [];
  socket.on("data", (c: Buffer) => chunks.push(c));
  await Promise.race([once(socket, "close"), once(socket, "end")]);
  return Buffer.concat(chunks).toString();
}

describe("a connection whose next bytes do not parse", () => {
  const answer = (_req: unknown, res: import("node:http").ServerResponse) => {
    res.writeHead(200, { "content-type": "text/plain", "content-length": ANSWER.length });
    res.end(ANSWER);
  };
  let fixed: Server;
  let plain: Server;
  before(() => {
    fixed = endOnClientError(createServer(answer));
    plain = createServer(answer);
  });
  after(() => {
    fixed.close();
    plain.close();
  });

  it("gets the whole answer to the request it sent", async () => {
    const port = await serve(fixed);
    const received = await exchange(port);
    assert.match(received, /^HTTP\/1\.1 200 OK/);
    assert.ok(received.endsWith(ANSWER), `got ${received.length} bytes, the answer has ${ANSWER.length}`);
  });

  it("is cut off by Node's default handling (what the handler is for)", async () => {
    const port = await serve(plain);
    const received = await exchange(port);
    assert.ok(!received.endsWith(ANSWER), "Node's default no longer drops the answer: the handler may be unneeded");
  });

  it("is told 400 when nothing was answered yet", async () => {
    const port = (fixed.address() as { port: number }).port;
    const socket = connect(port, "127.0.0.1");
    await once(socket, "connect");
    socket.write("NOT-HTTP\r\n\r\n");
    const chunks: Buffer[] = [];
    socket.on("data", (c: Buffer) => chunks.push(c));
    await once(socket, "close");
    assert.match(Buffer.concat(chunks).toString(), /^HTTP\/1\.1 400 Bad Request/);
  });
});

describe("a connection whose next bytes do not parse while its answer is still being prepared", () => {
  it("gets that answer whole once it is ready", async () => {
    const server = endOnClientError(
      createServer((_req, res) => {
        setTimeout(() => {
          res.writeHead(200, { "content-type": "text/plain", "content-length": ANSWER.length });
          res.end(ANSWER);
        }, 50);
      }),
    );
    const port = await serve(server);
    try {
      const received = await exchange(port);
      assert.match(received, /^HTTP\/1\.1 200 OK/);
      assert.ok(received.endsWith(ANSWER), `got ${received.length} bytes, the answer has ${ANSWER.length}`);
    } finally {
      server.close();
    }
  });
});
