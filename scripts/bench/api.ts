// Load test of POST /api/quote: starts the backend server (backend/main.ts) on loopback with a
// realistic open book (test/backend/api/market-book.ts) and the stack's origin (stack/server.ts) in
// front of it, as `npm start` runs them, then drives both with autocannon in one run:
//
//   quote     POST /api/quote, cycling through ≥ 1,000 distinct bodies (test/backend/api/quote-bodies.ts)
//   baseline  GET /api/reference, a static answer: what the same server does when a route costs nothing
//
// each direct to the API process and through the origin (`viaOrigin`), which serves /api in its own
// process as `npm start` does (scripts/bench/origin-server.ts). The API runs with its defaults (log
// level info, written to /dev/null), except rate limiting, which is off: the load generator is one client.
//
// On a machine shared with other work the request rates follow the load, so each run also reports
// the CPU time the serving processes spent per request (`cpuUsPerRequest`, from /proc on Linux: the
// API's, plus the origin's under `viaOrigin`), and `quoteCpuShareOfBaseline`, the quote's rate as
// a share of the baseline's on a core of their own; `otherThreadsCpuUsPerRequest` is the part of the
// CPU time spent outside the processes' main threads (the quote workers, backend/api/quote-pool.ts,
// V8's compilers and concurrent GC, libuv's pool). `--quote-workers N` sets QUOTE_WORKERS for the API
// and the origin's in-process API (their default, backend/config.ts, without).
//
// With `--warmup-quotes N` the API first answers N quotes under load (reported as `warmup`) and the
// timed runs measure a server that has been up a while: V8 keeps deoptimising and recompiling the
// quote's functions on its helper threads for the first tens of thousands of quotes, ~40–60 CPU-µs
// per quote request at first (docs/architecture.md, "Quotes per process"). Without it (the default)
// the quote run follows the 1,200 warm-up quotes sent one at a time, as before.
//
//   npm run bench:api                        table
//   npm run bench:api -- --json              one JSON object
//   npm run bench:api -- --duration 5 --connections 20 --bodies 2000
//   npm run bench:api -- --json --warmup-quotes 30000
//   npm run bench:api -- --cpu-prof DIR      also writes the API's CPU profiles into DIR (one per thread)
//   npm run bench:api -- --json --quote-workers 1   the API's and the origin's QUOTE_WORKERS
//   npm run bench:api -- --json --rounds 4   each run in 4 slices taken in turns with the others
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

import autocannon from "autocannon";

import { bookToJson } from "../../backend/book/book-file.ts";
import { marketBook } from "../../test/backend/api/market-book.ts";
import { quoteBodies } from "../../test/backend/api/quote-bodies.ts";
import { freePort } from "../../test/helpers/local-chain.ts";
import { benchRequest, cpuMicrosByThread, serveOrigin, spawnApi, stop, waitFor } from "./origin-server.ts";

const { values: args } = parseArgs({
  options: {
    json: { type: "boolean", default: false },
    duration: { type: "string", default: "8" },
    connections: { type: "string", default: "10" },
    bodies: { type: "string", default: "1200" },
    rounds: { type: "string", default: "1" },
    "warmup-quotes": { type: "string", default: "0" },
    "cpu-prof": { type: "string" },
    // QUOTE_WORKERS of the API and of the origin's in-process API; their default (backend/config.ts) without.
    "quote-workers": { type: "string" },
    // Internal: the child process that runs the origin in front of the API at this URL.
    "serve-origin": { type: "string" },
    port: { type: "string" },
    book: { type: "string" },
  },
});

const root = path.resolve(import.meta.dirname, "../..");

if (args["serve-origin"] !== undefined) {
  await serveOrigin({
    api: args["serve-origin"],
    bookFile: args.book!,
    port: Number(args.port),
    hop: false,
    quoteWorkers: args["quote-workers"],
  });
} else {
  await bench();
}

type Run = {
  requestsPerSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  requests: number;
  /** With --rounds above 1: each slice's p99 (p50Ms, p90Ms and p99Ms are then the slices' medians, maxMs their maximum). */
  p99MsBySlice?: number[];
  /** CPU time (user + system) the serving processes spent per request; null where /proc is missing. */
  cpuUsPerRequest: number | null;
  /** The part of cpuUsPerRequest spent outside the processes' main threads. */
  otherThreadsCpuUsPerRequest: number | null;
};

