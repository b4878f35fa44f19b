// Core caps in stage 2: a supplier the book could replace is paid at most what its replacement
// would cost (never below its own reserve); without a replacement, bargaining is unchanged.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { type BundleProposal, priceBundles } from "../../../backend/pricing/bundle.ts";
import { clearFast } from "../../../backend/pricing/clearing/fast.ts";
import { checkBatch } from "../../../backend/pricing/clearing/feasibility.ts";
import type { OrderBook } from "../../../backend/pricing/clearing/types.ts";
import { roundPayments } from "../../../backend/pricing/payments.ts";
import type { BandwidthOffer, EnergyOffer, Match } from "../../../protocol/orders.ts";
import { BOOK_NOW, randomBook } from "./fixtures/books.ts";
import { bandwidthOffer, bid, book, computeOffer, energyOffer, NOW, validMatch } from "./fixtures/orders.ts";

const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b;
const party = (p: BundleProposal, role: string) => p.parties.find((x) => x.role === role)!;

/** Every invariant stage 2 kept before the caps: reserves, limit, exact sums, explanation. */
function assertSound(b: OrderBook, proposals: BundleProposal[], feeBps: number) {
  const rules = { now: NOW, platformFeeBps: feeBps };
  assert.deepEqual(
    checkBatch(
      b,
      proposals.map((p) => p.match),
      rules,
    ).violations.filter((v) => v !== undefined),
    [],
  );
  for (const p of proposals) {
    const [buyer, ...suppliers] = p.parties;
    for (const s of suppliers) assert.ok(s.payment >= s.reserve, `${s.role} paid below reserve`);
    assert.equal(
      suppliers.reduce((s, x) => s + x.payment, 0n),
      p.total,
    );
    assert.equal(p.fee, (p.total * BigInt(feeBps)) / 10_000n);
    assert.ok(p.total + p.fee <= p.value);
    assert.equal(buyer.payment, p.total + p.fee);
    const shares = p.parties.reduce((s, x) => s + x.surplusShareBps, 0) + p.feeShareBps;
    if (p.surplus > 0n) assert.ok(Math.abs(shares - 10_000) < 1e-3, `shares sum to ${shares}`);
  }
}

