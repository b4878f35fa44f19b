// The stack's one origin in-process, against stand-in services: routing, the web market's files and
// fallback, the /rpc gate, and what a caller gets while a part is down.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import type { RequestListener } from "node:http";
import { createServer, request, type Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import { createApp } from "../../backend/api/app.ts";
import { inlineQuotes } from "../../backend/api/quote-service.ts";
import { InMemoryBookSource } from "../../backend/book/book-source.ts";
import { InMemoryProposalStore } from "../../backend/proposals/proposal-store.ts";
import { MARKET_REFERENCE } from "../../protocol/reference.ts";
import { OriginApi, type OriginApp, originApiConfig } from "../../stack/origin-api.ts";
import { ClientBudget } from "../../stack/rpc-limits.ts";
import { createChainGateway, createStackApp } from "../../stack/server.ts";
import { freePort } from "../helpers/local-chain.ts";

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

describe("the stack's origin", () => {
  let dir: string;
  let upstream: Server;
  let stack: Server;
  let url: string;
  const seen: { url: string; body: string; forwardedFor?: string }[] = [];

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "ccex-origin-"));
    // One stand-in answers as API, indexer and chain alike, echoing what reached it.
    upstream = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        seen.push({ url: req.url!, body, forwardedFor: req.headers["x-forwarded-for"] as string | undefined });
        if (req.url === "/graphql" && req.headers.accept === "text/event-stream") {
          res.writeHead(200, { "content-type": "text/event-stream" });
          res.write("data: first\n\n");
          setTimeout(() => res.end("data: second\n\n"), 300);
          return;
        }
        // A service behind that would let any site read it: the origin must not pass that on.
        res.writeHead(200, {
          "content-type": "application/json",
          "access-control-allow-origin": req.headers.origin ?? "*",
          "access-control-allow-credentials": "true",
        });
        res.end(JSON.stringify({ jsonrpc: "2.0", id: 1, result: "0x7a69", path: req.url }));
      });
    });
    const target = await listen(upstream);
    const app = createStackApp({
      distDir: path.join(dir, "dist"),
      targets: { api: target, indexer: target, rpc: `${target}/provider/key123` },
      describe: (part) => `the ${part} is restarting`,
      config: () => undefined,
      health: async () => ({ healthy: false, body: { status: "starting" } }),
    });
    stack = createServer(app);
    url = await listen(stack);
  });
  after(async () => {
    stack.closeAllConnections();
    upstream.closeAllConnections();
    await new Promise((r) => stack.close(r));
    await new Promise((r) => upstream.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  it("asks for a build while the web market is not built, then serves it with its routes falling back to the page", async () => {
    const missing = await fetch(`${url}/`);
    assert.equal(missing.status, 503);
    assert.match(await missing.text(), /npm run build/);
    await mkdir(path.join(dir, "dist", "assets"), { recursive: true });
    await writeFile(path.join(dir, "dist", "index.html"), '<!doctype html><div id="root"></div>');
    await writeFile(path.join(dir, "dist", "assets", "app-1234.js"), "console.log(1)");
    const page = await fetch(`${url}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get("content-security-policy") ?? "", /default-src 'self'/);
    assert.match(await (await fetch(`${url}/trace/deal/7`)).text(), /id="root"/);
    const asset = await fetch(`${url}/assets/app-1234.js`);
    assert.equal(asset.status, 200);
    assert.match(asset.headers.get("cache-control") ?? "", /immutable/);
    assert.equal((await fetch(`${url}/assets/gone-9999.js`)).status, 404, "a missing file is not the page");
  });

  it("proxies /api and /graphql with their paths and the visitor's address", async () => {
    const api = (await (await fetch(`${url}/api/quote?x=1`)).json()) as { path: string };
    assert.equal(api.path, "/api/quote?x=1");
    assert.equal(seen.at(-1)!.forwardedFor, "127.0.0.1");
    const gql = (await (await fetch(`${url}/graphql`, { method: "POST", body: "{}" })).json()) as { path: string };
    assert.equal(gql.path, "/graphql");
  });

  it("writes X-Forwarded-For from the connection, dropping what the client claimed", async () => {
    await fetch(`${url}/api/quote`, { headers: { "x-forwarded-for": "6.6.6.6", forwarded: "for=6.6.6.6" } });
    assert.equal(seen.at(-1)!.forwardedFor, "127.0.0.1");
  });

  it("answers only the host names it serves (DNS rebinding) and passes on no CORS permission", async () => {
    const status = (host: string) =>
      new Promise<number>((resolve, reject) =>
        request(`${url}/config.json`, { headers: { host } }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        })
          .on("error", reject)
          .end(),
      );
    assert.equal(await status("rebound.attacker.example:8080"), 421);
    assert.equal(await status("localhost:8080"), 503, "loopback names are served (the deployment is not known yet)");
    const answer = await fetch(`${url}/graphql`, { method: "POST", headers: { origin: "https://attacker.example" } });
    assert.equal(answer.headers.get("access-control-allow-origin"), null);
    assert.equal(answer.headers.get("access-control-allow-credentials"), null);
  });

  it("streams GraphQL subscriptions (server-sent events) as they come", async () => {
    const response = await fetch(`${url}/graphql`, { headers: { accept: "text/event-stream" } });
    const reader = response.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    assert.equal(first, "data: first\n\n", "the first event arrives before the stream ends");
    let rest = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      rest += new TextDecoder().decode(value);
    }
    assert.equal(rest, "data: second\n\n");
  });

  it("forwards allowed JSON-RPC to the chain's exact URL and refuses the rest without forwarding", async () => {
    const post = (body: string, type = "application/json") =>
      fetch(`${url}/rpc`, { method: "POST", headers: { "content-type": type }, body });
    const before = seen.length;
    const ok = (await (await post('{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}')).json()) as {
      result: string;
      path: string;
    };
    assert.equal(ok.result, "0x7a69");
    assert.equal(ok.path, "/provider/key123");
    assert.equal(seen.at(-1)!.body, '{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}');
    const refused = (await (
      await post('{"jsonrpc":"2.0","id":4,"method":"hardhat_setBalance","params":[]}')
    ).json()) as { id: number; error: { code: number } };
    assert.deepEqual([refused.id, refused.error.code], [4, -32601]);
    assert.equal(seen.length, before + 1, "nothing refused reached the chain");
    const broken = await post("{nope");
    assert.equal(broken.status, 400);
    assert.equal(((await broken.json()) as { error: { code: number } }).error.code, -32700);
    assert.equal((await post("eth_chainId", "text/plain")).status, 415);
    assert.equal((await fetch(`${url}/rpc`)).status, 405);
  });

  it("answers 503 naming the part while the deployment or a service is not there", async () => {
    const config = await fetch(`${url}/config.json`);
    assert.equal(config.status, 503);
    assert.match(((await config.json()) as { error: string }).error, /deployment is not known yet/);
    assert.equal((await fetch(`${url}/health`)).status, 503);
    const down = createServer(
      createStackApp({
        distDir: dir,
        targets: {
          api: `http://127.0.0.1:${await freePort()}`,
          indexer: `http://127.0.0.1:${await freePort()}`,
          rpc: `http://127.0.0.1:${await freePort()}`,
        },
        describe: (part) => `the ${part} is restarting`,
        config: () => undefined,
        health: async () => ({ healthy: true, body: {} }),
      }),
    );
    const downUrl = await listen(down);
    try {
      const api = await fetch(`${downUrl}/api/quote`);
      assert.equal(api.status, 503);
      assert.match(((await api.json()) as { error: string }).error, /^the api is restarting; try again shortly$/);
      const rpc = await fetch(`${downUrl}/rpc`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: '{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}',
      });
      assert.equal(rpc.status, 503);
      assert.match(((await rpc.json()) as { error: string }).error, /the chain is restarting/);
    } finally {
      down.closeAllConnections();
      await new Promise((r) => down.close(r));
    }
  });
});

