// The fast clearer for large books. Passes:
//
//  1. Price energy. Certificates are fungible across bundles, so the energy a bundle uses is valued
//     at one marginal price π: the price of the cheapest offers that cover the expected green demand
//     (bisected towards the shadow price when certificates run short, on small and mid-size books).
//  2. Transport. Each (bid, compute offer) arc earns, per VCU-hour, the bid's limit minus the compute
//     reserve, the green Wh at π and the bandwidth reserve spread over the bid's quantity. The
//     transportation problem over these arcs (bid demand, offer capacity) is solved exactly by
//     network simplex (transport.ts).
//  3. Realise (realise.ts). Flows become bundles in order of profit: a remote bundle takes the
//     cheapest link that still has the bid's Mbps (or is dropped); certificates go to bundles
//     tightest-budget first, cheapest energy first, and a bundle whose reserve payments + fee would
//     exceed its bid's limit is dropped.
//  4. Fill (realise.ts). Capacity still free is offered again, arc by arc in order of profit, each
//     extension checked exactly before it is kept.
//  5. Improve (small and mid-size books). Link fees and capacities are outside the transport; a few
//     rounds re-solve it with corrections drawn from the realised batch and keep the best batch.
//
// Every kept bundle passes exact integer checks of capacity, green share and all-in limit (in
// `number`s below 2⁵³, then again in bigint when the match is built), so the result never breaks a
// constraint; only optimality is heuristic.

import { type PreparedBook, prepareBook } from "./candidates.ts";
import { realise, type Transport } from "./realise.ts";
import { solveTransport } from "./transport.ts";
import type { ClearingOptions, ClearingResult, OrderBook } from "./types.ts";

/**
 * Clears a book quickly: never breaks a constraint, near-optimal welfare.
 *
 * @example
 * const result = clearFast(book, { now: Math.floor(Date.now() / 1000), platformFeeBps: 30 });
 * result.matches; // reserve-priced bundles, ready for `priceBundles`
 */
export function clearFast(book: OrderBook, options: ClearingOptions): ClearingResult {
  const started = performance.now();
  const prep = prepareBook(book, options);
  const supply = prep.energies.reduce((s, e) => s + e.remaining, 0);
  const pi = marginalEnergyPrice(prep);
  let shape: Shape = { excluded: new Uint8Array(prep.arcs.count), basis: new Float64Array(prep.arcs.count) };
  const first = transportAt(prep, options, pi, shape);
  let best = realise(prep, options, first);
  let bestPi = pi;
  // When certificates run short, the right π is their shadow price: bisect for the price at which
  // the transport's green demand fits the supply (small and mid-size books only: each step is a
  // transport solve), and keep whichever batch is worth more.
  if (first.greenDemand > supply && prep.arcs.count <= SHADOW_PRICE_ARC_LIMIT) {
    let low = pi;
    let high = pi;
    for (const a of first.useful) {
      const green = prep.arcs.greenPerVcu[a];
      if (green > 0) high = Math.max(high, pi + first.profit[a] / green); // where the arc stops paying
    }
    for (let step = 0; step < SHADOW_PRICE_STEPS; step++) {
      const mid = (low + high) / 2;
      if (transportAt(prep, options, mid, shape).greenDemand > supply) low = mid;
      else high = mid;
    }
    const alternative = realise(prep, options, transportAt(prep, options, high, shape));
    if (alternative.welfare > best.welfare) {
      best = alternative;
      bestPi = high;
    }
  }
  // Link fees and capacities are outside the transport, which spreads a fee over the bid's whole
  // quantity and lets one bid cross a route twice (two fees, twice the Mbps). Where solves are
  // cheap, a few rounds try corrections drawn from the realised batch and keep whatever is worth
  // more: a bid split over several remote offers of one route has those arcs' fees spread over
  // the quantity they actually got, or keeps only its largest (or only its smallest) of them; an
  // arc that found its links full is left out, or else the bid's other arcs on that route are.
  const rounds = prep.arcs.count <= 20_000 ? 4 : prep.arcs.count <= 60_000 ? 1 : 0;
  for (let round = 0; round < rounds; round++) {
    const routes = new Map<string, { arc: number; q: number }[]>(); // (bid, route) → remote bundles
    for (const b of best.bundles) {
      if (!b.remote) continue;
      const key = `${prep.arcs.bid[b.arc]}:${prep.arcs.linkList[b.arc]}`;
      routes.set(key, [...(routes.get(key) ?? []), b]);
    }
    const split = [...routes.values()].filter((list) => list.length > 1).map((list) => list.sort((x, y) => y.q - x.q));
    const variant = (edit: (v: Shape) => void): Shape => {
      const v = { excluded: shape.excluded.slice(), basis: shape.basis.slice() };
      edit(v);
      return v;
    };
    const variants: Shape[] = [];
    if (split.length > 0 || best.blocked.length > 0) {
      variants.push(
        variant((v) => {
          for (const list of split) for (const b of list) v.basis[b.arc] = b.q;
          for (const a of best.blocked) v.excluded[a] = 1;
        }),
      );
    }
    if (split.length > 0) {
      variants.push(variant((v) => split.forEach((list) => list.slice(1).forEach((b) => (v.excluded[b.arc] = 1)))));
      variants.push(variant((v) => split.forEach((list) => list.slice(0, -1).forEach((b) => (v.excluded[b.arc] = 1)))));
    }
    if (best.blocked.length > 0) {
      variants.push(
        variant((v) => {
          for (const a of best.blocked) {
            for (const b of best.bundles) {
              const sameRoute =
                prep.arcs.bid[b.arc] === prep.arcs.bid[a] && prep.arcs.linkList[b.arc] === prep.arcs.linkList[a];
              if (b.remote && sameRoute) v.excluded[b.arc] = 1;
            }
          }
        }),
      );
    }
    let improved = false;
    for (const v of variants) {
      const alternative = realise(prep, options, transportAt(prep, options, bestPi, v));
      if (alternative.welfare > best.welfare) {
        best = alternative;
        shape = v;
        improved = true;
      }
    }
    if (!improved) break;
  }
  return {
    algorithm: "fast",
    matches: best.matches,
    welfare: best.welfare,
    status: "heuristic",
    elapsedMs: performance.now() - started,
  };
}