describe("core caps on bundle payments", () => {
  // 100 VCU-h at 0.5 token: a surplus of about 67 tokens, of which the energy supplier (weight 0.5)
  // would take about a fifth against its 2.19-token reserve without a rival.
  const base = {
    bids: [bid()],
    computeOffers: [computeOffer({ reservePricePerVcuHour: 500_000n })],
    energyOffers: [energyOffer()],
  };
  const rivalEnergy = (o: Partial<EnergyOffer>) =>
    energyOffer({ id: 21n, supplier: "0x0000000000000000000000000000000000000021", ...o });

  it("caps the energy payment at what a rival energy offer would charge for the same Wh", () => {
    const [alone] = priceBundles(book(base), [validMatch()], { now: NOW, platformFeeBps: 30 });
    const b = book({ ...base, energyOffers: [energyOffer(), rivalEnergy({ reservePricePerKwh: 52_000n })] });
    const [p] = priceBundles(b, [validMatch()], { now: NOW, platformFeeBps: 30 });
    const replacement = ceilDiv(52_000n * 43_750n, 1000n); // 2,275,000
    assert.ok(party(alone, "energy").payment > 5n * replacement, "uncapped, energy takes a large share");
    assert.equal(party(p, "energy").replacementCost, replacement);
    assert.equal(p.match.energyLots[0].payment, replacement);
    // The buyer and the compute supplier share what the energy supplier no longer takes.
    assert.ok(party(p, "compute").payment > party(alone, "compute").payment);
    assert.ok(party(p, "buyer").payment < party(alone, "buyer").payment);
    assertSound(b, [p], 30);
  });

  it("never caps below the supplier's own reserve when the rival is cheaper", () => {
    const b = book({ ...base, energyOffers: [energyOffer(), rivalEnergy({ reservePricePerKwh: 10_000n })] });
    const [p] = priceBundles(b, [validMatch()], { now: NOW, platformFeeBps: 30 });
    assert.equal(party(p, "energy").replacementCost, 437_500n);
    assert.equal(p.match.energyLots[0].payment, 2_187_500n); // its reserve: 43,750 Wh at 0.05 token/kWh
    assertSound(b, [p], 30);
  });

  it("ignores rivals that could not serve the part, and then bargains exactly as before", () => {
    const [alone] = priceBundles(book(base), [validMatch()], { now: NOW, platformFeeBps: 30 });
    const useless = [
      rivalEnergy({ reservePricePerKwh: 1n, expiry: NOW }), // expired
      rivalEnergy({ reservePricePerKwh: 1n, wh: 50_000n, filled: 10_000n }), // 40,000 Wh left < 43,750
    ];
    for (const rival of useless) {
      const [p] = priceBundles(book({ ...base, energyOffers: [energyOffer(), rival] }), [validMatch()], {
        now: NOW,
        platformFeeBps: 30,
      });
      assert.equal(party(p, "energy").replacementCost, undefined);
      assert.deepEqual(p, alone);
    }
    assert.ok(alone.parties.every((x) => x.replacementCost === undefined));
  });

  it("counts the capacity other matches of the batch take from a rival", () => {
    // Bid 2 takes 960,000 of the rival's 1,000,000 Wh in the same batch: 40,000 are left, too few.
    const bid2 = bid({ id: 2n, buyer: "0x0000000000000000000000000000000000000002" });
    const other: Match = {
      ...validMatch({ bidId: 2n }),
      energyLots: [{ offerId: 21n, wh: 43_750n, payment: 2_275_000n }],
    };
    const b = book({
      ...base,
      bids: [bid(), bid2],
      energyOffers: [energyOffer(), rivalEnergy({ reservePricePerKwh: 52_000n, filled: 916_250n })],
    });
    const [p, q] = priceBundles(b, [validMatch(), other], { now: NOW, platformFeeBps: 30 });
    assert.equal(party(p, "energy").replacementCost, undefined);
    // The other bundle's energy supplier can be replaced by offer 20, which has plenty left.
    assert.equal(party(q, "energy").replacementCost, ceilDiv(50_000n * 43_750n, 1000n));
    assertSound(b, [p, q], 30);
  });

  it("caps the link at a rival link on the same route within the latency bound", () => {
    const crossing = { ...base, computeOffers: [computeOffer({ region: 2, reservePricePerVcuHour: 500_000n })] };
    const m = validMatch({ bandwidthOfferId: 30n, bandwidthPayment: 400_000n });
    const rival = (o: Partial<BandwidthOffer>) =>
      bandwidthOffer({ id: 31n, supplier: "0x0000000000000000000000000000000000000031", ...o });
    const price = (links: BandwidthOffer[]) =>
      priceBundles(book({ ...crossing, bandwidthOffers: links }), [m], { now: NOW, platformFeeBps: 30 })[0];
    const alone = price([bandwidthOffer()]);
    // 100 Mbps for the bid's 2 hours at 0.0025 token per Mbps-hour: 500,000.
    const capped = price([bandwidthOffer(), rival({ reservePricePerMbpsHour: 2_500n, fromRegion: 1, toRegion: 2 })]);
    assert.equal(party(capped, "bandwidth").replacementCost, 500_000n);
    assert.equal(capped.match.bandwidthPayment, 500_000n);
    assert.ok(alone.match.bandwidthPayment > 5_000_000n);
    assertSound(
      book({ ...crossing, bandwidthOffers: [bandwidthOffer(), rival({ reservePricePerMbpsHour: 2_500n })] }),
      [capped],
      30,
    );
    for (const o of [{ latencyMs: 41 }, { toRegion: 3 }, { mbps: 99n }, { windowEnd: NOW + 3 * 3600 }]) {
      const p = price([bandwidthOffer(), rival({ reservePricePerMbpsHour: 2_500n, ...o })]);
      assert.equal(party(p, "bandwidth").replacementCost, undefined, Object.keys(o).join());
      assert.equal(p.match.bandwidthPayment, alone.match.bandwidthPayment);
    }
  });

  it("caps compute at a rival compute offer, counting the certificates a hungrier rival would lack", () => {
    const rivalCompute = (o: Parameters<typeof computeOffer>[0]) =>
      computeOffer({
        id: 11n,
        supplier: "0x0000000000000000000000000000000000000011",
        reservePricePerVcuHour: 600_000n,
        ...o,
      });
    const price = (rival: ReturnType<typeof computeOffer>) => {
      const b = book({ ...base, computeOffers: [...base.computeOffers, rival] });
      const [p] = priceBundles(b, [validMatch()], { now: NOW, platformFeeBps: 30 });
      assertSound(b, [p], 30);
      return p;
    };
    const same = price(rivalCompute({}));
    assert.equal(party(same, "compute").replacementCost, 60_000_000n);
    assert.ok(same.match.computePayment <= 60_000_000n);
    // 800 Wh per VCU-hour needs 100,000 Wh, half green: 6,250 Wh more at the cheapest offer (0.05/kWh).
    const hungry = price(rivalCompute({ whPerVcuHour: 800n }));
    assert.equal(party(hungry, "compute").replacementCost, 60_000_000n + 312_500n);
    // A rival outside the bid's regions, or of another class, replaces nothing.
    for (const o of [{ region: 3 }, { hardwareClass: 1 }, { vcuHours: 99n }]) {
      assert.equal(party(price(rivalCompute(o)), "compute").replacementCost, undefined, Object.keys(o).join());
    }
  });

  it("rounds within the caps, summing exactly when the caps leave room", () => {
    assert.deepEqual(roundPayments([10.75, 20.5, 30.25], [0n, 0n, 0n], 100n, [11n, undefined, 30n]), [11n, 21n, 30n]);
    // Units a cap refuses stay with the buyer rather than pile onto another supplier.
    assert.deepEqual(roundPayments([10.75, 20.5, 30.25], [0n, 0n, 0n], 100n, [10n, undefined, 30n]), [10n, 21n, 30n]);
    assert.deepEqual(roundPayments([10.6, 20.6], [0n, 0n], 100n, [10n, 20n]), [10n, 20n]);
  });
});

