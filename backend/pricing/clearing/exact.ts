// The exact reference clearer: the whole clearing problem as one mixed-integer program solved by
// HiGHS (WebAssembly). For tests and small books; `welfareUpperBound` gives a cheaper LP bound for
// books too large for the MIP (relaxation.ts).
//
// Variables, per candidate bundle t = (bid, compute offer) — one per pair: two bundles on one pair
// would only pay a second link fee and take the bid's Mbps twice:
//   x_t ∈ ℤ, 0 ≤ x_t ≤ U_t = min(bid, offer remaining)  VCU-hours
//   y_tw ∈ {0, 1} per eligible link w (remote only)     the link carries the bundle: it costs its
//                                                       reserve for the bid's Mbps over the bid's
//                                                       window, once
//   e_tk ≥ 0 per energy price level k                   certificate Wh bought at that level
// Constraints: bid, compute, link (Σ Mbps·y) and energy-level capacities; Σ_w y_tw ≤ 1;
//   x_t ≤ U_t·Σ_w y_tw for remote bundles; g_t·x_t − 1 ≤ Σ_k e_tk ≤ need_t·x_t (minimum green share of
//   the energy needed; the −1 covers the contract's rounding of the energy needed down to whole Wh);
//   (1 + fee)·(compute + energy + bandwidth reserve payments) ≤ limit·x_t (all-in limit).
// Objective: max Σ (limit − compute reserve)·x_t − Σ price_k·e_tk − Σ link cost·y_tw.
//
// Relaxations, all in sub-unit rounding: certificate Wh and reserve payments are continuous in the
// model, while the contract needs whole Wh and whole base units rounded its way. Every relaxation
// only enlarges the feasible set, so the model's optimum bounds the welfare of any feasible batch
// from above (`upperBound` reports HiGHS's proven bound). Rounding back: quantities and y are
// rounded to the nearest integer (HiGHS returns them integral within its tolerance); Wh of a price
// level are split over that level's offers in ascending id; the certificate Wh are topped up from
// the cheapest offers left or trimmed from the dearest to the exact integer green range; payments
// round up; a bundle that then no longer fits its bid's limit (a sub-unit margin) is dropped.

import loadHighs from "highs";
import { linkCost, prepareBook } from "./candidates.ts";
import type { Match } from "./pool-orders.ts";
import { relaxedArcs } from "./relaxation.ts";
import { greenRange, reservePricedMatch } from "./reserve-match.ts";
import type { ClearingOptions, ClearingResult, OrderBook } from "./types.ts";

// The package ships one declaration file for its CommonJS and ES builds; under NodeNext the
// compiler reads it as CommonJS, while Node loads the ES build whose default export is the loader.
const highs = await (loadHighs as unknown as typeof loadHighs.default)();
const MONEY = 1e-6; // model money in tokens, so coefficients stay near 1

type Candidate = { arc: number; bound: number; links: number[] };

/** Builds a sparse model row by row. */
export class ModelBuilder {
  readonly colCost: number[] = [];
  readonly colLower: number[] = [];
  readonly colUpper: number[] = [];
  readonly integer: number[] = [];
  readonly rowLower: number[] = [];
  readonly rowUpper: number[] = [];
  readonly starts: number[] = [0];
  readonly indices: number[] = [];
  readonly values: number[] = [];

  column(cost: number, lower: number, upper: number, integer: boolean): number {
    this.colCost.push(cost);
    this.colLower.push(lower);
    this.colUpper.push(upper);
    this.integer.push(integer ? 1 : 0);
    return this.colCost.length - 1;
  }

  row(entries: readonly [number, number][], lower: number, upper: number): void {
    if (entries.length === 0) return;
    for (const [col, value] of entries) {
      this.indices.push(col);
      this.values.push(value);
    }
    this.starts.push(this.indices.length);
    this.rowLower.push(lower);
    this.rowUpper.push(upper);
  }

