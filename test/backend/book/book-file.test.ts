import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bookToJson, parseBook } from "../../../backend/book/book-file.ts";
import type { OpenBook } from "../../../backend/book/book-source.ts";

const supplier = "0x00000000000000000000000000000000000000a1" as const;

const book: OpenBook = {
  asOf: 1_700_000_000,
  bids: [
    {
      id: 1n,
      buyer: supplier,
      hardwareClass: 3,
      acceptableRegions: 0b110n,
      buyerRegion: 2,
      windowStart: 1_700_003_600,
      windowEnd: 1_700_007_200,
      vcuHours: 10n,
      filled: 0n,
      limitPricePerVcuHour: 2n ** 100n,
      minGreenBps: 5_000,
      bandwidthMbps: 100n,
      maxLatencyMs: 40,
      expiry: 1_700_003_000,
    },
  ],
  computeOffers: [
    {
      id: 2n,
      supplier,
      hardwareClass: 3,
      region: 1,
      windowStart: 1_700_000_000,
      windowEnd: 1_700_086_400,
      vcuHours: 1_000n,
      filled: 5n,
      reservePricePerVcuHour: 1_200_000n,
      whPerVcuHour: 700n,
      pueMilli: 1_250,
      expiry: 1_700_086_400,
    },
  ],
  energyOffers: [
    {
      id: 3n,
      supplier,
      batchId: 9n,
      source: 1,
      region: 4,
      wh: 50_000n,
      filled: 0n,
      reservePricePerKwh: 40_000n,
      expiry: 1_700_086_400,
    },
  ],
  bandwidthOffers: [
    {
      id: 4n,
      supplier,
      fromRegion: 1,
      toRegion: 2,
      mbps: 1_000n,
      filled: 0n,
      latencyMs: 25,
      windowStart: 1_700_000_000,
      windowEnd: 1_700_086_400,
      reservePricePerMbpsHour: 500n,
      expiry: 1_700_086_400,
    },
  ],
};

describe("book file", () => {
  it("round-trips a book with amounts beyond 2^53 exactly", () => {
    assert.deepEqual(parseBook(JSON.parse(bookToJson(book))), book);
  });

  it("rejects an amount written as a JSON number or a bad address", () => {
    const json = JSON.parse(bookToJson(book));
    json.bids[0].vcuHours = 10;
    assert.throws(() => parseBook(json), /vcuHours/);
    const json2 = JSON.parse(bookToJson(book));
    json2.computeOffers[0].supplier = "0x123";
    assert.throws(() => parseBook(json2), /supplier/);
  });
});
