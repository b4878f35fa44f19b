// Passes 3 and 4 of the fast clearer (fast.ts): transport flows become bundles that pass every exact
// check. A Realisation holds what is left of each order while bundles open and close; the passes
// below are the order in which it hands capacity and certificates out.
//
//  3. Flows, most profitable first: a remote bundle takes the cheapest link that still has the bid's
//     Mbps (or is blocked). Certificates then go to bundles tightest-budget first, cheapest energy
//     first; when they run short the bundles earning least per green Wh give way (the marginal one
//     shrinks), and a bundle whose reserve payments + fee would exceed its bid's limit is dropped.
//  4. Fill: capacity still free is offered again, arc by arc in order of profit, each extension
//     checked exactly before it is kept.

import { linkCost, type PreparedBook } from "./candidates.ts";
import type { Match } from "./pool-orders.ts";
import {
  energyReservePayment,
  greenRange,
  linkReservePayment,
  maxPayments,
  reservePricedMatch,
} from "./reserve-match.ts";
import type { ClearingOptions } from "./types.ts";

/** What pass 2 (fast.ts) hands to the realisation. */
export type Transport = {
  pi: number;
  profit: Float64Array; // per arc, at π
  useful: number[]; // arcs with positive profit at π that can fit their bid's limit
  viable: number[]; // arcs with positive profit at the cheapest certificates that can fit their bid's limit
  flow: Float64Array; // per useful arc
  greenDemand: number; // certificate Wh the flows need at the bids' minimum shares
};

/** The batch the passes produce, and what the improvement rounds (fast.ts) learn from it. */
export type Realised = {
  matches: Match[];
  welfare: number;
  blocked: number[]; // arcs whose flow found every link full
  bundles: { arc: number; q: number; remote: boolean }[];
};

type Bundle = {
  arc: number;
  q: number;
  link: number; // −1 when local
  linkPayment: number;
  // Certificates held, as parallel lists (a bundle rarely spans more than two energy offers).
  lotEnergy: number[];
  lotWh: number[];
};

/** Passes 3 and 4: turn transport flows into bundles that pass every exact check. */
export function realise(prep: PreparedBook, options: ClearingOptions, transport: Transport): Realised {
  const r = new Realisation(prep, options.platformFeeBps);
  const blocked = openFlows(r, transport);
  allocateCertificates(r, transport.profit);
  fill(r, transport);
  return { ...r.batch(), blocked };
}

/** Pass 3a: open the transport's flows, most profitable first; returns the arcs every link refused. */
function openFlows(r: Realisation, { profit, useful, flow }: Transport): number[] {
  const { arcs } = r.prep;
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
    const link = remote ? r.takeLink(a) : -1;
    if (remote && link < 0) {
      blocked.push(a);
      continue;
    }
    r.open(a, flow[k], link);
  }
  return blocked;
}

/**
 * Pass 3b: if the green demand exceeds what is offered, the bundles earning least per green Wh give
 * way; then the tightest budgets per Wh get the cheapest Wh.
 */
function allocateCertificates(r: Realisation, profit: Float64Array): void {
  const { arcs } = r.prep;
  const greenBundles: { bundle: Bundle; min: number; key: number }[] = [];
  for (const bundle of [...r.bundles.values()]) {
    const range = r.greenOf(bundle.arc, bundle.q);
    if (!fits(range)) r.close(bundle);
    else if (range.min > 0)
      greenBundles.push({ bundle, min: range.min, key: (profit[bundle.arc] * bundle.q) / range.min });
    else if (!r.withinLimit(bundle)) r.close(bundle);
  }
  let demand = greenBundles.reduce((s, g) => s + g.min, 0);
  if (demand > r.energyTotal) {
    greenBundles.sort((x, y) => x.key - y.key);
    let dropped = 0;
    while (demand > r.energyTotal && dropped < greenBundles.length) {
      const g = greenBundles[dropped];
      const allowed = g.min - (demand - r.energyTotal);
      const q = allowed > 0 ? r.largestFor(g.bundle.arc, g.bundle.q, allowed) : 0;
      if (q > 0) {
        // The marginal bundle shrinks to the certificates left rather than giving way entirely.
        r.bidLeft[arcs.bid[g.bundle.arc]] += g.bundle.q - q;
        r.computeLeft[arcs.compute[g.bundle.arc]] += g.bundle.q - q;
        g.bundle.q = q;
        const min = r.greenOf(g.bundle.arc, q).min;
        demand -= g.min - min;
        g.min = min;
        break;
      }
      demand -= g.min;
      r.close(g.bundle);
      dropped++;
    }
    greenBundles.splice(0, dropped);
  }
  for (const g of greenBundles) g.key = r.energyBudget(g.bundle) / g.min;
  greenBundles.sort((x, y) => x.key - y.key);
  for (const { bundle, min } of greenBundles) {
    const taken = r.takeEnergy(bundle, min);
    if (!r.withinLimit(bundle)) {
      r.giveBack(bundle, taken);
      r.close(bundle);
    }
  }
}

