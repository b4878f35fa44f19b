import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { ENERGY_SOURCES, HARDWARE_CLASSES, REGIONS, TOKEN_DECIMALS } from "../../../protocol/units.ts";
import { problemOf, startTestServer, type TestServer } from "./server.ts";

type Reference = {
  regions: {
    code: number;
    name: string;
    label: { en: string; zh: string };
    gridArea: number;
    gridFactorGPerKwh: number;
  }[];
  gridAreas: { code: number; name: string; label: { en: string; zh: string } }[];
  certificateOrigins: { code: number; name: string }[];
  hours: { maxWindowHours: number; maxJobHours: number; maxOfferHours: number };
  hardwareClasses: { code: number; name: string }[];
  energySources: { code: number; name: string }[];
  units: Record<string, number>;
};

describe("GET /api/reference", () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer();
  });
  after(() => srv.close());

  it("lists every region with its on-chain code, names, grid area and default grid factor", async () => {
    const res = await fetch(`${srv.url}/api/reference`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
    const body = (await res.json()) as Reference;
    assert.equal(body.regions.length, REGIONS.length);
    assert.deepEqual(body.regions[4], {
      code: 5,
      name: "inner-mongolia",
      label: { en: "Inner Mongolia", zh: "内蒙古" },
      gridArea: 1,
      gridFactorGPerKwh: 610,
    });
    assert.deepEqual(body.gridAreas[0], { code: 1, name: "north", label: { en: "North China Grid", zh: "华北电网" } });
  });

  it("names the certificate origins by their on-chain codes and gives the hour limits", async () => {
    const body = (await (await fetch(`${srv.url}/api/reference`)).json()) as Reference;
    assert.deepEqual(body.certificateOrigins, [
      { code: 0, name: "compute-region" },
      { code: 1, name: "grid-area" },
      { code: 2, name: "anywhere" },
    ]);
    assert.deepEqual(body.hours, { maxWindowHours: 744, maxJobHours: 168, maxOfferHours: 168 });
  });

  it("numbers hardware classes and energy sources as the contracts' uint8 codes", async () => {
    const body = (await (await fetch(`${srv.url}/api/reference`)).json()) as Reference;
    assert.deepEqual(
      body.hardwareClasses.map((c) => c.name),
      [...HARDWARE_CLASSES],
    );
    assert.deepEqual(body.hardwareClasses[3], { code: 3, name: "gpu-training" });
    assert.deepEqual(body.energySources[1], { code: 1, name: "wind" }, "IGreenCertificates.EnergySource.Wind is 1");
    assert.equal(body.energySources.length, ENERGY_SOURCES.length);
    assert.equal(body.units.tokenDecimals, TOKEN_DECIMALS);
    assert.equal(body.units.creditDecimals, 3);
  });

  it("lets clients cache the answer", async () => {
    const res = await fetch(`${srv.url}/api/reference`, { method: "HEAD" });
    assert.equal(res.status, 200);
    assert.match(res.headers.get("cache-control") ?? "", /max-age=\d+/);
  });

  it("answers 405 naming the allowed methods to a POST", async () => {
    const res = await fetch(`${srv.url}/api/reference`, { method: "POST" });
    assert.equal(res.status, 405);
    assert.equal(res.headers.get("allow"), "GET, HEAD");
    assert.equal((await problemOf(res)).type, "/problems/method-not-allowed");
  });
});
