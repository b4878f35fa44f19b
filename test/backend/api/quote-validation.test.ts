import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { postJson, problemOf, startTestServer, type TestServer } from "./server.ts";

// A 4-hour job of 25 VCU anywhere in the first 6 hours of 2030 (1,893,456,000 = 2030-01-01T00:00Z).
const valid = {
  hardwareClass: "gpu-training",
  acceptableRegions: ["gansu", 8],
  buyerRegion: "yangtze-delta",
  earliestStart: "2030-01-01T00:00:00Z",
  latestEnd: 1_893_477_600,
  durationHours: 4,
  vcu: 25,
  limitPricePerVcuHour: "2500000",
  minGreenBps: 5_000,
  certificateOrigin: "grid-area",
  bandwidthMbps: "200",
  maxLatencyMs: 50,
};

async function fieldsOf(res: Response): Promise<string[]> {
  assert.equal(res.status, 400);
  const p = await problemOf(res);
  assert.equal(p.type, "/problems/invalid-request");
  assert.ok(
    p.errors?.every((e) => e.in === "body" && e.message.length > 0),
    "each error says what is wrong",
  );
  return (p.errors ?? []).map((e) => e.field).sort();
}

describe("POST /api/quote input validation", () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer();
  });
  after(() => srv.close());

  it("accepts a bid described with names, codes, ISO times and amounts as numbers or strings", async () => {
    const res = await postJson(`${srv.url}/api/quote`, valid);
    assert.equal(res.status, 200);
  });

  it("names every wrong field at once", async () => {
    const res = await postJson(`${srv.url}/api/quote`, {
      ...valid,
      hardwareClass: "quantum",
      acceptableRegions: ["gansu", "mars-1"],
      buyerRegion: 99,
      vcu: 0,
      limitPricePerVcuHour: "1.5",
      minGreenBps: 10_001,
      certificateOrigin: "same-planet",
    });
    assert.deepEqual(await fieldsOf(res), [
      "acceptableRegions[1]",
      "buyerRegion",
      "certificateOrigin",
      "hardwareClass",
      "limitPricePerVcuHour",
      "minGreenBps",
      "vcu",
    ]);
  });

  it("tells which values a region may take", async () => {
    const res = await postJson(`${srv.url}/api/quote`, { ...valid, buyerRegion: "eu-west" });
    const p = await problemOf(res);
    assert.match(p.errors?.[0]?.message ?? "", /yangtze-delta \(2\)/);
  });

  it("names missing required fields", async () => {
    const res = await postJson(`${srv.url}/api/quote`, {});
    assert.deepEqual(await fieldsOf(res), [
      "acceptableRegions",
      "buyerRegion",
      "durationHours",
      "earliestStart",
      "hardwareClass",
      "latestEnd",
      "limitPricePerVcuHour",
      "vcu",
    ]);
  });

  it("names unknown fields, so a misspelt option is not silently ignored", async () => {
    const res = await postJson(`${srv.url}/api/quote`, {
      ...valid,
      minGreenShare: 50,
      vcuHours: 100,
    });
    assert.deepEqual(await fieldsOf(res), ["minGreenShare", "vcuHours"]);
  });

  it("refuses times off the hour, a window that ends before it starts or spans over 31 days, and a job longer than its window", async () => {
    const offHour = await postJson(`${srv.url}/api/quote`, {
      ...valid,
      earliestStart: "2030-01-01T00:30:00Z",
      latestEnd: 1_893_477_601,
    });
    assert.deepEqual(await fieldsOf(offHour), ["earliestStart", "latestEnd"]);
    const p = await problemOf(
      await postJson(`${srv.url}/api/quote`, { ...valid, earliestStart: "2030-01-01T00:30:00Z" }),
    );
    assert.match(p.errors?.[0]?.message ?? "", /on the hour/);
    const backwards = await postJson(`${srv.url}/api/quote`, {
      ...valid,
      earliestStart: 1_893_477_600,
      latestEnd: 1_893_456_000,
    });
    assert.deepEqual(await fieldsOf(backwards), ["latestEnd"]);
    const long = await postJson(`${srv.url}/api/quote`, { ...valid, earliestStart: 0, latestEnd: 745 * 3_600 });
    assert.deepEqual(await fieldsOf(long), ["latestEnd"]);
    const longest = await postJson(`${srv.url}/api/quote`, { ...valid, earliestStart: 0, latestEnd: 744 * 3_600 });
    assert.notEqual(longest.status, 400, "a window of exactly 31 days is fine");
    const tooLong = await postJson(`${srv.url}/api/quote`, { ...valid, durationHours: 7 });
    assert.deepEqual(await fieldsOf(tooLong), ["durationHours"]);
    const tooLongP = await problemOf(await postJson(`${srv.url}/api/quote`, { ...valid, durationHours: 7 }));
    assert.match(tooLongP.errors?.[0]?.message ?? "", /7 hours do not fit in the 6-hour window/);
    const week = await postJson(`${srv.url}/api/quote`, {
      ...valid,
      durationHours: 169,
      latestEnd: 1_893_456_000 + 200 * 3_600,
    });
    assert.deepEqual(await fieldsOf(week), ["durationHours"]);
    const badTime = await postJson(`${srv.url}/api/quote`, { ...valid, earliestStart: "tomorrow", latestEnd: -1 });
    assert.deepEqual(await fieldsOf(badTime), ["earliestStart", "latestEnd"]);
  });

  it("refuses amounts that are inexact, signed, padded or beyond their bound", async () => {
    for (const limitPricePerVcuHour of [2 ** 53, 1.5, -1, "-1", "01", "1e3", " 1", "1000000000001", true, null, [1]]) {
      const res = await postJson(`${srv.url}/api/quote`, { ...valid, limitPricePerVcuHour });
      assert.deepEqual(
        await fieldsOf(res),
        ["limitPricePerVcuHour"],
        `limitPricePerVcuHour ${JSON.stringify(limitPricePerVcuHour)}`,
      );
    }
    for (const vcu of [2 ** 32, 1.5, -1, "4", true, null]) {
      const res = await postJson(`${srv.url}/api/quote`, { ...valid, vcu });
      assert.deepEqual(await fieldsOf(res), ["vcu"], `vcu ${JSON.stringify(vcu)}`);
    }
  });

  it("refuses what the contract could not store or pricing could not hold exactly", async () => {
    const escrow = await postJson(`${srv.url}/api/quote`, {
      ...valid,
      vcu: 2_500_000,
      limitPricePerVcuHour: "1000000000",
    });
    assert.deepEqual(await fieldsOf(escrow), ["limitPricePerVcuHour"]);
    const latency = await postJson(`${srv.url}/api/quote`, { ...valid, maxLatencyMs: 65_536 });
    assert.deepEqual(await fieldsOf(latency), ["maxLatencyMs"]);
    const mbps = await postJson(`${srv.url}/api/quote`, { ...valid, bandwidthMbps: 16_777_216 });
    assert.deepEqual(await fieldsOf(mbps), ["bandwidthMbps"]);
  });

  it("answers a JSON array body with a body-level error", async () => {
    const res = await postJson(`${srv.url}/api/quote`, [valid]);
    assert.deepEqual(await fieldsOf(res), ["body"]);
  });
});
