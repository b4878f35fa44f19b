import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bookToJson, parseBook } from "../../../backend/book/book-file.ts";
import type { OpenBook } from "../../../backend/book/book-source.ts";

const supplier = "0x00000000000000000000000000000000000000a1" as const;

const H = 3_600;
const T = 472_223 * H; // an hour start

const book: OpenBook = {
  asOf: T,
  bids: [
    {
      id: 1n,
      buyer: supplier,
      hardwareClass: 3,
      acceptableRegions: 0b110n,
      buyerRegion: 2,
      earliestStart: T + H,
      latestEnd: T + 4 * H,
      durationHours: 2,
      vcu: 10,
      remainingVcu: 6,
      start: T + 2 * H,
      limitPricePerVcuHour: 2n ** 100n,
      minGreenBps: 5_000,
      certificateOrigin: 1,
      bandwidthMbps: 100n,
      maxLatencyMs: 40,
      expiry: T + H,
      reservedLinks: [4n],
    },
  ],
  computeOffers: [
    {
      id: 2n,
      supplier,
      hardwareClass: 3,
      region: 1,
      windowStart: T,
      windowEnd: T + 24 * H,
      vcu: 100,
      reservePricePerVcuHour: 1_200_000n,
      whPerVcuHour: 700n,
      pueMilli: 1_250,
      expiry: T + 24 * H,
      usedVcu: new Map([
        [T + 2 * H, 4],
        [T + 3 * H, 4],
      ]),
    },
  ],
  energyOffers: [
    {
      id: 3n,
      supplier,
      deviceId: 9n,
      source: 1,
      region: 5,
      firstHour: T,
      whPerHour: [50_000n, 0n, 2n ** 64n - 1n],
      soldWhPerHour: [0n, 0n, 7n],
      reservePricePerKwh: 40_000n,
      expiry: T + 24 * H,
    },
  ],
  bandwidthOffers: [
    {
      id: 4n,
      supplier,
      fromRegion: 1,
      toRegion: 2,
      mbps: 1_000,
      latencyMs: 25,
      windowStart: T,
      windowEnd: T + 24 * H,
      reservePricePerMbpsHour: 500n,
      expiry: T + 24 * H,
      usedMbps: new Map([[T + 2 * H, 100]]),
    },
  ],
};

describe("book file", () => {
  it("round-trips a book with amounts beyond 2^53 and its hourly use exactly", () => {
    assert.deepEqual(parseBook(JSON.parse(bookToJson(book))), book);
    assert.deepEqual(JSON.parse(bookToJson(book)).computeOffers[0].usedVcu, [
      [T + 2 * H, 4],
      [T + 3 * H, 4],
    ]);
  });

  it("reads an offer with no hourly use given as nothing used yet", () => {
    const json = JSON.parse(bookToJson(book));
    delete json.computeOffers[0].usedVcu;
    assert.deepEqual(parseBook(json).computeOffers[0].usedVcu, new Map());
  });

  it("rejects an amount written as a JSON number or a bad address", () => {
    const json = JSON.parse(bookToJson(book));
    json.bids[0].limitPricePerVcuHour = 10;
    assert.throws(() => parseBook(json), /limitPricePerVcuHour/);
    const json2 = JSON.parse(bookToJson(book));
    json2.computeOffers[0].supplier = "0x123";
    assert.throws(() => parseBook(json2), /supplier/);
  });
});
