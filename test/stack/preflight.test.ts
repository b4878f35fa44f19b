// Bad configuration stops `npm start` before anything starts: one line on stderr, a non-zero exit,
// no node, no port taken, no data folder written.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import { freePort, ROOT } from "../helpers/local-chain.ts";

const KEY = `0x${"ab".repeat(32)}`;

type Run = { code: number | null; stdout: string; stderr: string };

/** Runs the stack's entry point as `npm start` does after its build, with only the given settings. */
function start(env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["stack/main.ts"], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the stack did not stop within 30 s: ${stdout}${stderr}`));
    }, 30_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
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

/** The one line of a refusal. */
function oneLine(run: Run): string {
  const lines = run.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `one line on stderr, got: ${run.stderr}`);
  assert.equal(run.stdout, "", "nothing reported as starting");
  return lines[0];
}

describe("npm start refuses bad configuration", () => {
  let dir: string;
  let dataDir: string;
  let nodePort: number;
  let port: number;
  let deploymentFile: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "ccex-preflight-"));
    dataDir = path.join(dir, "data");
    nodePort = await freePort();
    port = await freePort();
    deploymentFile = path.join(dir, "1.json");
    const address = `0x${"11".repeat(20)}`;
    const roles = {
      admin: address,
      matcher: address,
      arbiter: address,
      pauser: address,
      registrar: address,
      treasury: address,
    };
    const contracts = {
      Market: address,
      GreenCertificates: address,
      CarbonCredits: address,
      SettlementToken: address,
      BatchSettlement: address,
      OrderPosting: address,
      DealClosing: address,
    };
    await writeFile(
      deploymentFile,
      JSON.stringify({
        chainId: 1,
        startBlock: 1,
        deployedAt: "2026-01-01T00:00:00Z",
        deployer: address,
        contracts,
        localSettlementToken: false,
        roles,
        ignitionDeploymentId: "x",
      }),
    );
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function nothingStarted(): Promise<void> {
    assert.equal(existsSync(dataDir), false, "DATA_DIR untouched");
    assert.equal(await listening(nodePort), false, "no node on NODE_PORT");
    assert.equal(await listening(port), false, "PORT not taken");
  }

  it("an invalid RPC_URL: exit 2, naming the variable", async () => {
    const run = await start({
      RPC_URL: "localhost:8545",
      DEPLOYMENT: deploymentFile,
      MATCHER_PRIVATE_KEY: KEY,
      DATA_DIR: dataDir,
      PORT: String(port),
    });
    assert.equal(run.code, 2);
    assert.match(oneLine(run), /^ccex: invalid configuration: RPC_URL: expected an http\(s\) URL$/);
    await nothingStarted();
  });

  it("an RPC_URL nobody answers: exit 1, naming the variable", async () => {
    const dead = await freePort();
    const run = await start({
      RPC_URL: `http://127.0.0.1:${dead}`,
      DEPLOYMENT: deploymentFile,
      MATCHER_PRIVATE_KEY: KEY,
      DATA_DIR: dataDir,
      PORT: String(port),
    });
    assert.equal(run.code, 1);
    assert.match(oneLine(run), new RegExp(`^ccex: RPC_URL: http://127\\.0\\.0\\.1:${dead} is not reachable`));
    await nothingStarted();
  });

  it("an RPC_URL of another chain than the deployment's: exit 1", async () => {
    // A JSON-RPC endpoint of chain 31337 against a deployment for chain 1.
    const fake: Server = createServer((_req, res) =>
      res.end(JSON.stringify({ jsonrpc: "2.0", id: 1, result: "0x7a69" })),
    );
    await new Promise<void>((resolve) => fake.listen(0, "127.0.0.1", resolve));
    try {
      const { port: rpcPort } = fake.address() as { port: number };
      const run = await start({
        RPC_URL: `http://127.0.0.1:${rpcPort}`,
        DEPLOYMENT: deploymentFile,
        MATCHER_PRIVATE_KEY: KEY,
        DATA_DIR: dataDir,
        PORT: String(port),
      });
      assert.equal(run.code, 1);
      assert.match(oneLine(run), /^ccex: RPC_URL: the node is chain 31337, but DEPLOYMENT .*1\.json is for chain 1$/);
      await nothingStarted();
    } finally {
      fake.close();
    }
  });

  it("an unreachable DATABASE_URL: exit 1, no node started, the password not shown", async () => {
    const dead = await freePort();
    const run = await start({
      DATABASE_URL: `postgres://ccex:s3cret@127.0.0.1:${dead}/ccex`,
      DATA_DIR: dataDir,
      PORT: String(port),
      NODE_PORT: String(nodePort),
    });
    assert.equal(run.code, 1);
    const line = oneLine(run);
    assert.match(line, new RegExp(`^ccex: DATABASE_URL: cannot use postgres://ccex@127\\.0\\.0\\.1:${dead}/ccex \\(`));
    assert.ok(!line.includes("s3cret"));
    await nothingStarted();
  });

  it("a PORT in use: exit 1, no node started", async () => {
    const taken: Server = createServer((_req, res) => res.end("someone else"));
    await new Promise<void>((resolve) => taken.listen(port, "127.0.0.1", resolve));
    try {
      const run = await start({ DATA_DIR: dataDir, PORT: String(port), NODE_PORT: String(nodePort) });
      assert.equal(run.code, 1);
      assert.match(oneLine(run), new RegExp(`^ccex: PORT: 127\\.0\\.0\\.1:${port} is already in use`));
      assert.equal(existsSync(dataDir), false, "DATA_DIR untouched");
      assert.equal(await listening(nodePort), false, "no node on NODE_PORT");
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it("a NODE_PORT in use: exit 1", async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(nodePort, "127.0.0.1", resolve));
    try {
      const run = await start({ DATA_DIR: dataDir, PORT: String(port), NODE_PORT: String(nodePort) });
      assert.equal(run.code, 1);
      assert.match(oneLine(run), new RegExp(`^ccex: NODE_PORT: 127\\.0\\.0\\.1:${nodePort} is already in use`));
      assert.equal(existsSync(dataDir), false, "DATA_DIR untouched");
      assert.equal(await listening(port), false, "PORT not taken");
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});
