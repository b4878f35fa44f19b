// The indexer's book as the matcher reads it, against a stand-in GraphQL endpoint: an order the
// indexer describes with a value the exchange does not trade, or incompletely, is dropped and logged
// on its own; it never fails the read (which would stop every round).
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { IndexerBookSource } from "../../../backend/book/indexer-book-source.ts";

const owner = "0x00000000000000000000000000000000000000aa";
const node = (o: Record<string, unknown>) => ({
  id: "1",
  owner,
  price: "1000000",
  quantity: "100",
  remaining: "100",
  expiry: 2_000_000_000,
  windowStart: 1_999_000_000,
  windowEnd: 2_000_000_000,
  hardwareClass: null,
  region: null,
  acceptableRegions: null,
  buyerRegion: null,
  minGreenBps: null,
  bandwidthMbps: null,
  maxLatencyMs: null,
  whPerVcuHour: null,
  pueMilli: null,
  batchId: null,
  source: null,
  fromRegion: null,
  toRegion: null,
  latencyMs: null,
  ...o,
});
const bid = (id: string, hardwareClass: string) =>
  node({
    id,
    hardwareClass,
    acceptableRegions: [1, 2],
    buyerRegion: 1,
    minGreenBps: 0,
    bandwidthMbps: "0",
    maxLatencyMs: 0,
  });
const compute = (id: string, hardwareClass: string) =>
  node({ id, hardwareClass, region: 1, whPerVcuHour: "500", pueMilli: 1_100 });

const ORDERS: Record<string, unknown[]> = {
  BID: [bid("1", "gpu-inference"), bid("2", "class-7")],
  COMPUTE_OFFER: [
    compute("1", "gpu-inference"),
    compute("2", "class-7"),
    // The indexer lost a field: only this offer goes.
    { ...compute("3", "gpu-inference"), whPerVcuHour: null },
  ],
  ENERGY_OFFER: [],
  BANDWIDTH_OFFER: [],
};

const fakeIndexer: typeof fetch = async (_url, init) => {
  const { query, variables } = JSON.parse(String(init?.body)) as { query: string; variables: { kind?: string } };
  const data = query.includes("MatcherStatus")
    ? { status: { indexedBlock: 42, chainTime: 1_990_000_000 } }
    : { orders: { nodes: ORDERS[variables.kind!], pageInfo: { endCursor: null, hasNextPage: false } } };
  return new Response(JSON.stringify({ data }), { headers: { "content-type": "application/json" } });
};

describe("IndexerBookSource", () => {
  it("drops and logs the orders the exchange does not trade, and reads the rest", async () => {
    const lines: Record<string, unknown>[] = [];
    const source = new IndexerBookSource({
      url: "http://127.0.0.1:1/graphql",
      fetch: fakeIndexer,
      logger: { warn: (fields: Record<string, unknown>) => void lines.push(fields) },
    });
    const book = await source.openBook();
    assert.equal(book.blockNumber, 42n);
    assert.deepEqual(
      book.bids.map((b) => [b.id, b.hardwareClass]),
      [[1n, 2]],
    );
    assert.deepEqual(
      book.computeOffers.map((o) => o.id),
      [1n],
    );
    assert.deepEqual(lines.map((l) => [l.order, l.id]).sort(), [
      ["bid", "2"],
      ["compute", "2"],
      ["compute", "3"],
    ]);
    assert.match(String(lines.find((l) => l.order === "compute" && l.id === "3")?.reason), /lacks whPerVcuHour/);
  });
});
