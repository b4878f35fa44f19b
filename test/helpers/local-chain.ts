// A private `hardhat node` on a free loopback port, with the exchange deployed on it by the project's
// own deploy script. Shared by every test (and benchmark) that needs a real node in another process.
import { spawn, type ChildProcess } from "node:child_process";
import { rm } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";
import { readDeployment, type Deployment } from "../../protocol/deployment.ts";

export const ROOT = path.resolve(import.meta.dirname, "..", "..");
const HARDHAT = path.join(ROOT, "node_modules", "hardhat", "dist", "src", "cli.js");

/** A loopback port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** One raw JSON-RPC call (for the node's test methods such as evm_mine, which viem's clients don't type). */
export async function rpc(url: string, method: string, params: unknown[] = []): Promise<any> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await res.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}

export type Node = { url: string; port: number; process: ChildProcess; stop(): Promise<void> };

/** Starts `hardhat node` on a free loopback port; resolves once it answers JSON-RPC. */
export async function startNode(): Promise<Node> {
  const port = await freePort();
  const child = spawn(process.execPath, [HARDHAT, "node", "--hostname", "127.0.0.1", "--port", String(port)], {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
  // Even if the test process dies of an error, the node must not outlive it.
  const reap = () => child.kill("SIGKILL");
  process.once("exit", reap);
  child.once("exit", () => process.removeListener("exit", reap));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`hardhat node exited: ${stderr}`);
    try {
      await rpc(url, "eth_chainId");
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new Error(`hardhat node did not start on ${port}: ${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url,
    port,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

let deployments = 0;

/**
 * Runs scripts/deploy.ts against the node and reads back the file it writes. Each run gets its own
 * Ignition deployment id, removed afterwards, so test nodes (all chain 31337) never resume one
 * another's deployment.
 */
export async function deployExchange(
  node: Node,
  outDir: string,
): Promise<{ chainId: number; file: string; deployment: Deployment }> {
  const id = `test-${process.pid}-${++deployments}`;
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [path.join(ROOT, "scripts", "deploy.ts"), "--rpc-url", node.url, "--out", outDir, "--deployment-id", id, "--reset"],
        { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
      );
      let out = "";
      child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
      child.stderr!.on("data", (c: Buffer) => (out += c.toString()));
      child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`deploy failed (${code}): ${out}`))));
    });
  } finally {
    await rm(path.join(ROOT, "ignition", "deployments", id), { recursive: true, force: true });
  }
  const chainId = Number(await rpc(node.url, "eth_chainId"));
  const file = path.join(outDir, `${chainId}.json`);
  return { chainId, file, deployment: await readDeployment(file) };
}
