// The real `npm start`, run the way a fresh clone runs it (its prestart build included), on a
// temporary data folder with the demo market on: ready, serving every route, demo deals finalised,
// Ctrl-C stops everything; started again, the chain and the market are where they were.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import { parseStackConfig } from "../../protocol/stack-config.ts";
import { freePort } from "../helpers/local-chain.ts";
import { processesUnder, startStack } from "../helpers/stack.ts";

async function gql<T>(url: string, query: string): Promise<T> {
  const response = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query }),
  });
  const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors) throw new Error(body.errors.map((e) => e.message).join("; "));
  return body.data!;
}

async function rpc(
  url: string,
  method: string,
  params: unknown[] = [],
): Promise<{ result?: any; error?: { code: number; message: string } }> {
  const response = await fetch(`${url}/rpc`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  return (await response.json()) as never;
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

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

type Health = { status: string; parts: Record<string, { state: string }> };
type Bid = { id: string; owner: string; quantity: string };

describe("npm start", { timeout: 20 * 60_000 }, () => {
  let dataDir: string;
  let env: Record<string, string>;
  let port: number;
  let nodePort: number;
  // What the first run saw, for the second to find again.
  const seen = { finalized: [] as string[], bids: [] as Bid[], hashes: new Map<number, string>() };

  before(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "ccex-stack-"));
    port = await freePort();
    nodePort = await freePort();
    env = { PORT: String(port), NODE_PORT: String(nodePort), DATA_DIR: dataDir, DEMO: "on", LOG_LEVEL: "info" };
  });
  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it("starts the whole exchange behind one URL, finalises demo deals and stops on Ctrl-C leaving nothing running", async () => {
    const stack = await startStack(env, { how: "npm" });
    let stopped = false;
    try {
      assert.equal(stack.url, `http://127.0.0.1:${port}`);
      assert.match(stack.output(), /demo accounts/);

      const page = await fetch(`${stack.url}/`);
      assert.equal(page.status, 200);
      assert.match(page.headers.get("content-type") ?? "", /text\/html/);
      const html = await page.text();
      assert.match(html, /<div id="root">/);
      const script = /<script[^>]+src="(\/assets\/[^"]+\.js)"/.exec(html);
      assert.ok(script, "the page loads its script from /assets");
      const asset = await fetch(`${stack.url}${script[1]}`);
      assert.equal(asset.status, 200);
      assert.match(asset.headers.get("content-type") ?? "", /javascript/);
      // The page's own routes get the page too.
      assert.match(await (await fetch(`${stack.url}/market/compute`)).text(), /<div id="root">/);

      const config = parseStackConfig(await (await fetch(`${stack.url}/config.json`)).json());
      assert.equal(config.chainId, 31337);
      assert.equal(config.local, true);
      assert.equal(config.rpcUrl, "/rpc");
      assert.equal(config.demoAccounts.length, 6);

      assert.equal((await rpc(stack.url, "evm_mine")).error?.code, -32601);
      assert.equal((await rpc(stack.url, "eth_sendTransaction", [{}])).error?.code, -32601);
      const head = Number((await rpc(stack.url, "eth_blockNumber")).result);
      assert.ok(head > 100, `three days of demo history on the chain (head ${head})`);

      const status = await gql<{ status: { indexedBlock: number } }>(stack.url, "{ status { indexedBlock } }");
      assert.ok(status.status.indexedBlock > 0);
      // A subscription streams through the proxy: the book's first event arrives while the stream stays open.
      const events = new AbortController();
      const stream = await fetch(
        `${stack.url}/graphql?query=${encodeURIComponent("subscription { orderBook(resource: COMPUTE) { resource } }")}`,
        {
          headers: { accept: "text/event-stream" },
          signal: events.signal,
        },
      );
      assert.match(stream.headers.get("content-type") ?? "", /text\/event-stream/);
      const reader = stream.body!.getReader();
      let received = "";
      while (!/"resource":"COMPUTE"/.test(received)) {
        const { value, done } = await reader.read();
        assert.equal(done, false, `the stream ended before its first event: ${received}`);
        received += new TextDecoder().decode(value);
      }
      events.abort();

      let health: Health | undefined;
      for (let i = 0; i < 40; i++) {
        const response = await fetch(`${stack.url}/health`);
        health = (await response.json()) as Health;
        if (response.status === 200) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      assert.equal(health!.status, "ok", JSON.stringify(health));
      for (const part of ["chain", "deployment", "indexer", "api", "matcher", "keeper", "demo", "web"]) {
        assert.equal(health!.parts[part]?.state, "up", `${part} is up: ${JSON.stringify(health!.parts[part])}`);
      }

      const deadline = Date.now() + 5 * 60_000;
      for (;;) {
        const { deals } = await gql<{ deals: { nodes: { id: string }[] } }>(
          stack.url,
          "{ deals(filter: { status: FINALIZED }, first: 20) { nodes { id } } }",
        );
        if (deals.nodes.length > 0) {
          seen.finalized = deals.nodes.map((d) => d.id);
          break;
        }
        assert.ok(Date.now() < deadline, "a demo deal reaches FINALIZED within 5 minutes");
        await new Promise((r) => setTimeout(r, 2_000));
      }
      const { orders } = await gql<{ orders: { nodes: Bid[] } }>(
        stack.url,
        "{ orders(filter: { kind: BID }, first: 20) { nodes { id owner quantity } } }",
      );
      assert.ok(orders.nodes.length > 0, "the demo posted bids");
      seen.bids = orders.nodes;
      for (const n of [1, 10, Math.floor(head / 2), head]) {
        seen.hashes.set(n, (await rpc(stack.url, "eth_getBlockByNumber", [`0x${n.toString(16)}`, false])).result.hash);
      }

      assert.doesNotMatch(JSON.stringify(health), /"pid"|"\//, "the public /health names no pids and no paths");
      const pids = processesUnder(stack.process.pid!)
        .filter((p) => p.command.includes("child-guard"))
        .map((p) => p.pid);
      assert.equal(pids.length, 6, "node, indexer, API, demo, matcher and keeper each run as a process");
      const exit = await stack.interrupt();
      stopped = true;
      // npm waits for its script, then ends itself by the SIGINT it received, as shells expect; the
      // stack's own exit code is checked on the direct run below.
      assert.ok(exit.code === 0 || exit.signal === "SIGINT", `${JSON.stringify(exit)}\n${stack.output()}`);
      assert.match(stack.output(), /chain journal complete up to block \d+/);
      assert.match(stack.output(), /CCEX stopped/);
      for (const pid of pids) assert.equal(alive(pid), false, `process ${pid} ended`);
      assert.equal(await listening(port), false, "PORT closed");
      assert.equal(await listening(nodePort), false, "NODE_PORT closed");
    } finally {
      if (!stopped) await stack.interrupt();
    }
  });

  it("starts again on the same data folder and finds the same chain and market", async () => {
    assert.ok(seen.finalized.length > 0, "the first run recorded the market");
    const stack = await startStack(env);
    let stopped = false;
    try {
      assert.match(stack.output(), /replayed \d+ blocks/);
      assert.match(stack.output(), /block hashes match the journal/);
      assert.match(stack.output(), /deployment reused/);
      for (const [n, hash] of seen.hashes) {
        assert.equal(
          (await rpc(stack.url, "eth_getBlockByNumber", [`0x${n.toString(16)}`, false])).result.hash,
          hash,
          `block ${n}`,
        );
      }
      for (const id of seen.finalized) {
        const { deal } = await gql<{ deal: { status: string } | null }>(stack.url, `{ deal(id: "${id}") { status } }`);
        assert.equal(deal?.status, "FINALIZED", `deal ${id}`);
      }
      for (const bid of seen.bids) {
        const { order } = await gql<{ order: Bid | null }>(
          stack.url,
          `{ order(kind: BID, id: "${bid.id}") { id owner quantity } }`,
        );
        assert.deepEqual(order, bid);
      }
      assert.deepEqual(await stack.interrupt(), { code: 0, signal: null }, stack.output());
      stopped = true;
      assert.match(stack.output(), /CCEX stopped/);
    } finally {
      if (!stopped) await stack.interrupt();
    }
  });
});