describe("the API served inside the origin", () => {
  let upstream: Server;
  let origin: Server;
  let url: string;
  const forwarded: string[] = [];
  let inProcess: RequestListener | undefined;

  before(async () => {
    // The API process: it answers what reaches it, with a CORS grant the origin must not pass on.
    upstream = createServer((req, res) => {
      forwarded.push(`${req.url} from ${req.headers["x-forwarded-for"]}`);
      req.resume();
      res.writeHead(200, { "content-type": "application/json", "access-control-allow-origin": "*" });
      res.end(JSON.stringify({ servedBy: "api process" }));
    });
    const target = await listen(upstream);
    origin = createServer(
      createStackApp({
        distDir: path.join(tmpdir(), "ccex-no-dist"),
        targets: { api: target, indexer: target, rpc: target },
        describe: (part) => `the ${part} is restarting`,
        config: () => undefined,
        health: async () => ({ healthy: true, body: {} }),
        api: () => inProcess,
      }),
    );
    url = await listen(origin);
  });
  after(async () => {
    for (const server of [origin, upstream]) {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it("takes the hop to the API process until the API is built in the origin, then answers /api itself", async () => {
    assert.deepEqual(await (await fetch(`${url}/api/reference`)).json(), { servedBy: "api process" });
    assert.equal(forwarded.at(-1), "/api/reference from 127.0.0.1");
    inProcess = createApp({
      book: new InMemoryBookSource(),
      proposals: new InMemoryProposalStore(),
      rateLimit: false,
      defaultMetrics: false,
    });
    const before = forwarded.length;
    const reference = await fetch(`${url}/api/reference`);
    assert.equal(reference.status, 200);
    assert.deepEqual(await reference.json(), MARKET_REFERENCE, "the API's own answer");
    const quote = await fetch(`${url}/api/quote`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ vcuHours: "abc" }),
    });
    assert.equal(quote.status, 400, "a bad quote is the API's 400, not a proxy's error");
    assert.equal(forwarded.length, before, "nothing reached the API process");
  });

  it("sends /api/metering to the API process, the metering store's one writer, with the client's address", async () => {
    const answer = await fetch(`${url}/api/metering/domain`, { headers: { "x-forwarded-for": "6.6.6.6" } });
    assert.deepEqual(await answer.json(), { servedBy: "api process" });
    assert.equal(answer.headers.get("access-control-allow-origin"), null);
    assert.equal(forwarded.at(-1), "/api/metering/domain from 127.0.0.1");
  });

  it("keys the API's rate limit on the connection, whatever X-Forwarded-For a client sends", async () => {
    inProcess = createApp({
      book: new InMemoryBookSource(),
      proposals: new InMemoryProposalStore(),
      rateLimit: { windowMs: 60_000, limit: 3 },
      defaultMetrics: false,
    });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const response = await fetch(`${url}/api/reference`, { headers: { "x-forwarded-for": `10.0.0.${i}` } });
      await response.arrayBuffer();
      statuses.push(response.status);
    }
    assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
  });

  it("answers only the host names it serves, before the API sees the request", async () => {
    const status = await new Promise<number>((resolve, reject) =>
      request(`${url}/api/reference`, { headers: { host: "rebound.attacker.example" } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      })
        .on("error", reject)
        .end(),
    );
    assert.equal(status, 421);
  });
});

