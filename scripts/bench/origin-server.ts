// What the API and origin benchmarks share: the origin as stack/main.ts builds it in front of an API
// process (serveOrigin, run in a child of the benchmark), waiting for a server and stopping a child.
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:http";
import path from "node:path";

import { pino } from "pino";

import { loadConfig } from "../../backend/config.ts";
import { createOriginApi } from "../../stack/origin-api.ts";
import { createStackApp } from "../../stack/server.ts";

const root = path.resolve(import.meta.dirname, "../..");

/**
 * The origin in front of the API process at `api`, with the API's app in this process reading the
 * same book file (as `npm start` serves /api); with `hop`, /api only piped to the API process.
 */
export async function serveOrigin(options: { api: string; bookFile: string; port: number; hop: boolean }) {
  // The API process's settings in the benchmarks, read by the API's own parser.
  const config = loadConfig({ BOOK_FILE: options.bookFile, RATE_LIMIT_MAX: "0", LOG_LEVEL: "info" });
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
      api: () => inProcess,
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
