// Orders the market stores but the exchange does not trade (docs/security.md, "One order cannot stop
// the exchange") are left out of every book source's book, each logged once with its reason.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { admitBook, RefusalLog } from "../../../backend/book/admit.ts";
import { InMemoryBookSource } from "../../../backend/book/book-source.ts";
import { bandwidthOffer, bid, computeOffer, energyOffer } from "../pricing/fixtures/orders.ts";

const honest = {
  bids: [bid()],
  computeOffers: [computeOffer()],
  energyOffers: [energyOffer()],
  bandwidthOffers: [bandwidthOffer()],
};

function recorder() {
  const lines: { fields: Record<string, unknown>; msg: string }[] = [];
  return {
    lines,
    logger: { warn: (fields: Record<string, unknown>, msg: string) => void lines.push({ fields, msg }) },
  };
}

describe("admitBook", () => {
  it("keeps an honest book whole", () => {
    const { book, refused } = admitBook(honest);
    assert.deepEqual(book, honest);
    assert.deepEqual(refused, []);
  });

  it("leaves out orders with an unknown hardware class, energy source, region or certificate origin, naming the field", () => {
    const { book, refused } = admitBook({
      bids: [
        ...honest.bids,
        bid({ id: 2n, hardwareClass: 7 }),
        bid({ id: 3n, buyerRegion: 99 }),
        bid({ id: 4n, certificateOrigin: 3 }),
      ],
      computeOffers: [
        ...honest.computeOffers,
        computeOffer({ id: 11n, hardwareClass: 7 }),
        computeOffer({ id: 12n, region: 0 }),
      ],
      energyOffers: [
        ...honest.energyOffers,
        energyOffer({ id: 21n, source: 6 }),
        energyOffer({ id: 22n, region: 200 }),
      ],
      bandwidthOffers: [...honest.bandwidthOffers, bandwidthOffer({ id: 31n, toRegion: 9 })],
    });
    assert.deepEqual(book, honest);
    assert.deepEqual(
      refused.map((r) => [r.kind, r.id]),
      [
        ["bid", 2n],
        ["bid", 3n],
        ["bid", 4n],
        ["compute", 11n],
        ["compute", 12n],
        ["energy", 21n],
        ["energy", 22n],
        ["bandwidth", 31n],
      ],
    );
    assert.match(refused[0].reason, /unknown hardware class 7/);
    assert.match(refused[1].reason, /unknown buyerRegion 99/);
    assert.match(refused[2].reason, /unknown certificate origin 3 \(known: 0..2\)/);
    assert.match(refused[5].reason, /unknown energy source 6/);
    assert.match(refused[7].reason, /unknown toRegion 9/);
  });
});

describe("RefusalLog", () => {
  it("logs each refused order once, however often the book is read", () => {
    const { lines, logger } = recorder();
    const log = new RefusalLog(logger);
    const { refused } = admitBook({ ...honest, bids: [bid({ id: 2n, hardwareClass: 7 })] });
    log.report(refused);
    log.report(refused);
    assert.deepEqual(lines, [
      {
        fields: { order: "bid", id: "2", reason: "unknown hardware class 7 (known: 0..3)" },
        msg: "order left out of the book",
      },
    ]);
  });
});

describe("InMemoryBookSource", () => {
  it("serves only the orders the exchange trades", async () => {
    const { lines, logger } = recorder();
    const source = new InMemoryBookSource(
      { ...honest, computeOffers: [computeOffer({ id: 11n, hardwareClass: 7 })] },
      logger,
    );
    const book = await source.openBook();
    assert.deepEqual(book.computeOffers, []);
    assert.deepEqual(book.bids, honest.bids);
    assert.equal(lines.length, 1);
  });
});
