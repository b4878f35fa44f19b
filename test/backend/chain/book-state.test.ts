// The open book as a fold over market events, on events built by hand: orders in the contract's
// shapes, and every DealOpened marking the job's hours used on its compute offer and link, the lots'
// hours sold on their energy offers and the bid's start fixed.
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
const H = 3_600;
const T = 500_000 * H; // an hour start

// Only eventName and args matter to the fold; the rest of a log is chain bookkeeping.
const log = (eventName: string, args: Record<string, unknown>) => ({ eventName, args }) as unknown as BookLog;

/** A 4-VCU-by-default job of 2 hours anywhere in [T, T + 4 h). */
const bidPosted = (bidId: bigint, vcu: number) =>
  log("BidPosted", {
    bidId,
    buyer,
    bid: {
      hardwareClass: 2,
      acceptableRegions: 0b10000100,
      buyerRegion: 2,
      earliestStart: T,
      latestEnd: T + 4 * H,
      durationHours: 2,
      vcu,
      limitPricePerVcuHour: 2_500_000n,
      minGreenBps: 5_000,
      certificateOrigin: 1,
      bandwidthMbps: 50,
      maxLatencyMs: 40,
      expiry: T,
    },
    escrow: 0n,
  });
const computePosted = (offerId: bigint, vcu: number) =>
  log("ComputeOfferPosted", {
    offerId,
    supplier,
    offer: {
      hardwareClass: 2,
      region: 7,
      windowStart: T - H,
      windowEnd: T + 5 * H,
      vcu,
      reservePricePerVcuHour: 1_500_000n,
      whPerVcuHour: 2_000,
      pueMilli: 1_250,
      expiry: T,
    },
  });
const energyPosted = (offerId: bigint, whPerHour: bigint[]) =>
  log("EnergyOfferPosted", {
    offerId,
    supplier,
    deviceId: 9n,
    source: 1,
    region: 8,
    offer: { deviceId: 9, firstHour: T, whPerHour, reservePricePerKwh: 40_000n, expiry: T },
  });
const bandwidthPosted = (offerId: bigint, mbps: number) =>
  log("BandwidthOfferPosted", {
    offerId,
    supplier,
    offer: {
      fromRegion: 7,
      toRegion: 2,
      mbps,
      latencyMs: 30,
      windowStart: T - H,
      windowEnd: T + 5 * H,
      reservePricePerMbpsHour: 10_000n,
      expiry: T,
    },
  });
const dealOpened = (
  bidId: bigint,
  start: number,
  vcu: bigint,
  lots: { offerId: bigint; hour: number; wh: bigint }[],
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
      computeRegion: 7,
      start,
      durationHours: 2,
      vcu,
      energyLots: lots.map((l) => ({ ...l, supplier, deviceId: 9n, payment: 1n, sourceFactor: 11 })),
      bandwidthOfferId,
      bandwidthSupplier: bandwidthOfferId === 0n ? zero : supplier,
      bandwidthMbps,
    },
  });

