// Attacks on a real `npm start` (demo off), each as it was reproduced against the stack, and what
// must hold afterwards: the node keeps answering, /graphql keeps serving, the API's rate limit holds,
// the origin serves only its own names, a sent transaction survives kill -9, a hung node shows on
// /health, is restarted, and does not hold up a stop.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { request } from "node:http";
import { connect } from "node:net";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import { createWalletClient, defineChain, http, parseEther } from "viem";
import { privateKeyToAccount } from "viem/accounts";

import { demoAccounts } from "../../protocol/accounts.ts";
import { freePort, ROOT } from "../helpers/local-chain.ts";
import { processesUnder, type RunningStack, startStack } from "../helpers/stack.ts";

type Health = { status: string; parts: Record<string, { state: string; head?: number; journaledBlock?: number }> };

/** A JSON POST from a given loopback address (each address is its own client to the origin). */
function post(
  url: string,
  body: unknown,
  { from = "127.0.0.1", timeoutMs = 10_000, headers = {} as Record<string, string> } = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        localAddress: from,
        agent: false,
        timeout: timeoutMs,
      },
      (res) => {
        let text = "";
        res.on("data", (c: Buffer) => (text += c.toString()));
        res.on("end", () => {
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON: kept as text
          }
          resolve({ status: res.statusCode!, headers: res.headers, body: parsed });
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer from ${url} within ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}

function rpc(url: string, body: unknown, options: { from?: string; timeoutMs?: number } = {}) {
  return post(`${url}/rpc`, body, options);
}

async function health(url: string): Promise<{ status: number; body: Health }> {
  const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(10_000) });
  return { status: response.status, body: (await response.json()) as Health };
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    assert.ok(Date.now() < deadline, `${what} within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** An open subscription through the origin from a given loopback address; resolves with its status. */
function subscribe(url: string, localAddress: string): Promise<{ status: number; close: () => void }> {
  const query = encodeURIComponent("subscription { status { indexedBlock } }");
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/graphql?query=${query}`,
      { headers: { accept: "text/event-stream" }, localAddress, agent: false },
      (res) => {
        res.on("data", () => undefined);
        res.on("error", () => undefined);
        resolve({ status: res.statusCode!, close: () => req.destroy() });
      },
    );
    req.on("error", reject);
    req.end();
  });
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

function nodePid(stack: RunningStack): number {
  const node = processesUnder(stack.process.pid!).find(
    (p) => p.command.includes("hardhat") && / node /.test(p.command),
  );
  assert.ok(node, "the chain node runs under the stack");
  return node.pid;
}

const buyer = demoAccounts().find((a) => a.role === "buyer")!;
const local = defineChain({
  id: 31337,
  name: "CCEX local",
  nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
  rpcUrls: { default: { http: ["http://127.0.0.1"] } },
});

