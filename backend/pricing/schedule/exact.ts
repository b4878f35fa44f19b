// The exact reference scheduler: the scheduling problem as one mixed-integer program solved by
// HiGHS (WebAssembly), for tests and small books (docs/pricing.md, "Scheduling in hours").
//
// Variables, per bid b, allowed start s and candidate compute offer c (t = (b, s, c)):
//   z_bs ∈ {0, 1}        the job starts at s (Σ_s z_bs ≤ 1: one start per bid)
//   x_t ∈ ℤ, ≥ 0         VCU of offer c from s (Σ_c x_bsc ≤ vcu_b·z_bs)
//   w_tk ≥ 0             certificate Wh from slot k (one energy offer's hour inside the job, in the
//                        bid's origin pool)
//   r_bsw ∈ {0, 1}       link w carries the job from s (once per bid and link: its Mbps in each job
//                        hour and its fee reserve × Mbps × duration, once)
// Constraints: per (offer, hour) Σ x ≤ free VCU; per slot Σ w ≤ its Wh; per (t, hour) Σ w ≤ n_c·x_t
//   (the need per hour, n_c = whPerVcuHour × PUE); Σ_k w_tk ≥ share_b·d_b·(n_c·x_t − 1) (minimum
//   green on hourly-matched energy; the −1 covers the contract's rounding of the need down to whole
//   Wh); per (link, hour) Σ Mbps·r ≤ free Mbps; remote x_t ≤ vcu_b·Σ_w r_bsw over the route's links;
//   per (b, s) (1 + fee)·(compute + certificate + link reserves) ≤ limit·vcuHours (+1 base unit per
//   match for the fee's rounding down).
// Objective: max Σ (limit − reserve)·d·x − Σ price·w − Σ link fee·r.
//
// The model relaxes only sub-unit roundings and checks the all-in limit per (bid, start) instead of
// per match, so its optimum bounds every feasible schedule from above (`upperBound`). Rounding back:
// the chosen starts and VCU are placed by the fast scheduler's exact placement (place.ts), which
// buys the cheapest certificates of the job's hours and links the same way the market would.

import { ModelBuilder } from "./model.ts";
import { ScheduleState } from "./place.ts";
import { AREA_OF_REGION, type PreparedSchedule, prepareSchedule, REGION_SLOTS, routeKey } from "./prepare.ts";
import { ORIGIN, type ScheduleOptions, type ScheduleResult, type TimedBook } from "./types.ts";

/** Model money in tokens so coefficients stay near 1. */
export const MONEY = 1e-6;

type Candidate = { b: number; s: number; c: number; x: number; energy: { slot: number; col: number }[] };

/**
 * Schedules a book exactly (within HiGHS's MIP gap): the reference the fast scheduler is measured
 * against. Books beyond a few dozen orders may hit `timeLimitSeconds` (default 60).
 */
export function scheduleExact(book: TimedBook, options: ScheduleOptions): ScheduleResult {
  return solveModel(book, options, true);
}

export type LpBound = { bound: number; optimal: boolean; elapsedMs: number };

/**
 * The LP relaxation of the exact model (every binary and integer made continuous), solved by
 * HiGHS: an upper bound on the welfare of any feasible schedule, far cheaper than the MIP and
 * tighter than the Lagrangian bound of bound.ts on books of a few hundred orders. `optimal` is
 * false when HiGHS stopped at `timeLimitSeconds` (default 60); the bound is then not valid.
 */
export function scheduleLpBound(book: TimedBook, options: ScheduleOptions): LpBound {
  const relaxed = solveModel(book, options, false);
  return {
    bound: relaxed.upperBound ?? Number.POSITIVE_INFINITY,
    optimal: relaxed.status === "optimal",
    elapsedMs: relaxed.elapsedMs,
  };
}

/** Rows of the model by the capacity they limit: entries [column, coefficient] and the row's index. */
export type CapacityRows = Map<number, { entries: [number, number][]; row: number }>;