/** A process's CPU time so far in µs, and outside its main thread; null where /proc cannot tell (not Linux). */
function cpuMicrosOrNull(pid: number | undefined): { total: number; otherThreads: number } | null {
  if (pid === undefined) return null;
  try {
    return cpuMicrosByThread(pid);
  } catch {
    return null;
  }
}

async function bench(): Promise<void> {
  const duration = Number(args.duration);
  const connections = Number(args.connections);
  const bodyCount = Number(args.bodies);
  const warmupQuotes = Number(args["warmup-quotes"]);
  const rounds = Number(args.rounds);
  if (
    !(Number.isInteger(rounds) && rounds >= 1 && rounds <= 20) ||
    !(duration > 0 && duration <= 120) ||
    !(Number.isInteger(connections) && connections > 0 && connections <= 1_000) ||
    !(Number.isInteger(bodyCount) && bodyCount >= 1 && bodyCount <= 100_000) ||
    !(Number.isInteger(warmupQuotes) && warmupQuotes >= 0 && warmupQuotes <= 1_000_000) ||
    !(args["quote-workers"] === undefined || /^[0-9]{1,2}$/.test(args["quote-workers"]))
  ) {
    console.error(
      "--duration must be in (0, 120] seconds, --connections an integer in [1, 1000], --bodies in [1, 100000], --warmup-quotes in [0, 1000000], --quote-workers in [0, 64], --rounds in [1, 20]",
    );
    process.exit(2);
  }

  const now = Math.floor(Date.now() / 1000);
  const book = marketBook({ now });
  const bodies = quoteBodies({ now, count: bodyCount });

  const dir = await mkdtemp(path.join(tmpdir(), "ccex-bench-api-"));
  const bookFile = path.join(dir, "book.json");
  await writeFile(bookFile, bookToJson(book));
  const [apiPort, originPort] = [await freePort(), await freePort()];
  const api = `http://127.0.0.1:${apiPort}`;
  const origin = `http://127.0.0.1:${originPort}`;
  const profile =
    args["cpu-prof"] === undefined ? [] : ["--cpu-prof", "--cpu-prof-dir", path.resolve(args["cpu-prof"])];
  const quoteWorkers = args["quote-workers"];
  const server = spawnApi({ port: apiPort, bookFile, root, nodeArgs: profile, quoteWorkers });
  const proxy = spawn(
    process.execPath,
    [
      import.meta.filename,
      "--serve-origin",
      api,
      "--book",
      bookFile,
      "--port",
      String(originPort),
      ...(quoteWorkers === undefined ? [] : ["--quote-workers", quoteWorkers]),
    ],
    {
      stdio: ["ignore", "inherit", "inherit"],
    },
  );

  try {
    await waitFor(`${api}/health`);
    await waitFor(`${origin}/health`);
    // Every body once, one at a time: the mix of outcomes, and the API warmed up before timing.
    const outcomes: Record<string, number> = {};
    for (const body of bodies) {
      const res = await post(`${api}/api/quote`, body);
      if (res.status !== 200) throw new Error(`quote answered ${res.status}: ${await res.text()}\n${body}`);
      const { outcome } = (await res.json()) as { outcome: string };
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    }
    if ((outcomes.priced ?? 0) < bodies.length / 4)
      throw new Error(
        `only ${outcomes.priced ?? 0} of ${bodies.length} bodies were priced: the bench would not exercise pricing`,
      );
    // The origin's in-process API warmed up the same way: its own code (and its own quote workers) are
    // as cold as the API's were.
    for (const body of bodies) {
      const viaOrigin = await post(`${origin}/api/quote`, body);
      if (viaOrigin.status !== 200) throw new Error(`quote through the origin answered ${viaOrigin.status}`);
      await viaOrigin.arrayBuffer();
    }

    const load = loadavg();
    const baseline = (url: string, pids: (number | undefined)[], seconds: number) =>
      drive({ url, pids, connections, duration: seconds, method: "GET", path: "/api/reference" });
    const quote = (url: string, pids: (number | undefined)[], seconds: number) =>
      drive({ url, pids, connections, duration: seconds, method: "POST", path: "/api/quote", bodies });
    const warmup =
      warmupQuotes === 0
        ? null
        : await drive({
            url: api,
            pids: [server.pid],
            connections,
            amount: warmupQuotes,
            method: "POST",
            path: "/api/quote",
            bodies,
          });
    // With --rounds R each of the four runs is cut into R slices of duration ÷ R taken in turns, the
    // direct pair first in even rounds and the origin's first in odd ones, so that neither way always
    // follows the other's load (on a shared machine one run's order moved origin ÷ direct by 2×).
    const slices = { baselineDirect: [], quoteDirect: [], baselineOrigin: [], quoteOrigin: [] } as Record<
      "baselineDirect" | "quoteDirect" | "baselineOrigin" | "quoteOrigin",
      Run[]
    >;
    const slice = duration / rounds;
    for (let round = 0; round < rounds; round++) {
      const direct = async () => {
        slices.baselineDirect.push(await baseline(api, [server.pid], slice));
        slices.quoteDirect.push(await quote(api, [server.pid], slice));
      };
      const viaOrigin = async () => {
        slices.baselineOrigin.push(await baseline(origin, [server.pid, proxy.pid], slice));
        slices.quoteOrigin.push(await quote(origin, [server.pid, proxy.pid], slice));
      };
      if (round % 2 === 0) {
        await direct();
        await viaOrigin();
      } else {
        await viaOrigin();
        await direct();
      }
    }
    const baselineDirect = combine(slices.baselineDirect);
    const quoteDirect = combine(slices.quoteDirect);
    const baselineOrigin = combine(slices.baselineOrigin);
    const quoteOrigin = combine(slices.quoteOrigin);

    const figures = {
      durationSeconds: duration,
      rounds,
      connections,
      quoteWorkers: quoteWorkers === undefined ? "default" : Number(quoteWorkers),
      book: {
        bids: book.bids.length,
        computeOffers: book.computeOffers.length,
        energyOffers: book.energyOffers.length,
        bandwidthOffers: book.bandwidthOffers.length,
      },
      bodies: bodies.length,
      outcomes,
      warmup:
        warmup === null
          ? null
          : {
              quotes: warmup.requests,
              cpuUsPerRequest: warmup.cpuUsPerRequest,
              otherThreadsCpuUsPerRequest: warmup.otherThreadsCpuUsPerRequest,
            },
      quote: { route: "POST /api/quote", ...quoteDirect, viaOrigin: quoteOrigin },
      baseline: { route: "GET /api/reference", ...baselineDirect, viaOrigin: baselineOrigin },
      quoteShareOfBaseline: quoteDirect.requestsPerSecond / baselineDirect.requestsPerSecond,
      quoteCpuShareOfBaseline:
        quoteDirect.cpuUsPerRequest === null || baselineDirect.cpuUsPerRequest === null
          ? null
          : baselineDirect.cpuUsPerRequest / quoteDirect.cpuUsPerRequest,
      originShareOfDirect: quoteOrigin.requestsPerSecond / quoteDirect.requestsPerSecond,
      loadAverage: [...load, ...loadavg()].map((l) => Math.round(l * 100) / 100),
    };
    if (args.json) {
      console.log(JSON.stringify(figures));
    } else {
      const b = figures.book;
      console.log(
        `${duration} s per run, ${connections} connections, ${bodies.length} distinct quote bodies (${Object.entries(
          outcomes,
        )
          .map(([k, v]) => `${v} ${k}`)
          .join(
            ", ",
          )}), book of ${b.bids} bids, ${b.computeOffers} compute, ${b.energyOffers} energy, ${b.bandwidthOffers} bandwidth offers`,
      );
      const row = (r: Run) => ({
        "requests/s": Math.round(r.requestsPerSecond),
        "p50 ms": r.p50Ms,
        "p90 ms": r.p90Ms,
        "p99 ms": r.p99Ms,
        "max ms": r.maxMs,
        requests: r.requests,
        "CPU µs/request": r.cpuUsPerRequest ?? "n/a",
        "of it other threads": r.otherThreadsCpuUsPerRequest ?? "n/a",
      });
      console.table({
        ...(warmup === null ? {} : { "quote, warm-up": row(warmup) }),
        "quote, direct": row(quoteDirect),
        "quote, via origin": row(quoteOrigin),
        "baseline, direct": row(baselineDirect),
        "baseline, via origin": row(baselineOrigin),
      });
      console.log(
        `quotes at ${(figures.quoteShareOfBaseline * 100).toFixed(0)} % of the baseline rate (${figures.quoteCpuShareOfBaseline === null ? "n/a" : (figures.quoteCpuShareOfBaseline * 100).toFixed(0)} % by CPU time per request); the origin serves quotes at ${(figures.originShareOfDirect * 100).toFixed(0)} % of the direct rate; load average before ${figures.loadAverage.slice(0, 3).join(" ")}, after ${figures.loadAverage.slice(3).join(" ")}`,
      );
    }
  } finally {
    await stop(proxy);
    await stop(server);
    await rm(dir, { recursive: true, force: true });
  }
}