describe("a stack under attack", { timeout: 20 * 60_000 }, () => {
  let stack: RunningStack;
  let env: Record<string, string>;

  before(async () => {
    env = { DEMO: "off", NODE_PORT: String(await freePort()), PORT: String(await freePort()) };
    stack = await startStack(env);
  });
  after(async () => {
    if (stack.process.exitCode === null && stack.process.signalCode === null) await stack.stop();
  });

  it("answers a log query to block 2^64, endless-loop calls and a batch of them at once, and stays healthy", async () => {
    const started = Date.now();
    // An attacker of its own: the budget it spends is not the other tests'.
    const from = "127.0.3.1";
    const logs = await rpc(
      stack.url,
      {
        jsonrpc: "2.0",
        id: 1,
        method: "eth_getLogs",
        params: [{ fromBlock: "0x0", toBlock: "0xffffffffffffffff" }],
      },
      { from },
    );
    assert.equal(logs.status, 200);
    assert.ok(Array.isArray(logs.body.result), JSON.stringify(logs.body).slice(0, 300));
    const loop = (id: number) => ({
      jsonrpc: "2.0",
      id,
      method: "eth_call",
      params: [{ data: "0x5b600056" }, "latest"],
    });
    const one = await rpc(stack.url, loop(2), { from });
    assert.match(one.body.error?.message ?? "", /out of gas/, "the loop ends at the gas cap");
    const batch = await rpc(
      stack.url,
      Array.from({ length: 100 }, (_, i) => loop(i)),
      { from },
    );
    assert.equal(batch.body.length, 100);
    assert.match(batch.body[4].error.message, /at most \d+ per request/, "a batch of loops is refused, not run");
    assert.ok(Date.now() - started < 20_000, `the attack took ${Date.now() - started} ms`);
    // A client that keeps the node busy waits its turn.
    const flood = await Promise.all(
      Array.from({ length: 12 }, (_, i) => rpc(stack.url, loop(i), { from, timeoutMs: 30_000 })),
    );
    assert.ok(
      flood.some((r) => r.status === 429),
      `a flood of loops is rate-limited: ${flood.map((r) => r.status)}`,
    );
    const after = await health(stack.url);
    assert.equal(after.status, 200, JSON.stringify(after.body));
  });

  it("keeps /graphql serving queries while subscriptions are held open, limited per client and in all", async () => {
    const open: { close: () => void }[] = [];
    try {
      const mine = [];
      for (let i = 0; i < 9; i++) mine.push(await subscribe(stack.url, "127.0.0.1"));
      open.push(...mine);
      assert.deepEqual(
        mine.map((s) => s.status),
        [...Array(8).fill(200), 429],
        "the ninth subscription of one client is refused",
      );
      // 8 each from 40 more addresses: past the 200 the stack holds, and past the proxy's 256 sockets.
      const others = await Promise.all(
        Array.from({ length: 40 }, async (_, a) => {
          const streams = [];
          for (let i = 0; i < 8; i++) streams.push(await subscribe(stack.url, `127.0.1.${a + 1}`));
          return streams;
        }),
      );
      open.push(...others.flat());
      const statuses = others.flat().map((s) => s.status);
      assert.equal(statuses.filter((s) => s === 200).length, 200 - 8, "the stack holds 200 subscriptions in all");
      assert.ok(statuses.includes(503), "the 201st is refused");
      const query = await fetch(`${stack.url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: "{ status { indexedBlock } }" }),
        signal: AbortSignal.timeout(5_000),
      });
      assert.equal(query.status, 200, "a query is served while every subscription slot is taken");
      const seen = await health(stack.url);
      assert.equal(seen.status, 200, JSON.stringify(seen.body));
      assert.deepEqual((seen.body.parts.indexer as { subscriptions?: unknown }).subscriptions, {
        open: 200,
        limit: 200,
      });
    } finally {
      for (const s of open) s.close();
    }
  });

  it("keys the API's rate limit on the connection, whatever X-Forwarded-For a client sends", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 320; i++) {
      const response = await fetch(`${stack.url}/api/proposals`, {
        headers: { "x-forwarded-for": `10.0.${i >> 8}.${i & 255}` },
      });
      await response.arrayBuffer();
      statuses.push(response.status);
    }
    assert.ok(statuses.includes(429), `spoofed addresses do not get fresh buckets: ${new Set(statuses)}`);
  });

  it("serves only its own host names and lets no other site read its answers", async () => {
    // A page whose name was rebound to 127.0.0.1 reads the stack with its own name in Host.
    const rebound = await post(
      `${stack.url}/rpc`,
      { jsonrpc: "2.0", id: 1, method: "eth_chainId" },
      {
        headers: { host: "attacker.example:8080" },
      },
    );
    assert.equal(rebound.status, 421);
    assert.match(rebound.body.error, /ALLOWED_HOSTS/);
    const config = await new Promise<number>((resolve, reject) =>
      request(`${stack.url}/config.json`, { headers: { host: "attacker.example" } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      })
        .on("error", reject)
        .end(),
    );
    assert.equal(config, 421, "/config.json (the dev keys) is not read under another name");
    const cors = await post(
      `${stack.url}/graphql`,
      { query: "{ status { indexedBlock } }" },
      { headers: { origin: "https://attacker.example", cookie: "a=1" } },
    );
    assert.equal(cors.status, 200);
    assert.equal(cors.headers["access-control-allow-origin"], undefined);
    assert.equal(cors.headers["access-control-allow-credentials"], undefined);
  });

  it("answers malformed GraphQL variables and forged cursors with 400-class errors naming the field", async () => {
    const query = encodeURIComponent("{ status { indexedBlock } }");
    const get = await fetch(`${stack.url}/graphql?query=${query}&variables=%7Bnope`);
    assert.equal(get.status, 400);
    assert.match(await get.text(), /variables: not JSON/);
    const cursor = Buffer.from(JSON.stringify(["x", { a: 1 }])).toString("base64url");
    const forged = await fetch(`${stack.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: `{ orders(first: 2, after: "${cursor}") { nodes { id } } }` }),
    });
    const body = (await forged.json()) as { errors: { extensions: { code: string; field?: string } }[] };
    assert.equal(body.errors[0].extensions.code, "BAD_USER_INPUT");
    assert.equal(body.errors[0].extensions.field, "after");
  });

  it("shows no pids or paths on /health", async () => {
    const { body } = await health(stack.url);
    assert.doesNotMatch(JSON.stringify(body), /"pid"|"\//);
  });

  it("answers a sent transaction only once its block is journaled, so kill -9 right after loses nothing", async () => {
    const wallet = createWalletClient({
      account: privateKeyToAccount(buyer.privateKey as `0x${string}`),
      chain: local,
      transport: http(`${stack.url}/rpc`, { retryCount: 0 }),
    });
    const hash = await wallet.sendTransaction({ to: buyer.address as `0x${string}`, value: parseEther("0.001") });
    process.kill(stack.process.pid!, "SIGKILL");
    await stack.exited;
    await until("the killed stack's node lets go of its port", 30_000, async () =>
      (await listening(Number(env.NODE_PORT))) ? undefined : true,
    );
    stack = await startStack({ ...env, DATA_DIR: stack.dataDir });
    const receipt = await rpc(stack.url, {
      jsonrpc: "2.0",
      id: 1,
      method: "eth_getTransactionReceipt",
      params: [hash],
    });
    assert.equal(receipt.body.result?.status, "0x1", `transaction ${hash} survived kill -9:\n${stack.output()}`);
  });

  it("shows a node that runs but does not answer, and restarts it from the journal", async () => {
    const before = await health(stack.url);
    const head = before.body.parts.chain.head!;
    const pid = nodePid(stack);
    process.kill(pid, "SIGSTOP");
    try {
      const hung = await until("/health shows the hung node", 20_000, async () => {
        const h = await health(stack.url);
        return h.body.parts.chain.state === "not answering" ? h : undefined;
      });
      assert.equal(hung.status, 503);
      await until("the node is restarted and answers again", 180_000, async () => {
        const h = await health(stack.url);
        return h.body.parts.chain.state === "up" && h.status === 200 ? h : undefined;
      });
      assert.match(stack.output(), /restarting it from the journal/);
      assert.match(stack.output(), /chain node restarted at block \d+/);
      const now = Number((await rpc(stack.url, { jsonrpc: "2.0", id: 1, method: "eth_blockNumber" })).body.result);
      assert.ok(now >= head, `the restarted chain has its history (head ${now}, was ${head})`);
    } finally {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already replaced
      }
    }
  });

  it("stops within its bound when the node hangs", async () => {
    process.kill(nodePid(stack), "SIGSTOP");
    const started = Date.now();
    const exit = await stack.interrupt();
    const took = Date.now() - started;
    assert.ok(took < 45_000, `stopped in ${took} ms`);
    assert.match(stack.output(), /CCEX stopped/);
    assert.equal(exit.code, 0, stack.output());
  });
});

describe("a local chain's dev keys", () => {
  it("are not served on a non-loopback HOST unless EXPOSE_DEV_KEYS=on", async () => {
    const child = spawn(process.execPath, [path.join(ROOT, "stack", "main.ts")], {
      cwd: ROOT,
      env: { ...process.env, HOST: "0.0.0.0", PORT: String(await freePort()) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    const code = await new Promise((resolve) => child.once("exit", resolve));
    assert.equal(code, 2);
    assert.match(output, /HOST: .*public dev keys.*EXPOSE_DEV_KEYS=on/);
  });
});
