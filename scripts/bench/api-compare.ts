// Two API builds side by side: the API of this checkout and that of another (`--against DIR`, e.g. a
// `git archive` of main with this checkout's node_modules linked in), each serving the API benchmark's
// book (test/backend/api/market-book.ts), driven in alternating short slices of POST /api/quote
// (the benchmark's 1,200 distinct bodies) and GET /api/reference, 10 connections. On a machine shared
// with other work the load drifts within a minute; slices that alternate between the two servers put
// both under the same drift, so the CPU per request of one against the other means more than two
// runs of `npm run bench:api` minutes apart. Run it with the same directory on both sides to see its
// resolution (two servers of the same code differ by up to ~10 % on the loaded 2-core machine).
//
// The warm-up sends every body to both servers and counts the answers that are byte-identical
// (`identicalAnswers`): the same book file, so only an hour turning between two requests may differ.
//
// Each slice reports the part of a request's CPU spent outside the API's main thread (`otherThreads`:
// the quote workers where the API has them, V8's compilers and concurrent GC, libuv's pool). V8 keeps deoptimising and recompiling the quote's
// functions for the first tens of thousands of quotes (docs/architecture.md, "Quotes per process");
// `--warmup-quotes N` has each server answer N quotes under load before the slices (default 0).
//
// `--node-args` and `--against-node-args` start either API with Node or V8 flags (space separated), e.g.
// the same checkout against itself with and without a flag: `--against .
// --against-node-args="--max-semi-space-size=32"` (with `=`, as the value starts with a dash).
//
// `--quote-workers N` and `--against-quote-workers N` set either API's QUOTE_WORKERS (backend/config.ts),
// e.g. the pool against quotes on the serving thread: `--against . --quote-workers 1 --against-quote-workers 0`.
//
//   node scripts/bench/api-compare.ts --against /tmp/ccex-main [--slices 8] [--duration 3] [--json]
//       [--warmup-quotes 0] [--node-args="FLAGS"] [--against-node-args="FLAGS"]
//       [--quote-workers N] [--against-quote-workers N]
import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

import autocannon from "autocannon";

import { bookToJson } from "../../backend/book/book-file.ts";
import { marketBook } from "../../test/backend/api/market-book.ts";
import { quoteBodies } from "../../test/backend/api/quote-bodies.ts";
import { freePort } from "../../test/helpers/local-chain.ts";
import { benchRequest, cpuMicrosByThread, spawnApi, stop, waitFor } from "./origin-server.ts";

const { values: args } = parseArgs({
  options: {
    against: { type: "string" },
    slices: { type: "string", default: "8" },
    duration: { type: "string", default: "3" },
    "warmup-quotes": { type: "string", default: "0" },
    json: { type: "boolean", default: false },
    "node-args": { type: "string", default: "" },
    "against-node-args": { type: "string", default: "" },
    // Each API's QUOTE_WORKERS (its default without): `--against . --quote-workers 1 --against-quote-workers 0`.
    "quote-workers": { type: "string" },
    "against-quote-workers": { type: "string" },
  },
});
const slices = Number(args.slices);
const duration = Number(args.duration);
const warmupQuotes = Number(args["warmup-quotes"]);
const against = args.against === undefined ? undefined : path.resolve(args.against);
if (
  against === undefined ||
  !existsSync(path.join(against, "backend/main.ts")) ||
  !(Number.isInteger(slices) && slices >= 1 && slices <= 100) ||
  !(duration > 0 && duration <= 60) ||
  !(Number.isInteger(warmupQuotes) && warmupQuotes >= 0 && warmupQuotes <= 1_000_000)
) {
  console.error(
    "--against DIR must be a checkout of this repository (with node_modules); --slices in [1, 100], --duration in (0, 60] seconds, --warmup-quotes in [0, 1000000]",
  );
  process.exit(2);
}

