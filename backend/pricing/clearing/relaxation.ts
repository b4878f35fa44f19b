// The LP relaxation that bounds the welfare of any feasible batch from above, shared by the HiGHS
// bound (exact.ts) and the Lagrangian bound below, which scales to books HiGHS cannot solve in time.
//
// Relaxation: fractional quantities; a remote arc's link fee charged at its cheapest eligible link
// and spread over the largest quantity the arc could carry (never more than the real fixed charge);
// link capacities and per-bundle limits dropped (arcs that cannot meet their limit even then are
// left out); certificates pooled across bundles at their own prices.
//
//   max Σ_a profit_a·x_a − Σ_k price_k·e_k
//   s.t. Σ_{a∋b} x_a ≤ Q_b, Σ_{a∋c} x_a ≤ C_c, Σ_k e_k ≥ Σ_a g_a·x_a, 0 ≤ e_k ≤ E_k, x ≥ 0.
//
// Only the certificate row couples the transport with the energy offers, so its Lagrangian dual is
// exact: for every π ≥ 0, L(π) = T(π) + Σ_k E_k·(π − price_k)⁺ bounds the LP from above, where T(π)
// is the transport optimum with profits profit_a − π·g_a, and min_π L(π) equals the LP optimum.

import type { PreparedBook } from "./candidates.ts";
import { prepareBook } from "./candidates.ts";
import { solveTransport } from "./transport.ts";
import type { ClearingOptions, OrderBook } from "./types.ts";

export type RelaxedArc = { arc: number; profit: number; green: number };

/** The arcs the relaxation keeps, with their profit before certificates and their green Wh per VCU-hour. */
export function relaxedArcs(prep: PreparedBook, options: ClearingOptions): RelaxedArc[] {
  const { bids, computes, energies, linkListCheapest, arcs } = prep;
  const fee = 1 + options.platformFeeBps / 10_000;
  const cheapest = energies.length > 0 ? energies[0].pricePerWh : Infinity;
  const kept: RelaxedArc[] = [];
  for (let a = 0; a < arcs.count; a++) {
    const bid = bids[arcs.bid[a]];
    const compute = computes[arcs.compute[a]];
    const green = arcs.greenPerVcu[a];
    const bound = Math.min(bid.remaining, compute.remaining);
    const list = arcs.linkList[a];
    const spread = list < 0 ? 0 : (linkListCheapest[list] * bid.mbps * bid.hours) / bound;
    const energyFloor = green > 0 ? green * cheapest : 0;
    if ((compute.reserve + energyFloor + spread) * fee > bid.limit) continue;
    kept.push({ arc: a, profit: bid.limit - compute.reserve - spread, green });
  }
  return kept;
}

/**
 * The relaxation's optimum by its Lagrangian dual: bisection on the certificate price π using the
 * dual function's subgradient, each step an exact transport solve (network simplex). Every
 * evaluated L(π) is itself an upper bound; the smallest is returned.
 */
export function lagrangianWelfareBound(
  book: OrderBook,
  options: ClearingOptions,
  steps = 30,
): { bound: number; elapsedMs: number } {
  const started = performance.now();
  const prep = prepareBook(book, options);
  const relaxed = relaxedArcs(prep, options);
  const energies = prep.energies;
  const demand = Float64Array.from(prep.bids, (b) => b.remaining);
  const capacity = Float64Array.from(prep.computes, (c) => c.remaining);

  const evaluate = (pi: number) => {
    const useful = relaxed.filter((r) => r.profit - pi * r.green > 0);
    const flow = solveTransport({
      demand,
      capacity,
      arcBid: Int32Array.from(useful, (r) => prep.arcs.bid[r.arc]),
      arcOffer: Int32Array.from(useful, (r) => prep.arcs.compute[r.arc]),
      profit: Float64Array.from(useful, (r) => r.profit - pi * r.green),
    });
    let value = 0;
    let greenDemand = 0;
    useful.forEach((r, k) => {
      value += flow[k] * (r.profit - pi * r.green);
      greenDemand += flow[k] * r.green;
    });
    let supplied = 0;
    for (const e of energies) {
      if (pi > e.pricePerWh) {
        value += e.remaining * (pi - e.pricePerWh);
        supplied += e.remaining;
      }
    }
    return { value, slope: supplied - greenDemand };
  };

  let low = 0;
  let high = 0; // beyond the dearest certificate and the price at which every green arc stops paying
  for (const r of relaxed) if (r.green > 0) high = Math.max(high, r.profit / r.green);
  for (const e of energies) high = Math.max(high, e.pricePerWh);
  let bound = Math.min(evaluate(low).value, evaluate(high).value);
  for (let step = 0; step < steps && high - low > 1e-9 * (1 + high); step++) {
    const mid = (low + high) / 2;
    const { value, slope } = evaluate(mid);
    bound = Math.min(bound, value);
    if (slope > 0) high = mid;
    else low = mid;
  }
  return { bound, elapsedMs: performance.now() - started };
}
