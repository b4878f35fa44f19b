// The metering agent: `npm run meter -- --deal <id> [options]`. docs/metering.md, "The metering agent".
//
//   --deal <id>          the deal to meter (required)
//   --api <url>          the exchange's API (default http://127.0.0.1:8080)
//   --source <s>         auto (nvidia-smi, else RAPL, else simulated) | nvidia-smi | rapl | simulated
//   --interval <s>       seconds between samples (default 1)
//   --batch <n>          samples per signed batch (default 60)
//   --state <file>       where the cursor and unsent samples live (default .data/meter/deal-<id>.json)
//   --peak-watts <w>     the simulated cluster's peak (default 400000)
// The compute supplier's key comes from METER_PRIVATE_KEY (0x + 64 hex digits), never the command line.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";

import { privateKeyToAccount } from "viem/accounts";

import { MeterAgent, MeterAgentError } from "../backend/metering/agent/agent.ts";
import {
  detectPowerSource,
  nvidiaSmiReader,
  onPath,
  type PowerSource,
  raplReader,
  simulatedCluster,
} from "../backend/metering/agent/power.ts";

function fail(message: string): never {
  console.error(`meter: ${message}`);
  process.exit(2);
}

const { values } = parseArgs({
  options: {
    deal: { type: "string" },
    api: { type: "string", default: "http://127.0.0.1:8080" },
    source: { type: "string", default: "auto" },
    interval: { type: "string", default: "1" },
    batch: { type: "string", default: "60" },
    state: { type: "string" },
    "peak-watts": { type: "string", default: "400000" },
  },
});
if (values.deal === undefined || !/^[1-9][0-9]*$/.test(values.deal)) fail("--deal <id> is required (1, 2, …)");
const key = process.env.METER_PRIVATE_KEY;
if (key === undefined || !/^0x[0-9a-fA-F]{64}$/.test(key)) fail("METER_PRIVATE_KEY must be 0x and 64 hex digits");
const interval = Number(values.interval);
const batch = Number(values.batch);
const peakWatts = Number(values["peak-watts"]);
if (!Number.isInteger(interval) || interval < 1) fail("--interval must be a whole number of seconds ≥ 1");
if (!Number.isInteger(batch) || batch < 1 || batch > 600) fail("--batch must be 1–600");
if (!(peakWatts > 0)) fail("--peak-watts must be positive");

const dealId = BigInt(values.deal);
const simulated = { peakWatts, seed: Number(dealId % 100_000n) };
let source: PowerSource;
switch (values.source) {
  case "auto":
    source = detectPowerSource(simulated);
    break;
  case "nvidia-smi": {
    const smi = onPath("nvidia-smi") ?? fail("nvidia-smi is not on PATH");
    source = nvidiaSmiReader(smi);
    break;
  }
  case "rapl":
    source = raplReader() ?? fail("no readable RAPL zone under /sys/class/powercap");
    break;
  case "simulated":
    source = simulatedCluster(simulated);
    break;
  default:
    fail(`--source ${values.source}: expected auto, nvidia-smi, rapl or simulated`);
}

const res = await fetch(new URL(`/api/metering/${dealId}?limit=1`, values.api)).catch((error: Error) =>
  fail(`cannot reach ${values.api}: ${error.message}`),
);
if (!res.ok) fail(`deal ${dealId}: the service answered ${res.status} ${await res.text()}`);
const { windowStart, windowEnd } = (await res.json()) as { windowStart: number; windowEnd: number };

const stateFile = path.resolve(values.state ?? path.join(".data", "meter", `deal-${dealId}.json`));
mkdirSync(path.dirname(stateFile), { recursive: true });
const log = (message: string, fields: Record<string, unknown> = {}) =>
  console.log(JSON.stringify({ time: new Date().toISOString(), deal: String(dealId), msg: message, ...fields }));
const agent = new MeterAgent({
  dealId,
  api: values.api,
  account: privateKeyToAccount(key as `0x${string}`),
  source,
  stateFile,
  intervalSeconds: interval,
  batchSize: batch,
  window: { windowStart, windowEnd },
  log,
});
log("metering", { source: source.source, windowStart, windowEnd, stateFile });
const stop = new AbortController();
process.once("SIGINT", () => stop.abort());
process.once("SIGTERM", () => stop.abort());
try {
  await agent.run(stop.signal);
  log("stopped", { acknowledgedUntil: agent.state.acknowledgedUntil, unsent: agent.state.pending.length });
} catch (error) {
  if (!(error instanceof MeterAgentError)) throw error;
  fail(error.message);
}
