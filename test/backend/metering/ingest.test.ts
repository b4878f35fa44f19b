// The metering service over HTTP: signed batches in, refused ones leaving the stored series as it
// was, the series with a proof per sample out, the report only over a series without long gaps,
// and nothing acknowledged lost across a restart.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { StaticDealSource } from "../../../backend/metering/deal-source.ts";
import { verifySampleProof } from "../../../backend/metering/merkle.ts";
import { buildReport } from "../../../backend/metering/report.ts";
import type { Sample } from "../../../backend/metering/series.ts";
import { signBatch } from "../../../backend/metering/signature.ts";
import { postJson, problemOf } from "../api/server.ts";
import {
  dealOf,
  domain,
  type MeteringServer,
  NOW,
  removeDir,
  startMeteringServer,
  stranger,
  supplier,
} from "./helpers.ts";

const START = NOW - 2 * 3_600;
const deals = new StaticDealSource(domain, [dealOf(1n, START, NOW), dealOf(2n, START, NOW)]);
let api: MeteringServer;

const run = (from: number, n: number, w: (t: number) => number = () => 4_000): Sample[] =>
  Array.from({ length: n }, (_, i) => ({ t: from + i, w: w(from + i) }));

async function send(dealId: bigint, samples: Sample[], account = supplier, tamper?: (s: Sample[]) => Sample[]) {
  const signature = await signBatch(account, domain, dealId, samples);
  const sent = tamper === undefined ? samples : tamper(samples);
  return postJson(`${api.url}/api/metering/${dealId}/samples`, { samples: sent.map((s) => [s.t, s.w]), signature });
}

async function series(dealId: bigint): Promise<Sample[]> {
  const body = (await (await fetch(`${api.url}/api/metering/${dealId}`)).json()) as { series: Sample[] };
  return body.series.map(({ t, w }) => ({ t, w }));
}