  solve(timeLimitSeconds: number, integral: boolean, mipGap = 1e-6) {
    const numCols = this.colCost.length;
    const numRows = this.rowLower.length;
    const model = highs.createModel({
      numCols,
      numRows,
      sense: highs.constants.objectiveSense.maximize,
      colCost: this.colCost,
      colLower: this.colLower,
      colUpper: this.colUpper,
      rowLower: this.rowLower,
      rowUpper: this.rowUpper,
      matrix: { format: "csr", numRows, numCols, starts: this.starts, indices: this.indices, values: this.values },
      ...(integral
        ? {
            integrality: this.integer.map((i) =>
              i === 1 ? highs.constants.variableType.integer : highs.constants.variableType.continuous,
            ),
          }
        : {}),
    });
    try {
      model.options.set({ output_flag: false, time_limit: timeLimitSeconds, mip_rel_gap: mipGap });
      model.run();
      const status = model.getModelStatus();
      const optimal = status === highs.constants.modelStatus.optimal;
      const hasSolution = Number(model.info.get("primal_solution_status")) === 2;
      const bound = integral ? Number(model.info.get("mip_dual_bound")) : model.getObjectiveValue();
      return {
        optimal,
        values: hasSolution ? model.getSolution().colValue : undefined,
        objective: hasSolution ? model.getObjectiveValue() : undefined,
        bound: optimal && !integral ? model.getObjectiveValue() : bound,
      };
    } finally {
      model.dispose();
    }
  }
}

/**
 * Clears a book exactly (within HiGHS's relative MIP gap, `mipGap`, default 1e-6) — the reference
 * the fast clearer is measured against. Books beyond a few hundred orders may hit
 * `timeLimitSeconds` (default 60).
 */
