// Where a request's CPU goes in the API: starts backend/main.ts as scripts/bench/api.ts does, with
// `--cpu-prof`, drives one route alone (POST /api/quote over the benchmark's 1,200 distinct bodies, or
// GET /api/reference), stops it, and charges each profile sample to the innermost part of the
// request path on its stack (quoteBid's stages, body reading, field checks, serialising, writing,
// Express, logging, metrics, Node's HTTP, GC). A CPU profile samples wall time, so samples taken in
// the socket writes (where a loaded machine switches to the load generator) and idle ones are left
// out; the rest is scaled to the CPU time the process spent per request (/proc), to give µs per part.
// Start-up (module loading) and the warm-up quotes are left out too. The API quotes on its serving
// thread (QUOTE_WORKERS=0), as before the quote pool, so that one profile covers a request's parts.
//
// `--save FILE` keeps the profile (.cpuprofile, for DevTools or a finer look than the parts).
//
//   node scripts/bench/api-profile.ts [--route quote|baseline] [--duration 8] [--json] [--save FILE]
import { copyFileSync, readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

import autocannon from "autocannon";

import { bookToJson } from "../../backend/book/book-file.ts";
import { marketBook } from "../../test/backend/api/market-book.ts";
import { quoteBodies } from "../../test/backend/api/quote-bodies.ts";
import { freePort } from "../../test/helpers/local-chain.ts";
import { benchRequest, cpuMicros, spawnApi, stop, waitFor } from "./origin-server.ts";

const { values: args } = parseArgs({
  options: {
    route: { type: "string", default: "quote" },
    duration: { type: "string", default: "8" },
    json: { type: "boolean", default: false },
    save: { type: "string" },
  },
});
const duration = Number(args.duration);
if (!(args.route === "quote" || args.route === "baseline") || !(duration > 0 && duration <= 120)) {
  console.error("--route must be quote or baseline, --duration in (0, 120] seconds");
  process.exit(2);
}

type Frame = { functionName: string; url: string };
type ProfileNode = { id: number; callFrame: Frame; children?: number[] };
type Profile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };

/** The parts of the request path, matched against a stack's frames from the innermost out. */
const PARTS: [string, (f: Frame) => boolean][] = [
  ["quoteBid: preparing the one-bid book", (f) => f.functionName === "prepareOneBid"],
  ["quoteBid: scheduling", (f) => f.functionName === "scheduleOneBid"],
  ["quoteBid: stage 2 (priceBundles)", (f) => f.functionName === "priceBundles"],
  ["quoteBid: book view, presenting", (f) => f.functionName === "quoteBid"],
  ["reading the body, JSON.parse", (f) => /body-parser|raw-body/.test(f.url)],
  ["checking the fields", (f) => /schemas\/quote\.ts|zod/.test(f.url)],
  ["writing the answer (res.end)", (f) => f.functionName === "end" && f.url.includes("_http_outgoing")],
  ["metrics (prom-client)", (f) => /prom-client|api\/metrics\.ts/.test(f.url)],
  ["logging, request id (pino, observe.ts)", (f) => /pino|api\/observe\.ts/.test(f.url)],
  ["helmet", (f) => f.url.includes("helmet")],
  ["the route's handler (JSON.stringify)", (f) => /routes\/(quote|reference)\.ts/.test(f.url)],
  ["Express, its router", (f) => /node_modules\/(express|router)\//.test(f.url)],
];
/** Samples that are not the request path's work: waiting, writes preempted, module loading. */
const NOT_WORK = new Set(["(idle)", "writeUtf8String", "writev"]);
const STARTUP = /modules\/(esm|cjs)|run_main/;

function split(profile: Profile, from: number): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const parts = new Map<string, number>();
  // A sample's part is that of the innermost frame on its stack that names one.
  const partOf = new Map<number, string | null>();
  const classify = (id: number): string | null => {
    const known = partOf.get(id);
    if (known !== undefined) return known;
    const frame = byId.get(id)!.callFrame;
    let part: string | null;
    if (NOT_WORK.has(frame.functionName) || STARTUP.test(frame.url)) part = null;
    else if (frame.functionName === "(garbage collector)") part = "GC";
    else if (frame.functionName === "(program)") part = "V8 outside JavaScript";
    else {
      const own = PARTS.find(([, matches]) => matches(frame))?.[0];
      const up = parent.get(id);
      const outer = up === undefined ? "Node's HTTP, streams, events" : classify(up);
      // Module loading anywhere on the stack is start-up, whatever the frame.
      part = outer === null && up !== undefined ? null : (own ?? outer);
    }
    partOf.set(id, part);
    return part;
  };
  let time = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    time += profile.timeDeltas[i];
    if (time < from) continue;
    const part = classify(profile.samples[i]);
    if (part !== null) parts.set(part, (parts.get(part) ?? 0) + profile.timeDeltas[i]);
  }
  return parts;
}

