// Load test of POST /api/quote: starts the backend server (backend/main.ts) on loopback with a
// realistic open book, checks that quotes are really priced, then drives it with autocannon.
//
//   npm run bench:api                        table
//   npm run bench:api -- --json              one JSON object
//   npm run bench:api -- --duration 5 --connections 20
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

import autocannon from "autocannon";

import { bookToJson } from "../../backend/book/book-file.ts";
import { marketBook } from "../../test/backend/api/market-book.ts";
import { freePort } from "../../test/helpers/local-chain.ts";

const { values: args } = parseArgs({
  options: {
    json: { type: "boolean", default: false },
    duration: { type: "string", default: "10" },
    connections: { type: "string", default: "10" },
  },
});
const duration = Number(args.duration);
const connections = Number(args.connections);
if (!(duration > 0 && duration <= 120) || !(Number.isInteger(connections) && connections > 0 && connections <= 1_000)) {
  console.error("--duration must be in (0, 120] seconds and --connections an integer in [1, 1000]");
  process.exit(2);
}

const root = path.resolve(import.meta.dirname, "../..");
const now = Math.floor(Date.now() / 1000);
const book = marketBook({ now });

/** Quotes a buyer would ask for: every hardware class, one to three regions, various green shares. */
const HOUR = 3_600;
const bodies = [
  {
    hardwareClass: "gpu-training",
    acceptableRegions: ["cn-north", "cn-northwest"],
    buyerRegion: "cn-east",
    hours: [2, 6],
    vcuHours: 200,
    limit: "4000000",
    green: 5_000,
    mbps: "100",
  },
  {
    hardwareClass: "gpu-inference",
    acceptableRegions: ["cn-east"],
    buyerRegion: "cn-east",
    hours: [1, 3],
    vcuHours: 50,
    limit: "1500000",
    green: 10_000,
    mbps: "0",
  },
  {
    hardwareClass: "cpu-general",
    acceptableRegions: ["cn-south", "cn-central", "cn-southwest"],
    buyerRegion: "cn-south",
    hours: [12, 36],
    vcuHours: 2_000,
    limit: "80000",
    green: 2_500,
    mbps: "50",
  },
  {
    hardwareClass: "cpu-hpc",
    acceptableRegions: [4, 5],
    buyerRegion: 1,
    hours: [24, 72],
    vcuHours: 800,
    limit: "200000",
    green: 8_000,
    mbps: "300",
  },
].map((q) =>
  JSON.stringify({
    hardwareClass: q.hardwareClass,
    acceptableRegions: q.acceptableRegions,
    buyerRegion: q.buyerRegion,
    window: { start: now + q.hours[0] * HOUR, end: now + q.hours[1] * HOUR },
    vcuHours: q.vcuHours,
    limitPricePerVcuHour: q.limit,
    minGreenBps: q.green,
    bandwidthMbps: q.mbps,
    maxLatencyMs: 60,
  }),
);

async function waitForHealth(url: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server at ${url} did not become healthy`);
}

const dir = await mkdtemp(path.join(tmpdir(), "ccex-bench-api-"));
const bookFile = path.join(dir, "book.json");
await writeFile(bookFile, bookToJson(book));
const port = await freePort();
const url = `http://127.0.0.1:${port}`;
// Rate limiting is off: one load generator on loopback is a single client. Logs at warn, so the
// figures measure the API rather than the terminal.
const server = spawn(process.execPath, [path.join(root, "backend/main.ts")], {
  env: {
    ...process.env,
    HOST: "127.0.0.1",
    PORT: String(port),
    BOOK_FILE: bookFile,
    RATE_LIMIT_MAX: "0",
    LOG_LEVEL: "warn",
  },
  stdio: ["ignore", "inherit", "inherit"],
});

try {
  await waitForHealth(url);
  const outcomes: string[] = [];
  for (const body of bodies) {
    const res = await fetch(`${url}/api/quote`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    if (res.status !== 200) throw new Error(`warm-up quote answered ${res.status}: ${await res.text()}`);
    outcomes.push(((await res.json()) as { outcome: string }).outcome);
  }
  if (!outcomes.includes("priced"))
    throw new Error(`no warm-up quote was priced (${outcomes.join(", ")}): the benchmark would not exercise pricing`);

  let next = 0;
  const result = await autocannon({
    url,
    connections,
    duration,
    requests: [
      {
        method: "POST",
        path: "/api/quote",
        headers: { "content-type": "application/json" },
        setupRequest: (req) => ({ ...req, body: bodies[next++ % bodies.length] }),
      },
    ],
  });

  const figures = {
    route: "POST /api/quote",
    durationSeconds: duration,
    connections,
    book: {
      bids: book.bids.length,
      computeOffers: book.computeOffers.length,
      energyOffers: book.energyOffers.length,
      bandwidthOffers: book.bandwidthOffers.length,
    },
    warmUpOutcomes: outcomes,
    requests: result.requests.total,
    requestsPerSecond: result.requests.average,
    latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
  if (args.json) {
    console.log(JSON.stringify(figures));
  } else {
    const b = figures.book;
    console.log(
      `POST /api/quote — ${duration} s, ${connections} connections, book of ${b.bids} bids, ${b.computeOffers} compute, ${b.energyOffers} energy, ${b.bandwidthOffers} bandwidth offers`,
    );
    console.table({
      "POST /api/quote": {
        "requests/s": Math.round(figures.requestsPerSecond),
        "p50 ms": figures.latencyMs.p50,
        "p90 ms": figures.latencyMs.p90,
        "p99 ms": figures.latencyMs.p99,
        "max ms": figures.latencyMs.max,
        requests: figures.requests,
        "non-2xx": figures.non2xx,
        errors: figures.errors + figures.timeouts,
      },
    });
  }
  if (figures.non2xx > 0 || figures.errors > 0) process.exitCode = 1;
} finally {
  if (server.exitCode === null && server.signalCode === null) {
    const exited = once(server, "exit");
    server.kill("SIGTERM");
    await exited;
  }
  await rm(dir, { recursive: true, force: true });
}