const now = Math.floor(Date.now() / 1000);
const bodies = quoteBodies({ now, count: 1_200 });
const dir = await mkdtemp(path.join(tmpdir(), "ccex-api-compare-"));
const bookFile = path.join(dir, "book.json");
await writeFile(bookFile, bookToJson(marketBook({ now })));
const roots = { this: path.resolve(import.meta.dirname, "../.."), against };
const flags = (text: string) => text.split(" ").filter((f) => f !== "");
const nodeArgs = { this: flags(args["node-args"]), against: flags(args["against-node-args"]) };
const quoteWorkers = { this: args["quote-workers"], against: args["against-quote-workers"] };
type Server = { name: string; url: string; child: ChildProcess };
const servers: Server[] = [];
try {
  for (const [name, root] of Object.entries(roots)) {
    const port = await freePort();
    // As scripts/bench/api.ts starts the API.
    const side = name as keyof typeof nodeArgs;
    const child = spawnApi({ port, bookFile, root, nodeArgs: nodeArgs[side], quoteWorkers: quoteWorkers[side] });
    servers.push({ name, url: `http://127.0.0.1:${port}`, child });
  }
  for (const s of servers) await waitFor(`${s.url}/health`);
  // Every body once: both warmed up, both must answer each, and the answers' bytes are compared (the
  // same book file; only an hour turning between the two requests could tell them apart).
  let identicalAnswers = 0;
  for (const body of bodies) {
    const answers: string[] = [];
    for (const s of servers) {
      const res = await fetch(`${s.url}/api/quote`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      if (res.status !== 200) throw new Error(`${s.name}: quote answered ${res.status}: ${await res.text()}`);
      answers.push(await res.text());
    }
    if (answers[0] === answers[1]) identicalAnswers++;
  }
  for (const s of servers) {
    if (warmupQuotes === 0) break;
    const result = await autocannon({
      url: s.url,
      connections: 10,
      amount: warmupQuotes,
      requests: [benchRequest("POST", "/api/quote", bodies)],
    });
    if (result.non2xx > 0 || result.errors > 0)
      throw new Error(`${s.name} warm-up: ${result.non2xx} non-2xx, ${result.errors} errors`);
  }
  const load = loadavg();
  const totals = new Map<
    string,
    { cpuUs: number; otherThreadsUs: number; requests: number; seconds: number; p99Ms: number[] }
  >();
  for (let slice = 0; slice < slices; slice++) {
    for (const route of ["quote", "baseline"] as const) {
      // Each slice starts with the other server, so neither always runs first.
      for (const s of slice % 2 === 0 ? servers : [...servers].reverse()) {
        const before = cpuMicrosByThread(s.child.pid!);
        const result = await autocannon({
          url: s.url,
          connections: 10,
          duration,
          requests: [
            route === "quote" ? benchRequest("POST", "/api/quote", bodies) : benchRequest("GET", "/api/reference"),
          ],
        });
        if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0)
          throw new Error(
            `${s.name} ${route}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`,
          );
        const key = `${s.name} ${route}`;
        const t = totals.get(key) ?? { cpuUs: 0, otherThreadsUs: 0, requests: 0, seconds: 0, p99Ms: [] };
        const after = cpuMicrosByThread(s.child.pid!);
        t.cpuUs += after.total - before.total;
        t.otherThreadsUs += after.otherThreads - before.otherThreads;
        t.requests += result.requests.total;
        t.seconds += duration;
        t.p99Ms.push(result.latency.p99);
        totals.set(key, t);
      }
    }
  }
  const figures = Object.fromEntries(
    servers.map((s) => {
      const q = totals.get(`${s.name} quote`)!;
      const b = totals.get(`${s.name} baseline`)!;
      const quoteCpu = q.cpuUs / q.requests;
      const baselineCpu = b.cpuUs / b.requests;
      return [
        s.name,
        {
          root: roots[s.name as keyof typeof roots],
          nodeArgs: nodeArgs[s.name as keyof typeof nodeArgs],
          quoteWorkers: quoteWorkers[s.name as keyof typeof quoteWorkers] ?? "default",
          quote: {
            requestsPerSecond: Math.round(q.requests / q.seconds),
            cpuUsPerRequest: Math.round(quoteCpu),
            otherThreadsCpuUsPerRequest: Math.round(q.otherThreadsUs / q.requests),
            p99MsBySlice: q.p99Ms,
          },
          baseline: {
            requestsPerSecond: Math.round(b.requests / b.seconds),
            cpuUsPerRequest: Math.round(baselineCpu),
            otherThreadsCpuUsPerRequest: Math.round(b.otherThreadsUs / b.requests),
            p99MsBySlice: b.p99Ms,
          },
          quoteShareOfBaseline: Math.round((q.requests / b.requests) * 1000) / 1000,
          quoteCpuShareOfBaseline: Math.round((baselineCpu / quoteCpu) * 1000) / 1000,
        },
      ];
    }),
  );
  const loadAverage = [...load, ...loadavg()].map((l) => Math.round(l * 100) / 100);
  if (args.json)
    console.log(
      JSON.stringify({ slices, durationSeconds: duration, warmupQuotes, identicalAnswers, ...figures, loadAverage }),
    );
  else {
    console.table(
      Object.fromEntries(
        Object.entries(figures).map(([name, f]) => [
          name,
          {
            "quotes/s": f.quote.requestsPerSecond,
            "quote CPU µs": f.quote.cpuUsPerRequest,
            "quote, other threads µs": f.quote.otherThreadsCpuUsPerRequest,
            "baseline/s": f.baseline.requestsPerSecond,
            "baseline CPU µs": f.baseline.cpuUsPerRequest,
            "baseline, other threads µs": f.baseline.otherThreadsCpuUsPerRequest,
            "by rate": f.quoteShareOfBaseline,
            "by CPU": f.quoteCpuShareOfBaseline,
          },
        ]),
      ),
    );
    console.log(
      `${identicalAnswers} of ${bodies.length} answers byte-identical between the two; ${warmupQuotes} quotes of warm-up, then ${slices} slices of ${duration} s per server and route; load average before ${loadAverage.slice(0, 3).join(" ")}, after ${loadAverage.slice(3).join(" ")}`,
    );
  }
} finally {
  for (const s of servers) await stop(s.child);
  await rm(dir, { recursive: true, force: true });
}