const now = Math.floor(Date.now() / 1000);
const bodies = quoteBodies({ now, count: 1_200 });
const dir = await mkdtemp(path.join(tmpdir(), "ccex-api-profile-"));
try {
  const bookFile = path.join(dir, "book.json");
  await writeFile(bookFile, bookToJson(marketBook({ now })));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const started = performance.now();
  // Quotes on the serving thread (QUOTE_WORKERS=0): one thread's profile holds the whole request.
  const server = spawnApi({ port, bookFile, nodeArgs: ["--cpu-prof", "--cpu-prof-dir", dir], quoteWorkers: "0" });
  let cpuUs = 0;
  let requests = 0;
  let warmedUpMs = 0;
  let rate = 0;
  let p99Ms = 0;
  try {
    await waitFor(`${url}/health`);
    for (const body of bodies) {
      const res = await fetch(`${url}/api/quote`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      if (res.status !== 200) throw new Error(`quote answered ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
    }
    warmedUpMs = performance.now() - started;
    const before = cpuMicros(server.pid!);
    const result = await autocannon({
      url,
      connections: 10,
      duration,
      requests: [
        args.route === "quote" ? benchRequest("POST", "/api/quote", bodies) : benchRequest("GET", "/api/reference"),
      ],
    });
    if (result.non2xx > 0 || result.errors > 0) throw new Error(`${result.non2xx} non-2xx, ${result.errors} errors`);
    cpuUs = cpuMicros(server.pid!) - before;
    requests = result.requests.total;
    rate = result.requests.average;
    p99Ms = result.latency.p99;
  } finally {
    await stop(server);
  }
  const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
  if (file === undefined) throw new Error("the API wrote no CPU profile");
  if (args.save !== undefined) copyFileSync(path.join(dir, file), args.save);
  const profile = JSON.parse(readFileSync(path.join(dir, file), "utf8")) as Profile;
  // The profile's clock starts with the process; the driven run starts after the warm-up.
  const parts = split(profile, warmedUpMs * 1000);
  const sampled = [...parts.values()].reduce((s, t) => s + t, 0);
  const perRequest = cpuUs / requests;
  const rows = [...parts]
    .sort((a, b) => b[1] - a[1])
    .map(([part, t]) => ({
      part,
      share: Math.round((t / sampled) * 1000) / 1000,
      us: Math.round((t / sampled) * perRequest),
    }));
  const figures = {
    route: args.route,
    requestsPerSecond: Math.round(rate),
    p99Ms,
    cpuUsPerRequest: Math.round(perRequest),
    parts: rows,
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
  };
  if (args.json) console.log(JSON.stringify(figures));
  else {
    console.table(Object.fromEntries(rows.map((r) => [r.part, { "µs per request": r.us, share: r.share }])));
    console.log(
      `${args.route}: ${figures.requestsPerSecond} requests/s, p99 ${p99Ms} ms, ${figures.cpuUsPerRequest} µs of CPU per request; load average ${figures.loadAverage.join(" ")}`,
    );
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
