// How long `npm start` takes to say "CCEX is ready": a first start on a fresh, empty DATA_DIR (the
// prestart build, the chain, the deployment, the indexer, the API and, with the demo on, the seeded
// history), then a stop and a restart on the same folder (the journal replayed, the deployment and the
// index reused). Prints both times, each part's own timing as the stack printed it, and the load
// average around each run: the machine may be shared, so read the figures with it. The CPU seconds
// each process of the stack had used when it was ready do not depend on that load: on an idle machine
// the start takes at least their sum divided by the cores.
//
//   npm run bench:startup                    table, demo on
//   npm run bench:startup -- --demo off      without the demo market
//   npm run bench:startup -- --json          one JSON object
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

import { freePort, ROOT } from "../../test/helpers/local-chain.ts";

const { values: args } = parseArgs({
  options: {
    json: { type: "boolean", default: false },
    demo: { type: "string", default: "on" },
    restarts: { type: "string", default: "1" },
  },
});
const restarts = Number(args.restarts);
if (!["on", "off"].includes(args.demo) || !(Number.isInteger(restarts) && restarts >= 0 && restarts <= 5)) {
  console.error("--demo must be on or off and --restarts an integer in [0, 5]");
  process.exit(2);
}

type Run = {
  run: string;
  readySeconds: number;
  /** From `npm start` to the stack's first line: the prestart build. */
  buildSeconds: number;
  /** Each part's own timing, as the stack printed it ("ok  indexer ready (3.1 s)"). */
  parts: Record<string, number>;
  loadBefore: number;
  loadAfter: number;
  /** CPU seconds used by each part's process (and the processes it ran and reaped) when it was ready. */
  cpuSeconds: Record<string, number>;
};

const TICKS = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
const PROCESS_NAMES: [RegExp, string][] = [
  [/hardhat\/dist\/src\/cli\.js .*\bnode\b/, "chain node"],
  [/indexer\/main\.ts/, "indexer"],
  [/backend\/main\.ts/, "API"],
  [/stack\/demo\/main\.ts/, "demo market"],
  [/backend\/matcher\/main\.ts/, "matcher"],
  [/backend\/keeper\/main\.ts/, "keeper"],
  [/stack\/main\.ts/, "stack (origin, gateway, journal, deployment)"],
  [/^npm/, "npm (with the prestart build)"],
];

const seconds = (ms: number) => Math.round(ms / 100) / 10;
const load = () => Math.round(loadavg()[0] * 100) / 100;

/** CPU seconds of `root` and every live process under it, each with the children it has reaped. */
function treeCpu(root: number): Record<string, number> {
  const table = new Map<number, { parent: number; ticks: number; command: string }>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // The fields after the command name (which may hold spaces): ppid is field 4, utime 14 … cstime 17.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      table.set(Number(entry), {
        parent: Number(fields[1]),
        ticks: [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0),
        command: readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " "),
      });
    } catch {
      // ended meanwhile
    }
  }
  const cpu: Record<string, number> = {};
  const pending = [root];
  while (pending.length > 0) {
    const pid = pending.pop()!;
    const process = table.get(pid);
    if (process === undefined) continue;
    const name = PROCESS_NAMES.find(([pattern]) => pattern.test(process.command))?.[1] ?? process.command.slice(0, 60);
    cpu[name] = Math.round(((cpu[name] ?? 0) + process.ticks / TICKS) * 10) / 10;
    for (const [child, p] of table) if (p.parent === pid) pending.push(child);
  }
  return cpu;
}

async function startOnce(run: string, dataDir: string): Promise<Run> {
  const env = {
    ...process.env,
    PORT: String(await freePort()),
    NODE_PORT: String(await freePort()),
    DATA_DIR: dataDir,
    DEMO: args.demo,
  };
  const loadBefore = load();
  const started = performance.now();
  const child = spawn("npm", ["start"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let output = "";
  let buildMs: number | undefined;
  let cpuSeconds: Record<string, number> = {};
  let readyMs: number | undefined;
  const ready = new Promise<number>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (buildMs === undefined && /^CCEX stack:/m.test(output)) buildMs = performance.now() - started;
      // Once: later output (the stop) must not overwrite what the processes had used when ready.
      if (readyMs === undefined && /^CCEX is ready at /m.test(output)) {
        readyMs = performance.now() - started;
        cpuSeconds = treeCpu(child.pid!);
        resolve(readyMs);
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`npm start exited (${code}) before it was ready:\n${output}`)));
  });
  try {
    await ready;
  } finally {
    await stop(child);
  }
  const parts: Record<string, number> = {};
  for (const match of output.matchAll(/^ok {2}(.+?) \((\d+(?:\.\d+)?) s\)$/gm))
    parts[match[1].replace(/:.*/, "")] = Number(match[2]);
  const replay = /^ok {2}replayed (\d+) blocks, (\d+) transactions in (\d+(?:\.\d+)?) s/m.exec(output);
  if (replay) parts[`replayed ${replay[1]} blocks`] = Number(replay[3]);
  return {
    run,
    readySeconds: seconds(readyMs!),
    buildSeconds: seconds(buildMs ?? Number.NaN),
    parts,
    loadBefore,
    loadAfter: load(),
    cpuSeconds,
  };
}

/** Ctrl-C to the whole group, as a terminal sends it; waits for the stack to exit. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  process.kill(-child.pid!, "SIGINT");
  const timer = setTimeout(() => process.kill(-child.pid!, "SIGKILL"), 90_000);
  await exited;
  clearTimeout(timer);
}

const dataDir = await mkdtemp(path.join(tmpdir(), "ccex-bench-startup-"));
const runs: Run[] = [];
try {
  runs.push(await startOnce("first start", dataDir));
  for (let i = 1; i <= restarts; i++) runs.push(await startOnce(restarts === 1 ? "restart" : `restart ${i}`, dataDir));
} finally {
  await rm(dataDir, { recursive: true, force: true });
}

if (args.json) console.log(JSON.stringify({ demo: args.demo, cores: cpus().length, runs }));
else {
  console.log(`npm start, demo ${args.demo}, ${cpus().length} cores (seconds)`);
  console.table(
    runs.map(({ run, readySeconds, buildSeconds, loadBefore, loadAfter, cpuSeconds }) => {
      const cpu = Object.values(cpuSeconds).reduce((a, b) => a + b, 0);
      return {
        run,
        ready: readySeconds,
        build: buildSeconds,
        "CPU s": Math.round(cpu * 10) / 10,
        [`CPU s / ${cpus().length} cores`]: Math.round((cpu / cpus().length) * 10) / 10,
        "load before": loadBefore,
        "load after": loadAfter,
      };
    }),
  );
  const names = [...new Set(runs.flatMap((r) => Object.keys(r.parts)))];
  const processes = [...new Set(runs.flatMap((r) => Object.keys(r.cpuSeconds)))];
  console.log("CPU seconds by process when ready");
  console.table(
    Object.fromEntries(
      processes.map((name) => [name, Object.fromEntries(runs.map((r) => [r.run, r.cpuSeconds[name] ?? "-"]))]),
    ),
  );
  console.log("each part's own time as the stack printed it (seconds)");
  console.table(
    Object.fromEntries(names.map((name) => [name, Object.fromEntries(runs.map((r) => [r.run, r.parts[name] ?? "-"]))])),
  );
}
