// An upper bound on the welfare of any feasible schedule, for books too large for the HiGHS MIP:
// the Lagrangian dual of the scheduling problem's capacity constraints.
//
// Kept exactly, per bid: one start; at most vcu_b VCU in all; each offer at most its capacity;
// certificates only from the bid's origin pool in the job's hours, at most the need in each hour
// and at least the minimum share (less the contract's rounding of the need, ≤ 1 Wh per hour and
// match, whose saving is added at the dearest certificate hour the match could buy); a remote
// offer only on a route whose link the bid pays for, the whole job's fee once per route at the
// cheapest link within the bid's latency whose window covers the job (every subset of the bid's
// routes is tried at each start). Relaxed: a bid may spread its VCU fractionally over starts (LP
// relaxation of the start choice, each start worth its best fill); link capacities and the all-in
// limit are dropped (only offers whose reserve alone breaks the limit are left out).
//
// Dualised: every (compute offer, hour) capacity with a price λ ≥ 0 and every certificate slot
// (energy offer, hour) with a price μ ≥ 0. For any such prices
//   L(λ, μ) = Σ_b max_s [best fill of bid b at start s, each VCU-hour of offer c in hour h charged
//             λ_ch and each Wh of slot k charged its reserve + μ_k]⁺ + Σ λ·free + Σ μ·Wh left
// bounds every feasible schedule from above, whatever the prices, so the smallest value seen is
// returned. The prices are found by a subgradient level method (Goffin and Kiwiel's variable
// target): each step aims at a level δ below the best value so far (Polyak's step length towards
// it in the norm Σ capacity·x², one half for each block of prices), along the subgradient
// deflected by the previous direction (d = g + 0.7·d_prev: fewer zig-zags); when several steps bring no descent
// of δ/2 the level is raised (δ halved) and the walk restarts from the best prices. The level
// comes from the bound's own values, not from a schedule's welfare, so the bound of a book does
// not move when the scheduler changes.

import { buildScheduleModel, MONEY, type ScheduleModel } from "./exact.ts";
import { buildPooledModel } from "./pooled-lp.ts";
import { AREA_OF_REGION, certificatePool, GRID_AREAS, prepareSchedule, REGION_SLOTS, routeKey } from "./prepare.ts";
import type { ScheduleRules, TimedBook } from "./types.ts";

export type ScheduleBound = { bound: number; iterations: number; elapsedMs: number };

export type WelfareBoundOptions = {
  /** Subgradient steps at most (default 300); fewer when the level method has converged. */
  iterations?: number;
  /** Called after each step with its value of L and the smallest so far (benchmark traces). */
  onStep?: (step: number, value: number, best: number) => void;
};

/** Share of the first value the first level lies below it (δ₀), and steps without descent before δ halves. */
const FIRST_LEVEL = 0.03;
const PATIENCE = 8;
/** Weight of the previous direction in the next (the subgradient's deflection). */
const DEFLECTION = 0.7;

/**
 * The Lagrangian upper bound on the welfare of `book`'s best schedule (valid after any number of
 * steps; more steps make it tighter).
 *
 * @example
 * const { bound } = scheduleWelfareBound(book, rules);
 * scheduleFast(book, rules).welfare / bound; // a lower bound on the fast schedule's share of the optimum
 */
