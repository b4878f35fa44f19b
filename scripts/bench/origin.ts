// What the stack's origin costs its clients, measured in one run (the machine may be shared: the load
// average is printed with the figures):
// - the API through the origin as `npm start` serves it (stack/origin-api.ts: the API's app inside
//   the origin's process) against the API process straight: a trivial route (GET /api/reference,
//   `baseline`) and quotes (POST /api/quote cycling through distinct realistic bodies against a
//   realistic book, test/backend/api/), with autocannon at --connections; `viaHop` is the same
//   request piped through the origin to the API process (what /api/metering still takes);
// - GraphQL straight to the indexer and through the origin's hop, in one real stack (demo off);
// - a sent transaction's answer through /rpc (held until its block is journaled, docs/security.md)
//   against the same send straight to the node, and a plain read through /rpc's checks.
//
//   npm run bench:origin                      tables
//   npm run bench:origin -- --json            one JSON object
//   npm run bench:origin -- --duration 5 --rounds 4 --connections 10 --bodies 1200 --sends 100 --reads 1000
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

import autocannon from "autocannon";
import { createWalletClient, defineChain, http, parseEther } from "viem";
import { privateKeyToAccount } from "viem/accounts";

import { bookToJson } from "../../backend/book/book-file.ts";
import { demoAccounts } from "../../protocol/accounts.ts";
import { marketBook } from "../../test/backend/api/market-book.ts";
import { quoteBodies } from "../../test/backend/api/quote-bodies.ts";
import { freePort } from "../../test/helpers/local-chain.ts";
import { startStack } from "../../test/helpers/stack.ts";
import { benchRequest, serveOrigin, stop, waitFor } from "./origin-server.ts";

const { values: args } = parseArgs({
  options: {
    json: { type: "boolean", default: false },
    // Seconds per round; each way is driven --rounds times, alternating.
    duration: { type: "string", default: "3" },
    rounds: { type: "string", default: "3" },
    connections: { type: "string", default: "10" },
    bodies: { type: "string", default: "1200" },
    sends: { type: "string", default: "50" },
    // Within one client's /rpc burst (400 calls), so no read is turned away.
    reads: { type: "string", default: "300" },
    // Internal: the child process that runs an origin in front of the API process at this URL.
    "serve-origin": { type: "string" },
    book: { type: "string" },
    port: { type: "string" },
    hop: { type: "boolean", default: false },
  },
});

const root = path.resolve(import.meta.dirname, "../..");
if (args["serve-origin"] !== undefined) {
  await serveOrigin({ api: args["serve-origin"], bookFile: args.book!, port: Number(args.port), hop: args.hop });
  // The origin serves until the benchmark stops it.
  await new Promise(() => {});
}