/** The model of some of a prepared book's bids, and where its columns and capacity rows are. */
export type ScheduleModel = {
  m: ModelBuilder;
  starts: { b: number; s: number; z: number; list: Candidate[]; links: { w: number; col: number }[] }[];
  candidates: Candidate[];
  /** By computeFree index, by energy slot, by linkFree index. */
  computeRows: CapacityRows;
  slotRows: CapacityRows;
  linkRows: CapacityRows;
};

/**
 * States the scheduling model of the bids `bidIndices` (indices into `prep.bids`) over the whole
 * prepared book's capacities: the exact model when all bids are given, one block of the
 * decomposition bound (bound.ts) otherwise.
 */
export function buildScheduleModel(
  prep: PreparedSchedule,
  bidIndices: Iterable<number>,
  platformFeeBps: number,
): ScheduleModel {
  const { bids, computes, computeFree, links, linkFree, energy, span } = prep;
  const fee = 1 + platformFeeBps / 10_000;
  const m = new ModelBuilder();
  const candidates: Candidate[] = [];
  const starts: ScheduleModel["starts"] = [];
  const capacityRows = new Map<number, [number, number][]>(); // computeFree index → entries
  const slotRows = new Map<number, [number, number][]>();
  const linkRows = new Map<number, [number, number][]>(); // linkFree index → entries

  const push = (map: Map<number, [number, number][]>, key: number, entry: [number, number]) => {
    const list = map.get(key);
    if (list === undefined) map.set(key, [entry]);
    else list.push(entry);
  };

  for (const b of bidIndices) {
    const bid = bids[b];
    const order = bid.order;
    const firstOfBid = starts.length;
    const d = bid.duration;
    const share = order.minGreenBps / 10_000;
    const byStart = new Map<number, number[]>();
    for (const c of bid.candidates) {
      const compute = computes[c];
      if (compute.reserve * fee > bid.limit) continue;
      for (let s = Math.max(bid.firstStart, compute.start); s <= Math.min(bid.lastStart, compute.end - d); s++) {
        byStart.set(s, [...(byStart.get(s) ?? []), c]);
      }
    }
    for (const [s, offers] of byStart) {
      const z = m.column(0, 0, 1, true);
      const entry = { b, s, z, list: [] as Candidate[], links: [] as { w: number; col: number }[] };
      starts.push(entry);
      const remoteRoutes = new Set<number>();
      for (const c of offers) {
        const compute = computes[c];
        const x = m.column(
          (bid.limit - compute.reserve) * d * MONEY,
          0,
          Math.min(bid.remaining, compute.capacity),
          true,
        );
        const t: Candidate = { b, s, c, x, energy: [] };
        for (let k = 0; k < d; k++) push(capacityRows, compute.offset + s - compute.start + k, [x, 1]);
        if (share > 0) {
          const n = compute.milliWhPerVcuHour / 1000;
          const area = AREA_OF_REGION[compute.region];
          for (let r = 0; r < REGION_SLOTS; r++) {
            const o = order.certificateOrigin;
            const allowed =
              o === ORIGIN.Anywhere ||
              (o === ORIGIN.ComputeRegion && r === compute.region) ||
              (o === ORIGIN.GridArea && area >= 0 && AREA_OF_REGION[r] === area);
            if (!allowed) continue;
            for (let k = 0; k < d; k++) {
              const cell = r * span + s + k;
              for (let i = energy.cellStart[cell]; i < energy.cellStart[cell + 1]; i++) {
                const slot = energy.cellSlots[i];
                const col = m.column((-energy.pricePerKwh[slot] / 1000) * MONEY, 0, energy.left[slot], false);
                t.energy.push({ slot, col });
                push(slotRows, slot, [col, 1]);
              }
            }
          }
          for (let k = 0; k < d; k++) {
            const hour = t.energy
              .filter((e) => energy.hour[e.slot] === s + k)
              .map((e) => [e.col, 1] as [number, number]);
            m.row([...hour, [x, -n]], -Infinity, 0);
          }
          m.row([...t.energy.map((e) => [e.col, 1] as [number, number]), [x, -share * d * n]], -share * d, Infinity);
        }
        if (compute.region !== order.buyerRegion) remoteRoutes.add(routeKey(compute.region, order.buyerRegion));
        entry.list.push(t);
        candidates.push(t);
      }
      // Links of the routes this start's remote offers need, within latency and covering the job.
      const routeLinks = new Map<number, number[]>();
      for (const key of remoteRoutes) {
        const usable: number[] = [];
        for (const w of prep.routes.get(key) ?? []) {
          const l = links[w];
          if (l.order.latencyMs > order.maxLatencyMs || l.start > s || s + d > l.end) continue;
          const col = m.column(-l.price * bid.mbps * d * MONEY, 0, 1, true);
          entry.links.push({ w, col });
          usable.push(col);
          m.row(
            [
              [col, 1],
              [z, -1],
            ],
            -Infinity,
            0,
          );
          for (let k = 0; k < d; k++) push(linkRows, l.offset + s - l.start + k, [col, bid.mbps]);
        }
        routeLinks.set(key, usable);
      }
      for (const t of entry.list) {
        const compute = computes[t.c];
        if (compute.region === order.buyerRegion) continue;
        const usable = routeLinks.get(routeKey(compute.region, order.buyerRegion)) ?? [];
        const bound = Math.min(bid.remaining, compute.capacity);
        m.row([[t.x, 1], ...usable.map((col) => [col, -bound] as [number, number])], -Infinity, 0);
      }
      m.row([...entry.list.map((t) => [t.x, 1] as [number, number]), [z, -bid.remaining]], -Infinity, 0);
      // All-in limit of the (bid, start), scaled by 1/(limit·d) so coefficients stay near 1.
      const scale = 1 / (bid.limit * d);
      const limitRow: [number, number][] = [];
      for (const t of entry.list) {
        limitRow.push([t.x, (fee * computes[t.c].reserve * d - bid.limit * d) * scale]);
        for (const e of t.energy) limitRow.push([e.col, ((fee * energy.pricePerKwh[e.slot]) / 1000) * scale]);
      }
      for (const { w, col } of entry.links) limitRow.push([col, fee * links[w].price * bid.mbps * d * scale]);
      m.row(limitRow, -Infinity, entry.list.length * scale);
    }
    const zs = starts.slice(firstOfBid).map((e) => [e.z, 1] as [number, number]);
    m.row(zs, 0, 1);
  }
  const rows = (map: Map<number, [number, number][]>, free: ArrayLike<number>): CapacityRows => {
    const out: CapacityRows = new Map();
    for (const [i, entries] of map) out.set(i, { entries, row: m.row(entries, 0, free[i]) });
    return out;
  };
  return {
    m,
    starts,
    candidates,
    computeRows: rows(capacityRows, computeFree),
    slotRows: rows(slotRows, energy.left),
    linkRows: rows(linkRows, linkFree),
  };
}

