// Does backend/api/json-body.ts (a direct read of plain JSON bodies) still pay against express.json?
// One child process serves both readers side by side, each route reading a quote body and answering
// 204; autocannon drives them in turns (after a warm-up, three runs each in ABBAAB order) with the API benchmark's
// distinct quote bodies, and each run is charged the child's CPU time per request (from /proc), so
// the two are compared on the same load in the same run.
//
//   node scripts/bench/json-body.ts [--json] [--duration 5] [--connections 10]
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";

import autocannon from "autocannon";
import express from "express";

import { requireJsonBody } from "../../backend/api/errors.ts";
import { jsonBody } from "../../backend/api/json-body.ts";
import { quoteBodies } from "../../test/backend/api/quote-bodies.ts";
import { freePort } from "../../test/helpers/local-chain.ts";
import { stop, waitFor } from "./origin-server.ts";

const { values: args } = parseArgs({
  options: {
    json: { type: "boolean", default: false },
    duration: { type: "string", default: "5" },
    connections: { type: "string", default: "10" },
    serve: { type: "string" },
  },
});

const TYPES = ["application/json", "application/*+json"];

if (args.serve !== undefined) {
  const app = express();
  const done: express.RequestHandler = (req, res) => {
    if (typeof req.body !== "object" || req.body === null) throw new Error("no body read");
    res.status(204).end();
  };
  app.get("/health", (_req, res) => res.json({ ok: true }));
  app.post("/direct", jsonBody({ limit: 16_384, type: TYPES }), done);
  app.post("/standard", requireJsonBody, express.json({ limit: 16_384, type: TYPES }), done);
  const server = app.listen(Number(args.serve), "127.0.0.1");
  process.on("SIGTERM", () => {
    server.close();
    server.closeAllConnections();
    process.exit(0);
  });
} else {
  await bench();
}

function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

async function bench(): Promise<void> {
  const duration = Number(args.duration);
  const connections = Number(args.connections);
  const bodies = quoteBodies({ now: Math.floor(Date.now() / 1000), count: 1_200 });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [import.meta.filename, "--serve", String(port)], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  try {
    await waitFor(`${url}/health`);
    const load = loadavg();
    const runs: Record<"direct" | "standard", { requestsPerSecond: number; cpuUsPerRequest: number }[]> = {
      direct: [],
      standard: [],
    };
    // The first pass of each warms it up and is not counted.
    const order = ["direct", "standard", "direct", "standard", "standard", "direct", "direct", "standard"] as const;
    for (const [i, route] of order.entries()) {
      let next = 0;
      const before = cpuMicros(child.pid!);
      const result = await autocannon({
        url,
        connections,
        duration,
        requests: [
          {
            method: "POST",
            path: `/${route}`,
            headers: { "content-type": "application/json" },
            setupRequest: (req) => ({ ...req, body: bodies[next++ % bodies.length] }),
          },
        ],
      });
      if (result.non2xx > 0 || result.errors > 0)
        throw new Error(`/${route}: ${result.non2xx} non-2xx, ${result.errors} errors`);
      if (i < 2) continue;
      runs[route].push({
        requestsPerSecond: result.requests.average,
        cpuUsPerRequest: (cpuMicros(child.pid!) - before) / result.requests.total,
      });
    }
    const mean = (list: { cpuUsPerRequest: number }[]) => list.reduce((s, r) => s + r.cpuUsPerRequest, 0) / list.length;
    const figures = {
      durationSeconds: duration,
      connections,
      direct: runs.direct,
      standard: runs.standard,
      directCpuUsPerRequest: Math.round(mean(runs.direct)),
      standardCpuUsPerRequest: Math.round(mean(runs.standard)),
      savedCpuUsPerRequest: Math.round(mean(runs.standard) - mean(runs.direct)),
      loadAverage: [...load, ...loadavg()].map((l) => Math.round(l * 100) / 100),
    };
    if (args.json) console.log(JSON.stringify(figures));
    else
      console.log(
        `CPU per request: direct ${figures.directCpuUsPerRequest} µs, express.json ${figures.standardCpuUsPerRequest} µs (saves ${figures.savedCpuUsPerRequest} µs); load average before ${figures.loadAverage.slice(0, 3).join(" ")}, after ${figures.loadAverage.slice(3).join(" ")}`,
      );
  } finally {
    await stop(child);
  }
}
