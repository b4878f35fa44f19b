import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkSchedule } from "../../../../backend/pricing/schedule/check.ts";
import type { ScheduledMatch, TimedBook } from "../../../../backend/pricing/schedule/types.ts";
import { bid, book, computeOffer, energyOffer, H, link, match, RULES, T0 } from "./fixtures/orders.ts";

const verdicts = (b: TimedBook, matches: ScheduledMatch[], rules = RULES) =>
  checkSchedule(b, matches, rules).violations;
const only = (b: TimedBook, m: ScheduledMatch) => verdicts(b, [m])[0];

/** `bid()` served from Gansu to a buyer in Guangdong (region 3) over `link()`. */
const remoteBook = (o: Partial<TimedBook> = {}) =>
  book({ bids: [bid({ buyerRegion: 3 })], bandwidthOffers: [link()], ...o });
const remote = (o: Partial<ScheduledMatch> = {}) => match({ bandwidthOfferId: 30n, bandwidthPayment: 240n, ...o });

describe("the schedule checker (the contract's match rules, hour by hour)", () => {
  it("settles the hand-built match and reports its welfare", () => {
    const check = checkSchedule(book(), [match()], RULES);
    assert.deepEqual(check.violations, [undefined]);
    // (1000 − 100) × 8 VCU-hours − 600 Wh × 50 / 1000
    assert.equal(check.welfare, 900 * 8 - 30);
  });

  describe("1. quantities", () => {
    it("refuses zero VCU", () => assert.equal(only(book(), match({ vcu: 0 })), "ZeroQuantity"));
    it("refuses an unknown bid", () => assert.equal(only(book(), match({ bidId: 99n })), "BidNotOpen"));
    it("refuses an expired bid", () =>
      assert.equal(only(book({ bids: [bid({ expiry: RULES.now })] }), match()), "BidExpired"));
    it("refuses more VCU than the bid has left", () => {
      assert.equal(only(book({ bids: [bid({ filledVcu: 2 })] }), match()), "BidQuantityExceeded");
      const half = match({ vcu: 2, computePayment: 400n, energyLots: [] });
      const b = book({ bids: [bid({ minGreenBps: 0 })] });
      assert.deepEqual(verdicts(b, [half, half, half]), [undefined, undefined, "BidNotOpen"]);
    });
  });

  describe("2. the start", () => {
    it("refuses a start off the hour, before the earliest start or ending after the latest end", () => {
      assert.equal(only(book(), match({ start: T0 + H + 60 })), "StartOutsideWindow");
      assert.equal(only(book(), match({ start: T0 - H })), "StartOutsideWindow");
      assert.equal(only(book(), match({ start: T0 + 5 * H })), "StartOutsideWindow");
    });
    it("refuses a start already past when the batch settles (StartPassed), and the current second", () => {
      assert.deepEqual(verdicts(book(), [match()], { ...RULES, now: T0 + H + 1 }), ["StartPassed"]);
      assert.deepEqual(verdicts(book(), [match()], { ...RULES, now: T0 + H }), [undefined]);
    });
    it("holds every match of a bid to the start its first match fixed", () => {
      const b = book({ bids: [bid({ minGreenBps: 0 })] });
      const first = match({ vcu: 2, computePayment: 400n, energyLots: [] });
      const later = match({ vcu: 2, computePayment: 400n, energyLots: [], start: T0 + 2 * H });
      assert.deepEqual(verdicts(b, [first, later]), [undefined, "StartMismatch"]);
      assert.equal(only(book({ bids: [bid({ start: T0 })] }), match()), "StartMismatch");
    });
  });

  describe("3. compute", () => {
    it("refuses unknown, expired, other-class, unaccepted-region and uncovering offers", () => {
      assert.equal(only(book(), match({ computeOfferId: 2n })), "ComputeOfferNotOpen");
      assert.equal(
        only(book({ computeOffers: [computeOffer({ expiry: RULES.now })] }), match()),
        "ComputeOfferExpired",
      );
      assert.equal(
        only(book({ computeOffers: [computeOffer({ hardwareClass: 1 })] }), match()),
        "HardwareClassMismatch",
      );
      assert.equal(only(book({ bids: [bid({ acceptableRegions: 1n << 3n })] }), match()), "RegionNotAccepted");
      assert.equal(
        only(book({ computeOffers: [computeOffer({ windowStart: T0 + 2 * H })] }), match()),
        "WindowNotCovered",
      );
    });
    it("refuses a match that would exceed the capacity in any hour of the job, and only there", () => {
      const offers = [computeOffer({ vcu: 6 })];
      const bids = [bid({ minGreenBps: 0 }), bid({ id: 11n, minGreenBps: 0 })];
      const at = (id: bigint, start: number) => match({ bidId: id, start, energyLots: [] });
      // Both want 4 of 6 VCU: overlapping in hour T0 + 2 h → the second is skipped …
      assert.deepEqual(verdicts(book({ bids, computeOffers: offers }), [at(10n, T0 + H), at(11n, T0 + 2 * H)]), [
        undefined,
        "ComputeCapacityExceeded",
      ]);
      // … back to back they both fit: capacity is per hour, not a pool of VCU-hours.
      assert.deepEqual(verdicts(book({ bids, computeOffers: offers }), [at(10n, T0 + H), at(11n, T0 + 3 * H)]), [
        undefined,
        undefined,
      ]);
      const used = computeOffer({ usedVcu: new Map([[T0 + 2 * H, 7]]) });
      assert.equal(only(book({ computeOffers: [used] }), match()), "ComputeCapacityExceeded");
    });
    it("refuses a compute payment below reserve × VCU-hours", () =>
      assert.equal(only(book(), match({ computePayment: 799n })), "ComputePaymentBelowReserve"));
  });

  describe("4. energy lots", () => {
    it("wants lots strictly ascending by (offer, hour)", () => {
      const [a, b] = match().energyLots;
      assert.equal(only(book(), match({ energyLots: [b, a] })), "EnergyLotsNotAscending");
      assert.equal(only(book(), match({ energyLots: [a, a] })), "EnergyLotsNotAscending");
    });
    it("refuses a lot outside the job's hours", () => {
      const lots = [
        { offerId: 20n, hour: T0, wh: 300n, payment: 15n },
        { offerId: 20n, hour: T0 + H, wh: 300n, payment: 15n },
      ];
      assert.equal(only(book(), match({ energyLots: lots })), "LotOutsideJobHours");
    });
    it("refuses unknown, expired, suspended and sold-out device-hours", () => {
      const [a, b] = match().energyLots;
      assert.equal(only(book(), match({ energyLots: [{ ...a, offerId: 21n }, b] })), "EnergyOfferNotOpen");
      assert.equal(only(book({ energyOffers: [energyOffer({ expiry: RULES.now })] }), match()), "EnergyOfferExpired");
      assert.equal(
        only(book({ energyOffers: [energyOffer({ deviceSuspended: true })] }), match()),
        "EnergyDeviceSuspended",
      );
      const sold = energyOffer({ soldWhPerHour: [0n, 800n, 0n, 0n, 0n, 0n] });
      assert.equal(only(book({ energyOffers: [sold] }), match()), "EnergyQuantityExceeded");
    });
    it("never sells one device-hour's Wh twice across matches", () => {
      const bids = [bid(), bid({ id: 11n })];
      const offers = [computeOffer({ vcu: 20 })];
      const big = (id: bigint) =>
        match({
          bidId: id,
          energyLots: [
            { offerId: 20n, hour: T0 + H, wh: 600n, payment: 30n },
            { offerId: 20n, hour: T0 + 2 * H, wh: 600n, payment: 30n },
          ],
        });
      assert.deepEqual(verdicts(book({ bids, computeOffers: offers }), [big(10n), big(11n)]), [
        undefined,
        "EnergyQuantityExceeded",
      ]);
    });
    it("applies the bid's certificate origin against the compute region", () => {
      const gansu = energyOffer({ region: 7 });
      const ningxia = energyOffer({ region: 8 });
      const beijing = energyOffer({ region: 1 });
      const origin = (certificateOrigin: number, e = ningxia) =>
        only(book({ bids: [bid({ certificateOrigin })], energyOffers: [e] }), match());
      assert.equal(origin(0, ningxia), "OriginNotAccepted"); // compute region only
      assert.equal(origin(0, gansu), undefined);
      assert.equal(origin(1, ningxia), undefined); // same grid area (north-west)
      assert.equal(origin(1, beijing), "OriginNotAccepted");
      assert.equal(origin(2, beijing), undefined); // anywhere
      assert.equal(origin(3, gansu), "OriginNotAccepted"); // unknown rule
    });
    it("refuses a lot paid below its reserve", () => {
      const [a, b] = match().energyLots;
      assert.equal(only(book(), match({ energyLots: [{ ...a, payment: 14n }, b] })), "EnergyPaymentBelowReserve");
    });
  });

  describe("5. green per hour", () => {
    it("refuses more certificates in an hour than the job needs in that hour", () => {
      // need = 4 × 100 × 1.5 = 600 Wh per hour; 601 in one hour breaks it although 2 h need 1,200.
      const lots = [
        { offerId: 20n, hour: T0 + H, wh: 601n, payment: 31n },
        { offerId: 20n, hour: T0 + 2 * H, wh: 1n, payment: 1n },
      ];
      assert.equal(only(book(), match({ energyLots: lots })), "GreenAboveNeed");
    });
    it("judges the minimum share on hourly-matched energy over the whole job", () => {
      const short = [
        { offerId: 20n, hour: T0 + H, wh: 300n, payment: 15n },
        { offerId: 20n, hour: T0 + 2 * H, wh: 299n, payment: 15n },
      ];
      assert.equal(only(book(), match({ energyLots: short })), "GreenShareBelowMinimum");
      const allInOneHour = [{ offerId: 20n, hour: T0 + H, wh: 600n, payment: 30n }];
      assert.equal(only(book(), match({ energyLots: allInOneHour })), undefined);
    });
  });

  describe("6. bandwidth", () => {
    it("wants a link exactly when the compute region is not the buyer's", () => {
      assert.equal(only(remoteBook(), remote()), undefined);
      assert.equal(only(remoteBook(), match()), "BandwidthMissing");
      assert.equal(only(book({ bandwidthOffers: [link()] }), remote()), "BandwidthNotNeeded");
    });
    it("checks the link's existence, expiry, route, latency and window", () => {
      assert.equal(only(remoteBook(), remote({ bandwidthOfferId: 31n })), "BandwidthOfferNotOpen");
      assert.equal(
        only(remoteBook({ bandwidthOffers: [link({ expiry: RULES.now })] }), remote()),
        "BandwidthOfferExpired",
      );
      assert.equal(only(remoteBook({ bandwidthOffers: [link({ toRegion: 2 })] }), remote()), "BandwidthRouteMismatch");
      assert.equal(only(remoteBook({ bandwidthOffers: [link({ latencyMs: 31 })] }), remote()), "LatencyAboveMaximum");
      assert.equal(
        only(remoteBook({ bandwidthOffers: [link({ windowEnd: T0 + 2 * H })] }), remote()),
        "BandwidthWindowNotCovered",
      );
    });
    it("reserves the Mbps per job hour, once per bid and link", () => {
      const bids = [bid({ buyerRegion: 3, minGreenBps: 0 }), bid({ id: 11n, buyerRegion: 3, minGreenBps: 0 })];
      const b = remoteBook({ bids, computeOffers: [computeOffer({ vcu: 20 })] });
      const piece = (id: bigint, start: number, payment: bigint) =>
        match({
          bidId: id,
          start,
          vcu: 2,
          computePayment: 400n,
          energyLots: [],
          bandwidthOfferId: 30n,
          bandwidthPayment: payment,
        });
      // Bid 10 in two pieces on one link: the second reserves nothing more and pays nothing.
      // Bid 11 then needs 60 of the 40 Mbps left in its overlapping hour, but fits back to back.
      assert.deepEqual(
        verdicts(b, [
          piece(10n, T0 + H, 240n),
          piece(10n, T0 + H, 0n),
          piece(11n, T0 + 2 * H, 240n),
          piece(11n, T0 + 3 * H, 240n),
        ]),
        [undefined, undefined, "BandwidthCapacityExceeded", undefined],
      );
      const used = link({ usedMbps: new Map([[T0 + 2 * H, 41n]]) });
      assert.equal(only(remoteBook({ bandwidthOffers: [used] }), remote()), "BandwidthCapacityExceeded");
      assert.equal(
        only(
          remoteBook({ bids: [bid({ buyerRegion: 3, reservedLinks: [30n] })], bandwidthOffers: [used] }),
          remote({ bandwidthPayment: 0n }),
        ),
        undefined,
      );
    });
    it("charges reserve × Mbps × duration on the first match of the bid on the link", () =>
      assert.equal(only(remoteBook(), remote({ bandwidthPayment: 239n })), "BandwidthPaymentBelowReserve"));
  });

  describe("7. the all-in limit", () => {
    it("refuses payments plus the fee above limit × VCU-hours", () => {
      // 7,970 + ⌊7,970 × 30 / 10⁴⌋ = 7,993 ≤ 8,000; 7,980 + 23 = 8,003 > 8,000.
      assert.equal(only(book(), match({ computePayment: 7940n })), undefined);
      assert.equal(only(book(), match({ computePayment: 7950n })), "PriceAboveLimit");
    });
  });

  it("lets a skipped match consume nothing", () => {
    const bids = [bid({ minGreenBps: 0 }), bid({ id: 11n, minGreenBps: 0 })];
    const offers = [computeOffer({ vcu: 4 })];
    const bad = match({ bidId: 10n, energyLots: [], computePayment: 1n });
    const good = match({ bidId: 11n, energyLots: [] });
    assert.deepEqual(verdicts(book({ bids, computeOffers: offers }), [bad, good]), [
      "ComputePaymentBelowReserve",
      undefined,
    ]);
  });
});
