// Metering figures (docs/metering.md, "Measured"):
//   samplesPerSecond  ingest over HTTP into PGlite: pre-signed batches of 60 for several deals, sent
//                     by concurrent clients; each batch's signature is checked and it is committed
//                     before the answer (target ≥ 20,000). The clients run in a worker thread, as
//                     the compute sites' agents run on their own machines: the API's thread is
//                     measured, not the load generator.
//   keccakCpuMs       the tree's Keccak-f[1600] against @noble/hashes' keccakP, as many permutations
//                     as a 24-hour tree takes (CPU time, median of 3)
//   verifyMs          recomputing the hourly Wh and the Merkle root of a 24-hour 1 Hz series (86,400
//                     samples) and comparing with a report (target < 1,000)
// samplesPerSecond and verifyMs are wall-clock times; on a shared machine they also print the CPU time the work took
// (serverCpuMsPerBatch, verifyCpuMs) and the load average, which says how far the two apart.
// The baseline: the same clients send the same bodies to a bare node:http server that only parses
// each and answers 201 (before and after the ingest; their mean is baselineSamplesPerSecond), so
// ingestVsBaseline says what share of the machine's HTTP floor the metering service reaches,
// however loaded the machine is at the time.
//
//   npm run bench:metering                     table
//   npm run bench:metering -- --json           one JSON object
//   npm run bench:metering -- --batches 2000 --connections 16

import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";

import { keccakP } from "@noble/hashes/sha3.js";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";

import { createApp } from "../../backend/api/app.ts";
import { InMemoryBookSource } from "../../backend/book/book-source.ts";
import { simulatedCluster } from "../../backend/metering/agent/power.ts";
import { StaticDealSource } from "../../backend/metering/deal-source.ts";
import { keccakF1600 } from "../../backend/metering/keccak.ts";
import { buildReport, verifyReport } from "../../backend/metering/report.ts";
import { signBatch } from "../../backend/metering/signature.ts";
import { MeteringStore } from "../../backend/metering/store.ts";
import { InMemoryProposalStore } from "../../backend/proposals/proposal-store.ts";

type ClientWork = { url: string; connections: number; queues: { dealId: number; body: string }[][] };
type ClientResult = { seconds: number; failures: number };

// The clients: each takes deals in turn; a deal's batches go in order (the series only grows forward).
if (!isMainThread) {
  const { url, connections, queues } = workerData as ClientWork;
  let nextDeal = 0;
  let failures = 0;
  const client = async () => {
    for (;;) {
      const queue = queues[nextDeal++];
      if (queue === undefined) return;
      for (const { dealId, body } of queue) {
        const res = await fetch(`${url}/api/metering/${dealId}/samples`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
        });
        await res.arrayBuffer();
        if (res.status !== 201) failures += 1;
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: connections }, client));
  parentPort?.postMessage({ seconds: (performance.now() - started) / 1000, failures } satisfies ClientResult);
  process.exit(0);
}

const { values: args } = parseArgs({
  options: {
    json: { type: "boolean", default: false },
    batches: { type: "string", default: "1500" },
    connections: { type: "string", default: "16" },
    deals: { type: "string", default: "16" },
  },
});
const totalBatches = Number(args.batches);
const connections = Number(args.connections);
const dealCount = Number(args.deals);
if (![totalBatches, connections, dealCount].every((n) => Number.isInteger(n) && n > 0 && n <= 100_000)) {
  console.error("--batches, --connections and --deals must be whole numbers in [1, 100000]");
  process.exit(2);
}

const BATCH = 60;
const DAY = 86_400;
const START = 1_767_225_600; // 2026-01-01T00:00:00Z
const account = privateKeyToAccount(generatePrivateKey());
const domain = { chainId: 31337, market: "0x5FbDB2315678afecb367f032d93F642f64180aa3" as const };
const deals = new StaticDealSource(domain);
for (let i = 1; i <= dealCount; i++) {
  deals.add({
    dealId: BigInt(i),
    buyer: account.address,
    computeSupplier: account.address,
    energySuppliers: [],
    windowStart: START,
    windowEnd: START + DAY,
    vcu: 10n,
    needPerHourWh: 416_667n,
  });
}

// --- ingest ---------------------------------------------------------------------------------------
const dir = await mkdtemp(path.join(tmpdir(), "ccex-bench-metering-"));
const store = await MeteringStore.open({ kind: "pglite", dataDir: dir });
const app = createApp({
  book: new InMemoryBookSource(),
  proposals: new InMemoryProposalStore(),
  rateLimit: false,
  defaultMetrics: false,
  metering: { store, deals, clock: () => START + DAY },
});
const server: Server = await new Promise((resolve) => {
  const s = app.listen(0, "127.0.0.1", () => resolve(s));
});
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

// Signing is the site's work, not the exchange's: batches are signed before the clock starts.
const profile = simulatedCluster({ peakWatts: 400_000 });
const perDeal = Math.ceil(totalBatches / dealCount);
const queues: { dealId: number; body: string }[][] = [];
for (let d = 1; d <= dealCount; d++) {
  const queue: { dealId: number; body: string }[] = [];
  for (let b = 0; b < perDeal && queues.length * perDeal + b < totalBatches; b++) {
    const samples = Array.from({ length: BATCH }, (_, i) => {
      const t = START + b * BATCH + i;
      return { t, w: profile.at(t) };
    });
    const signature = await signBatch(account, domain, BigInt(d), samples);
    queue.push({ dealId: d, body: JSON.stringify({ samples: samples.map((s) => [s.t, s.w]), signature }) });
  }
  queues.push(queue);
}
const sent = queues.reduce((n, q) => n + q.length, 0);