describe("metering ingest", () => {
  before(async () => {
    api = await startMeteringServer(deals);
  });
  after(async () => {
    await api.close();
    await removeDir(api.dataDir);
  });

  it("stores a signed batch and acknowledges it with the last stored second", async () => {
    const res = await send(1n, run(START, 60));
    assert.equal(res.status, 201);
    assert.equal(res.headers.get("metering-stored-until"), String(START + 59));
    assert.deepEqual(await res.json(), { dealId: "1", accepted: 60, storedUntil: START + 59, samples: 60 });
    assert.deepEqual(await series(1n), run(START, 60));
  });

  it("answers 401 to an unsigned or unreadable batch and 403 to anyone but the compute supplier", async () => {
    const unsigned = await postJson(`${api.url}/api/metering/1/samples`, { samples: [[START + 60, 1]] });
    assert.equal(unsigned.status, 401);
    assert.match(String((await problemOf(unsigned)).detail), /EIP-712 signature/);
    const garbled = await postJson(`${api.url}/api/metering/1/samples`, {
      samples: [[START + 60, 1]],
      signature: `0x${"00".repeat(65)}`,
    });
    assert.equal(garbled.status, 401);
    const foreign = await send(1n, run(START + 60, 5), stranger);
    assert.equal(foreign.status, 403);
    assert.match(String((await problemOf(foreign)).detail), new RegExp(stranger.address));
    // Signed by the supplier, then changed on the way: it recovers to some other account.
    const tampered = await send(1n, run(START + 60, 5), supplier, (s) => s.map((x) => ({ ...x, w: x.w * 2 })));
    assert.equal(tampered.status, 403);
    // A batch signed for deal 2 does not count for deal 1.
    const samples = run(START + 60, 5);
    const forOther = await signBatch(supplier, domain, 2n, samples);
    const replayed = await postJson(`${api.url}/api/metering/1/samples`, {
      samples: samples.map((s) => [s.t, s.w]),
      signature: forOther,
    });
    assert.equal(replayed.status, 403);
    assert.equal((await series(1n)).length, 60);
  });

  it("refuses late, duplicate, negative, absurd, out-of-window and future samples, storing none of the batch", async () => {
    const before = await series(1n);
    const duplicate = await send(1n, run(START + 59, 3));
    assert.equal(duplicate.status, 409);
    assert.equal(duplicate.headers.get("metering-stored-until"), String(START + 59));
    assert.deepEqual(
      (await problemOf(duplicate)).errors?.map((e) => e.field),
      ["samples[0]"],
    );
    assert.equal((await send(1n, run(START + 10, 3))).status, 409);
    for (const bad of [
      [...run(START + 60, 3), { t: START + 63, w: -5 }],
      [{ t: START + 60, w: 2_000_000_000 }],
      [{ t: START - 1, w: 10 }],
      [{ t: NOW + 1, w: 10 }],
    ]) {
      const res = await send(1n, bad);
      assert.equal(res.status, 422, JSON.stringify(bad));
      const problem = await problemOf(res);
      assert.match(String(problem.errors?.[0].message), /negative|above|outside/);
    }
    const shape = await postJson(`${api.url}/api/metering/1/samples`, { samples: [[START + 60]], signature: "0x" });
    assert.equal(shape.status, 400);
    assert.equal((await problemOf(shape)).errors?.[0].field, "samples[0]");
    assert.equal((await postJson(`${api.url}/api/metering/99/samples`, { samples: [[1, 1]] })).status, 404);
    assert.deepEqual(await series(1n), before);
  });

  it("gives a proof per sample that leads to the root, pages the series and downsamples it on request", async () => {
    const res = await fetch(`${api.url}/api/metering/1?limit=25&from=${START + 10}`);
    const body = (await res.json()) as {
      root: string;
      series: { t: number; w: number; proof: string[] }[];
      next: number;
    };
    assert.equal(body.series.length, 25);
    assert.equal(body.series[0].t, START + 10);
    assert.equal(body.next, START + 35);
    for (const s of body.series) assert.ok(verifySampleProof(1n, s, s.proof, body.root));
    const down = (await (await fetch(`${api.url}/api/metering/1?points=6`)).json()) as {
      downsampled: { bucketSeconds: number };
      series: { t: number; w: number; min: number; max: number }[];
    };
    assert.equal(down.downsampled.bucketSeconds, Math.ceil((2 * 3_600 + 1) / 6));
    assert.deepEqual(down.series, [{ t: START, w: 4_000, min: 4_000, max: 4_000 }]);
    const wrong = await fetch(`${api.url}/api/metering/1?points=1&colour=red`);
    assert.equal(wrong.status, 400);
    assert.deepEqual(
      (await problemOf(wrong)).errors?.map((e) => e.field),
      ["points", "colour"],
    );
  });

  it("refuses a report over a series with gaps, then gives the hourly Wh and root once it is whole", async () => {
    const gappy = await fetch(`${api.url}/api/metering/1/report`);
    assert.equal(gappy.status, 409);
    assert.match(String((await problemOf(gappy)).detail), /gaps/);
    // The rest of the two hours at 4 kW, then 8 kW: batches of 600 a minute apart in time.
    let t = START + 60;
    while (t <= NOW) {
      const n = Math.min(600, NOW - t + 1);
      const res = await send(
        1n,
        run(t, n, (s) => (s < START + 3_600 ? 4_000 : 8_000)),
      );
      assert.equal(res.status, 201);
      t += n;
    }
    const res = await fetch(`${api.url}/api/metering/1/report`);
    assert.equal(res.status, 200);
    const report = (await res.json()) as { hours: { start: number; wh: number }[]; totalWh: number; root: string };
    // Hour one: 3,599 s at 4 kW and the 1 s ramp to 8 kW ending on the boundary (6,000 J) = 4,000.6 Wh;
    // hour two: 3,600 s at 8 kW.
    assert.deepEqual(report.hours, [
      { start: START, wh: Math.floor((3_599 * 4_000 + 6_000) / 3_600) },
      { start: START + 3_600, wh: 8_000 },
    ]);
    assert.equal(report.totalWh, report.hours[0].wh + report.hours[1].wh);
    const stored = await api.store.series(1n);
    assert.equal(report.root, buildReport(1n, { windowStart: START, windowEnd: NOW }, stored).root);
  });

  it("closes the series once the deal is reported on chain, and says whether the report matches", async () => {
    const report = (await (await fetch(`${api.url}/api/metering/1/report`)).json()) as {
      hours: { start: number; wh: number }[];
      root: `0x${string}`;
    };
    deals.setReport(1n, {
      vcuPerHour: report.hours.map(() => 1),
      whPerHour: report.hours.map((h) => BigInt(h.wh)),
      meteringRoot: report.root,
    });
    const body = (await (await fetch(`${api.url}/api/metering/1?limit=1`)).json()) as { matchesOnChain: boolean };
    assert.equal(body.matchesOnChain, true);
    const late = await send(1n, [{ t: NOW, w: 1 }]);
    assert.equal(late.status, 409);
    assert.match(String((await problemOf(late)).detail), /reported/);
  });

  it("keeps every acknowledged sample and signed batch across a restart", async () => {
    const acked = await send(2n, run(START, 120));
    assert.equal(acked.status, 201);
    const before = await api.store.series(2n);
    const batches = (await (await fetch(`${api.url}/api/metering/2/batches`)).json()) as { batches: unknown[] };
    await api.close();
    api = await startMeteringServer(deals, api.dataDir);
    assert.deepEqual(await api.store.series(2n), before);
    assert.deepEqual(await api.store.cursor(2n), { storedUntil: START + 119, samples: 120 });
    assert.deepEqual(
      ((await (await fetch(`${api.url}/api/metering/2/batches`)).json()) as { batches: unknown[] }).batches,
      batches.batches,
    );
    assert.equal((await send(2n, run(START + 119, 2))).status, 409);
    assert.equal((await send(2n, run(START + 120, 2))).status, 201);
  });
});