export function clearExact(book: OrderBook, options: ClearingOptions): ClearingResult {
  const started = performance.now();
  const prep = prepareBook(book, options);
  const { bids, computes, energies, links, linkLists, arcs } = prep;
  const fee = 1 + options.platformFeeBps / 10_000;
  const cheapest = energies.length > 0 ? energies[0].pricePerWh : Infinity;

  // Energy offers with the same price are interchangeable: one variable per price level.
  const levels: { pricePerWh: number; offers: number[]; capacity: number }[] = [];
  energies.forEach((e, i) => {
    const last = levels.at(-1);
    if (last !== undefined && last.pricePerWh === e.pricePerWh) {
      last.offers.push(i);
      last.capacity += e.remaining;
    } else levels.push({ pricePerWh: e.pricePerWh, offers: [i], capacity: e.remaining });
  });
  for (const level of levels) level.offers.sort((x, y) => (energies[x].order.id < energies[y].order.id ? -1 : 1));

  // One candidate bundle per (bid, compute offer) arc: two bundles on one arc would only pay for a
  // second link and take its Mbps twice, so the link is a choice among the arc's eligible ones.
  const candidates: Candidate[] = [];
  for (let a = 0; a < arcs.count; a++) {
    const bid = bids[arcs.bid[a]];
    const compute = computes[arcs.compute[a]];
    const green = arcs.greenPerVcu[a];
    const energyFloor = green > 0 ? green * cheapest : 0;
    const bound = Math.min(bid.remaining, compute.remaining);
    if (bid.limit - compute.reserve - energyFloor <= 0) continue;
    const list = arcs.linkList[a];
    const fitsLimit = (link: number) =>
      (compute.reserve + energyFloor + (link < 0 ? 0 : linkCost(bid, links[link]) / bound)) * fee <= bid.limit;
    if (list < 0) {
      if (fitsLimit(-1)) candidates.push({ arc: a, bound, links: [] });
      continue;
    }
    const usable = linkLists[list].filter(fitsLimit);
    if (usable.length > 0) candidates.push({ arc: a, bound, links: usable });
  }

  const m = new ModelBuilder();
  const x: number[] = [];
  const y: number[][] = [];
  const e: number[][] = [];
  for (const c of candidates) {
    const bid = bids[arcs.bid[c.arc]];
    const compute = computes[arcs.compute[c.arc]];
    x.push(m.column((bid.limit - compute.reserve) * MONEY, 0, c.bound, true));
    y.push(c.links.map((w) => m.column(-linkCost(bid, links[w]) * MONEY, 0, 1, true)));
    e.push(arcs.greenPerVcu[c.arc] > 0 ? levels.map((l) => m.column(-l.pricePerWh * MONEY, 0, l.capacity, false)) : []);
  }
  const byBid = new Map<number, [number, number][]>();
  const byCompute = new Map<number, [number, number][]>();
  const byLink = new Map<number, [number, number][]>();
  const add = (map: Map<number, [number, number][]>, key: number, entry: [number, number]) => {
    const list = map.get(key) ?? [];
    list.push(entry);
    map.set(key, list);
  };
  candidates.forEach((c, i) => {
    add(byBid, arcs.bid[c.arc], [x[i], 1]);
    add(byCompute, arcs.compute[c.arc], [x[i], 1]);
    c.links.forEach((w, j) => add(byLink, w, [y[i][j], Number(bids[arcs.bid[c.arc]].order.bandwidthMbps)]));
  });
  for (const [b, entries] of byBid) m.row(entries, 0, bids[b].remaining);
  for (const [c, entries] of byCompute) m.row(entries, 0, computes[c].remaining);
  for (const [w, entries] of byLink) m.row(entries, 0, links[w].remaining);
  levels.forEach((level, k) => {
    m.row(
      candidates.flatMap((_, i) => (e[i].length > 0 ? [[e[i][k], 1] as [number, number]] : [])),
      0,
      level.capacity,
    );
  });
  candidates.forEach((c, i) => {
    const bid = bids[arcs.bid[c.arc]];
    const compute = computes[arcs.compute[c.arc]];
    if (c.links.length > 0) {
      m.row(
        y[i].map((col) => [col, 1]),
        0,
        1,
      );
      m.row([[x[i], 1], ...y[i].map((col) => [col, -c.bound] as [number, number])], -Infinity, 0);
    }
    const green = arcs.greenPerVcu[c.arc];
    if (green > 0) {
      const lots = e[i].map((col) => [col, 1] as [number, number]);
      m.row([...lots, [x[i], -green]], -1, Infinity);
      m.row([...lots, [x[i], -compute.milliWhPerVcuHour / 1000]], -Infinity, 0);
    }
    if (green > 0 || c.links.length > 0) {
      // Scaled by 1/limit so the coefficients are near 1.
      const entries: [number, number][] = [[x[i], (fee * compute.reserve) / bid.limit - 1]];
      e[i].forEach((col, k) => entries.push([col, (fee * levels[k].pricePerWh) / bid.limit]));
      c.links.forEach((w, j) => entries.push([y[i][j], (fee * linkCost(bid, links[w])) / bid.limit]));
      m.row(entries, -Infinity, 0);
    }
  });

  const solved =
    candidates.length === 0
      ? { optimal: true, values: new Float64Array(0), objective: 0, bound: 0 }
      : m.solve(options.timeLimitSeconds ?? 60, true, options.mipGap);

  // Round back to whole units and exact integer rules.
  const energyLeft = energies.map((en) => en.remaining);
  const linkLeft = links.map((w) => w.remaining);
  const matches: Match[] = [];
  let welfare = 0;
  if (solved.values !== undefined) {
    const v = solved.values;
    candidates.forEach((c, i) => {
      let q = Math.round(v[x[i]]);
      if (q <= 0) return;
      const bid = bids[arcs.bid[c.arc]];
      const compute = computes[arcs.compute[c.arc]];
      const mbps = Number(bid.order.bandwidthMbps);
      const chosen = c.links.findIndex((_, j) => Math.round(v[y[i][j]]) === 1);
      const linkIndex = chosen < 0 ? -1 : c.links[chosen];
      if (c.links.length > 0 && (linkIndex < 0 || linkLeft[linkIndex] < mbps)) return;
      const lots = new Map<number, number>();
      e[i].forEach((col, k) => {
        let wh = Math.round(v[col]);
        for (const offer of levels[k].offers) {
          const part = Math.min(wh, energyLeft[offer]);
          if (part > 0) lots.set(offer, (lots.get(offer) ?? 0) + part);
          energyLeft[offer] -= part;
          wh -= part;
        }
      });
      let held = [...lots.values()].reduce((s, wh) => s + wh, 0);
      // Top up to the exact minimum from the cheapest certificates left; where none are left (the
      // model's Wh were fractional), give up VCU-hours until the certificates held suffice.
      let range = greenRange(q, bid.order.minGreenBps, compute.milliWhPerVcuHour);
      for (let k = 0; k < energies.length && held < range.min; k++) {
        const part = Math.min(range.min - held, energyLeft[k]);
        if (part > 0) lots.set(k, (lots.get(k) ?? 0) + part);
        energyLeft[k] -= part;
        held += part;
      }
      while (q > 0 && !(held >= range.min)) range = greenRange(--q, bid.order.minGreenBps, compute.milliWhPerVcuHour);
      for (const k of [...lots.keys()].sort((p, r) => energies[r].pricePerWh - energies[p].pricePerWh)) {
        if (held <= range.max) break;
        const part = Math.min(held - range.max, lots.get(k)!);
        lots.set(k, lots.get(k)! - part);
        energyLeft[k] += part;
        held -= part;
      }
      const release = () => lots.forEach((wh, k) => (energyLeft[k] += wh));
      if (q <= 0 || !(held >= range.min && held <= range.max)) return release();
      const link = linkIndex >= 0 ? links[linkIndex].order : undefined;
      const match = reservePricedMatch(
        bid.order,
        compute.order,
        q,
        [...lots].map(([k, wh]) => ({ offer: energies[k].order, wh })),
        link && { offerId: link.id, pricePerMbpsHour: link.reservePricePerMbpsHour },
        options.platformFeeBps,
      );
      if (match === undefined) return release();
      if (linkIndex >= 0) linkLeft[linkIndex] -= mbps;
      matches.push(match);
      welfare += (bid.limit - compute.reserve) * q;
      for (const [k, wh] of lots) welfare -= energies[k].pricePerWh * wh;
      if (linkIndex >= 0) welfare -= linkCost(bid, links[linkIndex]);
    });
  }
  return {
    algorithm: "exact",
    matches,
    welfare,
    status: solved.optimal ? "optimal" : "time-limit",
    upperBound: solved.bound / MONEY,
    elapsedMs: performance.now() - started,
  };
}