/**
 * Pass 4: offer the capacity still free again, most profitable arcs first — every arc that pays at
 * the certificates' own prices, also those π priced out of the transport.
 */
function fill(r: Realisation, { pi, profit, viable }: Transport): void {
  const { bids, computes, links, arcs } = r.prep;
  const open4 = viable.filter((a) => r.bidLeft[arcs.bid[a]] > 0 && r.computeLeft[arcs.compute[a]] > 0);
  open4.sort((x, y) => profit[y] - profit[x]);
  for (const a of open4) {
    let q = Math.min(r.bidLeft[arcs.bid[a]], r.computeLeft[arcs.compute[a]]);
    if (!(q > 0)) continue;
    const existing = r.bundles.get(a);
    if (existing !== undefined) {
      const held = greenHeld(existing);
      q = r.largestFor(a, existing.q + q, held + r.energyTotal) - existing.q;
      if (q <= 0) continue;
      const range = r.greenOf(a, existing.q + q);
      const extra = Math.max(0, range.min - held);
      if (!fits(range)) continue;
      existing.q += q;
      r.bidLeft[arcs.bid[a]] -= q;
      r.computeLeft[arcs.compute[a]] -= q;
      const taken = r.takeEnergy(existing, extra);
      if (!r.withinLimit(existing)) {
        r.giveBack(existing, taken);
        existing.q -= q;
        r.bidLeft[arcs.bid[a]] += q;
        r.computeLeft[arcs.compute[a]] += q;
      }
      continue;
    }
    q = r.largestFor(a, q, r.energyTotal);
    if (q <= 0) continue;
    const range = r.greenOf(a, q);
    if (!fits(range)) continue;
    const remote = arcs.linkList[a] >= 0;
    const link = remote ? r.takeLink(a) : -1;
    if (remote && link < 0) continue;
    const bid = bids[arcs.bid[a]];
    const margin = (bid.limit - computes[arcs.compute[a]].reserve - arcs.greenPerVcu[a] * pi) * q;
    if (link >= 0 && margin <= linkCost(bid, links[link])) continue;
    const bundle = r.open(a, q, link);
    r.takeEnergy(bundle, range.min);
    if (!r.withinLimit(bundle)) r.close(bundle);
  }
}

const fits = (range: { min: number; max: number }) => Number.isSafeInteger(range.min) && range.min <= range.max;
const greenHeld = (bundle: Bundle) => bundle.lotWh.reduce((s, wh) => s + wh, 0);

/** What is left of every order while bundles open and close, and the bundles open so far. */
class Realisation {
  readonly prep: PreparedBook;
  readonly feeBps: number;
  readonly energyLeft: Float64Array;
  /** Certificate Wh left over all energy offers; callers never ask for more. */
  energyTotal: number;
  /** Energy is handed out cheapest first; the cursor skips offers already used up. */
  cursor = 0;
  readonly bidLeft: Float64Array;
  readonly computeLeft: Float64Array;
  readonly linkLeft: Float64Array;
  readonly bundles = new Map<number, Bundle>(); // by arc

  constructor(prep: PreparedBook, feeBps: number) {
    this.prep = prep;
    this.feeBps = feeBps;
    // The offers' remaining capacity is prepared once per book version (candidates.ts): copy it.
    this.energyLeft = prep.remaining.energy.slice();
    let total = 0;
    for (const wh of this.energyLeft) total += wh;
    this.energyTotal = total;
    this.bidLeft = new Float64Array(prep.bids.length);
    for (let i = 0; i < prep.bids.length; i++) this.bidLeft[i] = prep.bids[i].remaining;
    this.computeLeft = prep.remaining.compute.slice();
    this.linkLeft = prep.remaining.link.slice();
  }

  /** The cheapest eligible link that still has the bid's Mbps, or −1. */
  takeLink(a: number): number {
    const { bids, links, linkLists, arcs } = this.prep;
    const mbps = bids[arcs.bid[a]].mbps;
    let best = -1;
    for (const w of linkLists[arcs.linkList[a]]) {
      if (this.linkLeft[w] >= mbps && (best < 0 || links[w].pricePerMbpsHour < links[best].pricePerMbpsHour)) best = w;
    }
    return best;
  }

