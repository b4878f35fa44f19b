// A private Hardhat node per test file, deployed with the project's own deploy script, and a small
// driver that trades on it through the generated ABIs.
import { spawn, type ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import {
  createPublicClient,
  createWalletClient,
  decodeEventLog,
  http,
  type Abi,
  type Address,
  type Hash,
  type PublicClient,
  type TransactionReceipt,
  type WalletClient,
} from "viem";
import { readDeployment } from "../../../protocol/deployment.ts";
import * as abis from "../../../protocol/generated/abis.ts";

export const ROOT = path.resolve(import.meta.dirname, "../../..");
const HARDHAT = path.join(ROOT, "node_modules", "hardhat", "dist", "src", "cli.js");

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export type Node = { url: string; port: number; process: ChildProcess; stop(): Promise<void> };

async function rpc(url: string, method: string, params: unknown[] = []): Promise<any> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await res.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}

/** Starts `hardhat node` on a free loopback port and waits until it answers. */
export async function startNode(): Promise<Node> {
  const port = await freePort();
  const child = spawn(process.execPath, [HARDHAT, "node", "--hostname", "127.0.0.1", "--port", String(port)], {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
  // Even if this process dies of an error, the node must not outlive it.
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

export type ContractName = "Market" | "GreenCertificates" | "CarbonCredits" | "SettlementToken";

const ABIS: Record<ContractName, Abi> = {
  Market: abis.marketAbi as Abi,
  GreenCertificates: abis.greenCertificatesAbi as Abi,
  CarbonCredits: abis.carbonCreditsAbi as Abi,
  SettlementToken: abis.localSettlementTokenAbi as Abi,
};

export type Deployment = { chainId: number; startBlock: number; file: string; addresses: Record<ContractName, Address> };

let deployments = 0;

/**
 * Deploys the exchange with the project's deploy script (Ignition module CCEX) and reads back the
 * file it writes. Each deployment gets its own Ignition journal, removed afterwards, so that test
 * nodes (all chain 31337) never resume one another's deployment.
 */
export async function deploy(node: Node, outDir: string): Promise<Deployment> {
  const id = `indexer-test-${process.pid}-${++deployments}`;
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
    rmSync(path.join(ROOT, "ignition", "deployments", id), { recursive: true, force: true });
  }
  const chainId = Number(await rpc(node.url, "eth_chainId"));
  const file = path.join(outDir, `${chainId}.json`);
  const d = await readDeployment(file);
  return { chainId, startBlock: d.startBlock, file, addresses: d.contracts as unknown as Record<ContractName, Address> };
}

/** Hardhat's unlocked dev accounts, one per role the tests play. */
export const ROLES = ["admin", "buyer", "otherBuyer", "compute", "wind", "solar", "network", "registrarOther"] as const;

export class Exchange {
  readonly url: string;
  readonly deployment: Deployment;
  readonly client: PublicClient;
  readonly wallet: WalletClient;
  accounts: Address[] = [];

  constructor(url: string, deployment: Deployment) {
    this.url = url;
    this.deployment = deployment;
    this.client = createPublicClient({ transport: http(url) });
    this.wallet = createWalletClient({ transport: http(url) });
  }

  async init(): Promise<this> {
    this.accounts = (await rpc(this.url, "eth_accounts")) as Address[];
    return this;
  }

  /**
   * Sends a transaction from an unlocked account and returns its receipt (the node mines at once).
   * The gas is fixed rather than estimated, which halves the round trips; a revert is replayed as a
   * call to throw with its reason.
   */
  async send(contract: ContractName, functionName: string, args: unknown[], from: Address): Promise<TransactionReceipt> {
    const request = { address: this.deployment.addresses[contract], abi: ABIS[contract], functionName, args, account: from } as const;
    const hash = await this.wallet.writeContract({ ...request, chain: null, gas: 15_000_000n } as never);
    const receipt = await this.client.getTransactionReceipt({ hash });
    if (receipt.status !== "success") {
      await this.client.simulateContract({ ...request, blockNumber: receipt.blockNumber - 1n } as never);
      throw new Error(`${contract}.${functionName} reverted`);
    }
    return receipt;
  }

  /** Sends without waiting (for batches mined together with automine off). */
  async sendRaw(contract: ContractName, functionName: string, args: unknown[], from: Address): Promise<Hash> {
    return this.wallet.writeContract({
      address: this.deployment.addresses[contract],
      abi: ABIS[contract],
      functionName,
      args,
      account: from,
      chain: null,
      gas: 16_000_000n,
    } as never);
  }

  async read<T = unknown>(contract: ContractName, functionName: string, args: unknown[] = []): Promise<T> {
    return (await this.client.readContract({ address: this.deployment.addresses[contract], abi: ABIS[contract], functionName, args } as never)) as T;
  }

  /** Decoded events of one contract in a receipt. */
  events(receipt: TransactionReceipt, contract: ContractName, name: string): any[] {
    const address = this.deployment.addresses[contract].toLowerCase();
    return receipt.logs
      .filter((l) => l.address.toLowerCase() === address)
      .map((l) => {
        try {
          return decodeEventLog({ abi: ABIS[contract], data: l.data, topics: l.topics });
        } catch {
          return null;
        }
      })
      .filter((e): e is NonNullable<typeof e> => e !== null && e.eventName === name)
      .map((e) => e.args);
  }

  rpc(method: string, params: unknown[] = []) {
    return rpc(this.url, method, params);
  }

  async now(): Promise<number> {
    return Number((await this.client.getBlock()).timestamp);
  }

  async increaseTime(seconds: number): Promise<void> {
    await rpc(this.url, "evm_increaseTime", [seconds]);
    await rpc(this.url, "evm_mine");
  }

  async head(): Promise<number> {
    return Number(await rpc(this.url, "eth_blockNumber"));
  }
}
