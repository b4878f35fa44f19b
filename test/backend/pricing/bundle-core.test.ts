// Core caps in stage 2: a supplier the book could replace is paid at most what its replacement
// would cost (never below its own reserve); without a replacement, bargaining is unchanged.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { type BundleProposal, priceBundles } from "../../../backend/pricing/bundle.ts";
import { roundPayments } from "../../../backend/pricing/payments.ts";
import { checkBatch, clearBook } from "../../../backend/pricing/scheduling.ts";
import type { BookBandwidthOffer, BookEnergyOffer, OrderBook } from "../../../protocol/book.ts";
import type { Match } from "../../../protocol/orders.ts";
import {
  bandwidthOffer,
  bid,
  book,
  computeOffer,
  energyOffer,
  H,
  JOB_HOURS,
  NOW,
  orderBookOf,
  validMatch,
} from "./fixtures/orders.ts";
import { randomTimeBook, TIME_BOOK_NOW } from "./schedule/fixtures/books.ts";

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
  // 50 VCU for 2 hours (100 VCU-h) at 0.5 token: a surplus of about 67 tokens, of which each of the
  // two hourly energy lots (weight 0.25 each) would take about a ninth against its 1.09-token reserve
  // without a rival.
  const base = {
    bids: [bid()],
    computeOffers: [computeOffer({ reservePricePerVcuHour: 500_000n })],
    energyOffers: [energyOffer()],
  };
  const rivalEnergy = (o: Partial<BookEnergyOffer>) =>
    energyOffer({ id: 21n, supplier: "0x0000000000000000000000000000000000000021", deviceId: 2n, ...o });
  const lotPayments = (p: BundleProposal) => p.match.energyLots.map((l) => l.payment);

  it("caps each hour's energy payment at what a rival offer of the same hour would charge for the same Wh", () => {
    const [alone] = priceBundles(book(base), [validMatch()], { now: NOW, platformFeeBps: 30 });
    const b = book({ ...base, energyOffers: [energyOffer(), rivalEnergy({ reservePricePerKwh: 52_000n })] });
    const [p] = priceBundles(b, [validMatch()], { now: NOW, platformFeeBps: 30 });
    const replacement = ceilDiv(52_000n * 21_875n, 1000n); // 1,137,500
    assert.ok(party(alone, "energy").payment > 5n * replacement, "uncapped, energy takes a large share");
    assert.equal(party(p, "energy").replacementCost, replacement);
    assert.deepEqual(lotPayments(p), [replacement, replacement]);
    // The buyer and the compute supplier share what the energy supplier no longer takes.
    assert.ok(party(p, "compute").payment > party(alone, "compute").payment);
    assert.ok(party(p, "buyer").payment < party(alone, "buyer").payment);
    assertSound(b, [p], 30);
  });

  it("never caps below the supplier's own reserve when the rival is cheaper", () => {
    const b = book({ ...base, energyOffers: [energyOffer(), rivalEnergy({ reservePricePerKwh: 10_000n })] });
    const [p] = priceBundles(b, [validMatch()], { now: NOW, platformFeeBps: 30 });
    assert.equal(party(p, "energy").replacementCost, 218_750n);
    assert.deepEqual(lotPayments(p), [1_093_750n, 1_093_750n]); // its reserve: 21,875 Wh at 0.05 token/kWh
    assertSound(b, [p], 30);
  });

  it("ignores rivals that could not serve the hour, and then bargains exactly as before", () => {
    const [alone] = priceBundles(book(base), [validMatch()], { now: NOW, platformFeeBps: 30 });
    const hours = 24;
    const useless = [
      rivalEnergy({ reservePricePerKwh: 1n, expiry: NOW }), // expired
      // 20,000 Wh left in each hour < 21,875
      rivalEnergy({
        reservePricePerKwh: 1n,
        whPerHour: Array.from({ length: hours }, () => 50_000n),
        soldWhPerHour: Array.from({ length: hours }, () => 30_000n),
      }),
      rivalEnergy({ reservePricePerKwh: 1n, firstHour: JOB_HOURS[1] + H }), // its hours start after the job
      rivalEnergy({ reservePricePerKwh: 1n, region: 2 }), // east grid: the grid-area rule refuses it
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

  it("counts the Wh other matches of the batch take from a rival in the same hour", () => {
    // Bid 2 takes 21,875 of the rival's 30,000 Wh in each job hour in the same batch: 8,125 are left, too few.
    const bid2 = bid({ id: 2n, buyer: "0x0000000000000000000000000000000000000002" });
    const other: Match = {
      ...validMatch({ bidId: 2n }),
      energyLots: JOB_HOURS.map((hour) => ({ offerId: 21n, hour, wh: 21_875n, payment: 1_137_500n })),
    };
    const b = book({
      ...base,
      bids: [bid(), bid2],
      energyOffers: [
        energyOffer(),
        rivalEnergy({ reservePricePerKwh: 52_000n, whPerHour: Array.from({ length: 24 }, () => 30_000n) }),
      ],
    });
    const [p, q] = priceBundles(b, [validMatch(), other], { now: NOW, platformFeeBps: 30 });
    assert.equal(party(p, "energy").replacementCost, undefined);
    // The other bundle's energy supplier can be replaced by offer 20, which has plenty left.
    assert.equal(party(q, "energy").replacementCost, ceilDiv(50_000n * 21_875n, 1000n));
    assertSound(b, [p, q], 30);
  });

  it("caps the link at a rival link on the same route, free in every job hour, within the latency bound", () => {
    const crossing = {
      ...base,
      bids: [bid({ certificateOrigin: 2 })],
      computeOffers: [computeOffer({ region: 2, reservePricePerVcuHour: 500_000n })],
    };
    const m = validMatch({ bandwidthOfferId: 30n, bandwidthPayment: 400_000n });
    const rival = (o: Partial<BookBandwidthOffer>) =>
      bandwidthOffer({ id: 31n, supplier: "0x0000000000000000000000000000000000000031", ...o });
    const price = (links: BookBandwidthOffer[]) =>
      priceBundles(book({ ...crossing, bandwidthOffers: links }), [m], { now: NOW, platformFeeBps: 30 })[0];
    const alone = price([bandwidthOffer()]);
    // 100 Mbps in each of the job's 2 hours at 0.0025 token per Mbps-hour: 500,000.
    const capped = price([bandwidthOffer(), rival({ reservePricePerMbpsHour: 2_500n, fromRegion: 1, toRegion: 2 })]);
    assert.equal(party(capped, "bandwidth").replacementCost, 500_000n);
    assert.equal(capped.match.bandwidthPayment, 500_000n);
    assert.ok(alone.match.bandwidthPayment > 5_000_000n);
    assertSound(
      book({ ...crossing, bandwidthOffers: [bandwidthOffer(), rival({ reservePricePerMbpsHour: 2_500n })] }),
      [capped],
      30,
    );
    const busyHour = new Map([[JOB_HOURS[1], 950]]);
    for (const o of [
      { latencyMs: 41 },
      { toRegion: 3 },
      { mbps: 99 },
      { windowEnd: NOW + 3 * H },
      { usedMbps: busyHour }, // 50 Mbps free in the job's second hour
    ]) {
      const p = price([bandwidthOffer(), rival({ reservePricePerMbpsHour: 2_500n, ...o })]);
      assert.equal(party(p, "bandwidth").replacementCost, undefined, Object.keys(o).join());
      assert.equal(p.match.bandwidthPayment, alone.match.bandwidthPayment);
    }
  });

  it("caps compute at a rival compute offer free in every job hour, counting the certificates a hungrier rival would lack", () => {
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
    // 800 Wh per VCU-hour needs 2 × 50,000 Wh, half green: 6,250 Wh more at the cheapest offer (0.05/kWh).
    const hungry = price(rivalCompute({ whPerVcuHour: 800n }));
    assert.equal(party(hungry, "compute").replacementCost, 60_000_000n + 312_500n);
    // The cheapest all-in, not the cheapest reserve: a hungrier rival first in reserve order loses to
    // one a base unit dearer per VCU-hour that needs no extra certificates; a dearer one changes nothing.
    const b = book({
      ...base,
      computeOffers: [
        ...base.computeOffers,
        rivalCompute({ whPerVcuHour: 800n }),
        rivalCompute({ id: 12n, reservePricePerVcuHour: 600_001n }),
        rivalCompute({ id: 13n, reservePricePerVcuHour: 700_000n }),
      ],
    });
    const [both] = priceBundles(b, [validMatch()], { now: NOW, platformFeeBps: 30 });
    assert.equal(party(both, "compute").replacementCost, 60_000_100n);
    // A rival outside the bid's regions, of another class, too small, or busy in a job hour replaces nothing.
    for (const o of [{ region: 3 }, { hardwareClass: 1 }, { vcu: 49 }, { usedVcu: new Map([[JOB_HOURS[0], 201]]) }]) {
      assert.equal(party(price(rivalCompute(o)), "compute").replacementCost, undefined, Object.keys(o).join());
    }
    // Exactly the bid's 50 VCU free in every job hour (the whole offer, or what its sold hours leave) still replace.
    for (const o of [{ vcu: 50 }, { usedVcu: new Map([[JOB_HOURS[0], 200]]) }]) {
      assert.equal(party(price(rivalCompute(o)), "compute").replacementCost, 60_000_000n, Object.keys(o).join());
    }
  });

  it("counts the Mbps other matches of the batch reserve on a rival link in the job hours", () => {
    // Rival link 31 (same route, 1,000 Mbps); bid 2's match reserves `mbps` of it in the same batch.
    const crossing = { ...base, computeOffers: [computeOffer({ region: 2, reservePricePerVcuHour: 500_000n })] };
    const rival = bandwidthOffer({
      id: 31n,
      supplier: "0x0000000000000000000000000000000000000031",
      reservePricePerMbpsHour: 2_500n,
    });
    const capOf = (mbps: bigint) => {
      const bid2 = bid({ id: 2n, buyer: "0x0000000000000000000000000000000000000002", bandwidthMbps: mbps });
      const b = book({
        ...crossing,
        bids: [bid({ certificateOrigin: 2 }), { ...bid2, certificateOrigin: 2 }],
        bandwidthOffers: [bandwidthOffer(), rival],
      });
      const m = validMatch({ bandwidthOfferId: 30n, bandwidthPayment: 400_000n });
      const other = validMatch({ bidId: 2n, bandwidthOfferId: 31n, bandwidthPayment: 2_500n * mbps * 2n });
      return party(priceBundles(b, [m, other], { now: NOW, platformFeeBps: 30 })[0], "bandwidth").replacementCost;
    };
    // The bid needs 100 Mbps: 100 left on the rival still replace the link (500,000 at its reserve); 99 do not.
    assert.equal(capOf(900n), 500_000n);
    assert.equal(capOf(901n), undefined);
  });

  it("counts the VCU other matches of the batch take from a rival compute offer in the job hours", () => {
    // Rival 11 offers 250 VCU; bid 2's match takes `taken` of them in both job hours in the same batch.
    const rival = computeOffer({
      id: 11n,
      supplier: "0x0000000000000000000000000000000000000011",
      reservePricePerVcuHour: 600_000n,
    });
    const b = book({
      ...base,
      bids: [bid(), bid({ id: 2n, vcu: 201 })],
      computeOffers: [...base.computeOffers, rival],
    });
    const capOf = (taken: bigint) => {
      const other = validMatch({ bidId: 2n, computeOfferId: 11n, vcu: taken, computePayment: 600_000n * taken * 2n });
      return party(priceBundles(b, [validMatch(), other], { now: NOW, platformFeeBps: 30 })[0], "compute")
        .replacementCost;
    };
    // 50 VCU left: the rival still takes over the bid's 50; 49 left: it cannot.
    assert.equal(capOf(200n), 60_000_000n);
    assert.equal(capOf(201n), undefined);
  });

  it("rounds within the caps, summing exactly when the caps leave room", () => {
    assert.deepEqual(roundPayments([10.75, 20.5, 30.25], [0n, 0n, 0n], 100n, [11n, undefined, 30n]), [11n, 21n, 30n]);
    // Units a cap refuses stay with the buyer rather than pile onto another supplier.
    assert.deepEqual(roundPayments([10.75, 20.5, 30.25], [0n, 0n, 0n], 100n, [10n, undefined, 30n]), [10n, 21n, 30n]);
    assert.deepEqual(roundPayments([10.6, 20.6], [0n, 0n], 100n, [10n, 20n]), [10n, 20n]);
  });
});

describe("core caps on random books", () => {
  const rules = { now: TIME_BOOK_NOW, platformFeeBps: 30 };

  /** The book as the match under test sees it: every order's hours taken by the batch's other matches. */
  function afterOthers(b: OrderBook, others: readonly Match[]): OrderBook {
    const bids = new Map(b.bids.map((o) => [o.id, o]));
    const used = new Map<string, number>();
    const sold = new Map<string, bigint>();
    const taken = new Map<bigint, number>();
    const reserved = new Set<string>();
    const add = (k: string, v: number) => used.set(k, (used.get(k) ?? 0) + v);
    for (const m of others) {
      const bid = bids.get(m.bidId)!;
      taken.set(m.bidId, (taken.get(m.bidId) ?? 0) + Number(m.vcu));
      const linkKey = `${m.bidId}:${m.bandwidthOfferId}`;
      const reserves = m.bandwidthOfferId !== 0n && !reserved.has(linkKey);
      if (reserves) reserved.add(linkKey);
      for (let h = 0; h < bid.durationHours; h++) {
        add(`c${m.computeOfferId}:${m.start + h * H}`, Number(m.vcu));
        if (reserves) add(`w${m.bandwidthOfferId}:${m.start + h * H}`, Number(bid.bandwidthMbps));
      }
      for (const l of m.energyLots)
        sold.set(`${l.offerId}:${l.hour}`, (sold.get(`${l.offerId}:${l.hour}`) ?? 0n) + l.wh);
    }
    const hourly = (prefix: string, id: bigint, base: ReadonlyMap<number, number> | undefined) => {
      const out = new Map(base ?? []);
      for (const [k, v] of used) {
        const [key, hour] = k.split(":");
        if (key === `${prefix}${id}`) out.set(Number(hour), (out.get(Number(hour)) ?? 0) + v);
      }
      return out;
    };
    const firstStart = new Map(others.map((m) => [m.bidId, m.start]));
    const lifted = 10n ** 15n;
    return {
      bids: b.bids.map((o) => ({
        ...o,
        limitPricePerVcuHour: lifted,
        remainingVcu: o.remainingVcu - (taken.get(o.id) ?? 0),
        start: o.start !== 0 ? o.start : (firstStart.get(o.id) ?? 0),
        reservedLinks: [
          ...(o.reservedLinks ?? []),
          ...[...reserved].filter((k) => k.startsWith(`${o.id}:`)).map((k) => BigInt(k.split(":")[1])),
        ],
      })),
      computeOffers: b.computeOffers.map((o) => ({ ...o, usedVcu: hourly("c", o.id, o.usedVcu) })),
      energyOffers: b.energyOffers.map((o) => ({
        ...o,
        soldWhPerHour: o.whPerHour.map(
          (_, i) => (o.soldWhPerHour?.[i] ?? 0n) + (sold.get(`${o.id}:${o.firstHour + i * H}`) ?? 0n),
        ),
      })),
      bandwidthOffers: b.bandwidthOffers.map((o) => ({ ...o, usedMbps: hourly("w", o.id, o.usedMbps) })),
    };
  }

  it("pays no replaceable supplier more than max(reserve, replacement), finds the cheapest replacement the contract would accept, and keeps every invariant", () => {
    let capped = 0;
    let binding = 0;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), (seed) => {
        const b = orderBookOf(randomTimeBook({ orders: 240, seed }));
        const cleared = clearBook(b, rules).matches;
        const proposals = priceBundles(b, cleared, rules);
        assertSound(b, proposals, 30);
        proposals.forEach((p, k) => {
          for (const s of p.parties.slice(1)) {
            if (s.replacementCost === undefined) continue;
            capped++;
            const cap = s.replacementCost > s.reserve ? s.replacementCost : s.reserve;
            assert.ok(s.payment <= cap, `${s.role} paid ${s.payment} above its cap ${cap}`);
            if (s.payment === cap) binding++;
          }
          // Oracle for energy: substitute each other offer's same hour at its reserve into the
          // scheduled match and ask the contract's checker whether it would settle.
          const m = cleared[k];
          const view = afterOthers(
            b,
            cleared.filter((_, j) => j !== k),
          );
          const settles = (x: Match) => checkBatch(view, [x], rules).violations[0] === undefined;
          m.energyLots.forEach((lot, i) => {
            let best: bigint | undefined;
            for (const r of b.energyOffers) {
              if (r.id === lot.offerId) continue;
              const cost = ceilDiv(r.reservePricePerKwh * lot.wh, 1000n);
              const lots = m.energyLots.filter((_, j) => j !== i).map((l) => ({ ...l }));
              const mine = lots.find((l) => l.offerId === r.id && l.hour === lot.hour);
              if (mine !== undefined) {
                mine.wh += lot.wh;
                mine.payment = ceilDiv(r.reservePricePerKwh * mine.wh, 1000n);
              } else lots.push({ offerId: r.id, hour: lot.hour, wh: lot.wh, payment: cost });
              lots.sort((x, y) => (x.offerId !== y.offerId ? (x.offerId < y.offerId ? -1 : 1) : x.hour - y.hour));
              if (settles({ ...m, energyLots: lots }) && (best === undefined || cost < best)) best = cost;
            }
            const energyParties = p.parties.filter((x) => x.role === "energy");
            assert.equal(
              energyParties[i].replacementCost,
              best,
              `energy lot ${lot.offerId}@${lot.hour} of bid ${m.bidId}`,
            );
          });
        });
      }),
      { numRuns: 8, seed: 97 },
    );
    assert.ok(
      capped > 20 && binding > 5,
      `caps exercised: ${capped} replaceable suppliers, ${binding} paid exactly their cap`,
    );
  });
});
