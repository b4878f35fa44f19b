// The GraphQL server's edges, without a chain: limits, error codes, input validation, /health.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { pino } from "pino";
import { type Database, openDatabase } from "../../../indexer/db/driver.ts";
import { migrate } from "../../../indexer/db/migrate.ts";
import { startServer } from "../../../indexer/graphql/server.ts";
import { CERTIFICATE_ORIGINS } from "../../../protocol/orders.ts";
import { MARKET_REFERENCE } from "../../../protocol/reference.ts";
import { HARDWARE_CLASSES } from "../../../protocol/units.ts";

describe("indexer GraphQL server", () => {
  let db: Database;
  let server: Awaited<ReturnType<typeof startServer>>;
  const gql = async (query: string, variables?: Record<string, unknown>) => {
    const res = await fetch(`${server.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ query, variables }),
    });
    return {
      status: res.status,
      body: (await res.json()) as { data?: any; errors?: { message: string; extensions?: any }[] },
    };
  };

  before(async () => {
    db = await openDatabase({ kind: "pglite" });
    await migrate(db);
    server = await startServer({
      db,
      confirmations: 2,
      syncStatus: null,
      feed: { on: () => () => undefined },
      host: "127.0.0.1",
      port: 0,
      log: pino({ level: "silent" }),
    });
  });
  after(async () => {
    await server.close();
    await db.close();
  });

  it("answers an empty index with empty books and zero stats", async () => {
    const { body } = await gql(`{
      orderBook(resource: COMPUTE) { bids { price } asks { price } bestBid bestAsk spread }
      stats { whRetired kwhRetired gCo2eAvoided greenShareBps timeMatchedGreenBps totals { resource quantity } }
      deals { nodes { id } pageInfo { hasNextPage endCursor } }
      regionHours(from: 7200, to: 10800, region: 7) { region gridArea start greenOfferedWh greenSoldWh demandWh }
    }`);
    assert.equal(body.errors, undefined);
    assert.deepEqual(body.data.orderBook, { bids: [], asks: [], bestBid: null, bestAsk: null, spread: null });
    assert.equal(body.data.stats.whRetired, "0");
    assert.equal(body.data.stats.kwhRetired, "0");
    assert.equal(body.data.stats.greenShareBps, null);
    assert.equal(body.data.stats.timeMatchedGreenBps, null);
    // An empty hour is still listed, with zeros.
    assert.deepEqual(body.data.regionHours, [
      { region: 7, gridArea: "northwest", start: 7200, greenOfferedWh: "0", greenSoldWh: "0", demandWh: "0" },
    ]);
    assert.deepEqual(
      body.data.stats.totals.map((t: { resource: string }) => t.resource),
      ["COMPUTE", "ENERGY", "BANDWIDTH"],
    );
    assert.deepEqual(body.data.deals, { nodes: [], pageInfo: { hasNextPage: false, endCursor: null } });
  });

  it("publishes the market's region, grid-area, hardware-class, energy-source and certificate-origin codes", async () => {
    const { body } = await gql(`{
      reference {
        regions { code name label { en zh } gridArea gridFactorGPerKwh }
        gridAreas { code name label { en zh } }
        hardwareClasses { code name }
        energySources { code name }
        certificateOrigins { code name }
        hours { maxWindowHours maxJobHours maxOfferHours }
        units { tokenDecimals creditDecimals bps pueScale whPerKwh defaultGridFactorGPerKwh }
      }
    }`);
    assert.equal(body.errors, undefined);
    const ref = body.data.reference;
    // The same answer as GET /api/reference, field for field.
    assert.deepEqual(ref, JSON.parse(JSON.stringify(MARKET_REFERENCE)));
    assert.deepEqual(ref.regions[1], {
      code: 2,
      name: "yangtze-delta",
      label: { en: "Yangtze River Delta", zh: "长三角" },
      gridArea: 2,
      gridFactorGPerKwh: 610,
    });
    assert.deepEqual(ref.gridAreas[1], { code: 2, name: "east", label: { en: "East China Grid", zh: "华东电网" } });
    assert.deepEqual(
      ref.certificateOrigins.map((o: { name: string }) => o.name),
      [...CERTIFICATE_ORIGINS],
    );
    assert.deepEqual(
      ref.hardwareClasses.map((c: { name: string }) => c.name),
      [...HARDWARE_CLASSES],
    );
    assert.deepEqual(ref.energySources[0], { code: 0, name: "solar" });
    assert.deepEqual(ref.units, {
      tokenDecimals: 6,
      creditDecimals: 3,
      bps: 10_000,
      pueScale: 1_000,
      whPerKwh: 1_000,
      defaultGridFactorGPerKwh: 610,
    });
  });

  it("rejects a query deeper than the limit with a coded error", async () => {
    const { body } = await gql(
      `{ deals { nodes { energyLots { batch { device { batches { nodes { device { batches { nodes { id } } } } } } } } } } }`,
    );
    assert.equal(body.data, undefined);
    assert.equal(body.errors?.[0].extensions?.code, "QUERY_TOO_COMPLEX");
    assert.match(body.errors![0].message, /depth/i);
  });

  it("names the field of bad input and never leaks a stack", async () => {
    const cases: [string, string][] = [
      [`{ deals(first: 1000) { nodes { id } } }`, "first"],
      [`{ deals(after: "nonsense") { nodes { id } } }`, "after"],
      [`{ account(address: "0x12") { address } }`, "address"],
      [`{ orderBook(resource: COMPUTE, filter: { hardwareClass: "quantum" }) { bestBid } }`, "filter.hardwareClass"],
      [`{ provenance(dealId: "1", batchId: "2") { complete } }`, "provenance"],
      [`{ regionHours(from: 1800, to: 7200) { start } }`, "from"],
      [`{ regionHours(from: 0, to: 3601) { start } }`, "to"],
      [`{ regionHours(from: 3600, to: 3600) { start } }`, "to"],
      [`{ regionHours(from: 0, to: ${745 * 3600}) { start } }`, "to"],
      [`{ regionHours(from: 0, to: 3600, region: 9) { start } }`, "region"],
    ];
    for (const [query, field] of cases) {
      const { body } = await gql(query);
      const error = body.errors?.[0];
      assert.equal(error?.extensions?.code, "BAD_USER_INPUT", query);
      assert.equal(error?.extensions?.field, field, query);
      assert.equal(JSON.stringify(body).includes("    at "), false, "no stack trace");
    }
  });

  it("codes unknown fields and syntax errors", async () => {
    assert.equal((await gql(`{ nope }`)).body.errors?.[0].extensions?.code, "GRAPHQL_VALIDATION_FAILED");
    assert.equal((await gql(`{ deals { `)).body.errors?.[0].extensions?.code, "GRAPHQL_PARSE_FAILED");
  });

  it("reports a missing provenance subject as NOT_FOUND", async () => {
    const { body } = await gql(`{ provenance(dealId: "42") { complete } }`);
    assert.equal(body.errors?.[0].extensions?.code, "NOT_FOUND");
  });

  it("serves /health and refuses other paths", async () => {
    const health = await fetch(`${server.url}/health`);
    const body = (await health.json()) as { ok: boolean; phase: string };
    // No checkpoint yet: an API-only process has nothing to serve.
    assert.equal(health.status, 503);
    assert.equal(body.ok, false);
    assert.equal((await fetch(`${server.url}/`)).status, 404);
  });
});
