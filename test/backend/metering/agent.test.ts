// The metering agent: reads a fake nvidia-smi put on PATH (a script in a temp dir), signs and sends
// its batches, and never sends a second twice — across a restart and across an outage of the service.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmod, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";

import { MeterAgent } from "../../../backend/metering/agent/agent.ts";
import { detectPowerSource, simulatedCluster } from "../../../backend/metering/agent/power.ts";
import { StaticDealSource } from "../../../backend/metering/deal-source.ts";
import { dealOf, domain, type MeteringServer, removeDir, startMeteringServer } from "./helpers.ts";

const ROOT = path.resolve(import.meta.dirname, "..", "..", "..");
const key = generatePrivateKey();
const account = privateKeyToAccount(key);
const nowSeconds = () => Math.floor(Date.now() / 1000);
let dir: string;
let api: MeteringServer;
const deals = new StaticDealSource(domain);

function supplied(dealId: bigint, windowStart: number, windowEnd: number) {
  deals.add({ ...dealOf(dealId, windowStart, windowEnd), computeSupplier: account.address });
}

describe("metering agent", () => {
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "ccex-meter-agent-"));
    api = await startMeteringServer(deals, undefined, nowSeconds);
  });
  after(async () => {
    await api.close();
    await removeDir(api.dataDir);
    await removeDir(dir);
  });

  it("sends what a fake nvidia-smi on PATH reads, summed over its GPUs, once per second until the window ends", async () => {
    const bin = path.join(dir, "bin");
    await import("node:fs/promises").then((fs) => fs.mkdir(bin));
    const smi = path.join(bin, "nvidia-smi");
    await writeFile(smi, '#!/bin/sh\n[ "$1" = "--query-gpu=power.draw" ] || exit 9\nprintf "250.50\\n300.25\\n"\n');
    await chmod(smi, 0o755);
    assert.equal(detectPowerSource({ peakWatts: 1 }, { PATH: bin }).source, "nvidia-smi");

    // A window long enough for a loaded machine to start the agent (Node and its imports) inside it.
    const start = nowSeconds();
    supplied(11n, start, start + 12);
    const state = path.join(dir, "deal-11.json");
    const child = spawn(
      process.execPath,
      [path.join(ROOT, "scripts", "meter.ts"), "--deal", "11", "--api", api.url, "--batch", "2", "--state", state],
      {
        // the parent's environment (its clock, under faketime) with the fake nvidia-smi first on PATH
        env: {
          ...process.env,
          PATH: `${bin}${path.delimiter}${path.dirname(process.execPath)}`,
          METER_PRIVATE_KEY: key,
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c));
    child.stderr.on("data", (c: Buffer) => (out += c));
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    assert.equal(code, 0, out);
    assert.match(out, /"source":"nvidia-smi"/);

    const series = await api.store.series(11n);
    assert.ok(series.length >= 3, JSON.stringify(series));
    for (const s of series) assert.equal(s.w, 551); // 250.50 + 300.25, rounded
    for (let i = 1; i < series.length; i++) assert.ok(series[i].t > series[i - 1].t);
    const saved = JSON.parse(await readFile(state, "utf8"));
    assert.deepEqual(saved, { dealId: "11", acknowledgedUntil: series.at(-1)?.t, pending: [] });
  });

  it("keeps unsent samples through an outage and a restart, and never sends a second twice", async () => {
    const posted: number[] = [];
    const realFetch = globalThis.fetch;
    globalThis.fetch = (async (input: string | URL | Request, init?: RequestInit) => {
      if (init?.method === "POST") posted.push(...JSON.parse(String(init.body)).samples.map((s: number[]) => s[0]));
      return realFetch(input, init);
    }) as typeof fetch;
    try {
      const end = nowSeconds() - 10;
      const windowStart = end - 3_600;
      supplied(12n, windowStart, end);
      const state = path.join(dir, "deal-12.json");
      const source = simulatedCluster({ peakWatts: 200_000, seed: 12 });
      const agentOn = (url: string) =>
        new MeterAgent({
          dealId: 12n,
          api: url,
          account,
          domain,
          source,
          stateFile: state,
          intervalSeconds: 60,
          batchSize: 10,
          window: { windowStart, windowEnd: end },
          sleep: async () => {},
          maxRetries: 2,
        });
      // The service is down (nothing listens there): every reading stays in the state file.
      const down = agentOn("http://127.0.0.1:9");
      await down.run();
      assert.equal(down.state.acknowledgedUntil, null);
      assert.equal(down.state.pending.length, 61);
      const triedWhileDown = posted.length;
      assert.ok(triedWhileDown > 0);
      posted.length = 0;

      // A new process with the same state file sends them all, once.
      const up = agentOn(api.url);
      await up.run();
      assert.equal(up.state.pending.length, 0);
      assert.equal(up.state.acknowledgedUntil, end);
      assert.equal(new Set(posted).size, posted.length);
      assert.equal(posted.length, 61);
      const stored = await api.store.series(12n);
      assert.deepEqual(
        stored,
        Array.from({ length: 61 }, (_, i) => ({ t: windowStart + 60 * i, w: source.at(windowStart + 60 * i) })),
      );
      // Run again: nothing left to send.
      posted.length = 0;
      await agentOn(api.url).run();
      assert.deepEqual(posted, []);
      const report = await (await realFetch(`${api.url}/api/metering/12/report`)).json();
      assert.ok((report as { totalWh: number }).totalWh > 0);
    } finally {
      globalThis.fetch = realFetch;
    }
  });
});