  open(a: number, q: number, link: number): Bundle {
    const { bids, links, arcs } = this.prep;
    const bid = bids[arcs.bid[a]];
    this.bidLeft[arcs.bid[a]] -= q;
    this.computeLeft[arcs.compute[a]] -= q;
    let linkPayment = 0;
    if (link >= 0) {
      this.linkLeft[link] -= bid.mbps;
      linkPayment = linkReservePayment(bid.mbps, bid.seconds, links[link].pricePerMbpsHour);
    }
    const bundle: Bundle = { arc: a, q, link, linkPayment, lotEnergy: [], lotWh: [] };
    this.bundles.set(a, bundle);
    return bundle;
  }

  close(bundle: Bundle): void {
    const { bids, arcs } = this.prep;
    const a = bundle.arc;
    this.bidLeft[arcs.bid[a]] += bundle.q;
    this.computeLeft[arcs.compute[a]] += bundle.q;
    if (bundle.link >= 0) this.linkLeft[bundle.link] += bids[arcs.bid[a]].mbps;
    for (let i = 0; i < bundle.lotEnergy.length; i++) {
      const e = bundle.lotEnergy[i];
      this.energyLeft[e] += bundle.lotWh[i];
      this.energyTotal += bundle.lotWh[i];
      if (e < this.cursor) this.cursor = e;
    }
    this.bundles.delete(a);
  }

  /** Takes `wh` of the cheapest certificates; returns the lots as they were, to undo. */
  takeEnergy(bundle: Bundle, wh: number): number[] {
    const before = [...bundle.lotWh];
    while (wh > 0) {
      while (this.energyLeft[this.cursor] === 0) this.cursor++;
      const e = this.cursor;
      const part = Math.min(wh, this.energyLeft[e]);
      this.energyLeft[e] -= part;
      this.energyTotal -= part;
      wh -= part;
      const same = bundle.lotEnergy.indexOf(e);
      if (same >= 0) bundle.lotWh[same] += part;
      else {
        bundle.lotEnergy.push(e);
        bundle.lotWh.push(part);
      }
    }
    return before;
  }

  giveBack(bundle: Bundle, before: number[]): void {
    for (let i = 0; i < bundle.lotEnergy.length; i++) {
      const e = bundle.lotEnergy[i];
      const back = bundle.lotWh[i] - (before[i] ?? 0);
      this.energyLeft[e] += back;
      this.energyTotal += back;
      if (back > 0 && e < this.cursor) this.cursor = e;
    }
    bundle.lotEnergy.length = before.length;
    bundle.lotWh = before;
  }

  /** Room left under the bid's all-in limit after compute and bandwidth at reserve (NaN: none). */
  energyBudget(bundle: Bundle): number {
    const { bids, computes, arcs } = this.prep;
    const a = bundle.arc;
    return (
      maxPayments(bids[arcs.bid[a]].limit, bundle.q, this.feeBps) -
      computes[arcs.compute[a]].reserve * bundle.q -
      bundle.linkPayment
    );
  }

  withinLimit(bundle: Bundle): boolean {
    const { energies } = this.prep;
    let energy = 0;
    for (let i = 0; i < bundle.lotEnergy.length; i++)
      energy += energyReservePayment(energies[bundle.lotEnergy[i]].pricePerKwh, bundle.lotWh[i]);
    return energy <= this.energyBudget(bundle);
  }

  /** The largest quantity up to `q` on arc `a` whose certificates need at most `wh`. */
  largestFor(a: number, q: number, wh: number): number {
    const perVcu = this.prep.arcs.greenPerVcu[a];
    if (perVcu === 0) return q;
    let best = Math.min(q, Math.floor(wh / perVcu) + 1);
    while (best > 0 && !(this.greenOf(a, best).min <= wh)) best--;
    return best;
  }

  greenOf(a: number, q: number) {
    const { bids, computes, arcs } = this.prep;
    return greenRange(q, bids[arcs.bid[a]].order.minGreenBps, computes[arcs.compute[a]].milliWhPerVcuHour);
  }

  /** The open bundles as reserve-priced matches, with the welfare they create. */
  batch(): Omit<Realised, "blocked"> {
    const { bids, computes, energies, links, arcs } = this.prep;
    const matches: Match[] = [];
    let welfare = 0;
    for (const bundle of this.bundles.values()) {
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
        this.feeBps,
      );
      if (match === undefined) continue; // unreachable unless the number path above is wrong; never emit it
      matches.push(match);
      welfare += (bid.limit - compute.reserve) * bundle.q;
      for (let i = 0; i < lots.length; i++) welfare -= energies[bundle.lotEnergy[i]].pricePerWh * bundle.lotWh[i];
      if (bundle.link >= 0) welfare -= linkCost(bid, links[bundle.link]);
    }
    const kept = [...this.bundles.values()].map((b) => ({ arc: b.arc, q: b.q, remote: b.link >= 0 }));
    return { matches, welfare, bundles: kept };
  }
}