describe("the origin's API, as the stack builds it", () => {
  it("reads the API's own settings from the environment and the rest from the stack", () => {
    const config = originApiConfig({
      rpcUrl: "http://127.0.0.1:8545",
      deploymentFile: "/data/deployment/31337.json",
      proposalsFile: "/data/matcher/proposals.json",
      logLevel: "warn",
      env: { RATE_LIMIT_MAX: "7", BOOK_MAX_AGE_MS: "500", PORT: "not a port", BOOK_FILE: "/elsewhere.json" },
    });
    // The origin serves visitors straight: nobody on loopback is exempt there.
    assert.deepEqual(config.rateLimit, { windowMs: 60_000, limit: 7, exemptLocal: false });
    assert.deepEqual(config.book, {
      from: "chain",
      rpcUrl: "http://127.0.0.1:8545",
      deployment: "/data/deployment/31337.json",
      maxAgeMs: 500,
    });
    assert.equal(config.proposalsFile, "/data/matcher/proposals.json");
  });

  it("is built once its settings are known, tried again after a failed build, and its quote workers stopped on close", async () => {
    let closed = 0;
    const quotes = inlineQuotes({ platformFeeBps: 30, pricing: undefined });
    const app: OriginApp = {
      listener: (_req, res) => res.end(),
      quotes: { quote: quotes.quote, close: async () => void closed++ },
    };
    let known = false;
    let fail = true;
    const errors: string[] = [];
    const api = new OriginApi(
      () => (!known ? undefined : fail ? Promise.reject(new Error("no deployment file")) : Promise.resolve(app)),
      (error) => errors.push(error.message),
    );
    assert.equal(api.current(), undefined);
    await assert.rejects(api.ready(), /not known yet/);
    known = true;
    await assert.rejects(api.ready(), /no deployment file/);
    assert.equal(api.current(), undefined, "a failed build is not retried at once");
    fail = false;
    await api.ready();
    assert.equal(api.current(), app.listener);
    assert.deepEqual(errors, []);
    await api.close();
    assert.equal(closed, 1, "closing the origin's API stops its quote workers");
  });
});