const SHADOW_PRICE_ARC_LIMIT = 60_000;
const SHADOW_PRICE_STEPS = 12;

/** What the improvement rounds change between transport solves. */
type Shape = {
  excluded: Uint8Array; // arcs left out
  basis: Float64Array; // VCU-hours a remote arc's link fee is spread over (0: the bid's whole quantity)
};

/** Pass 2: per-unit profit of each arc that could fit under its bid's limit, and the transport. */
function transportAt(prep: PreparedBook, options: ClearingOptions, pi: number, shape: Shape): Transport {
  const { bids, computes, energies, linkListCheapest, arcs } = prep;
  const feeFactor = 1 + options.platformFeeBps / 10_000;
  const cheapestEnergy = energies.length > 0 ? energies[0].pricePerWh : 0;
  const profit = new Float64Array(arcs.count);
  const useful: number[] = [];
  const viable: number[] = [];
  for (let a = 0; a < arcs.count; a++) {
    const bid = bids[arcs.bid[a]];
    const compute = computes[arcs.compute[a]];
    const green = arcs.greenPerVcu[a];
    if (green > 0 && energies.length === 0) continue;
    const list = arcs.linkList[a];
    const fee = list >= 0 ? linkListCheapest[list] * bid.mbps * bid.hours : 0;
    if ((compute.reserve + green * cheapestEnergy + fee / bid.remaining) * feeFactor > bid.limit) continue;
    const spread = fee / (shape.basis[a] || bid.remaining);
    profit[a] = bid.limit - compute.reserve - green * pi - spread;
    if (profit[a] > 0 && shape.excluded[a] === 0) useful.push(a);
    if (bid.limit - compute.reserve - green * cheapestEnergy - fee / bid.remaining > 0) viable.push(a);
  }
  const demand = new Float64Array(bids.length);
  bids.forEach((b, i) => (demand[i] = b.remaining));
  const capacity = prep.remaining.compute.slice();
  const arcBid = new Int32Array(useful.length);
  const arcOffer = new Int32Array(useful.length);
  const arcProfit = new Float64Array(useful.length);
  useful.forEach((a, k) => {
    arcBid[k] = arcs.bid[a];
    arcOffer[k] = arcs.compute[a];
    arcProfit[k] = profit[a];
  });
  const flow = solveTransport({ demand, capacity, arcBid, arcOffer, profit: arcProfit });
  let greenDemand = 0;
  useful.forEach((a, k) => (greenDemand += flow[k] * arcs.greenPerVcu[a]));
  return { pi, profit, useful, viable, flow, greenDemand };
}

/**
 * The marginal certificate price: the price of the cheapest offers that cover the green demand of
 * the bids, each bid counted at its average green need over its arcs and scaled down when bids
 * outnumber compute capacity.
 */
function marginalEnergyPrice(prep: PreparedBook): number {
  const { bids, computes, energies, arcs } = prep;
  if (energies.length === 0) return 0;
  const demandVcu = bids.reduce((s, b) => s + b.remaining, 0);
  const supplyVcu = computes.reduce((s, c) => s + c.remaining, 0);
  const fillRatio = demandVcu === 0 ? 0 : Math.min(1, supplyVcu / demandVcu);
  const greenSum = new Float64Array(bids.length);
  const arcCount = new Float64Array(bids.length);
  for (let a = 0; a < arcs.count; a++) {
    greenSum[arcs.bid[a]] += arcs.greenPerVcu[a];
    arcCount[arcs.bid[a]]++;
  }
  let green = 0;
  bids.forEach((b, i) => {
    if (arcCount[i] > 0) green += (b.remaining * greenSum[i] * fillRatio) / arcCount[i];
  });
  let covered = 0;
  for (const e of energies) {
    covered += e.remaining;
    if (covered >= green) return e.pricePerWh;
  }
  return energies[energies.length - 1].pricePerWh;
}