export function scheduleWelfareBound(
  book: TimedBook,
  rules: ScheduleRules,
  options: WelfareBoundOptions = {},
): ScheduleBound {
  const started = performance.now();
  const iterations = options.iterations ?? 300;
  const prep = prepareSchedule(book, rules);
  const { bids, computes, computeFree, energy, links, span } = prep;
  const fee = 1 + rules.platformFeeBps / 10_000;

  // Pairs (bid, offer): profit per VCU-hour before certificates and links, and for a remote offer
  // the bid's route it needs (its index among the bid's routes; −1: the buyer's own region).
  const pairStart = new Int32Array(bids.length + 1);
  const pairOffer: number[] = [];
  const pairProfit: number[] = [];
  const pairRoute: number[] = [];
  // Per bid, route and start: the job's link fee at the cheapest link within the bid's latency whose
  // window covers the job (∞: none), at routeFee[routeStart[b] + route·starts + start − firstStart].
  const routeStart = new Int32Array(bids.length + 1);
  const routeFee: number[] = [];
  const routeIndex = new Map<number, number>();
  bids.forEach((bid, b) => {
    const order = bid.order;
    routeIndex.clear();
    for (const c of bid.candidates) {
      const compute = computes[c];
      let route = -1;
      if (compute.reserve * fee > bid.limit) continue;
      if (compute.region !== order.buyerRegion) {
        const key = routeKey(compute.region, order.buyerRegion);
        route = routeIndex.get(key) ?? -1;
        if (route < 0) {
          route = routeIndex.size;
          routeIndex.set(key, route);
          const fees = routeFee.length;
          for (let s = bid.firstStart; s <= bid.lastStart; s++) routeFee.push(Infinity);
          for (const w of prep.routes.get(key) ?? []) {
            const l = links[w];
            if (l.order.latencyMs > order.maxLatencyMs) continue;
            const price = l.price * bid.mbps * bid.duration;
            for (let s = Math.max(l.start, bid.firstStart); s <= Math.min(l.end - bid.duration, bid.lastStart); s++)
              routeFee[fees + s - bid.firstStart] = Math.min(routeFee[fees + s - bid.firstStart], price);
          }
        }
      }
      pairOffer.push(c);
      pairProfit.push(bid.limit - compute.reserve);
      pairRoute.push(route);
    }
    pairStart[b + 1] = pairOffer.length;
    routeStart[b + 1] = routeFee.length;
  });

  const slots = energy.left.length;
  const lambda = new Float64Array(computeFree.length);
  const mu = new Float64Array(slots);
  const prefix = new Float64Array(computeFree.length + computes.length);
  const usage = new Float64Array(computeFree.length);
  const demand = new Float64Array(slots);
  // Cheapest effective certificate price (reserve per Wh + μ) per pool and hour, and its slot.
  const pools = REGION_SLOTS + GRID_AREAS.length + 1;
  const poolMin = new Float64Array(pools * span);
  const poolArg = new Int32Array(pools * span);

  // Scratch for one bid at one start.
  const hourPrice: number[] = [];
  const hourIndex: number[] = [];
  const fillPair: number[] = [];
  const fillValue: number[] = [];
  const fillCap: number[] = [];
  const energyPerVcu = new Float64Array(pools); // per pool, at the start being evaluated (NaN: not yet)
  const energyDearest = new Float64Array(pools); // the dearest hour's price among those energyPerVcu takes

  /** Cost of the certificates one VCU-hour-need unit needs at start s: Σ of the cheapest share·d hours. */
  const energyUnitCost = (pool: number, s: number, d: number, share: number, record: number) => {
    hourPrice.length = 0;
    hourIndex.length = 0;
    for (let k = 0; k < d; k++) {
      const price = poolMin[pool * span + s + k];
      if (price === Infinity) continue;
      let i = hourPrice.length;
      hourPrice.push(price);
      hourIndex.push(s + k);
      while (i > 0 && hourPrice[i - 1] > price) {
        hourPrice[i] = hourPrice[i - 1];
        hourIndex[i] = hourIndex[i - 1];
        i--;
      }
      hourPrice[i] = price;
      hourIndex[i] = s + k;
    }
    let hours = share * d;
    if (hourPrice.length < hours - 1e-12) return Infinity;
    let cost = 0;
    for (let i = 0; i < hourPrice.length && hours > 0; i++) {
      const part = Math.min(1, hours);
      cost += part * hourPrice[i];
      energyDearest[pool] = hourPrice[i];
      if (record > 0) demand[poolArg[pool * span + hourIndex[i]]] += part * record;
      hours -= part;
    }
    return cost;
  };

  /**
   * Best fill of bid b at start s under the current prices: the offers by value per VCU, taking
   * remote ones only on the routes whose link it pays for (each subset of its routes is tried: a
   * bid reaches at most a few regions). Records usage when `record`.
   */
  const fill = (b: number, s: number, record: boolean) => {
    const bid = bids[b];
    const d = bid.duration;
    const share = bid.order.minGreenBps / 10_000;
    const origin = bid.order.certificateOrigin;
    fillPair.length = 0;
    fillValue.length = 0;
    fillCap.length = 0;
    energyPerVcu.fill(Number.NaN);
    const starts = bid.lastStart - bid.firstStart + 1;
    const feeAt = routeStart[b] + s - bid.firstStart;
    let reached = 0; // routes (bit r) with an offer worth taking at this start
    let rounding = 0; // Σ over the offers a match could use of the rounding's saving
    for (let p = pairStart[b]; p < pairStart[b + 1]; p++) {
      const ci = pairOffer[p];
      const c = computes[ci];
      if (c.start > s || s + d > c.end) continue;
      const at = c.offset + ci - c.start + s;
      let u = d * pairProfit[p] - (prefix[at + d] - prefix[at]);
      if (share > 0) {
        const pool = certificatePool(origin, c.region);
        if (pool < 0) continue;
        if (Number.isNaN(energyPerVcu[pool])) energyPerVcu[pool] = energyUnitCost(pool, s, d, share, 0);
        if (energyPerVcu[pool] === Infinity) continue;
        u -= (energyPerVcu[pool] * c.milliWhPerVcuHour) / 1000;
        // The contract rounds each hour's need down to whole Wh: a match may buy share·d Wh less,
        // saving at most as many of the dearest hour it buys, once per match whatever its VCU. Every
        // offer's saving is counted, taken or not: the fill below may then stay linear in VCU.
        rounding += share * d * energyDearest[pool];
      }
      if (!(u > 0)) continue;
      const route = pairRoute[p];
      if (route >= 0) {
        if (routeFee[feeAt + route * starts] === Infinity) continue; // no link covers the job from s
        reached |= 1 << route;
      }
      let i = fillPair.length;
      fillPair.push(p);
      fillValue.push(u);
      fillCap.push(c.capacity);
      while (i > 0 && fillValue[i - 1] < u) {
        fillPair[i] = fillPair[i - 1];
        fillValue[i] = fillValue[i - 1];
        fillCap[i] = fillCap[i - 1];
        i--;
      }
      fillPair[i] = p;
      fillValue[i] = u;
      fillCap[i] = c.capacity;
    }
    let bestValue = 0;
    let bestOpen = -1;
    // Every subset `open` of the reached routes (Gosper-free: masks up to `reached`, skipping others).
    for (let open = 0; open <= reached; open++) {
      if ((open & ~reached) !== 0) continue;
      let value = 0;
      for (let r = 0; r < 31; r++) if (((open >>> r) & 1) === 1) value -= routeFee[feeAt + r * starts];
      let left = bid.remaining;
      for (let i = 0; i < fillPair.length && left > 0; i++) {
        const route = pairRoute[fillPair[i]];
        if (route >= 0 && ((open >>> route) & 1) === 0) continue;
        const q = Math.min(left, fillCap[i]);
        value += q * fillValue[i];
        left -= q;
      }
      if (value > bestValue) {
        bestValue = value;
        bestOpen = open;
      }
    }
    if (!record || bestOpen < 0) return bestValue + rounding;
    let left = bid.remaining;
    for (let i = 0; i < fillPair.length && left > 0; i++) {
      const route = pairRoute[fillPair[i]];
      if (route >= 0 && ((bestOpen >>> route) & 1) === 0) continue;
      const q = Math.min(left, fillCap[i]);
      left -= q;
      const ci = pairOffer[fillPair[i]];
      const c = computes[ci];
      for (let k = 0; k < d; k++) usage[c.offset + s - c.start + k] += q;
      if (share > 0) energyUnitCost(certificatePool(origin, c.region), s, d, share, (q * c.milliWhPerVcuHour) / 1000);
    }
    return bestValue + rounding;
  };

  /** L at the current prices; leaves the projected subgradient in usage and demand. */
  const evaluate = () => {
    computes.forEach((c, ci) => {
      const p = c.offset + ci;
      prefix[p] = 0;
      for (let k = 0; k < c.end - c.start; k++) prefix[p + k + 1] = prefix[p + k] + lambda[c.offset + k];
    });
    poolMin.fill(Infinity);
    for (let k = 0; k < slots; k++) {
      if (energy.left[k] <= 0) continue;
      const price = energy.pricePerKwh[k] / 1000 + mu[k];
      const h = energy.hour[k];
      const r = energy.region[k];
      const area = AREA_OF_REGION[r];
      for (const pool of [r, area < 0 ? -1 : REGION_SLOTS + area, REGION_SLOTS + GRID_AREAS.length]) {
        if (pool >= 0 && price < poolMin[pool * span + h]) {
          poolMin[pool * span + h] = price;
          poolArg[pool * span + h] = k;
        }
      }
    }
    usage.fill(0);
    demand.fill(0);
    let value = 0;
    for (let b = 0; b < bids.length; b++) {
      const bid = bids[b];
      let bestValue = 0;
      let bestStart = -1;
      for (let s = bid.firstStart; s <= bid.lastStart; s++) {
        const v = fill(b, s, false);
        if (v > bestValue) {
          bestValue = v;
          bestStart = s;
        }
      }
      if (bestStart < 0) continue;
      value += bestValue;
      fill(b, bestStart, true);
    }
    for (let i = 0; i < lambda.length; i++) {
      value += lambda[i] * computeFree[i];
      const g = computeFree[i] - usage[i];
      usage[i] = lambda[i] <= 0 && g > 0 ? 0 : g;
    }
    for (let k = 0; k < slots; k++) {
      value += mu[k] * energy.left[k];
      const g = energy.left[k] - demand[k];
      demand[k] = mu[k] <= 0 && g > 0 ? 0 : g;
    }
    return value;
  };

  // The best prices and their subgradient (a restart steps from there without evaluating again),
  // and the deflected directions.
  const bestLambda = new Float64Array(lambda.length);
  const bestMu = new Float64Array(slots);
  const bestUsage = new Float64Array(lambda.length);
  const bestDemand = new Float64Array(slots);
  const dirLambda = new Float64Array(lambda.length);
  const dirMu = new Float64Array(slots);
  // 1 / capacity (at least 1 VCU or Wh) of each price's capacity: the metric of the steps.
  const perCompute = Float64Array.from(computeFree, (free) => 1 / Math.max(1, free));
  const perSlot = Float64Array.from(energy.left, (left) => 1 / Math.max(1, left));
  let best = Infinity;
  let delta = 0;
  let groupBest = Infinity; // the best value when the current level was set
  let sinceDescent = 0; // steps since L last fell by 10⁻⁴ of itself
  let done = 0;
  for (let it = 0; it < iterations; it++) {
    done = it + 1;
    let value = evaluate();
    // Steps without a descent of 10⁻⁴ count towards raising the level.
    if (value < best - 1e-4 * Math.abs(best)) sinceDescent = 0;
    else sinceDescent++;
    if (value < best) {
      best = value;
      bestLambda.set(lambda);
      bestMu.set(mu);
      bestUsage.set(usage);
      bestDemand.set(demand);
    }
    options.onStep?.(done, value, best);
    if (done === 1) {
      delta = FIRST_LEVEL * Math.abs(value);
      groupBest = value;
    }
    if (best <= groupBest - delta / 2) {
      groupBest = best;
      sinceDescent = 0;
    } else if (sinceDescent >= PATIENCE) {
      delta /= 2;
      groupBest = best;
      sinceDescent = 0;
      if (value > best) {
        lambda.set(bestLambda);
        mu.set(bestMu);
        usage.set(bestUsage);
        demand.set(bestDemand);
        dirLambda.fill(0);
        dirMu.fill(0);
        value = best;
      }
    }
    if (delta <= 1e-5 * Math.abs(best)) break;
    // Deflected directions, projected again: a price at zero does not fall. Steps are measured in
    // the norm Σ capacity·x² (each price moves by its capacity's share of the excess, not by the
    // excess in VCU or Wh): one step then corrects a small offer's hour as much as a large one's.
    let normCompute = 0;
    for (let i = 0; i < lambda.length; i++) {
      dirLambda[i] = usage[i] + DEFLECTION * dirLambda[i];
      if (lambda[i] <= 0 && dirLambda[i] > 0) dirLambda[i] = 0;
      normCompute += dirLambda[i] * dirLambda[i] * perCompute[i];
    }
    let normEnergy = 0;
    for (let k = 0; k < slots; k++) {
      dirMu[k] = demand[k] + DEFLECTION * dirMu[k];
      if (mu[k] <= 0 && dirMu[k] > 0) dirMu[k] = 0;
      normEnergy += dirMu[k] * dirMu[k] * perSlot[k];
    }
    const gap = value - (best - delta);
    if (normCompute > 0) {
      const step = gap / 2 / normCompute;
      for (let i = 0; i < lambda.length; i++) lambda[i] = Math.max(0, lambda[i] - step * dirLambda[i] * perCompute[i]);
    }
    if (normEnergy > 0) {
      const step = gap / 2 / normEnergy;
      for (let k = 0; k < slots; k++) mu[k] = Math.max(0, mu[k] - step * dirMu[k] * perSlot[k]);
    }
  }
  return { bound: best, iterations: done, elapsedMs: performance.now() - started };
}