const clients = Math.min(connections, dealCount);
function runClients(target: string): Promise<ClientResult> {
  const worker = new Worker(new URL(import.meta.url), {
    workerData: { url: target, connections: clients, queues } satisfies ClientWork,
  });
  return new Promise<ClientResult>((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
  });
}

// The floor: parse the body, answer 201, store nothing.
const echo: Server = await new Promise((resolve) => {
  const s = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const { samples } = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { samples: unknown[] };
      res.writeHead(201, { "content-type": "application/json" });
      res.end(JSON.stringify({ accepted: samples.length }));
    });
  }).listen(0, "127.0.0.1", () => resolve(s));
});
const echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
const baselineBefore = await runClients(echoUrl);

const serverCpu = process.threadCpuUsage();
const loadBefore = loadavg()[0];
const { seconds: ingestSeconds, failures } = await runClients(url);
const serverCpuUsed = process.threadCpuUsage(serverCpu);
const stored = (await store.db.query<{ n: number }>("SELECT sum(count)::int8 AS n FROM metering_batches"))[0].n;
server.closeAllConnections();
server.close();
const baselineAfter = await runClients(echoUrl);
echo.closeAllConnections();
echo.close();
const baselineSeconds = (baselineBefore.seconds + baselineAfter.seconds) / 2;
await store.close();
await rm(dir, { recursive: true, force: true });
if (failures > 0 || Number(stored) !== sent * BATCH) {
  console.error(`ingest lost batches: ${failures} refused, ${stored} of ${sent * BATCH} samples stored`);
  process.exit(1);
}

// --- verify ---------------------------------------------------------------------------------------
const series = Array.from({ length: DAY }, (_, i) => ({ t: START + i, w: profile.at(START + i) }));
const window = { windowStart: START, windowEnd: START + DAY - 1 };
const truth = buildReport(1n, window, series);
const runs: number[] = [];
const cpuRuns: number[] = [];
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  const cpu0 = process.threadCpuUsage();
  const result = verifyReport(1n, window, series, {
    vcuPerHour: truth.hours.map(() => 10),
    whPerHour: truth.hours.map((h) => BigInt(h.wh)),
    meteringRoot: truth.root,
  });
  const cpu = process.threadCpuUsage(cpu0);
  runs.push(performance.now() - t0);
  cpuRuns.push((cpu.user + cpu.system) / 1000);
  if (!result.matches) throw new Error("the verifier did not match its own report");
}
cpuRuns.sort((a, b) => a - b);
runs.sort((a, b) => a - b);

// The tree's own Keccak (backend/metering/keccak.ts) against @noble/hashes' permutation, over as
// many permutations as the 24-hour tree takes: the reason the tree keeps its own.
const permutations = 2 * DAY + (DAY - 1);
const lanes = new Uint32Array(50);
const permutationCpuMs = (permute: () => void) => {
  const samplesMs: number[] = [];
  for (let run = 0; run < 3; run++) {
    const cpu0 = process.threadCpuUsage();
    for (let i = 0; i < permutations; i++) permute();
    const cpu = process.threadCpuUsage(cpu0);
    samplesMs.push((cpu.user + cpu.system) / 1000);
  }
  return samplesMs.sort((a, b) => a - b)[1];
};
const ownKeccakCpuMs = permutationCpuMs(() => keccakF1600(lanes));
const nobleKeccakCpuMs = permutationCpuMs(() => keccakP(lanes, 24));

const figures = {
  samplesPerSecond: Math.round((sent * BATCH) / ingestSeconds),
  batchesPerSecond: Math.round(sent / ingestSeconds),
  baselineSamplesPerSecond: Math.round((sent * BATCH) / baselineSeconds),
  ingestVsBaseline: Number((baselineSeconds / ingestSeconds).toFixed(2)),
  samples: sent * BATCH,
  connections: clients,
  serverCpuMsPerBatch: Number(((serverCpuUsed.user + serverCpuUsed.system) / 1000 / sent).toFixed(2)),
  verifyMs: Math.round(runs[2]),
  verifyCpuMs: Math.round(cpuRuns[2]),
  verifySamples: series.length,
  verifyTotalWh: truth.totalWh,
  keccakCpuMs: Math.round(ownKeccakCpuMs),
  nobleKeccakCpuMs: Math.round(nobleKeccakCpuMs),
  loadAverage: Number(((loadBefore + loadavg()[0]) / 2).toFixed(2)),
};
if (args.json) console.log(JSON.stringify(figures));
else {
  console.log(
    `ingest  ${figures.samplesPerSecond} samples/s (${figures.batchesPerSecond} signed batches of ${BATCH}/s, ${figures.samples} samples, ${figures.connections} clients; target ≥ 20,000); API thread CPU ${figures.serverCpuMsPerBatch} ms per batch`,
  );
  console.log(
    `floor   ${figures.baselineSamplesPerSecond} samples/s to a server that only parses and answers; ingest reaches ${figures.ingestVsBaseline} of it`,
  );
  console.log(
    `verify  ${figures.verifyMs} ms for ${figures.verifySamples} samples (median of 5; target < 1,000); CPU ${figures.verifyCpuMs} ms`,
  );
  console.log(
    `keccak  ${figures.keccakCpuMs} ms CPU for the tree's ${permutations} permutations; @noble/hashes' keccakP ${figures.nobleKeccakCpuMs} ms`,
  );
  console.log(`load    ${figures.loadAverage} (1-minute load average during the run, ${availableParallelism()} cores)`);
}
