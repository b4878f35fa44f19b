// The stack's supervision of its children, with stand-in scripts: a crash is reported and restarted
// with backoff, a stop ends the child, and a child never outlives a stack that dies.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import { Supervised } from "../../stack/processes.ts";
import { ROOT } from "../helpers/local-chain.ts";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("supervised children", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "ccex-processes-"));
    // Crashes on its first run only (a marker file remembers), then serves until SIGTERM.
    await writeFile(
      path.join(dir, "flaky.ts"),
      `import { existsSync, writeFileSync } from "node:fs";
const marker = ${JSON.stringify(path.join(dir, "crashed-once"))};
console.log("started");
if (!existsSync(marker)) { writeFileSync(marker, ""); process.exit(3); }
process.on("SIGTERM", () => { console.log("terminated"); process.exit(0); });
setInterval(() => {}, 1000);
`,
    );
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("reports a crash, restarts after a backoff, logs to its file and stops on request", async () => {
    const crashes: [string, string, number | null][] = [];
    const logFile = path.join(dir, "flaky.log");
    const child = new Supervised(
      { name: "flaky", script: path.join(dir, "flaky.ts"), env: process.env, logFile, restart: true },
      { onCrash: (...args) => crashes.push(args) },
    );
    child.start();
    await until(() => crashes.length === 1, "the crash");
    assert.deepEqual(crashes[0], ["flaky", "exit code 3", 1_000]);
    assert.equal(child.state, "restarting");
    await until(() => child.restarts === 1 && child.state === "running", "the restart");
    const pid = child.pid!;
    const log = async () => (await readFile(logFile, "utf8")).trim();
    for (let i = 0; (await log()) !== "started\nstarted"; i++) {
      assert.ok(i < 200, "the restarted child runs");
      await new Promise((r) => setTimeout(r, 50));
    }
    await child.stop();
    assert.equal(child.state, "stopped");
    assert.equal(alive(pid), false);
    assert.equal(crashes.length, 1, "a requested stop is no crash");
    assert.equal(await log(), "started\nstarted\nterminated");
  });

  it("keeps a child that runs worker threads (the guard preloaded into them watches no stdin)", async () => {
    // `--import` preloads run in a worker thread started from a file too, where stdin is an empty stream that ends at once.
    await writeFile(
      path.join(dir, "thread.ts"),
      `import { parentPort } from "node:worker_threads";
parentPort?.postMessage("up");
setInterval(() => {}, 1000);
`,
    );
    await writeFile(
      path.join(dir, "threaded.ts"),
      `import { Worker } from "node:worker_threads";
const worker = new Worker(${JSON.stringify(path.join(dir, "thread.ts"))});
worker.once("message", () => console.log("worker up"));
setInterval(() => {}, 1000);
`,
    );
    const crashes: string[] = [];
    const logFile = path.join(dir, "threaded.log");
    const child = new Supervised(
      { name: "threaded", script: path.join(dir, "threaded.ts"), env: process.env, logFile, restart: true },
      { onCrash: (_name, why) => crashes.push(why) },
    );
    child.start();
    const log = async () => (await readFile(logFile, "utf8").catch(() => "")).trim();
    for (let i = 0; (await log()) !== "worker up"; i++) {
      assert.ok(i < 300, `the worker starts (log: ${await log()}; crashes: ${crashes.join(", ")})`);
      await new Promise((r) => setTimeout(r, 50));
    }
    // Long enough for a guard in the worker to have stopped the child.
    await new Promise((r) => setTimeout(r, 1_000));
    assert.deepEqual(crashes, []);
    assert.equal(child.state, "running");
    assert.equal(child.restarts, 0);
    await child.stop();
  });

  it("ends with the stack even when the stack is killed outright", async () => {
    // A stand-in stack that starts a child and prints its pid, then is SIGKILLed (no exit handlers run).
    const parent = path.join(dir, "parent.ts");
    await writeFile(
      parent,
      `import { Supervised } from ${JSON.stringify(path.join(ROOT, "stack", "processes.ts"))};
const child = new Supervised({ name: "sleeper", script: ${JSON.stringify(path.join(dir, "sleeper.ts"))}, env: process.env, logFile: ${JSON.stringify(path.join(dir, "sleeper.log"))}, restart: true }, { onCrash: () => {} });
child.start();
console.log(child.pid);
setInterval(() => {}, 1000);
`,
    );
    await writeFile(path.join(dir, "sleeper.ts"), "setInterval(() => {}, 1000);\n");
    const stack = spawn(process.execPath, [parent], { stdio: ["ignore", "pipe", "inherit"] });
    const pid = await new Promise<number>((resolve) =>
      stack.stdout.once("data", (c: Buffer) => resolve(Number(c.toString().trim()))),
    );
    assert.ok(alive(pid));
    stack.kill("SIGKILL");
    await until(() => !alive(pid), "the orphaned child to end", 12_000);
  });
});
