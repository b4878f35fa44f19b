import assert from "node:assert/strict";
import { describe, it } from "node:test";

import fc from "fast-check";

import { bookFor } from "../../../backend/api/book-index.ts";
import { clearFast, priceBundles } from "../../../backend/pricing/index.ts";
import type { Bid } from "../../../protocol/orders.ts";
import { REGIONS } from "../../../protocol/units.ts";
import { marketBook } from "./market-book.ts";

const now = 1_900_000_000;
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
        fc.integer({ min: 1, max: 48 }),
        fc.integer({ min: 1, max: 5_000 }),
        fc.integer({ min: 20_000, max: 8_000_000 }),
        fc.constantFrom(0, 3_000, 10_000),
        fc.integer({ min: 0, max: 800 }),
        (hardwareClass, regions, buyerRegion, offset, hours, vcuHours, limit, green, mbps) => {
          const bid: Bid = {
            id: 0n,
            buyer: "0x0000000000000000000000000000000000000000",
            hardwareClass,
            acceptableRegions: regions.reduce((m, r) => m | (1n << BigInt(r)), 0n),
            buyerRegion,
            windowStart: now + offset * 3_600,
            windowEnd: now + (offset + hours) * 3_600,
            vcuHours: BigInt(vcuHours),
            filled: 0n,
            limitPricePerVcuHour: BigInt(limit),
            minGreenBps: green,
            bandwidthMbps: BigInt(mbps),
            maxLatencyMs: 40,
            expiry: now + offset * 3_600,
          };
          const part = bookFor(bid, book);
          assert.ok(part.computeOffers.every((o) => o.hardwareClass === hardwareClass && regions.includes(o.region)));
          assert.ok(part.bandwidthOffers.every((l) => l.fromRegion === buyerRegion || l.toRegion === buyerRegion));
          assert.ok(part.computeOffers.length < book.computeOffers.length);
          const whole = { ...book, bids: [bid] };
          const wholeMatches = clearFast(whole, rules).matches;
          const partMatches = clearFast(part, rules).matches;
          assert.deepEqual(partMatches, wholeMatches);
          if (wholeMatches.length > 0) cleared++;
          assert.deepEqual(priceBundles(part, partMatches, rules), priceBundles(whole, wholeMatches, rules));
        },
      ),
      { numRuns: 60 },
    );
    assert.ok(cleared >= 10, `enough runs clear something to compare prices (${cleared} of 60)`);
  });
});