describe("applyBookLog", () => {
  it("turns posted events into orders in the protocol's shapes, nothing used yet", () => {
    const state = emptyBookState();
    for (const l of [
      bidPosted(1n, 4),
      computePosted(1n, 10),
      energyPosted(1n, [500_000n, 0n, 250_000n]),
      bandwidthPosted(1n, 1_000),
    ])
      applyBookLog(state, l);
    const book = bookOf(state);
    assert.deepEqual(book.bids[0], {
      id: 1n,
      buyer,
      hardwareClass: 2,
      acceptableRegions: 0b10000100n,
      buyerRegion: 2,
      earliestStart: T,
      latestEnd: T + 4 * H,
      durationHours: 2,
      vcu: 4,
      remainingVcu: 4,
      start: 0,
      limitPricePerVcuHour: 2_500_000n,
      minGreenBps: 5_000,
      certificateOrigin: 1,
      bandwidthMbps: 50n,
      maxLatencyMs: 40,
      expiry: T,
      reservedLinks: [],
    });
    assert.equal(book.computeOffers[0].vcu, 10);
    assert.equal(book.computeOffers[0].whPerVcuHour, 2_000n);
    assert.deepEqual(book.computeOffers[0].usedVcu, new Map());
    assert.deepEqual(
      { ...book.energyOffers[0] },
      {
        id: 1n,
        supplier,
        deviceId: 9n,
        source: 1,
        region: 8,
        firstHour: T,
        whPerHour: [500_000n, 0n, 250_000n],
        reservePricePerKwh: 40_000n,
        expiry: T,
        soldWhPerHour: [0n, 0n, 0n],
      },
    );
    assert.equal(book.bandwidthOffers[0].mbps, 1_000);
  });

  it("marks the job's hours used on DealOpened, fixes the bid's start, and drops orders once filled or cancelled", () => {
    const state = emptyBookState();
    for (const l of [
      bidPosted(1n, 4),
      bidPosted(2n, 1),
      computePosted(1n, 10),
      energyPosted(1n, [500_000n, 0n, 250_000n]),
      energyPosted(2n, [900_000n, 900_000n, 900_000n]),
      bandwidthPosted(1n, 1_000),
    ]) {
      applyBookLog(state, l);
    }
    const start = T + H;
    applyBookLog(
      state,
      dealOpened(
        1n,
        start,
        3n,
        [
          { offerId: 1n, hour: T + 2 * H, wh: 250_000n },
          { offerId: 2n, hour: T + H, wh: 100n },
          { offerId: 2n, hour: T + 2 * H, wh: 200n },
        ],
        1n,
        50n,
      ),
    );
    let book = bookOf(state);
    const bid = book.bids.find((b) => b.id === 1n)!;
    assert.equal(bid.remainingVcu, 1);
    assert.equal(bid.start, start, "the first match fixes the job's start");
    assert.deepEqual(bid.reservedLinks, [1n]);
    assert.deepEqual(
      book.computeOffers[0].usedVcu,
      new Map([
        [T + H, 3],
        [T + 2 * H, 3],
      ]),
    );
    const [first, second] = book.energyOffers;
    assert.deepEqual(first.soldWhPerHour, [0n, 0n, 250_000n], "only the lot's hour is sold");
    assert.deepEqual(second.soldWhPerHour, [0n, 100n, 200n]);
    assert.deepEqual(
      book.bandwidthOffers[0].usedMbps,
      new Map([
        [T + H, 50],
        [T + 2 * H, 50],
      ]),
    );

    // The bid's second match on the same link reserves nothing more (bandwidthMbps 0 in its terms).
    applyBookLog(state, dealOpened(1n, start, 1n, [], 1n, 0n));
    applyBookLog(state, log("BidCancelled", { bidId: 2n, buyer, vcu: 1n, refund: 0n }));
    applyBookLog(state, log("EnergyOfferCancelled", { offerId: 1n, supplier, deviceId: 9n, unsoldWhPerHour: [] }));
    book = bookOf(state);
    assert.deepEqual(book.bids, [], "bid 1 filled, bid 2 cancelled");
    assert.deepEqual(
      book.energyOffers.map((e) => e.id),
      [2n],
    );
    assert.equal(book.computeOffers[0].usedVcu?.get(T + H), 4);
    assert.equal(book.bandwidthOffers[0].usedMbps?.get(T + H), 50);
  });

  it("leaves a cloned state untouched", () => {
    const state = emptyBookState();
    applyBookLog(state, bidPosted(1n, 4));
    applyBookLog(state, computePosted(1n, 10));
    const copy = cloneBookState(state);
    applyBookLog(copy, dealOpened(1n, T, 3n, [], 0n, 0n));
    assert.equal(state.bids.get(1n)!.remainingVcu, 4);
    assert.equal(state.bids.get(1n)!.start, 0);
    assert.equal(state.computeOffers.get(1n)!.usedVcu.size, 0);
    assert.equal(copy.bids.get(1n)!.remainingVcu, 1);
    assert.equal(copy.computeOffers.get(1n)!.usedVcu.get(T), 3);
  });
});