/** One autocannon run; any error or non-2xx answer fails the benchmark. */
async function drive(options: {
  url: string;
  /** The serving processes, whose CPU time the run is charged. */
  pids: (number | undefined)[];
  connections: number;
  /** Seconds, or else a number of requests. */
  duration?: number;
  amount?: number;
  method: "GET" | "POST";
  path: string;
  bodies?: string[];
}): Promise<Run> {
  const cpu = () => {
    const each = options.pids.map(cpuMicrosOrNull);
    if (each.some((c) => c === null)) return null;
    const known = each as { total: number; otherThreads: number }[];
    return {
      total: known.reduce((s, c) => s + c.total, 0),
      otherThreads: known.reduce((s, c) => s + c.otherThreads, 0),
    };
  };
  const cpuBefore = cpu();
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    ...(options.amount === undefined ? { duration: options.duration } : { amount: options.amount }),
    requests: [benchRequest(options.method, options.path, options.bodies)],
  });
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0)
    throw new Error(
      `${options.method} ${options.url}${options.path}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`,
    );
  const cpuAfter = cpu();
  const perRequest = (part: "total" | "otherThreads") =>
    cpuBefore === null || cpuAfter === null
      ? null
      : Math.round((cpuAfter[part] - cpuBefore[part]) / result.requests.total);
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p90Ms: result.latency.p90,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    requests: result.requests.total,
    cpuUsPerRequest: perRequest("total"),
    otherThreadsCpuUsPerRequest: perRequest("otherThreads"),
  };
}

