// The whole exchange for end-to-end tests: `node stack/main.ts` (what `npm start` runs after its
// build) as a child in its own process group, on free ports and a temporary data folder, stopped
// with SIGINT like Ctrl-C. A failed test never leaves a stack behind.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { freePort, ROOT } from "./local-chain.ts";

export type RunningStack = {
  url: string;
  dataDir: string;
  output: () => string;
  /** Ctrl-C, then waits for the exit code; removes the data folder unless `keepData`. */
  stop: (options?: { keepData?: boolean }) => Promise<number | null>;
};

const running = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of running) if (child.pid !== undefined) try { process.kill(-child.pid, "SIGKILL"); } catch { /* gone */ }
});

export async function startStack(env: Record<string, string> = {}, readyWithinMs = 10 * 60_000): Promise<RunningStack> {
  const dataDir = env.DATA_DIR ?? (await mkdtemp(path.join(tmpdir(), "ccex-stack-")));
  const child = spawn(process.execPath, [path.join(ROOT, "stack", "main.ts")], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(await freePort()), NODE_PORT: String(await freePort()), DATA_DIR: dataDir, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  running.add(child);
  let output = "";
  child.stdout!.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  const stop = async ({ keepData = false } = {}) => {
    if (child.exitCode === null) process.kill(-child.pid!, "SIGINT");
    const code = await Promise.race([
      exited,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`stack not stopped within 90 s:\n${output}`)), 90_000).unref()),
    ]);
    if (!keepData) await rm(dataDir, { recursive: true, force: true });
    return code;
  };
  const deadline = Date.now() + readyWithinMs;
  for (;;) {
    const ready = /^CCEX is ready at (http:\/\/\S+)/m.exec(output);
    if (ready) return { url: ready[1], dataDir, output: () => output, stop };
    if (child.exitCode !== null) throw new Error(`the stack exited (${child.exitCode}) before it was ready:\n${output}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the stack was not ready within ${readyWithinMs / 1000} s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
}