describe("the origin's /rpc in front of a chain", () => {
  let chain: Server;
  let origin: Server;
  let url: string;
  const forwarded: unknown[] = [];
  let durable: () => Promise<void> = async () => {};
  let closed: string | undefined;

  before(async () => {
    // A stand-in chain at head 0x64 that answers every call with a hash, slowly for "slow".
    chain = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        const call = JSON.parse(body) as { id: number; method: string; params: unknown[] };
        forwarded.push(call);
        const result = call.method === "eth_blockNumber" ? "0x64" : `0x${"ab".repeat(32)}`;
        const answer = () => {
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify({ jsonrpc: "2.0", id: call.id, result }));
        };
        if (call.params?.[0] === "slow") setTimeout(answer, 1_500);
        else answer();
      });
    });
    const target = await listen(chain);
    origin = createServer(
      createStackApp({
        distDir: "/nonexistent",
        targets: { api: target, indexer: target, rpc: target },
        describe: (part) => `the ${part} is restarting`,
        config: () => undefined,
        health: async () => ({ healthy: true, body: {} }),
        rpcTimeoutMs: 1_000,
        rpcBudget: new ClientBudget({
          calls: { burst: 5, perSecond: 0.001 },
          nodeMs: { burst: 60_000, perSecond: 1 },
          inFlight: 4,
        }),
        rpcClosed: () => closed,
        durable: () => durable(),
      }),
    );
    url = await listen(origin);
  });
  after(async () => {
    for (const s of [origin, chain]) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  });

  const post = async (body: unknown) => {
    const response = await fetch(`${url}/rpc`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as any };
  };
  const send = { jsonrpc: "2.0", id: 7, method: "eth_sendRawTransaction", params: ["0x02"] };

  it("forwards a log query clamped to the head and a call with its gas capped", async () => {
    await post({ jsonrpc: "2.0", id: 1, method: "eth_getLogs", params: [{ fromBlock: "0x0", toBlock: "0xffffffff" }] });
    assert.deepEqual((forwarded.at(-1) as { params: unknown[] }).params[0], { fromBlock: "0x0", toBlock: "0x64" });
    await post({ jsonrpc: "2.0", id: 2, method: "eth_call", params: [{ data: "0x5b600056" }, "latest"] });
    assert.equal((forwarded.at(-1) as { params: { gas: string }[] }).params[0].gas, "0x1e8480");
  });

  it("answers a sent transaction only after the journal has it, and says so when it cannot", async () => {
    let release!: () => void;
    durable = () => new Promise<void>((resolve) => (release = resolve));
    let answered = false;
    const pending = post(send).then((r) => {
      answered = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(answered, false, "held while the block is not journaled");
    release();
    assert.equal((await pending).body.result, `0x${"ab".repeat(32)}`);
    durable = async () => {
      throw new Error("the disk is full");
    };
    const lost = await post(send);
    assert.equal(lost.body.id, 7);
    assert.match(lost.body.error.message, /reached the chain but the stack could not record it \(the disk is full\)/);
    durable = async () => {};
  });

  it("gives up on a chain that does not answer in time with 504, and answers 503 while the node restarts", async () => {
    const slow = await post({ jsonrpc: "2.0", id: 3, method: "eth_getBalance", params: ["slow"] });
    assert.equal(slow.status, 504);
    assert.match(slow.body.error.message, /did not answer within 1 s/);
    closed = "the chain node is restarting";
    const restarting = await post({ jsonrpc: "2.0", id: 4, method: "eth_chainId" });
    assert.equal(restarting.status, 503);
    closed = undefined;
  });

  it("asks a client past its budget to wait (429 with Retry-After)", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await post({ jsonrpc: "2.0", id: i, method: "eth_chainId" })).status);
    assert.ok(statuses.includes(429), `${statuses}`);
  });
});

