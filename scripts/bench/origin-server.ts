// What the API and origin benchmarks share: the origin as stack/main.ts builds it in front of an API
// process (serveOrigin, run in a child of the benchmark), the API process itself (spawnApi), waiting for a
// server and stopping a child, and the request autocannon sends (benchRequest).
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import path from "node:path";

import type { Request as AutocannonRequest } from "autocannon";
import { pino } from "pino";

import { loadConfig } from "../../backend/config.ts";
import { createOriginApi } from "../../stack/origin-api.ts";
import { createStackApp } from "../../stack/server.ts";
import { statTicks } from "./thread-cpu.ts";

const root = path.resolve(import.meta.dirname, "../..");

/**
 * The origin in front of the API process at `api`, with the API's app in this process reading the
 * same book file (as `npm start` serves /api); with `hop`, /api only piped to the API process.
 */
export async function serveOrigin(options: {
  api: string;
  bookFile: string;
  port: number;
  hop: boolean;
  /** The origin's quote workers; without, QUOTE_WORKERS of this process's environment, or the API's default. */
  quoteWorkers?: string;
}) {
  // The API process's settings in the benchmarks, read by the API's own parser.
  const config = loadConfig({
    BOOK_FILE: options.bookFile,
    RATE_LIMIT_MAX: "0",
    LOG_LEVEL: "info",
    QUOTE_WORKERS: options.quoteWorkers ?? process.env.QUOTE_WORKERS,
  });
  const inProcess = options.hop
    ? undefined
    : await createOriginApi(config, pino({ level: "info" }, pino.destination("/dev/null")));
  const server = createServer(
    createStackApp({
      distDir: path.join(root, "frontend", "dist"),
      targets: { api: options.api, indexer: "http://127.0.0.1:9", rpc: "http://127.0.0.1:9" },
      describe: (part) => `the ${part} is not part of this benchmark`,
      config: () => undefined,
      health: async () => ({ healthy: true, body: { status: "ok" } }),
      api: () => inProcess?.listener,
    }),
  );
  server.headersTimeout = 10_000;
  server.keepAliveTimeout = 5_000;
  server.listen(options.port, "127.0.0.1");
  process.on("SIGTERM", () => {
    server.close();
    server.closeAllConnections();
    process.exit(0);
  });
}

/**
 * The API process of the checkout at `root` (default: this one) on `port`, serving the book in
 * `bookFile`, as the stack starts it (stack/services.ts) behind one proxy hop, with rate limiting off
 * and its logs where nobody reads them; `nodeArgs` go to Node (e.g. `--cpu-prof`), `quoteWorkers` is its
 * QUOTE_WORKERS (its default without).
 */
export function spawnApi(options: {
  port: number;
  bookFile: string;
  root?: string;
  nodeArgs?: string[];
  quoteWorkers?: string;
}): ChildProcess {
  const at = options.root ?? root;
  return spawn(process.execPath, [...(options.nodeArgs ?? []), path.join(at, "backend/main.ts")], {
    cwd: at,
    env: {
      ...process.env,
      HOST: "127.0.0.1",
      PORT: String(options.port),
      BOOK_FILE: options.bookFile,
      RATE_LIMIT_MAX: "0",
      TRUST_PROXY_HOPS: "1",
      LOG_LEVEL: "info",
      ...(options.quoteWorkers === undefined ? {} : { QUOTE_WORKERS: options.quoteWorkers }),
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
}

/** User + system CPU time of a process so far in µs, from /proc (Linux, 100 ticks per second). */
export function cpuMicros(pid: number): number {
  return statTicks(readFileSync(`/proc/${pid}/stat`, "utf8")) * 10_000;
}

/**
 * A process's CPU time so far in µs (as cpuMicros) and the part of it spent outside its main thread,
 * in V8's helper threads (optimising compilers, concurrent GC) and libuv's pool: the main thread's is
 * /proc/PID/task/PID/stat, the rest (threads that ended included) is the difference.
 */
export function cpuMicrosByThread(pid: number): { total: number; otherThreads: number } {
  const total = cpuMicros(pid);
  return { total, otherThreads: total - statTicks(readFileSync(`/proc/${pid}/task/${pid}/stat`, "utf8")) * 10_000 };
}

/** Resolves once `url` answers 2xx; fails after 30 s. */
export async function waitFor(url: string): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer`);
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  await exited;
}

/**
 * What autocannon sends for one route: with `bodies`, a JSON POST that takes the next body (in turn,
 * round and round) for every request; without, the bare request.
 */
export function benchRequest(method: "GET" | "POST", path: string, bodies?: readonly string[]): AutocannonRequest {
  if (bodies === undefined) return { method, path };
  let next = 0;
  return {
    method,
    path,
    headers: { "content-type": "application/json" },
    setupRequest: (req) => ({ ...req, body: bodies[next++ % bodies.length] }),
  };
}
