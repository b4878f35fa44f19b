// The quote route reads plain bodies without zod (parsePlainQuoteRequest); these tests hold that
// reading to zod's on realistic bodies and on every kind of wrong or unusual field.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { parsePlainQuoteRequest, QuoteRequest } from "../../../backend/api/schemas/quote.ts";
import { quoteBodies } from "./quote-bodies.ts";

const NOW = 1_900_000_000;

/** Values a client might send in place of a field's, right or wrong. */
const ODD_VALUES: unknown[] = [
  null,
  true,
  "",
  [],
  {},
  -1,
  -0,
  0,
  1,
  1.5,
  2 ** 40,
  2 ** 40 - 1,
  2 ** 53,
  Number.MAX_SAFE_INTEGER,
  "0",
  "01",
  "1e3",
  " 5",
  "+5",
  "-5",
  "18446744073709551616",
  "cn-east",
  "CN-EAST",
  "2",
  2,
  99,
  "gpu-training",
  "2030-01-01T00:00:00Z",
  "2030-01-01T00:00:00.000Z",
  "2030-01-01T00:00:00.5Z",
  "2030-01-01T00:00:00+08:00",
  "2030-02-30T00:00:00Z",
  "2030-01-01T24:00:00Z",
  "2030-01-01 00:00:00Z",
  "2030-01-01",
  ["cn-east"],
  [1, "cn-south", 1],
  [0],
  { start: NOW + 7_200, end: NOW + 3_600 },
  { start: NOW + 3_600, end: NOW + 3_600 + 367 * 86_400 },
  { start: NOW + 3_600, end: NOW + 7_200, extra: 1 },
  { start: "2030-01-01T00:00:00Z", end: "2030-01-01T06:00:00.000Z" },
  10_000,
  10_001,
  65_535,
  65_536,
  "1000000000000",
  1_000_000_000,
  1_000_000_001,
];

/** mulberry32, seeded. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The plain reading either steps aside or gives exactly what zod gives; it never accepts what zod refuses. */
function assertAgrees(body: unknown): "plain" | "zod" {
  const plain = parsePlainQuoteRequest(body);
  const parsed = QuoteRequest.safeParse(body);
  if (plain === undefined) return "zod";
  assert.ok(parsed.success, `the plain reading accepted what zod refuses: ${JSON.stringify(body)}`);
  assert.deepEqual(plain, parsed.data, JSON.stringify(body));
  return "plain";
}

describe("reading a quote body without zod", () => {
  it("reads every realistic body itself, to the value zod gives", () => {
    for (const text of quoteBodies({ now: NOW, count: 1_500, seed: 3 })) {
      assert.equal(assertAgrees(JSON.parse(text)), "plain", text);
    }
  });

  it("leaves to zod every body with a wrong, missing, unknown or unusual field", () => {
    const next = random(5);
    const bodies = quoteBodies({ now: NOW, count: 300, seed: 4 }).map((t) => JSON.parse(t) as Record<string, unknown>);
    const fields = [...Object.keys(QuoteRequest.shape), "extra", "__proto__"];
    let refused = 0;
    let plain = 0;
    for (let t = 0; t < 20_000; t++) {
      const body: Record<string, unknown> = { ...bodies[t % bodies.length] };
      for (let k = 1 + Math.floor(next() * 2); k > 0; k--) {
        const field = fields[Math.floor(next() * fields.length)];
        if (next() < 0.15) delete body[field];
        else
          Object.defineProperty(body, field, {
            value: ODD_VALUES[Math.floor(next() * ODD_VALUES.length)],
            enumerable: true,
            configurable: true,
            writable: true,
          });
      }
      if (assertAgrees(body) === "plain") plain++;
      if (!QuoteRequest.safeParse(body).success) refused++;
    }
    assert.ok(refused > 5_000 && plain > 1_000, `both kinds are exercised (${refused} refused, ${plain} read plainly)`);
    for (const body of [null, [], "x", 5, { ...bodies[0], window: null }, Object.create({ hardwareClass: "x" })])
      assert.equal(parsePlainQuoteRequest(body), undefined);
  });
});