describe("core caps on random books", () => {
  const rules = { now: BOOK_NOW, platformFeeBps: 30 };

  /** The book as the match under test sees it: every order filled by the batch's other matches. */
  function afterOthers(b: OrderBook, others: readonly Match[], mbpsOf: (m: Match) => bigint): OrderBook {
    const use = new Map<string, bigint>();
    const add = (k: string, v: bigint) => use.set(k, (use.get(k) ?? 0n) + v);
    for (const m of others) {
      add(`c${m.computeOfferId}`, m.vcuHours);
      for (const l of m.energyLots) add(`e${l.offerId}`, l.wh);
      if (m.bandwidthOfferId !== 0n) add(`w${m.bandwidthOfferId}`, mbpsOf(m));
    }
    const lifted = 10n ** 15n;
    return {
      bids: b.bids.map((o) => ({ ...o, limitPricePerVcuHour: lifted })),
      computeOffers: b.computeOffers.map((o) => ({ ...o, filled: o.filled + (use.get(`c${o.id}`) ?? 0n) })),
      energyOffers: b.energyOffers.map((o) => ({ ...o, filled: o.filled + (use.get(`e${o.id}`) ?? 0n) })),
      bandwidthOffers: b.bandwidthOffers.map((o) => ({ ...o, filled: o.filled + (use.get(`w${o.id}`) ?? 0n) })),
    };
  }

  it("pays no replaceable supplier more than max(reserve, replacement), finds the cheapest replacement the contract would accept, and keeps every invariant", () => {
    let capped = 0;
    let binding = 0;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), (seed) => {
        const b = randomBook({ orders: 240, seed });
        const cleared = clearFast(b, rules).matches;
        const proposals = priceBundles(b, cleared, rules);
        assertSound(b, proposals, 30);
        const bids = new Map(b.bids.map((o) => [o.id, o]));
        const mbpsOf = (m: Match) => bids.get(m.bidId)!.bandwidthMbps;
        proposals.forEach((p, k) => {
          for (const s of p.parties.slice(1)) {
            if (s.replacementCost === undefined) continue;
            capped++;
            const cap = s.replacementCost > s.reserve ? s.replacementCost : s.reserve;
            assert.ok(s.payment <= cap, `${s.role} paid ${s.payment} above its cap ${cap}`);
            if (s.payment === cap) binding++;
          }
          // Oracle for energy and bandwidth: substitute each other offer at its reserve into the
          // cleared match and ask the contract's checker whether it would settle.
          const m = cleared[k];
          const bid = bids.get(m.bidId)!;
          const view = afterOthers(
            b,
            cleared.filter((_, j) => j !== k),
            mbpsOf,
          );
          const settles = (x: Match) => checkBatch(view, [x], rules).violations[0] === undefined;
          m.energyLots.forEach((lot, i) => {
            let best: bigint | undefined;
            for (const r of b.energyOffers) {
              if (r.id === lot.offerId) continue;
              const cost = ceilDiv(r.reservePricePerKwh * lot.wh, 1000n);
              const lots = m.energyLots.filter((_, j) => j !== i).map((l) => ({ ...l }));
              const mine = lots.find((l) => l.offerId === r.id);
              if (mine !== undefined) {
                mine.wh += lot.wh;
                mine.payment = ceilDiv(b.energyOffers.find((o) => o.id === r.id)!.reservePricePerKwh * mine.wh, 1000n);
              } else lots.push({ offerId: r.id, wh: lot.wh, payment: cost });
              lots.sort((x, y) => (x.offerId < y.offerId ? -1 : 1));
              if (settles({ ...m, energyLots: lots }) && (best === undefined || cost < best)) best = cost;
            }
            const energyParties = p.parties.filter((x) => x.role === "energy");
            assert.equal(energyParties[i].replacementCost, best, `energy lot ${lot.offerId} of bid ${m.bidId}`);
          });
          if (m.bandwidthOfferId !== 0n) {
            let best: bigint | undefined;
            for (const r of b.bandwidthOffers) {
              if (r.id === m.bandwidthOfferId) continue;
              const cost = ceilDiv(
                r.reservePricePerMbpsHour * bid.bandwidthMbps * BigInt(bid.windowEnd - bid.windowStart),
                3600n,
              );
              if (
                settles({ ...m, bandwidthOfferId: r.id, bandwidthPayment: cost }) &&
                (best === undefined || cost < best)
              )
                best = cost;
            }
            assert.equal(party(p, "bandwidth").replacementCost, best, `link of bid ${m.bidId}`);
          }
        });
      }),
      { numRuns: 8, seed: 97 },
    );
    assert.ok(
      capped > 50 && binding > 10,
      `caps exercised: ${capped} replaceable suppliers, ${binding} paid exactly their cap`,
    );
  });
});
