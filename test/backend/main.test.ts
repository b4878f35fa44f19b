import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import { createInterface } from "node:readline";
import { describe, it } from "node:test";

const main = path.resolve(import.meta.dirname, "../../backend/main.ts");

describe("backend server process", () => {
  it("binds to loopback on an ephemeral port, serves, and exits 0 after SIGTERM", async () => {
    const child = spawn(process.execPath, [main], {
      env: { ...process.env, HOST: "", PORT: "0", LOG_LEVEL: "info" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    // HOST="" is invalid: the process must refuse to start and name the variable.
    const [code] = (await once(child, "exit")) as [number];
    assert.equal(code, 2);

    const server = spawn(process.execPath, [main], {
      env: { ...process.env, HOST: undefined, PORT: "0", LOG_LEVEL: "info" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      const lines = createInterface({ input: server.stdout });
      let url: string | undefined;
      for await (const line of lines) {
        const entry = JSON.parse(line) as { msg: string; url?: string };
        if (entry.msg === "listening") {
          url = entry.url;
          break;
        }
      }
      assert.match(url ?? "", /^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await fetch(`${url}/health`);
      assert.equal(res.status, 200);
      const exited = once(server, "exit");
      server.kill("SIGTERM");
      const [exitCode] = (await exited) as [number];
      assert.equal(exitCode, 0);
    } finally {
      if (server.exitCode === null) server.kill("SIGKILL");
    }
  });
});
