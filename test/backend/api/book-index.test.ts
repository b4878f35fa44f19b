import assert from "node:assert/strict";
import { describe, it } from "node:test";

import fc from "fast-check";

import { bookFor } from "../../../backend/api/book-index.ts";
import { clearBook, energyHoursOf, priceBundles } from "../../../backend/pricing/index.ts";
import type { BookBid } from "../../../protocol/book.ts";
import { REGIONS } from "../../../protocol/units.ts";
import { marketBook } from "./market-book.ts";

const now = 1_900_000_800; // on the hour
const book = marketBook({ now, computeSuppliersPerCell: 4, energyOffers: 40, bidCount: 0 });
const rules = { now, platformFeeBps: 30 };
const regionCodes: number[] = REGIONS.map((r) => r.code);

describe("bookFor", () => {
  it("keeps only offers the bid could use, and clearing and pricing come out the same as on the whole book", () => {
    let cleared = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 }),
        fc.uniqueArray(fc.constantFrom(...regionCodes), { minLength: 1, maxLength: 4 }),
        fc.constantFrom(...regionCodes),
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 0, max: 24 }),
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 20_000, max: 8_000_000 }),
        fc.constantFrom(0, 3_000, 10_000),
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: 0, max: 800 }),
        (hardwareClass, regions, buyerRegion, offset, hours, slack, vcu, limit, green, origin, mbps) => {
          const bid: BookBid = {
            id: 0n,
            buyer: "0x0000000000000000000000000000000000000000",
            hardwareClass,
            acceptableRegions: regions.reduce((m, r) => m | (1n << BigInt(r)), 0n),
            buyerRegion,
            earliestStart: now + offset * 3_600,
            latestEnd: now + (offset + hours + slack) * 3_600,
            durationHours: hours,
            vcu,
            remainingVcu: vcu,
            start: 0,
            limitPricePerVcuHour: BigInt(limit),
            minGreenBps: green,
            certificateOrigin: origin,
            bandwidthMbps: BigInt(mbps),
            maxLatencyMs: 40,
            expiry: now + offset * 3_600,
          };
          const part = bookFor(bid, book);
          assert.ok(part.computeOffers.every((o) => o.hardwareClass === hardwareClass && regions.includes(o.region)));
          assert.ok(part.bandwidthOffers.every((l) => l.fromRegion === buyerRegion || l.toRegion === buyerRegion));
          assert.ok(part.computeOffers.length < book.computeOffers.length);
          const whole = { ...book, bids: [bid] };
          const wholeMatches = clearBook(whole, rules).matches;
          const partMatches = clearBook(part, rules).matches;
          assert.deepEqual(partMatches, wholeMatches);
          if (wholeMatches.length > 0) cleared++;
          assert.deepEqual(priceBundles(part, partMatches, rules), priceBundles(whole, wholeMatches, rules));
        },
      ),
      { numRuns: 60 },
    );
    assert.ok(cleared >= 10, `enough runs clear something to compare prices (${cleared} of 60)`);
  });

  it("hands every quote of a book version the same energy offers, whose certificate hours are indexed once, and a replaced book new ones", () => {
    const bid = (hardwareClass: number, buyerRegion: number): BookBid => ({
      id: 0n,
      buyer: "0x0000000000000000000000000000000000000000",
      hardwareClass,
      acceptableRegions: 1n << BigInt(buyerRegion),
      buyerRegion,
      earliestStart: now + 3_600,
      latestEnd: now + 5 * 3_600,
      durationHours: 2,
      vcu: 1,
      remainingVcu: 1,
      start: 0,
      limitPricePerVcuHour: 10n ** 9n,
      minGreenBps: 5_000,
      certificateOrigin: 1,
      bandwidthMbps: 0n,
      maxLatencyMs: 40,
      expiry: now + 5 * 3_600,
    });
    const first = bookFor(bid(0, regionCodes[0]), book);
    const second = bookFor(bid(3, regionCodes[1]), book);
    assert.equal(first.energyOffers, second.energyOffers);
    assert.equal(energyHoursOf(first.energyOffers), energyHoursOf(second.energyOffers));
    const replaced = { ...book, energyOffers: book.energyOffers.slice(1) };
    const after = bookFor(bid(0, regionCodes[0]), replaced);
    assert.notEqual(after.energyOffers, first.energyOffers);
    assert.notEqual(energyHoursOf(after.energyOffers), energyHoursOf(first.energyOffers));
    assert.equal(energyHoursOf(after.energyOffers).firstHour.length, book.energyOffers.length - 1);
  });
});
