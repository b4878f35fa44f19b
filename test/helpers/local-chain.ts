// A private `hardhat node` on a free loopback port, with the exchange deployed on it by the project's
// own deploy script. Shared by every test (and benchmark) that needs a real node in another process.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { type Deployment, readDeployment } from "../../protocol/deployment.ts";
import { freePort } from "../../stack/ports.ts";

export { freePort };

export const ROOT = path.resolve(import.meta.dirname, "..", "..");
const HARDHAT = path.join(ROOT, "node_modules", "hardhat", "dist", "src", "cli.js");

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

export type NodeOptions = {
  /** Genesis block time, for a chain with history to fill (the demo market seeds the days since). */
  genesisTime?: Date;
  /** How many dev accounts the node funds (Hardhat's default is 20). */
  accounts?: number;
};

let nodes = 0;

/** Starts `hardhat node` on a free loopback port; resolves once it answers JSON-RPC. */
export async function startNode(options: NodeOptions = {}): Promise<Node> {
  const port = await freePort();
  const args = ["node", "--hostname", "127.0.0.1", "--port", String(port)];
  // `hardhat node` takes neither option on its command line: they go into a config of its own, which
  // must live inside the project (Hardhat refuses a config outside its installation).
  let configDir: string | undefined;
  if (options.genesisTime !== undefined || options.accounts !== undefined) {
    configDir = path.join(ROOT, ".data", "test-nodes", `${process.pid}-${++nodes}`);
    await mkdir(configDir, { recursive: true });
    const node = {
      type: "edr-simulated",
      ...(options.genesisTime === undefined ? {} : { initialDate: options.genesisTime.toISOString() }),
      ...(options.accounts === undefined ? {} : { accounts: { count: options.accounts } }),
    };
    const paths = { artifacts: path.join(ROOT, "artifacts"), cache: path.join(ROOT, "cache") };
    await writeFile(
      path.join(configDir, "hardhat.config.ts"),
      `export default ${JSON.stringify({ paths, networks: { node } })};\n`,
    );
    args.unshift("--config", path.join(configDir, "hardhat.config.ts"));
  }
  const child = spawn(process.execPath, [HARDHAT, ...args], {
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
    stop: async () => {
      await new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      });
      if (configDir !== undefined) await rm(configDir, { recursive: true, force: true });
    },
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
  /** Ignition module parameters (role holders, deal periods, fee), as scripts/deploy.ts takes them. */
  parameters?: Record<string, string | number>,
): Promise<{ chainId: number; file: string; deployment: Deployment }> {
  const id = `test-${process.pid}-${++deployments}`;
  const extra: string[] = [];
  if (parameters !== undefined) {
    const file = path.join(outDir, `parameters-${id}.json`);
    await mkdir(outDir, { recursive: true });
    await writeFile(file, JSON.stringify(parameters));
    extra.push("--parameters", file);
  }
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [
          path.join(ROOT, "scripts", "deploy.ts"),
          "--rpc-url",
          node.url,
          "--out",
          outDir,
          "--deployment-id",
          id,
          "--reset",
          ...extra,
        ],
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
