// The start-up the keeper and the matcher share, in a child process of its own: bad settings stop it
// with one line naming the variable (exit 2), a failure to start is fatal (exit 2), and SIGTERM
// stops the running service cleanly (exit 0).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import path from "node:path";
import { describe, it } from "node:test";
import { pathToFileURL } from "node:url";

const ROOT = path.resolve(import.meta.dirname, "..", "..", "..");
const url = (f: string) => pathToFileURL(path.join(ROOT, f)).href;

/** A service whose settings come from TEST_COUNT and whose start does what TEST_START says. */
const SERVICE = `
  import { z } from "zod";
  import { envInt, logLevel, parseEnv } from ${JSON.stringify(url("protocol/env.ts"))};
  import { runService } from ${JSON.stringify(url("backend/service/run-service.ts"))};
  await runService({
    name: "test-service",
    loadConfig: () => {
      const e = parseEnv(z.object({ TEST_COUNT: envInt(1, 10), LOG_LEVEL: logLevel }), process.env);
      return { count: e.TEST_COUNT, logLevel: e.LOG_LEVEL, rpcRetries: 0 };
    },
    finishing: "the test's work",
    start: async ({ logger, fatal }) => {
      if (process.env.TEST_START === "fail") fatal(new Error("no way"));
      const timer = setInterval(() => {}, 1_000);
      logger.info("running");
      return { stop: async () => { clearInterval(timer); logger.info("service stopped its work"); } };
    },
  });`;

function run(env: Record<string, string>, onRunning?: (child: ReturnType<typeof spawn>) => void) {
  const child = spawn(process.execPath, ["--input-type=module", "-e", SERVICE], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, ...env },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => {
    stdout += d;
    if (stdout.includes('"running"')) onRunning?.(child);
  });
  child.stderr.on("data", (d: Buffer) => (stderr += d));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on("exit", (code) => resolve({ code, stdout, stderr })),
  );
}

describe("runService", () => {
  it("refuses bad settings with one line naming the variable, exit 2", async () => {
    const { code, stderr } = await run({ TEST_COUNT: "eleven" });
    assert.equal(code, 2);
    assert.equal(stderr.trim(), "invalid environment: TEST_COUNT: expected a non-negative integer");
  });

  it("logs a failure to start as fatal, exit 2", async () => {
    const { code, stdout } = await run({ TEST_COUNT: "3", TEST_START: "fail" });
    assert.equal(code, 2);
    const fatal = stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l))
      .find((l) => l.msg === "cannot start");
    assert.equal(fatal?.service, "test-service");
    assert.match(JSON.stringify(fatal?.err), /no way/);
  });

  it("stops the running service on SIGTERM, exit 0", async () => {
    let signalled = false;
    const { code, stdout } = await run({ TEST_COUNT: "3" }, (child) => {
      if (signalled) return;
      signalled = true;
      child.kill("SIGTERM");
    });
    assert.equal(code, 0);
    const messages = stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l).msg);
    assert.deepEqual(messages, ["running", "stopping after the test's work", "service stopped its work", "stopped"]);
  });
});
