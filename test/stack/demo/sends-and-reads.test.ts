// The demo's chain clients send to RPC_URL (the stack's gateway, which answers a send once its block is
// journaled) and read from READ_RPC_URL (the node itself): a counting proxy in front of a real node
// stands in for the gateway and sees every send and clock move, and no read.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { after, before, describe, it } from "node:test";

import { parseEther } from "viem";

import { devAccount } from "../../../protocol/accounts.ts";
import type { Deployment } from "../../../protocol/deployment.ts";
import { DemoChain } from "../../../stack/demo/chain.ts";
import { loadDemoConfig } from "../../../stack/demo/config.ts";
import { type Node, startNode } from "../../helpers/local-chain.ts";

describe("the demo's sends and reads", () => {
  let node: Node;
  let gateway: Server;
  let gatewayUrl: string;
  const proxied: string[] = [];

  before(async () => {
    node = await startNode();
    gateway = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks).toString("utf8");
      const calls = JSON.parse(body) as { method: string } | { method: string }[];
      for (const call of Array.isArray(calls) ? calls : [calls]) proxied.push(call.method);
      const answer = await fetch(node.url, { method: "POST", headers: { "content-type": "application/json" }, body });
      res.writeHead(answer.status, { "content-type": "application/json" });
      res.end(await answer.text());
    });
    await new Promise<void>((resolve) => gateway.listen(0, "127.0.0.1", resolve));
    gatewayUrl = `http://127.0.0.1:${(gateway.address() as { port: number }).port}`;
  });

  after(async () => {
    gateway?.close();
    await node?.stop();
  });

  const deployment = { chainId: 31337, contracts: {} } as unknown as Deployment;

  it("sends transactions and moves the clock through RPC_URL, and reads from READ_RPC_URL", async () => {
    const chain = new DemoChain(gatewayUrl, deployment, node.url);
    const to = devAccount(12).address;
    const before = await chain.publicClient.getBalance({ address: to });
    await chain.moveTo((await chain.now()) + 3_600);
    const receipt = await chain.transfer(devAccount(11), to, parseEther("1"));
    assert.equal(receipt.status, "success");
    assert.equal(await chain.publicClient.getBalance({ address: to }), before + parseEther("1"));
    assert.deepEqual(proxied, ["evm_setNextBlockTimestamp", "eth_sendRawTransaction"]);
  });

  it("sends and reads through RPC_URL alone when READ_RPC_URL is not given", async () => {
    proxied.length = 0;
    const chain = new DemoChain(gatewayUrl, deployment);
    await chain.transfer(devAccount(11), devAccount(12).address, parseEther("1"));
    assert.ok(proxied.includes("eth_sendRawTransaction"));
    assert.ok(proxied.includes("eth_getTransactionReceipt"), `only ${proxied.join(", ")}`);
  });

  it("reads READ_RPC_URL from the environment, RPC_URL when it is unset, and names a bad one", () => {
    const env = { RPC_URL: "http://127.0.0.1:9001", READ_RPC_URL: "http://127.0.0.1:9002" };
    assert.equal(loadDemoConfig(env).readRpcUrl, "http://127.0.0.1:9002");
    assert.equal(loadDemoConfig({ RPC_URL: env.RPC_URL }).readRpcUrl, env.RPC_URL);
    assert.throws(() => loadDemoConfig({ ...env, READ_RPC_URL: "ws://127.0.0.1:9002" }), /READ_RPC_URL/);
  });
});
