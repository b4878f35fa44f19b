// The fast clearer for large books. Passes:
//
//  1. Price energy. Certificates are fungible across bundles, so the energy a bundle uses is valued
//     at one marginal price π: the price of the cheapest offers that cover the expected green demand
//     (bisected towards the shadow price when certificates run short, on small and mid-size books).
//  2. Transport. Each (bid, compute offer) arc earns, per VCU-hour, the bid's limit minus the compute
//     reserve, the green Wh at π and the bandwidth reserve spread over the bid's quantity. The
//     transportation problem over these arcs (bid demand, offer capacity) is solved exactly by
//     network simplex (transport.ts).
//  3. Realise. Flows become bundles in order of profit: a remote bundle takes the cheapest link that
//     still has the bid's Mbps (or is dropped); certificates go to bundles tightest-budget first,
//     cheapest energy first, and a bundle whose reserve payments + fee would exceed its bid's limit
//     is dropped.
//  4. Fill. Capacity still free is offered again, arc by arc in order of profit, each extension
//     checked exactly before it is kept.
//  5. Improve (small and mid-size books). Link fees and capacities are outside the transport; a few
//     rounds re-solve it with corrections drawn from the realised batch and keep the best batch.
//
// Every kept bundle passes exact integer checks of capacity, green share and all-in limit (in
// `number`s below 2⁵³, then again in bigint when the match is built), so the result never breaks a
// constraint; only optimality is heuristic.

import type { Match } from "../../../protocol/orders.ts";
import { linkCost, type PreparedBook, prepareBook } from "./candidates.ts";
import {
  energyReservePayment,
  greenRange,
  linkReservePayment,
  maxPayments,
  reservePricedMatch,
} from "./reserve-match.ts";
import { solveTransport } from "./transport.ts";
import type { ClearingOptions, ClearingResult, OrderBook } from "./types.ts";

type Bundle = {
  arc: number;
  q: number;
  link: number; // −1 when local
  linkPayment: number;
  // Certificates held, as parallel lists (a bundle rarely spans more than two energy offers).
  lotEnergy: number[];
  lotWh: number[];
};

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

type Transport = {
  pi: number;
  profit: Float64Array; // per arc, at π
  useful: number[]; // arcs with positive profit at π that can fit their bid's limit
  viable: number[]; // arcs with positive profit at the cheapest certificates that can fit their bid's limit
  flow: Float64Array; // per useful arc
  greenDemand: number; // certificate Wh the flows need at the bids' minimum shares
};

/** Pass 2: per-unit profit of each arc that could fit under its bid's limit, and the transport. */
/** What the improvement rounds change between transport solves. */
type Shape = {
  excluded: Uint8Array; // arcs left out
  basis: Float64Array; // VCU-hours a remote arc's link fee is spread over (0: the bid's whole quantity)
};

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
  const capacity = new Float64Array(computes.length);
  computes.forEach((c, i) => (capacity[i] = c.remaining));
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

/** Passes 3 and 4: turn transport flows into bundles that pass every exact check. */
type Realised = {
  matches: Match[];
  welfare: number;
  blocked: number[]; // arcs whose flow found every link full
  bundles: { arc: number; q: number; remote: boolean }[];
};