function solveModel(book: TimedBook, options: ScheduleOptions, integral: boolean): ScheduleResult {
  const started = performance.now();
  const prep = prepareSchedule(book, options);
  const { m, starts, candidates } = buildScheduleModel(prep, prep.bids.keys(), options.platformFeeBps);

  const solved =
    candidates.length === 0
      ? { optimal: true, values: new Float64Array(0), objective: 0, bound: 0 }
      : m.solve(options.timeLimitSeconds ?? 60, integral, 1e-6);

  // Round back: place the chosen starts and VCU, bids in order, exactly as the market would.
  const state = new ScheduleState(prepareSchedule(book, options), book, options.platformFeeBps);
  if (solved.values !== undefined && integral) {
    const v = solved.values;
    for (const entry of starts) {
      if (Math.round(v[entry.z]) !== 1) continue;
      const pieces = entry.list.filter((t) => Math.round(v[t.x]) > 0).sort((p, q) => v[q.x] - v[p.x]);
      for (const t of pieces) state.place(t.b, t.c, t.s, Math.round(v[t.x]));
    }
  }
  return {
    algorithm: "exact",
    matches: state.matches,
    welfare: state.welfare,
    status: solved.optimal ? "optimal" : "time-limit",
    upperBound: solved.bound / MONEY,
    elapsedMs: performance.now() - started,
  };
}
