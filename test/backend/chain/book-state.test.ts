// The open book as a fold over market events, on events built by hand.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  applyBookLog,
  type BookLog,
  bookOf,
  cloneBookState,
  emptyBookState,
} from "../../../backend/chain/book-state.ts";

const buyer = "0x00000000000000000000000000000000000000b1" as const;
const supplier = "0x00000000000000000000000000000000000000c1" as const;
const zero = "0x0000000000000000000000000000000000000000" as const;

// Only eventName and args matter to the fold; the rest of a log is chain bookkeeping.
const log = (eventName: string, args: Record<string, unknown>) => ({ eventName, args }) as unknown as BookLog;

const bidPosted = (bidId: bigint, vcuHours: number) =>
  log("BidPosted", {
    bidId,
    buyer,
    bid: {
      hardwareClass: 2,
      acceptableRegions: 0b10100,
      buyerRegion: 2,
      windowStart: 1_000,
      windowEnd: 5_000,
      vcuHours,
      limitPricePerVcuHour: 2_500_000n,
      minGreenBps: 5_000,
      bandwidthMbps: 50,
      maxLatencyMs: 40,
      expiry: 900,
    },
    escrow: 0n,
  });
const computePosted = (offerId: bigint, vcuHours: number) =>
  log("ComputeOfferPosted", {
    offerId,
    supplier,
    offer: {
      hardwareClass: 2,
      region: 4,
      windowStart: 0,
      windowEnd: 9_000,
      vcuHours,
      reservePricePerVcuHour: 1_500_000n,
      whPerVcuHour: 2_000,
      pueMilli: 1_250,
      expiry: 900,
    },
  });
const energyPosted = (offerId: bigint, wh: bigint) =>
  log("EnergyOfferPosted", {
    offerId,
    supplier,
    batchId: 7n,
    source: 1,
    region: 4,
    offer: { batchId: 7n, wh, reservePricePerKwh: 40_000n, expiry: 900 },
  });
const bandwidthPosted = (offerId: bigint, mbps: number) =>
  log("BandwidthOfferPosted", {
    offerId,
    supplier,
    offer: {
      fromRegion: 4,
      toRegion: 2,
      mbps,
      latencyMs: 30,
      windowStart: 0,
      windowEnd: 9_000,
      reservePricePerMbpsHour: 10_000n,
      expiry: 900,
    },
  });
const dealOpened = (
  bidId: bigint,
  vcuHours: bigint,
  lots: { offerId: bigint; wh: bigint }[],
  bandwidthOfferId: bigint,
  bandwidthMbps: bigint,
) =>
  log("DealOpened", {
    dealId: 1n,
    bidId,
    buyer,
    terms: {
      bidId,
      buyer,
      computeOfferId: 1n,
      computeSupplier: supplier,
      vcuHours,
      energyLots: lots.map((l) => ({ ...l, supplier, batchId: 7n, payment: 1n, sourceFactor: 11 })),
      bandwidthOfferId,
      bandwidthSupplier: bandwidthOfferId === 0n ? zero : supplier,
      bandwidthMbps,
    },
  });

describe("applyBookLog", () => {
  it("turns posted events into orders in the protocol's shapes", () => {
    const state = emptyBookState();
    for (const l of [
      bidPosted(1n, 100),
      computePosted(1n, 1_000),
      energyPosted(1n, 500_000n),
      bandwidthPosted(1n, 1_000),
    ])
      applyBookLog(state, l);
    const book = bookOf(state);
    assert.deepEqual(book.bids[0], {
      id: 1n,
      buyer,
      hardwareClass: 2,
      acceptableRegions: 0b10100n,
      buyerRegion: 2,
      windowStart: 1_000,
      windowEnd: 5_000,
      vcuHours: 100n,
      filled: 0n,
      limitPricePerVcuHour: 2_500_000n,
      minGreenBps: 5_000,
      bandwidthMbps: 50n,
      maxLatencyMs: 40,
      expiry: 900,
    });
    assert.equal(book.computeOffers[0].whPerVcuHour, 2_000n);
    assert.equal(book.energyOffers[0].source, 1);
    assert.equal(book.energyOffers[0].region, 4);
    assert.equal(book.bandwidthOffers[0].mbps, 1_000n);
  });

  it("moves every order's fill on DealOpened and drops orders once filled or cancelled", () => {
    const state = emptyBookState();
    for (const l of [
      bidPosted(1n, 100),
      bidPosted(2n, 10),
      computePosted(1n, 1_000),
      energyPosted(1n, 250_000n),
      energyPosted(2n, 900_000n),
      bandwidthPosted(1n, 1_000),
    ]) {
      applyBookLog(state, l);
    }
    applyBookLog(
      state,
      dealOpened(
        1n,
        60n,
        [
          { offerId: 1n, wh: 250_000n },
          { offerId: 2n, wh: 100n },
        ],
        1n,
        50n,
      ),
    );
    let book = bookOf(state);
    assert.equal(book.bids.find((b) => b.id === 1n)!.filled, 60n);
    assert.equal(book.computeOffers[0].filled, 60n);
    assert.deepEqual(
      book.energyOffers.map((e) => e.id),
      [2n],
      "energy offer 1 is used up",
    );
    assert.equal(book.energyOffers[0].filled, 100n);
    assert.equal(book.bandwidthOffers[0].filled, 50n);

    applyBookLog(state, dealOpened(1n, 40n, [], 0n, 0n));
    applyBookLog(state, log("BidCancelled", { bidId: 2n, buyer, vcuHours: 10n, refund: 0n }));
    applyBookLog(state, log("BandwidthOfferCancelled", { offerId: 1n, supplier, mbps: 950n }));
    book = bookOf(state);
    assert.deepEqual(book.bids, [], "bid 1 filled, bid 2 cancelled");
    assert.deepEqual(book.bandwidthOffers, []);
    assert.equal(book.computeOffers[0].filled, 100n);
  });

  it("leaves a cloned state untouched", () => {
    const state = emptyBookState();
    applyBookLog(state, bidPosted(1n, 100));
    const copy = cloneBookState(state);
    applyBookLog(copy, dealOpened(1n, 30n, [], 0n, 0n));
    assert.equal(state.bids.get(1n)!.filled, 0n);
    assert.equal(copy.bids.get(1n)!.filled, 30n);
  });
});
