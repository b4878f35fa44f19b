import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { scheduleFast } from "../../../../backend/pricing/schedule/fast.ts";
import { HOUR, type ScheduledMatch, type TimedBook } from "../../../../backend/pricing/schedule/types.ts";
import { randomTimeBook, TIME_BOOK_NOW } from "./fixtures/books.ts";

const rules = { now: TIME_BOOK_NOW, platformFeeBps: 30 };

/** Independent accounting of a schedule's use of every order, hour by hour. */
function account(book: TimedBook, matches: readonly ScheduledMatch[]) {
  const bids = new Map(book.bids.map((b) => [b.id, b]));
  const vcu = new Map<string, number>();
  const wh = new Map<string, bigint>();
  const mbps = new Map<string, bigint>();
  const served = new Map<bigint, number>();
  const starts = new Map<bigint, Set<number>>();
  const reserved = new Set<string>();
  for (const m of matches) {
    const bid = bids.get(m.bidId)!;
    served.set(m.bidId, (served.get(m.bidId) ?? 0) + m.vcu);
    starts.set(m.bidId, (starts.get(m.bidId) ?? new Set()).add(m.start));
    const firstOnLink = m.bandwidthOfferId !== 0n && !reserved.has(`${m.bidId}:${m.bandwidthOfferId}`);
    if (firstOnLink) reserved.add(`${m.bidId}:${m.bandwidthOfferId}`);
    for (let t = m.start; t < m.start + bid.durationHours * HOUR; t += HOUR) {
      vcu.set(`${m.computeOfferId}:${t}`, (vcu.get(`${m.computeOfferId}:${t}`) ?? 0) + m.vcu);
      if (firstOnLink)
        mbps.set(`${m.bandwidthOfferId}:${t}`, (mbps.get(`${m.bandwidthOfferId}:${t}`) ?? 0n) + bid.bandwidthMbps);
    }
    for (const lot of m.energyLots)
      wh.set(`${lot.offerId}:${lot.hour}`, (wh.get(`${lot.offerId}:${lot.hour}`) ?? 0n) + lot.wh);
  }
  return { vcu, wh, mbps, served, starts };
}

describe("scheduling invariants (fast-check over seeded books)", () => {
  it("never sells a compute hour, device-hour or link hour beyond its capacity, nor a bid beyond its VCU", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 40, max: 400 }),
        fc.constantFrom(0, 0.5, 1),
        fc.constantFrom(0.2, 1, 3),
        (seed, orders, flexibleShare, energyCoverage) => {
          const book = randomTimeBook({ orders, seed, flexibleShare, energyCoverage });
          const { matches } = scheduleFast(book, rules);
          const { vcu, wh, mbps, served, starts } = account(book, matches);
          const computes = new Map(book.computeOffers.map((c) => [c.id, c]));
          for (const [key, used] of vcu) {
            const offer = computes.get(BigInt(key.split(":")[0]))!;
            assert.ok(used <= offer.vcu, `compute hour ${key}: ${used} > ${offer.vcu}`);
          }
          const energies = new Map(book.energyOffers.map((e) => [e.id, e]));
          for (const [key, sold] of wh) {
            const [id, hour] = key.split(":");
            const offer = energies.get(BigInt(id))!;
            const offered = offer.whPerHour[(Number(hour) - offer.firstHour) / HOUR];
            assert.ok(offered !== undefined && sold <= offered, `device-hour ${key}: ${sold} Wh sold of ${offered}`);
          }
          const links = new Map(book.bandwidthOffers.map((w) => [w.id, w]));
          for (const [key, used] of mbps) {
            const link = links.get(BigInt(key.split(":")[0]))!;
            assert.ok(used <= link.mbps, `link hour ${key}: ${used} > ${link.mbps} Mbps`);
          }
          for (const b of book.bids) {
            assert.ok((served.get(b.id) ?? 0) <= b.vcu, `bid ${b.id} served beyond its VCU`);
            assert.ok((starts.get(b.id)?.size ?? 0) <= 1, `bid ${b.id} has several starts`);
          }
        },
      ),
      { numRuns: 25, seed: 12 },
    );
  });
});
