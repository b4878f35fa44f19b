// The indexer's book as the matcher reads it, against a stand-in GraphQL endpoint that answers in the
// shape of indexer/graphql/schema.graphql for the hourly market: offers with their capacity and use per
// hour, bids with their job. An order the indexer describes with a value the exchange does not trade,
// or incompletely, is dropped and logged on its own; it never fails the read (which would stop every round).
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { getAddress } from "viem";

import { IndexerBookSource } from "../../../backend/book/indexer-book-source.ts";

const H = 3_600;
const T = 555_000 * H;
const owner = "0x00000000000000000000000000000000000000aa";
const node = (o: Record<string, unknown>) => ({
  id: "1",
  owner,
  price: "1000000",
  expiry: T,
  windowStart: T,
  windowEnd: T + 4 * H,
  hardwareClass: null,
  region: null,
  acceptableRegions: null,
  buyerRegion: null,
  minGreenBps: null,
  bandwidthMbps: null,
  maxLatencyMs: null,
  vcu: null,
  durationHours: null,
  remainingVcu: null,
  earliestStart: null,
  latestEnd: null,
  certificateOrigin: null,
  start: null,
  whPerVcuHour: null,
  pueMilli: null,
  deviceId: null,
  source: null,
  fromRegion: null,
  toRegion: null,
  latencyMs: null,
  hours: [],
  ...o,
});
const bid = (id: string, hardwareClass: string, o: Record<string, unknown> = {}) =>
  node({
    id,
    hardwareClass,
    acceptableRegions: [1, 2],
    buyerRegion: 1,
    minGreenBps: 0,
    bandwidthMbps: "0",
    maxLatencyMs: 0,
    vcu: 12,
    remainingVcu: 10,
    durationHours: 2,
    earliestStart: T,
    latestEnd: T + 4 * H,
    certificateOrigin: "grid-area",
    start: T + H,
    ...o,
  });
const hour = (start: number, capacity: number, used: number) => ({
  start,
  capacity: String(capacity),
  used: String(used),
});
// The indexer names a compute offer's capacity in its hours (and may leave `vcu` to bids).
const compute = (id: string, hardwareClass: string) =>
  node({
    id,
    hardwareClass,
    region: 1,
    whPerVcuHour: "500",
    pueMilli: 1_100,
    hours: [hour(T, 20, 0), hour(T + H, 20, 2), hour(T + 2 * H, 20, 2), hour(T + 3 * H, 20, 0)],
  });

const ORDERS: Record<string, unknown[]> = {
  BID: [
    bid("1", "gpu-inference"),
    bid("2", "class-7"),
    bid("3", "gpu-inference", { certificateOrigin: "same-hemisphere" }),
    bid("4", "gpu-inference", { id: "4", certificateOrigin: "computeRegion" }),
  ],
  COMPUTE_OFFER: [
    compute("1", "gpu-inference"),
    compute("2", "class-7"),
    // The indexer lost a field: only this offer goes.
    { ...compute("3", "gpu-inference"), whPerVcuHour: null },
  ],
  ENERGY_OFFER: [
    // Hours in any order, the middle one offered with 0 Wh left out.
    node({
      id: "5",
      deviceId: "77",
      source: "wind",
      region: 5,
      hours: [hour(T + 2 * H, 3_000, 0), hour(T, 5_000, 1_000)],
    }),
  ],
  BANDWIDTH_OFFER: [
    node({ id: "6", fromRegion: 1, toRegion: 2, latencyMs: 20, hours: [hour(T, 100, 0), hour(T + H, 100, 40)] }),
  ],
};

const fakeIndexer: typeof fetch = async (_url, init) => {
  const { query, variables } = JSON.parse(String(init?.body)) as { query: string; variables: { kind?: string } };
  const data = query.includes("MatcherStatus")
    ? { status: { indexedBlock: 42, chainTime: T - 10 * H } }
    : { orders: { nodes: ORDERS[variables.kind!], pageInfo: { endCursor: null, hasNextPage: false } } };
  return new Response(JSON.stringify({ data }), { headers: { "content-type": "application/json" } });
};

describe("IndexerBookSource", () => {
  it("reads bids' jobs and offers' hourly capacity and use, dropping and logging the orders the exchange does not trade", async () => {
    const lines: Record<string, unknown>[] = [];
    const source = new IndexerBookSource({
      url: "http://127.0.0.1:1/graphql",
      fetch: fakeIndexer,
      logger: { warn: (fields: Record<string, unknown>) => void lines.push(fields) },
    });
    const book = await source.openBook();
    assert.equal(book.blockNumber, 42n);
    assert.deepEqual(
      book.bids.map((b) => [b.id, b.certificateOrigin]),
      [
        [1n, 1],
        [4n, 0],
      ],
      "kebab-case as protocol/orders.ts spells origins, camelCase as GraphQL enums would",
    );
    assert.deepEqual(book.bids.slice(0, 1), [
      {
        id: 1n,
        buyer: getAddress(owner), // checksummed, as viem decodes addresses from events
        hardwareClass: 2,
        acceptableRegions: 0b110n,
        buyerRegion: 1,
        earliestStart: T,
        latestEnd: T + 4 * H,
        durationHours: 2,
        vcu: 12,
        remainingVcu: 10,
        start: T + H,
        limitPricePerVcuHour: 1_000_000n,
        minGreenBps: 0,
        certificateOrigin: 1,
        bandwidthMbps: 0n,
        maxLatencyMs: 0,
        expiry: T,
      },
    ]);
    assert.deepEqual(
      book.computeOffers.map((o) => [o.id, o.vcu, o.usedVcu]),
      [
        [
          1n,
          20,
          new Map([
            [T + H, 2],
            [T + 2 * H, 2],
          ]),
        ],
      ],
    );
    const [energy] = book.energyOffers;
    assert.deepEqual(
      [energy.deviceId, energy.source, energy.firstHour, energy.whPerHour, energy.soldWhPerHour],
      [77n, 1, T, [5_000n, 0n, 3_000n], [1_000n, 0n, 0n]],
    );
    assert.deepEqual(
      book.bandwidthOffers.map((l) => [l.id, l.mbps, l.usedMbps]),
      [[6n, 100, new Map([[T + H, 40]])]],
    );
    assert.deepEqual(lines.map((l) => [l.order, l.id]).sort(), [
      ["bid", "2"],
      ["bid", "3"],
      ["compute", "2"],
      ["compute", "3"],
    ]);
    assert.match(String(lines.find((l) => l.order === "compute" && l.id === "3")?.reason), /lacks whPerVcuHour/);
    assert.match(String(lines.find((l) => l.order === "bid" && l.id === "3")?.reason), /certificateOrigin/);
  });
});