function realise(prep: PreparedBook, options: ClearingOptions, transport: Transport): Realised {
  const { bids, computes, energies, links, linkLists, arcs } = prep;
  const { pi, profit, useful, viable, flow } = transport;
  const feeBps = options.platformFeeBps;
  const energyLeft = new Float64Array(energies.length);
  energies.forEach((e, i) => (energyLeft[i] = e.remaining));
  // Energy is handed out cheapest first; `cursor` skips offers already used up. Callers never ask
  // for more than `energyTotal`.
  let cursor = 0;
  let energyTotal = energyLeft.reduce((s, v) => s + v, 0);
  const bidLeft = new Float64Array(bids.length);
  bids.forEach((b, i) => (bidLeft[i] = b.remaining));
  const computeLeft = new Float64Array(computes.length);
  computes.forEach((c, i) => (computeLeft[i] = c.remaining));
  const linkLeft = new Float64Array(links.length);
  links.forEach((w, i) => (linkLeft[i] = w.remaining));
  const bundles = new Map<number, Bundle>(); // by arc

  /** The cheapest eligible link that still has the bid's Mbps, or −1. */
  const takeLink = (a: number): number => {
    const mbps = bids[arcs.bid[a]].mbps;
    let best = -1;
    for (const w of linkLists[arcs.linkList[a]]) {
      if (linkLeft[w] >= mbps && (best < 0 || links[w].pricePerMbpsHour < links[best].pricePerMbpsHour)) best = w;
    }
    return best;
  };
  const open = (a: number, q: number, link: number) => {
    const bid = bids[arcs.bid[a]];
    bidLeft[arcs.bid[a]] -= q;
    computeLeft[arcs.compute[a]] -= q;
    let linkPayment = 0;
    if (link >= 0) {
      linkLeft[link] -= bid.mbps;
      linkPayment = linkReservePayment(bid.mbps, bid.seconds, links[link].pricePerMbpsHour);
    }
    const bundle: Bundle = { arc: a, q, link, linkPayment, lotEnergy: [], lotWh: [] };
    bundles.set(a, bundle);
    return bundle;
  };
  const close = (bundle: Bundle) => {
    const a = bundle.arc;
    bidLeft[arcs.bid[a]] += bundle.q;
    computeLeft[arcs.compute[a]] += bundle.q;
    if (bundle.link >= 0) linkLeft[bundle.link] += bids[arcs.bid[a]].mbps;
    for (let i = 0; i < bundle.lotEnergy.length; i++) {
      const e = bundle.lotEnergy[i];
      energyLeft[e] += bundle.lotWh[i];
      energyTotal += bundle.lotWh[i];
      if (e < cursor) cursor = e;
    }
    bundles.delete(a);
  };
  /** Takes `wh` of the cheapest certificates; returns the lots as they were, to undo. */
  const takeEnergy = (bundle: Bundle, wh: number): number[] => {
    const before = [...bundle.lotWh];
    while (wh > 0) {
      while (energyLeft[cursor] === 0) cursor++;
      const part = Math.min(wh, energyLeft[cursor]);
      energyLeft[cursor] -= part;
      energyTotal -= part;
      wh -= part;
      const same = bundle.lotEnergy.indexOf(cursor);
      if (same >= 0) bundle.lotWh[same] += part;
      else {
        bundle.lotEnergy.push(cursor);
        bundle.lotWh.push(part);
      }
    }
    return before;
  };
  const giveBack = (bundle: Bundle, before: number[]) => {
    for (let i = 0; i < bundle.lotEnergy.length; i++) {
      const e = bundle.lotEnergy[i];
      const back = bundle.lotWh[i] - (before[i] ?? 0);
      energyLeft[e] += back;
      energyTotal += back;
      if (back > 0 && e < cursor) cursor = e;
    }
    bundle.lotEnergy.length = before.length;
    bundle.lotWh = before;
  };
  const greenHeld = (bundle: Bundle) => bundle.lotWh.reduce((s, wh) => s + wh, 0);
  /** Room left under the bid's all-in limit after compute and bandwidth at reserve (NaN: none). */
  const energyBudget = (bundle: Bundle): number => {
    const a = bundle.arc;
    return (
      maxPayments(bids[arcs.bid[a]].limit, bundle.q, feeBps) -
      computes[arcs.compute[a]].reserve * bundle.q -
      bundle.linkPayment
    );
  };
  const withinLimit = (bundle: Bundle): boolean => {
    let energy = 0;
    for (let i = 0; i < bundle.lotEnergy.length; i++)
      energy += energyReservePayment(energies[bundle.lotEnergy[i]].pricePerKwh, bundle.lotWh[i]);
    return energy <= energyBudget(bundle);
  };
  const fits = (range: { min: number; max: number }) => Number.isSafeInteger(range.min) && range.min <= range.max;
  /** The largest quantity up to `q` on arc `a` whose certificates need at most `wh`. */
  const largestFor = (a: number, q: number, wh: number): number => {
    const perVcu = arcs.greenPerVcu[a];
    if (perVcu === 0) return q;
    let best = Math.min(q, Math.floor(wh / perVcu) + 1);
    while (best > 0 && !(greenOf(a, best).min <= wh)) best--;
    return best;
  };
  const greenOf = (a: number, q: number) =>
    greenRange(q, bids[arcs.bid[a]].order.minGreenBps, computes[arcs.compute[a]].milliWhPerVcuHour);

  // Pass 3: realise the transport flows, most profitable first.
  const blocked: number[] = [];
  let flowingCount = 0;
  for (let k = 0; k < useful.length; k++) if (flow[k] > 0) flowingCount++;
  const flowing = new Int32Array(flowingCount);
  const flowingProfit = new Float64Array(useful.length);
  for (let k = 0, i = 0; k < useful.length; k++) {
    flowingProfit[k] = profit[useful[k]];
    if (flow[k] > 0) flowing[i++] = k;
  }
  flowing.sort((x, y) => flowingProfit[y] - flowingProfit[x]);
  for (const k of flowing) {
    const a = useful[k];
    const remote = arcs.linkList[a] >= 0;
    const link = remote ? takeLink(a) : -1;
    if (remote && link < 0) {
      blocked.push(a);
      continue;
    }
    open(a, flow[k], link);
  }

  // Certificates: if the green demand exceeds what is offered, the bundles earning least per green
  // Wh give way; then the tightest budgets per Wh get the cheapest Wh.
  const greenBundles: { bundle: Bundle; min: number; key: number }[] = [];
  for (const bundle of [...bundles.values()]) {
    const range = greenOf(bundle.arc, bundle.q);
    if (!fits(range)) close(bundle);
    else if (range.min > 0)
      greenBundles.push({ bundle, min: range.min, key: (profit[bundle.arc] * bundle.q) / range.min });
    else if (!withinLimit(bundle)) close(bundle);
  }
  let demand = greenBundles.reduce((s, g) => s + g.min, 0);
  if (demand > energyTotal) {
    greenBundles.sort((x, y) => x.key - y.key);
    let dropped = 0;
    while (demand > energyTotal && dropped < greenBundles.length) {
      const g = greenBundles[dropped];
      const allowed = g.min - (demand - energyTotal);
      const q = allowed > 0 ? largestFor(g.bundle.arc, g.bundle.q, allowed) : 0;
      if (q > 0) {
        // The marginal bundle shrinks to the certificates left rather than giving way entirely.
        bidLeft[arcs.bid[g.bundle.arc]] += g.bundle.q - q;
        computeLeft[arcs.compute[g.bundle.arc]] += g.bundle.q - q;
        g.bundle.q = q;
        const min = greenOf(g.bundle.arc, q).min;
        demand -= g.min - min;
        g.min = min;
        break;
      }
      demand -= g.min;
      close(g.bundle);
      dropped++;
    }
    greenBundles.splice(0, dropped);
  }
  for (const g of greenBundles) g.key = energyBudget(g.bundle) / g.min;
  greenBundles.sort((x, y) => x.key - y.key);
  for (const { bundle, min } of greenBundles) {
    const taken = takeEnergy(bundle, min);
    if (!withinLimit(bundle)) {
      giveBack(bundle, taken);
      close(bundle);
    }
  }

  // Pass 4: offer the capacity still free again, most profitable arcs first — every arc that pays
  // at the certificates' own prices, also those π priced out of the transport.
  const open4 = viable.filter((a) => bidLeft[arcs.bid[a]] > 0 && computeLeft[arcs.compute[a]] > 0);
  open4.sort((x, y) => profit[y] - profit[x]);
  for (const a of open4) {
    let q = Math.min(bidLeft[arcs.bid[a]], computeLeft[arcs.compute[a]]);
    if (!(q > 0)) continue;
    const existing = bundles.get(a);
    if (existing !== undefined) {
      const held = greenHeld(existing);
      q = largestFor(a, existing.q + q, held + energyTotal) - existing.q;
      if (q <= 0) continue;
      const range = greenOf(a, existing.q + q);
      const extra = Math.max(0, range.min - held);
      if (!fits(range)) continue;
      existing.q += q;
      bidLeft[arcs.bid[a]] -= q;
      computeLeft[arcs.compute[a]] -= q;
      const taken = takeEnergy(existing, extra);
      if (!withinLimit(existing)) {
        giveBack(existing, taken);
        existing.q -= q;
        bidLeft[arcs.bid[a]] += q;
        computeLeft[arcs.compute[a]] += q;
      }
      continue;
    }
    q = largestFor(a, q, energyTotal);
    if (q <= 0) continue;
    const range = greenOf(a, q);
    if (!fits(range)) continue;
    const remote = arcs.linkList[a] >= 0;
    const link = remote ? takeLink(a) : -1;
    if (remote && link < 0) continue;
    const bid = bids[arcs.bid[a]];
    const margin = (bid.limit - computes[arcs.compute[a]].reserve - arcs.greenPerVcu[a] * pi) * q;
    if (link >= 0 && margin <= linkCost(bid, links[link])) continue;
    const bundle = open(a, q, link);
    takeEnergy(bundle, range.min);
    if (!withinLimit(bundle)) close(bundle);
  }

  const matches: Match[] = [];
  let welfare = 0;
  for (const bundle of bundles.values()) {
    const bid = bids[arcs.bid[bundle.arc]];
    const compute = computes[arcs.compute[bundle.arc]];
    const lots = bundle.lotEnergy.map((e, i) => ({ offer: energies[e].order, wh: bundle.lotWh[i] }));
    const link = bundle.link >= 0 ? links[bundle.link].order : undefined;
    const match = reservePricedMatch(
      bid.order,
      compute.order,
      bundle.q,
      lots,
      link && { offerId: link.id, pricePerMbpsHour: link.reservePricePerMbpsHour },
      feeBps,
    );
    if (match === undefined) continue; // unreachable unless the number path above is wrong; never emit it
    matches.push(match);
    welfare += (bid.limit - compute.reserve) * bundle.q;
    for (let i = 0; i < lots.length; i++) welfare -= energies[bundle.lotEnergy[i]].pricePerWh * bundle.lotWh[i];
    if (bundle.link >= 0) welfare -= linkCost(bid, links[bundle.link]);
  }
  const kept = [...bundles.values()].map((b) => ({ arc: b.arc, q: b.q, remote: b.link >= 0 }));
  return { matches, welfare, blocked, bundles: kept };
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
