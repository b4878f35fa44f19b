// What the stack's origin costs a client of the local chain: a sent transaction's answer through
// /rpc (held until its block is journaled, docs/security.md) against the same send straight to the
// node, and a plain read through /rpc's checks against the node. Starts a real stack (demo off).
//
//   node scripts/bench/origin.ts              table
//   node scripts/bench/origin.ts --json       one JSON object
//   node scripts/bench/origin.ts --sends 100 --reads 1000
import { parseArgs } from "node:util";

import { createWalletClient, defineChain, http, parseEther } from "viem";
import { privateKeyToAccount } from "viem/accounts";

import { demoAccounts } from "../../protocol/accounts.ts";
import { freePort } from "../../test/helpers/local-chain.ts";
import { startStack } from "../../test/helpers/stack.ts";

const { values: args } = parseArgs({
  options: {
    json: { type: "boolean", default: false },
    sends: { type: "string", default: "50" },
    // Within one client's /rpc burst (400 calls), so no read is turned away.
    reads: { type: "string", default: "300" },
  },
});
const sends = Number(args.sends);
const reads = Number(args.reads);
if (
  !(Number.isInteger(sends) && sends > 0 && sends <= 1_000) ||
  !(Number.isInteger(reads) && reads > 0 && reads <= 10_000)
) {
  console.error("--sends must be an integer in [1, 1000] and --reads in [1, 10000]");
  process.exit(2);
}

const local = defineChain({
  id: 31337,
  name: "CCEX local",
  nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
  rpcUrls: { default: { http: ["http://127.0.0.1"] } },
});

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function summary(ms: number[]): { p50: number; p95: number; max: number } {
  const sorted = [...ms].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 10) / 10;
  return { p50: round(percentile(sorted, 50)), p95: round(percentile(sorted, 95)), max: round(sorted.at(-1)!) };
}

async function timeSends(url: string, key: `0x${string}`): Promise<number[]> {
  const account = privateKeyToAccount(key);
  const wallet = createWalletClient({ account, chain: local, transport: http(url, { retryCount: 0 }) });
  const ms: number[] = [];
  for (let i = 0; i < sends; i++) {
    const started = performance.now();
    await wallet.sendTransaction({ to: account.address, value: parseEther("0.0001") });
    ms.push(performance.now() - started);
  }
  return ms;
}

async function timeReads(url: string): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < reads; i++) {
    const started = performance.now();
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: i, method: "eth_blockNumber" }),
    });
    await response.json();
    ms.push(performance.now() - started);
    if (response.status !== 200) throw new Error(`read ${i} was answered ${response.status}: lower --reads`);
  }
  return ms;
}

const nodePort = await freePort();
const stack = await startStack({ DEMO: "off", NODE_PORT: String(nodePort) });
try {
  const [a, b] = demoAccounts().filter((x) => x.role === "buyer" || x.role === "networkSupplier");
  const node = `http://127.0.0.1:${nodePort}`;
  const result = {
    sendThroughOrigin: summary(await timeSends(`${stack.url}/rpc`, a.privateKey as `0x${string}`)),
    sendToNode: summary(await timeSends(node, b.privateKey as `0x${string}`)),
    readThroughOrigin: summary(await timeReads(`${stack.url}/rpc`)),
    readFromNode: summary(await timeReads(node)),
  };
  if (args.json) console.log(JSON.stringify({ sends, reads, ms: result }));
  else {
    console.log(`${sends} sends and ${reads} reads, one at a time (ms)`);
    console.table(result);
  }
} finally {
  await stack.stop();
}
