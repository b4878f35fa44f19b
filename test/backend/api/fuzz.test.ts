// Whatever a client sends, the API answers with a client error or a result, never a 5xx.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import fc from "fast-check";

import { marketBook } from "./market-book.ts";
import { startTestServer, type TestServer } from "./server.ts";

const HOUR = 3_600;
const now = Math.floor(Date.now() / 1000 / HOUR) * HOUR;

/** A quote request that is valid apart from whatever the property replaces. */
const validQuote = {
  hardwareClass: "gpu-training",
  acceptableRegions: ["beijing-tianjin-hebei", "gansu"],
  buyerRegion: "yangtze-delta",
  earliestStart: now + HOUR,
  latestEnd: now + 6 * HOUR,
  durationHours: 3,
  vcu: 25,
  limitPricePerVcuHour: "4000000",
  minGreenBps: 5_000,
  certificateOrigin: "grid-area",
  bandwidthMbps: "100",
  maxLatencyMs: 60,
};
type QuoteField = keyof typeof validQuote;
const fields = Object.keys(validQuote) as QuoteField[];

/** Values that sit on the edges of what each field accepts, mixed with arbitrary JSON. */
const edgy = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom(
    0,
    1,
    -1,
    2 ** 53,
    2 ** 53 - 1,
    1e308,
    -0,
    0.5,
    "",
    "0",
    "1",
    "-1",
    "1e9",
    "999999999999999999999999999",
    "yangtze-delta",
    "anywhere",
    "compute-region",
    4,
    168,
    169,
    744,
    10_000,
    10_001,
  ),
  fc.bigInt({ min: 0n, max: 2n ** 70n }).map(String),
  fc.integer({ min: now - 10 * 86_400, max: now + 400 * 86_400 }),
  fc.integer({ min: -240, max: 9_600 }).map((h) => now + h * HOUR),
);

describe("no input produces a 5xx", () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer({ bodyLimit: 4_096 });
    srv.book.replace(marketBook({ now, computeSuppliersPerCell: 2, energyOffers: 20, bidCount: 0 }));
  });
  after(() => srv.close());

  const post = (body: string, type = "application/json") =>
    fetch(`${srv.url}/api/quote`, { method: "POST", headers: { "content-type": type }, body });

  it("answers random JSON bodies below 500", async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (body) => {
        const res = await post(JSON.stringify(body));
        await res.arrayBuffer();
        assert.ok(res.status < 500, `status ${res.status} for ${JSON.stringify(body)}`);
      }),
      { numRuns: 150 },
    );
  });

  it("answers near-valid quotes (one to three fields replaced or dropped) below 500, valid ones with 200", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.constantFrom(...fields), { minLength: 1, maxLength: 3 }),
        fc.array(fc.option(edgy, { nil: undefined }), { minLength: 3, maxLength: 3 }),
        async (replaced, values) => {
          const body: Record<string, unknown> = { ...validQuote };
          replaced.forEach((f, i) => {
            if (values[i] === undefined) delete body[f];
            else body[f] = values[i];
          });
          const res = await post(JSON.stringify(body));
          const text = await res.text();
          assert.ok(res.status < 500, `status ${res.status} for ${JSON.stringify(body)}: ${text}`);
          assert.ok(res.status === 200 || res.status === 400, `status ${res.status}`);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("answers random bytes, content types, methods and paths below 500", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 300 }),
        fc.constantFrom(
          "application/json",
          "application/merge-patch+json",
          "text/plain",
          "application/json; charset=latin1",
          "application/json; charset=utf-16",
        ),
        fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"),
        fc.constantFrom(
          "/api/quote",
          "/api/proposals",
          "/health",
          "/metrics",
          "/problems/x",
          "/api/",
          "/%E0%A4%A",
          "/api/proposals?limit=%ZZ",
        ),
        async (raw, type, method, route) => {
          const hasBody = method !== "GET" && method !== "OPTIONS";
          const res = await fetch(`${srv.url}${route}`, {
            method,
            headers: { "content-type": type },
            body: hasBody ? raw : undefined,
          });
          await res.arrayBuffer();
          assert.ok(res.status < 500, `${method} ${route} (${type}) ${JSON.stringify(raw)} → ${res.status}`);
        },
      ),
      { numRuns: 200 },
    );
  });
});
