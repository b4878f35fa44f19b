// The operator's setup: an existing chain (RPC_URL + DEPLOYMENT) and the matcher's and keeper's keys.
// The stack then runs no node and no demo, writes no chain journal, serves the same origin, and
// leaves the chain running when it stops.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import { ACCOUNT_PLAN, devAccount } from "../../protocol/accounts.ts";
import { parseStackConfig } from "../../protocol/stack-config.ts";
import { deployExchange, freePort, type Node, ROOT, rpc, startNode } from "../helpers/local-chain.ts";

describe("npm start on an existing chain", { timeout: 5 * 60_000 }, () => {
  let dir: string;
  let node: Node;
  let deploymentFile: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "ccex-operator-"));
    node = await startNode();
    deploymentFile = (await deployExchange(node, dir)).file;
  });
  after(async () => {
    await node?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("serves the origin for that chain and stops without touching it", async () => {
    const port = await freePort();
    const dataDir = path.join(dir, "data");
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: String(port),
      DATA_DIR: dataDir,
      RPC_URL: node.url,
      DEPLOYMENT: deploymentFile,
      MATCHER_PRIVATE_KEY: devAccount(ACCOUNT_PLAN.matcher).privateKey,
      KEEPER_PRIVATE_KEY: devAccount(ACCOUNT_PLAN.keeper).privateKey,
      CHAIN_NAME: "Test chain",
      EXPLORER_TX_URL: "https://scan.example/tx/{hash}",
    };
    const child = spawn(process.execPath, ["stack/main.ts"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    const reap = () => child.kill("SIGKILL");
    process.once("exit", reap);
    try {
      const deadline = Date.now() + 3 * 60_000;
      while (!/^CCEX is ready at /m.test(output)) {
        assert.equal(child.exitCode, null, output);
        assert.ok(Date.now() < deadline, `not ready in time:\n${output}`);
        await new Promise((r) => setTimeout(r, 250));
      }
      const url = `http://127.0.0.1:${port}`;
      assert.match(output, /CCEX stack: chain 31337 at 127\.0\.0\.1:\d+/);
      assert.doesNotMatch(output, /chain node|demo/);

      const health = (await (await fetch(`${url}/health`)).json()) as {
        status: string;
        parts: Record<string, { state: string; kind?: string }>;
      };
      assert.equal(health.status, "ok", JSON.stringify(health));
      assert.equal(health.parts.chain.kind, "remote");
      assert.equal(health.parts.demo.state, "off");
      assert.equal(health.parts.keeper.state, "up");

      const config = parseStackConfig(await (await fetch(`${url}/config.json`)).json());
      assert.equal(config.local, false);
      assert.equal(config.chainName, "Test chain");
      assert.deepEqual(config.demoAccounts, []);
      assert.equal(config.explorerTxUrl, "https://scan.example/tx/{hash}");

      const head = await (
        await fetch(`${url}/rpc`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}',
        })
      ).json();
      assert.equal((head as { result: string }).result, await rpc(node.url, "eth_blockNumber"));
      assert.equal(
        existsSync(path.join(dataDir, "chain")),
        false,
        "no chain journal for a chain the stack does not run",
      );

      child.kill("SIGINT");
      assert.equal(await exited, 0, output);
      assert.equal(await rpc(node.url, "eth_chainId"), "0x7a69", "the chain still runs");
    } finally {
      process.removeListener("exit", reap);
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });
});