describe("the chain gateway of the stack's own services", () => {
  let chain: Server;
  let gateway: Server;
  let url: string;
  const forwarded: string[] = [];
  let durable: () => Promise<void> = async () => {};
  let closed: string | undefined;

  before(async () => {
    // A stand-in node: answers each call (or batch) with the call's id and method.
    chain = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        forwarded.push(body);
        const calls = JSON.parse(body) as { id: number; method: string }[] | { id: number; method: string };
        const answer = (c: { id: number; method: string }) => ({ jsonrpc: "2.0", id: c.id, result: c.method });
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(Array.isArray(calls) ? calls.map(answer) : answer(calls)));
      });
    });
    const target = await listen(chain);
    gateway = createServer(createChainGateway({ target, durable: () => durable(), closed: () => closed }));
    url = await listen(gateway);
  });
  after(async () => {
    for (const s of [gateway, chain]) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  });

  const post = async (body: string) => {
    const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
    return { status: response.status, body: (await response.json()) as any };
  };

  it("forwards any call and batch as it is, the node's test methods included", async () => {
    const mine = '{"jsonrpc":"2.0","id":1,"method":"evm_mine","params":[]}';
    assert.deepEqual((await post(mine)).body, { jsonrpc: "2.0", id: 1, result: "evm_mine" });
    assert.equal(forwarded.at(-1), mine);
    const batch =
      '[{"jsonrpc":"2.0","id":1,"method":"eth_chainId"},{"jsonrpc":"2.0","id":2,"method":"eth_blockNumber"}]';
    assert.deepEqual(
      (await post(batch)).body.map((a: { result: string }) => a.result),
      ["eth_chainId", "eth_blockNumber"],
    );
    assert.equal(forwarded.at(-1), batch);
  });

  it("holds a sent transaction's or a mined block's answer until the block is journaled, and answers others at once", async () => {
    let release!: () => void;
    durable = () => new Promise<void>((resolve) => (release = resolve));
    let answered = false;
    const send = post('{"jsonrpc":"2.0","id":"s","method":"eth_sendRawTransaction","params":["0x02"]}').then((r) => {
      answered = true;
      return r;
    });
    const read = await post('{"jsonrpc":"2.0","id":2,"method":"eth_getBalance","params":[]}');
    assert.equal(read.body.result, "eth_getBalance", "a read is not held");
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(answered, false, "held while the block is not journaled");
    release();
    assert.equal((await send).body.result, "eth_sendRawTransaction");
    // The seed's pooled transactions are mined on request: that answer waits for the journal too.
    let mined = false;
    const mine = post('{"jsonrpc":"2.0","id":3,"method":"evm_mine","params":[]}').then((r) => {
      mined = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(mined, false, "a block mined on request is held while it is not journaled");
    release();
    assert.equal((await mine).body.result, "evm_mine");
    durable = async () => {};
  });

  it("turns a send's hash into an error when its block cannot be journaled, leaving the batch's other answers", async () => {
    durable = async () => {
      throw new Error("the disk is full");
    };
    const { body } = await post(
      '[{"jsonrpc":"2.0","id":1,"method":"eth_chainId"},{"jsonrpc":"2.0","id":2,"method":"eth_sendRawTransaction","params":["0x02"]}]',
    );
    assert.equal(body[0].result, "eth_chainId");
    assert.equal(body[1].id, 2);
    assert.match(body[1].error.message, /reached the chain but the stack could not record it \(the disk is full\)/);
    durable = async () => {};
  });

  it("answers 503 while the node restarts, 503 when the node is gone, and 405 to anything but POST", async () => {
    closed = "the chain node is restarting";
    const restarting = await post('{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}');
    assert.equal(restarting.status, 503);
    assert.equal(restarting.body.error.message, "the chain node is restarting");
    closed = undefined;
    assert.equal((await fetch(url)).status, 405);
    const gone = createServer(
      createChainGateway({ target: `http://127.0.0.1:${await freePort()}`, durable, closed: () => undefined }),
    );
    const goneUrl = await listen(gone);
    const answer = await fetch(goneUrl, { method: "POST", body: '{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}' });
    assert.equal(answer.status, 503);
    assert.match(((await answer.json()) as any).error.message, /the chain node does not answer/);
    gone.close();
  });
});
