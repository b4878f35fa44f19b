// The whole exchange for tests: `npm start` as a fresh clone runs it, or (`direct`) the stack's
// entry point itself, already built — a child in its own process group, on free ports and a
// temporary data folder unless told otherwise, stopped with SIGINT as a terminal's Ctrl-C. A failed
// test never leaves a stack behind.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { freePort, ROOT } from "./local-chain.ts";

export type Exit = { code: number | null; signal: NodeJS.Signals | null };

export type RunningStack = {
  process: ChildProcess;
  url: string;
  dataDir: string;
  output: () => string;
  exited: Promise<Exit>;
  /** Ctrl-C as a terminal sends it, to the whole foreground process group; resolves with the exit. */
  interrupt: () => Promise<Exit>;
  /** Ctrl-C, then removes the data folder; resolves with the exit. */
  stop: () => Promise<Exit>;
};

const running = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of running)
    if (child.pid !== undefined)
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        /* gone */
      }
});

type StartOptions = { how?: "npm" | "direct"; readyWithinMs?: number };

/**
 * Starts the stack on free loopback ports. A free port can be taken by another process between the
 * probe and the stack's bind (tests of other servers run on the same machine), so a start refused
 * only for a port in use is tried again on new ports, unless the caller chose the ports.
 */
export async function startStack(env: Record<string, string> = {}, options: StartOptions = {}): Promise<RunningStack> {
  const chosePorts = env.PORT !== undefined || env.NODE_PORT !== undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      return await startStackOnce(env, options);
    } catch (error) {
      if (!(error instanceof PortTaken) || chosePorts || attempt >= 3) throw error;
    }
  }
}

class PortTaken extends Error {}

async function startStackOnce(
  env: Record<string, string>,
  { how = "direct", readyWithinMs = 10 * 60_000 }: StartOptions,
): Promise<RunningStack> {
  const dataDir = env.DATA_DIR ?? (await mkdtemp(path.join(tmpdir(), "ccex-stack-")));
  const [command, args] =
    how === "npm" ? ["npm", ["start"]] : [process.execPath, [path.join(ROOT, "stack", "main.ts")]];
  const child = spawn(command, args, {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(await freePort()),
      NODE_PORT: String(await freePort()),
      DATA_DIR: dataDir,
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  running.add(child);
  let output = "";
  child.stdout!.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (output += c.toString()));
  const exited = new Promise<Exit>((resolve) =>
    child.once("exit", (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  const interrupt = () => {
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, "SIGINT");
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`the stack did not stop within 90 s:\n${output}`)), 90_000).unref(),
    );
    return Promise.race([exited, timeout]);
  };
  const stop = async () => {
    const exit = await interrupt();
    await rm(dataDir, { recursive: true, force: true });
    return exit;
  };
  const deadline = Date.now() + readyWithinMs;
  for (;;) {
    const ready = /^CCEX is ready at (http:\/\/\S+)/m.exec(output);
    if (ready) return { process: child, url: ready[1], dataDir, output: () => output, exited, interrupt, stop };
    if (child.exitCode !== null) {
      const message = `the stack exited (${child.exitCode}) before it was ready:\n${output}`;
      if (/^ccex: (PORT|NODE_PORT): \S+ is already in use/m.test(output)) {
        if (env.DATA_DIR === undefined) await rm(dataDir, { recursive: true, force: true });
        throw new PortTaken(message);
      }
      throw new Error(message);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the stack was not ready within ${readyWithinMs / 1000} s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
}

/**
 * The processes started under `pid` (children, grandchildren, …) with their command lines: /health
 * names no pids, so a test finds the stack's parts this way.
 */
export function processesUnder(pid: number): { pid: number; command: string }[] {
  const table = execFileSync("ps", ["-eo", "pid=,ppid=,args="], { encoding: "utf8" })
    .split("\n")
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((m) => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), command: m[3] }));
  const found: { pid: number; command: string }[] = [];
  const parents = [pid];
  while (parents.length > 0) {
    const parent = parents.pop()!;
    for (const p of table)
      if (p.ppid === parent) {
        found.push({ pid: p.pid, command: p.command });
        parents.push(p.pid);
      }
  }
  return found;
}