/**
 * An upper bound on the welfare of any feasible batch: the LP relaxation of relaxation.ts, solved
 * by HiGHS (simplex). `bound` is undefined when HiGHS does not finish within the time limit.
 */
export function welfareUpperBound(
  book: OrderBook,
  options: ClearingOptions,
): { bound: number | undefined; optimal: boolean; elapsedMs: number } {
  const started = performance.now();
  const prep = prepareBook(book, options);
  const m = new ModelBuilder();
  const byBid = new Map<number, [number, number][]>();
  const byCompute = new Map<number, [number, number][]>();
  const greenRow: [number, number][] = [];
  for (const r of relaxedArcs(prep, options)) {
    const b = prep.arcs.bid[r.arc];
    const c = prep.arcs.compute[r.arc];
    const col = m.column(r.profit * MONEY, 0, Math.min(prep.bids[b].remaining, prep.computes[c].remaining), false);
    byBid.set(b, [...(byBid.get(b) ?? []), [col, 1]]);
    byCompute.set(c, [...(byCompute.get(c) ?? []), [col, 1]]);
    if (r.green > 0) greenRow.push([col, -r.green]);
  }
  for (const [b, entries] of byBid) m.row(entries, 0, prep.bids[b].remaining);
  for (const [c, entries] of byCompute) m.row(entries, 0, prep.computes[c].remaining);
  for (const en of prep.energies) greenRow.push([m.column(-en.pricePerWh * MONEY, 0, en.remaining, false), 1]);
  m.row(greenRow, 0, Infinity);
  if (m.colCost.length === 0) return { bound: 0, optimal: true, elapsedMs: performance.now() - started };
  const solved = m.solve(options.timeLimitSeconds ?? 60, false);
  return {
    bound: solved.optimal ? solved.bound / MONEY : undefined,
    optimal: solved.optimal,
    elapsedMs: performance.now() - started,
  };
}
