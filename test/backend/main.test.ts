import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import { createInterface } from "node:readline";
import { describe, it } from "node:test";

const main = path.resolve(import.meta.dirname, "../../backend/main.ts");

describe("backend server process", () => {
  it("binds to loopback on an ephemeral port, serves quotes from its worker pool, and exits 0 after SIGTERM", async () => {
    const child = spawn(process.execPath, [main], {
      env: { ...process.env, HOST: "", PORT: "0", LOG_LEVEL: "info" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    // HOST="" is invalid: the process must refuse to start and name the variable.
    const [code] = (await once(child, "exit")) as [number];
    assert.equal(code, 2);

    const server = spawn(process.execPath, [main], {
      env: { ...process.env, HOST: undefined, PORT: "0", LOG_LEVEL: "info", QUOTE_WORKERS: "2" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      const lines = createInterface({ input: server.stdout });
      let url: string | undefined;
      let quoteWorkers: number | undefined;
      for await (const line of lines) {
        const entry = JSON.parse(line) as { msg: string; url?: string; quoteWorkers?: number };
        if (entry.msg === "quotes") quoteWorkers = entry.quoteWorkers;
        if (entry.msg === "listening") {
          url = entry.url;
          break;
        }
      }
      assert.match(url ?? "", /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(quoteWorkers, 2);
      const res = await fetch(`${url}/health`);
      assert.equal(res.status, 200);
      // A quote goes through a worker (the empty book has nothing to offer); the workers must not keep
      // the process from ending.
      const quote = await fetch(`${url}/api/quote`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          hardwareClass: "gpu-training",
          acceptableRegions: ["gansu"],
          buyerRegion: "gansu",
          earliestStart: 4_102_444_800,
          latestEnd: 4_102_444_800 + 4 * 3_600,
          durationHours: 4,
          vcu: 1,
          limitPricePerVcuHour: "4000000",
        }),
      });
      assert.equal(quote.status, 200);
      assert.equal(((await quote.json()) as { outcome: string }).outcome, "infeasible");
      const exited = once(server, "exit");
      server.kill("SIGTERM");
      const [exitCode] = (await exited) as [number];
      assert.equal(exitCode, 0);
    } finally {
      if (server.exitCode === null) server.kill("SIGKILL");
    }
  });
});
