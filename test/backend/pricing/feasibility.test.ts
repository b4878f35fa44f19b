import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkBatch, type MatchViolation } from "../../../backend/pricing/clearing/feasibility.ts";
import type { Match } from "../../../backend/pricing/clearing/pool-orders.ts";
import type { OrderBook } from "../../../backend/pricing/clearing/types.ts";
import { bandwidthOffer, bid, book, computeOffer, energyOffer, NOW, validMatch } from "./fixtures/pool-orders.ts";

const H = 3600;
const rules = { now: NOW, platformFeeBps: 30 };
const base = () =>
  book({
    bids: [bid()],
    computeOffers: [computeOffer()],
    energyOffers: [energyOffer()],
    bandwidthOffers: [bandwidthOffer()],
  });
const remote = () => book({ ...base(), computeOffers: [computeOffer({ region: 2 })] });
const remoteMatch = (o: Partial<Match> = {}) => validMatch({ bandwidthOfferId: 30n, bandwidthPayment: 400_000n, ...o });

function violation(b: OrderBook, m: Match): MatchViolation | undefined {
  return checkBatch(b, [m], rules).violations[0];
}

describe("checkBatch mirrors the contract's match rules", () => {
  it("accepts a match inside every limit, local or over a link", () => {
    assert.equal(violation(base(), validMatch()), undefined);
    assert.equal(violation(remote(), remoteMatch()), undefined);
  });

  const cases: [MatchViolation, () => [OrderBook, Match]][] = [
    ["ZeroQuantity", () => [base(), validMatch({ vcuHours: 0n })]],
    ["BidNotOpen", () => [base(), validMatch({ bidId: 99n })]],
    ["BidNotOpen", () => [book({ ...base(), bids: [bid({ filled: 100n })] }), validMatch()]],
    ["BidExpired", () => [book({ ...base(), bids: [bid({ expiry: NOW })] }), validMatch()]],
    ["BidQuantityExceeded", () => [book({ ...base(), bids: [bid({ filled: 1n })] }), validMatch()]],
    ["ComputeOfferNotOpen", () => [base(), validMatch({ computeOfferId: 99n })]],
    ["ComputeOfferNotOpen", () => [book({ ...base(), computeOffers: [computeOffer({ filled: 500n })] }), validMatch()]],
    ["ComputeOfferExpired", () => [book({ ...base(), computeOffers: [computeOffer({ expiry: NOW })] }), validMatch()]],
    [
      "ComputeQuantityExceeded",
      () => [book({ ...base(), computeOffers: [computeOffer({ vcuHours: 99n })] }), validMatch()],
    ],
    [
      "HardwareClassMismatch",
      () => [book({ ...base(), computeOffers: [computeOffer({ hardwareClass: 0 })] }), validMatch()],
    ],
    [
      "WindowNotCovered",
      () => [book({ ...base(), computeOffers: [computeOffer({ windowEnd: NOW + 3 * H })] }), validMatch()],
    ],
    ["RegionNotAccepted", () => [book({ ...base(), computeOffers: [computeOffer({ region: 3 })] }), validMatch()]],
    ["ComputePaymentBelowReserve", () => [base(), validMatch({ computePayment: 79_999_999n })]],
    [
      "EnergyLotsNotAscending",
      () => [
        base(),
        validMatch({
          energyLots: [
            { offerId: 20n, wh: 21_875n, payment: 1_093_750n },
            { offerId: 20n, wh: 21_875n, payment: 1_093_750n },
          ],
        }),
      ],
    ],
    [
      "EnergyOfferNotOpen",
      () => [base(), validMatch({ energyLots: [{ offerId: 99n, wh: 43_750n, payment: 2_187_500n }] })],
    ],
    ["EnergyOfferExpired", () => [book({ ...base(), energyOffers: [energyOffer({ expiry: NOW - 1 })] }), validMatch()]],
    ["EnergyQuantityExceeded", () => [book({ ...base(), energyOffers: [energyOffer({ wh: 43_749n })] }), validMatch()]],
    [
      "EnergyPaymentBelowReserve",
      () => [base(), validMatch({ energyLots: [{ offerId: 20n, wh: 43_750n, payment: 2_187_499n }] })],
    ],
    [
      "GreenShareBelowMinimum",
      () => [base(), validMatch({ energyLots: [{ offerId: 20n, wh: 43_749n, payment: 2_187_450n }] })],
    ],
    [
      "GreenAboveNeed",
      () => [base(), validMatch({ energyLots: [{ offerId: 20n, wh: 87_501n, payment: 4_375_050n }] })],
    ],
    [
      "ZeroQuantity",
      () => [
        base(),
        validMatch({
          energyLots: [
            { offerId: 20n, wh: 0n, payment: 0n },
            { offerId: 21n, wh: 43_750n, payment: 2_187_500n },
          ],
        }),
      ],
    ],
    ["BandwidthMissing", () => [remote(), validMatch()]],
    ["BandwidthNotNeeded", () => [base(), remoteMatch()]],
    ["BandwidthOfferNotOpen", () => [remote(), remoteMatch({ bandwidthOfferId: 99n })]],
    [
      "BandwidthOfferExpired",
      () => [book({ ...remote(), bandwidthOffers: [bandwidthOffer({ expiry: NOW })] }), remoteMatch()],
    ],
    [
      "BandwidthRouteMismatch",
      () => [book({ ...remote(), bandwidthOffers: [bandwidthOffer({ fromRegion: 3 })] }), remoteMatch()],
    ],
    [
      "BandwidthWindowNotCovered",
      () => [book({ ...remote(), bandwidthOffers: [bandwidthOffer({ windowStart: NOW + 3 * H })] }), remoteMatch()],
    ],
    [
      "BandwidthCapacityExceeded",
      () => [book({ ...remote(), bandwidthOffers: [bandwidthOffer({ filled: 901n })] }), remoteMatch()],
    ],
    [
      "LatencyAboveMaximum",
      () => [book({ ...remote(), bandwidthOffers: [bandwidthOffer({ latencyMs: 41 })] }), remoteMatch()],
    ],
    ["BandwidthPaymentBelowReserve", () => [remote(), remoteMatch({ bandwidthPayment: 399_999n })]],
  ];
  for (const [i, [reason, make]] of cases.entries()) {
    it(`skips a match with ${reason} (case ${i})`, () => {
      const [b, m] = make();
      assert.equal(violation(b, m), reason);
    });
  }

  it("allows payments + fee (rounded down) up to the bid's limit and not one base unit more", () => {
    // limit × VCU-hours = 120,000,000; T + ⌊T × 30/10⁴⌋ ≤ 120,000,000 holds up to T = 119,641,077.
    const energy = 2_187_500n;
    assert.equal(violation(base(), validMatch({ computePayment: 119_641_077n - energy })), undefined);
    assert.equal(violation(base(), validMatch({ computePayment: 119_641_078n - energy })), "PriceAboveLimit");
  });

  it("lets later matches of a batch see the fills of earlier ones and skip without consuming", () => {
    const greenWh = (vcu: bigint) => (vcu * 875n + 1n) / 2n; // half of 875 Wh per VCU-hour, rounded up
    const half = (vcu: bigint) =>
      validMatch({
        vcuHours: vcu,
        computePayment: 800_000n * vcu,
        energyLots: [{ offerId: 20n, wh: greenWh(vcu), payment: 50n * greenWh(vcu) }],
      });
    const result = checkBatch(base(), [half(60n), half(60n), half(40n)], rules);
    assert.deepEqual(result.violations, [undefined, "BidQuantityExceeded", undefined]);
    // Welfare of what settles: value − reserves of the two valid matches.
    const reserveEnergy = (wh: bigint) => (50_000 * Number(wh)) / 1000;
    const expected = 100 * (1_200_000 - 800_000) - reserveEnergy(greenWh(60n)) - reserveEnergy(greenWh(40n));
    assert.ok(Math.abs(result.welfare - expected) < 1e-6);
  });
});