/** Slices of one run taken in turns with the others, as one run: rates and CPU over all, latencies by slice. */
function combine(slices: Run[]): Run {
  if (slices.length === 1) return slices[0];
  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  };
  const requests = slices.reduce((sum, r) => sum + r.requests, 0);
  // Each slice's rate is over the same duration: the run's rate is their mean.
  const requestsPerSecond = slices.reduce((sum, r) => sum + r.requestsPerSecond, 0) / slices.length;
  const cpu = (part: "cpuUsPerRequest" | "otherThreadsCpuUsPerRequest") =>
    slices.some((r) => r[part] === null)
      ? null
      : Math.round(slices.reduce((sum, r) => sum + (r[part] as number) * r.requests, 0) / requests);
  return {
    requestsPerSecond,
    p50Ms: median(slices.map((r) => r.p50Ms)),
    p90Ms: median(slices.map((r) => r.p90Ms)),
    p99Ms: median(slices.map((r) => r.p99Ms)),
    maxMs: Math.max(...slices.map((r) => r.maxMs)),
    requests,
    p99MsBySlice: slices.map((r) => r.p99Ms),
    cpuUsPerRequest: cpu("cpuUsPerRequest"),
    otherThreadsCpuUsPerRequest: cpu("otherThreadsCpuUsPerRequest"),
  };
}

function post(url: string, body: string): Promise<Response> {
  return fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
}