export type BlockBound = {
  bound: number;
  /** Whether every block's LP was solved to optimality (else `bound` is +∞: no valid bound). */
  optimal: boolean;
  blocks: number;
  /** Capacities (compute offer-hours, certificate slots, link-hours) that more than one block uses. */
  sharedCapacities: number;
  elapsedMs: number;
};

export type BlockBoundOptions = {
  /** Bids per block (default 300). */
  blockBids?: number;
  /** Per LP (default 300 s). */
  timeLimitSeconds?: number;
  /**
   * "pooled" (default): the pooled relaxation of pooled-lp.ts, ~10× lighter on flexible books;
   * "exact": the exact model's own LP relaxation (exact.ts).
   */
  model?: "pooled" | "exact";
};

/**
 * An upper bound on the welfare of any feasible schedule, as tight as the LP relaxation of the
 * exact model (exact.ts) on books far too large for one LP. The bids, in order of their first
 * start, are cut into blocks of `blockBids`, and each block's LP is solved by HiGHS over every
 * capacity its bids can reach. A capacity (compute offer-hour, certificate slot, link-hour) that
 * bids of two blocks can both use is kept, whole, in each block, and priced by a multiplier λ ≥ 0:
 *   L(λ) = Σ_blocks LP_block(objective − λ·use of shared capacities) + Σ_shared λ·capacity
 * is at least the welfare of every feasible schedule for every λ ≥ 0 (a feasible schedule's blocks
 * are feasible in their own LPs, and its total use of a shared capacity is at most the capacity).
 * With λ the whole book's LP duals, L(λ) is the LP optimum; they are estimated by the duals of
 * the shared capacities in an LP of half a block's bids laid across each cut, where bids of both
 * sides compete for them (on a 3,000-order book: within 10⁻⁵ of the LP of the whole book).
 */
