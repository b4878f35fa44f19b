// What the stack's origin costs its clients, measured in one run against one real stack (demo off):
// - throughput of the hop to the services: a trivial API route (GET /api/reference) and a GraphQL
//   query, each straight to the service and through the origin, with autocannon at --connections;
// - a sent transaction's answer through /rpc (held until its block is journaled, docs/security.md)
//   against the same send straight to the node, and a plain read through /rpc's checks.
// The machine may be shared: the load average is printed with the figures.
//
//   npm run bench:origin                      tables
//   npm run bench:origin -- --json            one JSON object
//   npm run bench:origin -- --duration 5 --connections 10 --sends 100 --reads 1000
import { loadavg } from "node:os";
import { parseArgs } from "node:util";

import autocannon from "autocannon";
import { createWalletClient, defineChain, http, parseEther } from "viem";
import { privateKeyToAccount } from "viem/accounts";

import { demoAccounts } from "../../protocol/accounts.ts";
import { freePort } from "../../test/helpers/local-chain.ts";
import { startStack } from "../../test/helpers/stack.ts";

const { values: args } = parseArgs({
  options: {
    json: { type: "boolean", default: false },
    duration: { type: "string", default: "10" },
    connections: { type: "string", default: "10" },
    sends: { type: "string", default: "50" },
    // Within one client's /rpc burst (400 calls), so no read is turned away.
    reads: { type: "string", default: "300" },
  },
});
const sends = Number(args.sends);
const reads = Number(args.reads);
const duration = Number(args.duration);
const connections = Number(args.connections);
if (
  !(Number.isInteger(sends) && sends > 0 && sends <= 1_000) ||
  !(Number.isInteger(reads) && reads > 0 && reads <= 10_000) ||
  !(duration > 0 && duration <= 120) ||
  !(Number.isInteger(connections) && connections > 0 && connections <= 1_000)
) {
  console.error(
    "--sends must be an integer in [1, 1000], --reads in [1, 10000], --duration in (0, 120] and --connections in [1, 1000]",
  );
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

type Load = { requestsPerSecond: number; p50Ms: number; p99Ms: number; non2xx: number; errors: number };

/** `connections` clients asking as fast as they are answered, for `duration` seconds. */
async function load(url: string, request: { method: "GET" | "POST"; path: string; body?: string }): Promise<Load> {
  const result = await autocannon({
    url,
    connections,
    duration,
    requests: [{ ...request, headers: request.body === undefined ? {} : { "content-type": "application/json" } }],
  });
  return {
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

/** The same request straight to the service and through the origin, one after the other. */
async function hop(direct: string, origin: string, request: Parameters<typeof load>[1]) {
  const first = await fetch(`${origin}${request.path}`, {
    method: request.method,
    headers: request.body === undefined ? {} : { "content-type": "application/json" },
    body: request.body,
  });
  if (first.status !== 200)
    throw new Error(`${request.method} ${request.path} answered ${first.status}: ${await first.text()}`);
  const figures = { ...(await load(direct, request)), viaOrigin: await load(origin, request) };
  return {
    ...figures,
    originShare: Math.round((figures.viaOrigin.requestsPerSecond / figures.requestsPerSecond) * 100) / 100,
  };
}

const round2 = (n: number) => Math.round(n * 100) / 100;
const nodePort = await freePort();
const apiPort = await freePort();
const indexerPort = await freePort();
// Rate limiting is off: one load generator on loopback is a single client.
const stack = await startStack({
  DEMO: "off",
  NODE_PORT: String(nodePort),
  API_PORT: String(apiPort),
  INDEXER_PORT: String(indexerPort),
  RATE_LIMIT_MAX: "0",
  LOG_LEVEL: "warn",
});
try {
  const loadBefore = round2(loadavg()[0]);
  const throughput = {
    baseline: await hop(`http://127.0.0.1:${apiPort}`, stack.url, { method: "GET", path: "/api/reference" }),
    graphql: await hop(`http://127.0.0.1:${indexerPort}`, stack.url, {
      method: "POST",
      path: "/graphql",
      body: JSON.stringify({ query: "{ status { __typename } deals(first: 10) { __typename } }" }),
    }),
  };
  const loadAfterThroughput = round2(loadavg()[0]);
  const [a, b] = demoAccounts().filter((x) => x.role === "buyer" || x.role === "networkSupplier");
  const node = `http://127.0.0.1:${nodePort}`;
  const result = {
    sendThroughOrigin: summary(await timeSends(`${stack.url}/rpc`, a.privateKey as `0x${string}`)),
    sendToNode: summary(await timeSends(node, b.privateKey as `0x${string}`)),
    readThroughOrigin: summary(await timeReads(`${stack.url}/rpc`)),
    readFromNode: summary(await timeReads(node)),
  };
  const loadAverage = { before: loadBefore, afterThroughput: loadAfterThroughput, after: round2(loadavg()[0]) };
  if (args.json)
    console.log(
      JSON.stringify({ connections, durationSeconds: duration, loadAverage, ...throughput, sends, reads, ms: result }),
    );
  else {
    console.log(
      `${connections} connections, ${duration} s each; load average ${loadAverage.before} before, ${loadAverage.afterThroughput} after`,
    );
    const row = (f: Load) => ({
      "requests/s": f.requestsPerSecond,
      "p50 ms": f.p50Ms,
      "p99 ms": f.p99Ms,
      "non-2xx": f.non2xx,
      errors: f.errors,
    });
    console.table({
      "GET /api/reference, direct": row(throughput.baseline),
      "GET /api/reference, via origin": row(throughput.baseline.viaOrigin),
      "POST /graphql, direct": row(throughput.graphql),
      "POST /graphql, via origin": row(throughput.graphql.viaOrigin),
    });
    console.log(
      `origin share of the direct rate: API ${throughput.baseline.originShare}, GraphQL ${throughput.graphql.originShare}`,
    );
    console.log(`${sends} sends and ${reads} reads, one at a time (ms); load average ${loadAverage.after} after`);
    console.table(result);
  }
  const failed = [throughput.baseline, throughput.graphql].flatMap((f) => [f, f.viaOrigin]);
  if (failed.some((f) => f.non2xx > 0 || f.errors > 0)) process.exitCode = 1;
} finally {
  await stack.stop();
}