const sends = Number(args.sends);
const reads = Number(args.reads);
const duration = Number(args.duration);
const connections = Number(args.connections);
const bodyCount = Number(args.bodies);
const rounds = Number(args.rounds);
if (
  !(Number.isInteger(rounds) && rounds > 0 && rounds <= 20) ||
  !(Number.isInteger(sends) && sends > 0 && sends <= 1_000) ||
  !(Number.isInteger(reads) && reads > 0 && reads <= 10_000) ||
  !(duration > 0 && duration <= 120) ||
  !(Number.isInteger(connections) && connections > 0 && connections <= 1_000) ||
  !(Number.isInteger(bodyCount) && bodyCount >= 1 && bodyCount <= 100_000)
) {
  console.error(
    "--sends must be an integer in [1, 1000], --reads in [1, 10000], --duration in (0, 120], --connections in [1, 1000], --bodies in [1, 100000] and --rounds in [1, 20]",
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
type Request = { method: "GET" | "POST"; path: string; bodies?: string[] };

/** `connections` clients asking as fast as they are answered, for `duration` seconds. */
async function load(url: string, request: Request): Promise<Load> {
  const result = await autocannon({
    url,
    connections,
    duration,
    requests: [benchRequest(request.method, request.path, request.bodies)],
  });
  return {
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

async function check(url: string, request: Request): Promise<void> {
  const body = request.bodies?.[0];
  const first = await fetch(`${url}${request.path}`, {
    method: request.method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body,
  });
  if (first.status !== 200)
    throw new Error(`${request.method} ${url}${request.path} answered ${first.status}: ${await first.text()}`);
}

const share = (part: Load, whole: Load) => Math.round((part.requestsPerSecond / whole.requestsPerSecond) * 100) / 100;

/** The median of each figure over the rounds; rates are means (the same time in each round). */
function combine(runs: Load[]): Load {
  const median = (pick: (l: Load) => number) => runs.map(pick).sort((a, b) => a - b)[Math.floor(runs.length / 2)];
  const sum = (pick: (l: Load) => number) => runs.reduce((n, l) => n + pick(l), 0);
  return {
    requestsPerSecond: Math.round(sum((l) => l.requestsPerSecond) / runs.length),
    p50Ms: median((l) => l.p50Ms),
    p99Ms: median((l) => l.p99Ms),
    non2xx: sum((l) => l.non2xx),
    errors: sum((l) => l.errors),
  };
}

/**
 * The same request straight to the service, through the origin and (when given) through the hop, in
 * `rounds` alternating rounds: on a shared machine whose load moves, each way gets the same share
 * of the good and the bad moments.
 */
async function compare(direct: string, origin: string, request: Request, hop?: string) {
  const urls = [direct, origin, ...(hop === undefined ? [] : [hop])];
  for (const url of urls) await check(url, request);
  const runs: Load[][] = urls.map(() => []);
  for (let round = 0; round < rounds; round++)
    for (const [i, url] of urls.entries()) runs[i].push(await load(url, request));
  const [straight, viaOrigin, viaHop] = runs.map(combine);
  return {
    ...straight,
    viaOrigin,
    originShare: share(viaOrigin, straight),
    ...(viaHop === undefined ? {} : { viaHop, hopShare: share(viaHop, straight) }),
  };
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** The API process as the stack starts it, a realistic book, and an origin in front of it in each mode. */
async function apiThroughput() {
  const now = Math.floor(Date.now() / 1000);
  const bodies = quoteBodies({ now, count: bodyCount });
  const dir = await mkdtemp(path.join(tmpdir(), "ccex-bench-origin-"));
  const bookFile = path.join(dir, "book.json");
  await writeFile(bookFile, bookToJson(marketBook({ now })));
  const [apiPort, originPort, hopPort] = [await freePort(), await freePort(), await freePort()];
  const api = `http://127.0.0.1:${apiPort}`;
  const children = [
    spawn(process.execPath, [path.join(root, "backend/main.ts")], {
      env: {
        ...process.env,
        HOST: "127.0.0.1",
        PORT: String(apiPort),
        BOOK_FILE: bookFile,
        RATE_LIMIT_MAX: "0",
        TRUST_PROXY_HOPS: "1",
        LOG_LEVEL: "info",
      },
      stdio: ["ignore", "ignore", "inherit"],
    }),
    ...[
      [originPort, []],
      [hopPort, ["--hop"]],
    ].map(([port, extra]) =>
      spawn(
        process.execPath,
        [
          import.meta.filename,
          "--serve-origin",
          api,
          "--book",
          bookFile,
          "--port",
          String(port),
          ...(extra as string[]),
        ],
        { stdio: ["ignore", "inherit", "inherit"] },
      ),
    ),
  ];
  try {
    const origin = `http://127.0.0.1:${originPort}`;
    const hop = `http://127.0.0.1:${hopPort}`;
    for (const url of [api, origin, hop]) await waitFor(`${url}/health`);
    // Every body once through the origin: the API warmed up in both processes before timing.
    for (const body of bodies)
      for (const url of [api, origin]) {
        const answer = await fetch(`${url}/api/quote`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
        });
        if (answer.status !== 200) throw new Error(`quote answered ${answer.status}: ${await answer.text()}\n${body}`);
        await answer.arrayBuffer();
      }
    return {
      bodies: bodies.length,
      baseline: {
        route: "GET /api/reference",
        ...(await compare(api, origin, { method: "GET", path: "/api/reference" }, hop)),
      },
      quote: {
        route: "POST /api/quote",
        ...(await compare(api, origin, { method: "POST", path: "/api/quote", bodies }, hop)),
      },
    };
  } finally {
    for (const child of children) await stop(child);
    await rm(dir, { recursive: true, force: true });
  }
}

const loadBefore = round2(loadavg()[0]);
const apiFigures = await apiThroughput();
const loadAfterApi = round2(loadavg()[0]);

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
  const loadBeforeGraphql = round2(loadavg()[0]);
  const graphql = await compare(`http://127.0.0.1:${indexerPort}`, stack.url, {
    method: "POST",
    path: "/graphql",
    bodies: [JSON.stringify({ query: "{ status { __typename } deals(first: 10) { __typename } }" })],
  });
  const loadAfterGraphql = round2(loadavg()[0]);
  const [a, b] = demoAccounts().filter((x) => x.role === "buyer" || x.role === "networkSupplier");
  const node = `http://127.0.0.1:${nodePort}`;
  const result = {
    sendThroughOrigin: summary(await timeSends(`${stack.url}/rpc`, a.privateKey as `0x${string}`)),
    sendToNode: summary(await timeSends(node, b.privateKey as `0x${string}`)),
    readThroughOrigin: summary(await timeReads(`${stack.url}/rpc`)),
    readFromNode: summary(await timeReads(node)),
  };
  const loadAverage = {
    before: loadBefore,
    afterApi: loadAfterApi,
    beforeGraphql: loadBeforeGraphql,
    afterGraphql: loadAfterGraphql,
    after: round2(loadavg()[0]),
  };
  const { baseline, quote, bodies } = apiFigures;
  if (args.json)
    console.log(
      JSON.stringify({
        connections,
        durationSeconds: duration,
        loadAverage,
        bodies,
        baseline,
        quote,
        graphql,
        sends,
        reads,
        ms: result,
      }),
    );
  else {
    console.log(
      `${connections} connections, ${rounds} alternating rounds of ${duration} s each way; ${bodies} distinct quote bodies`,
    );
    const row = (f: Load) => ({
      "requests/s": f.requestsPerSecond,
      "p50 ms": f.p50Ms,
      "p99 ms": f.p99Ms,
      "non-2xx": f.non2xx,
      errors: f.errors,
    });
    console.table({
      "GET /api/reference, direct": row(baseline),
      "GET /api/reference, via origin": row(baseline.viaOrigin),
      "GET /api/reference, via the hop": row(baseline.viaHop!),
      "POST /api/quote, direct": row(quote),
      "POST /api/quote, via origin": row(quote.viaOrigin),
      "POST /api/quote, via the hop": row(quote.viaHop!),
      "POST /graphql, direct": row(graphql),
      "POST /graphql, via origin": row(graphql.viaOrigin),
    });
    console.log(
      `origin share of the direct rate: baseline ${baseline.originShare} (hop ${baseline.hopShare}), quote ${quote.originShare} (hop ${quote.hopShare}), GraphQL ${graphql.originShare}`,
    );
    console.log(
      `load average ${loadAverage.before} before, ${loadAverage.afterApi} after the API, ${loadAverage.beforeGraphql}–${loadAverage.afterGraphql} around GraphQL`,
    );
    console.log(`${sends} sends and ${reads} reads, one at a time (ms); load average ${loadAverage.after} after`);
    console.table(result);
  }
  const runs: Load[] = [baseline, quote, graphql].flatMap((f) => [
    f,
    f.viaOrigin,
    ...("viaHop" in f && f.viaHop !== undefined ? [f.viaHop] : []),
  ]);
  if (runs.some((f) => f.non2xx > 0 || f.errors > 0)) process.exitCode = 1;
} finally {
  await stack.stop();
}