export function scheduleBlockBound(book: TimedBook, rules: ScheduleRules, options: BlockBoundOptions = {}): BlockBound {
  const started = performance.now();
  const prep = prepareSchedule(book, rules);
  const blockBids = options.blockBids ?? 300;
  const timeLimit = options.timeLimitSeconds ?? 300;
  const build = options.model === "exact" ? buildScheduleModel : buildPooledModel;
  const order = [...prep.bids.keys()].sort((x, y) => prep.bids[x].firstStart - prep.bids[y].firstStart || x - y);
  const models: ScheduleModel[] = [];
  for (let i = 0; i < order.length; i += blockBids)
    models.push(build(prep, order.slice(i, i + blockBids), rules.platformFeeBps));

  // Capacities as one index space: compute offer-hours, then certificate slots, then link-hours.
  const slotBase = prep.computeFree.length;
  const linkBase = slotBase + prep.energy.left.length;
  const capacity = new Float64Array(linkBase + prep.linkFree.length);
  capacity.set(prep.computeFree, 0);
  capacity.set(prep.energy.left, slotBase);
  capacity.set(prep.linkFree, linkBase);
  const rowsOf = (model: ScheduleModel) =>
    [
      [model.computeRows, 0],
      [model.slotRows, slotBase],
      [model.linkRows, linkBase],
    ] as const;
  const users = new Int32Array(capacity.length);
  const firstUser = new Int32Array(capacity.length).fill(-1);
  models.forEach((model, k) => {
    for (const [rows, base] of rowsOf(model))
      for (const i of rows.keys()) {
        users[base + i]++;
        if (firstUser[base + i] < 0) firstUser[base + i] = k;
      }
  });
  let sharedCapacities = 0;
  for (const u of users) if (u >= 2) sharedCapacities++;

  const lambda = new Float64Array(capacity.length);
  const half = Math.max(1, Math.round(blockBids / 4));
  for (let k = 0; k + 1 < models.length; k++) {
    const cut = (k + 1) * blockBids;
    const across = build(prep, order.slice(cut - half, cut + half), rules.platformFeeBps);
    const solved = across.m.solve(timeLimit, false);
    if (!solved.optimal || solved.rowDuals === undefined) continue; // λ = 0 there: still valid
    for (const [rows, base] of rowsOf(across))
      for (const [i, r] of rows) {
        const key = base + i;
        if (users[key] >= 2 && firstUser[key] === k) lambda[key] = Math.max(0, solved.rowDuals[r.row] / MONEY);
      }
  }

  let bound = 0;
  for (let i = 0; i < capacity.length; i++) if (users[i] >= 2) bound += lambda[i] * capacity[i];
  for (const model of models) {
    const { m } = model;
    if (m.colCost.length === 0) continue;
    const cost = m.colCost.slice();
    for (const [rows, base] of rowsOf(model))
      for (const [i, r] of rows) {
        const price = users[base + i] >= 2 ? lambda[base + i] : 0;
        if (price > 0) for (const [col, a] of r.entries) cost[col] -= price * a * MONEY;
      }
    const solved = m.solve(timeLimit, false, 1e-6, cost);
    const elapsedMs = performance.now() - started;
    if (!solved.optimal)
      return { bound: Number.POSITIVE_INFINITY, optimal: false, blocks: models.length, sharedCapacities, elapsedMs };
    bound += solved.bound / MONEY;
  }
  return { bound, optimal: true, blocks: models.length, sharedCapacities, elapsedMs: performance.now() - started };
}
