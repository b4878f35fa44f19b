import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { postJson, problemOf, startTestServer, type TestServer } from "./server.ts";

const valid = {
  hardwareClass: "gpu-training",
  acceptableRegions: ["cn-north", 4],
  buyerRegion: "cn-east",
  window: { start: "2030-01-01T00:00:00Z", end: 1_893_463_200 },
  vcuHours: 100,
  limitPricePerVcuHour: "2500000",
  minGreenBps: 5_000,
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
      acceptableRegions: ["cn-north", "mars-1"],
      buyerRegion: 99,
      vcuHours: 0,
      limitPricePerVcuHour: "1.5",
      minGreenBps: 10_001,
    });
    assert.deepEqual(await fieldsOf(res), [
      "acceptableRegions[1]",
      "buyerRegion",
      "hardwareClass",
      "limitPricePerVcuHour",
      "minGreenBps",
      "vcuHours",
    ]);
  });

  it("tells which values a region may take", async () => {
    const res = await postJson(`${srv.url}/api/quote`, { ...valid, buyerRegion: "eu-west" });
    const p = await problemOf(res);
    assert.match(p.errors?.[0]?.message ?? "", /cn-east \(2\)/);
  });

  it("names missing required fields", async () => {
    const res = await postJson(`${srv.url}/api/quote`, {});
    assert.deepEqual(await fieldsOf(res), [
      "acceptableRegions",
      "buyerRegion",
      "hardwareClass",
      "limitPricePerVcuHour",
      "vcuHours",
      "window",
    ]);
  });

  it("names unknown fields, so a misspelt option is not silently ignored", async () => {
    const res = await postJson(`${srv.url}/api/quote`, {
      ...valid,
      minGreenShare: 50,
      window: { ...valid.window, tz: "UTC" },
    });
    assert.deepEqual(await fieldsOf(res), ["minGreenShare", "window.tz"]);
  });

  it("rejects a window that ends before it starts or lasts over a year", async () => {
    const backwards = await postJson(`${srv.url}/api/quote`, {
      ...valid,
      window: { start: 2_000_000_000, end: 1_999_999_999 },
    });
    assert.deepEqual(await fieldsOf(backwards), ["window.end"]);
    const long = await postJson(`${srv.url}/api/quote`, { ...valid, window: { start: 0, end: 400 * 86_400 } });
    assert.deepEqual(await fieldsOf(long), ["window.end"]);
    const badTime = await postJson(`${srv.url}/api/quote`, { ...valid, window: { start: "tomorrow", end: -1 } });
    assert.deepEqual(await fieldsOf(badTime), ["window.end", "window.start"]);
  });

  it("refuses amounts that are inexact, signed, padded or beyond their bound", async () => {
    for (const vcuHours of [2 ** 53, 1.5, -1, "-1", "01", "1e3", " 1", "1000000001", true, null, [1]]) {
      const res = await postJson(`${srv.url}/api/quote`, { ...valid, vcuHours });
      assert.deepEqual(await fieldsOf(res), ["vcuHours"], `vcuHours ${JSON.stringify(vcuHours)}`);
    }
  });

  it("refuses what the contract could not store or pricing could not hold exactly", async () => {
    const escrow = await postJson(`${srv.url}/api/quote`, {
      ...valid,
      vcuHours: 10_000_000,
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
