// A lighter relaxation of the exact model (exact.ts) for the bounds of bound.ts: the same starts,
// VCU, links and capacity rows, but certificates bought per (bid, start, origin pool, hour) instead of
// per (bid, start, compute offer, device-hour). docs/pricing.md, "Scheduling in hours".
//
// Certificates flow bid → (pool, hour) → (region, hour) → slot: per (bid, start, pool P, hour h) a
// column g of the Wh the bid's compute offers in P take in h; per (P, region r in P, hour h) a
// column y; per slot k (one device-hour) a column v_k, paid at its reserve and limited to its Wh.
// Rows: Σ_bids g_Ph ≤ Σ_r y_Prh; Σ_P y_Prh ≤ Σ_(k in r, h) v_k; g_Ph ≤ Σ_(c in P) n_c·x_c (the
// need of the hour); Σ_h g_P ≥ share·d·(Σ_(c in P) n_c·x_c − z·|c in P|) (the minimum green, the
// exact model's per-match rows summed over P with their 1 Wh rounding each).
//
// Every feasible schedule maps into it: take z, x and the links as in the exact model,
// g = the Wh its matches of P buy in h, y = those of region r, v_k = the Wh sold of slot k; every row
// above is a sum of the exact model's rows or an identity, and the certificate cost Σ price·v is the
// schedule's. The all-in limit per (bid, start) charges g at the cheapest certificate of (P, h), at
// most what the schedule pays. So the LP optimum is at least the welfare of any feasible schedule;
// it differs from the exact model's LP only by that cheaper limit row and the summed rounding.
// The columns per (bid, start) are the compute offers, the links and pools × hours, where the exact
// model has compute offers × hours × device-hours of each: a flexible book's LP shrinks ~10×.

import { MONEY, type ScheduleModel } from "./exact.ts";
import { ModelBuilder } from "./model.ts";
import {
  AREA_OF_REGION,
  certificatePool,
  GRID_AREAS,
  type PreparedSchedule,
  REGION_SLOTS,
  routeKey,
} from "./prepare.ts";

const POOLS = REGION_SLOTS + GRID_AREAS.length + 1;

/** Regions of certificate pool `pool` (as numbered by prepare.ts certificatePool). */
function regionsOfPool(pool: number): number[] {
  if (pool < REGION_SLOTS) return [pool];
  const regions: number[] = [];
  for (let r = 0; r < REGION_SLOTS; r++)
    if (pool === POOLS - 1 || AREA_OF_REGION[r] === pool - REGION_SLOTS) regions.push(r);
  return regions;
}

/**
 * States the pooled relaxation for the bids `bidIndices` (indices into `prep.bids`) over the whole
 * prepared book's capacities. Its `slotRows` are one row per slot (v_k ≤ Wh of k), so the block
 * bound prices a slot shared by two blocks as it does in the exact model; `starts` and `candidates`
 * are empty (the model is for bounds only, not for rounding back to a schedule).
 */
export function buildPooledModel(
  prep: PreparedSchedule,
  bidIndices: Iterable<number>,
  platformFeeBps: number,
): ScheduleModel {
  const { bids, computes, computeFree, links, linkFree, energy, span } = prep;
  const fee = 1 + platformFeeBps / 10_000;
  const m = new ModelBuilder();
  const computeEntries = new Map<number, [number, number][]>();
  const linkEntries = new Map<number, [number, number][]>();
  const poolHourEntries = new Map<number, [number, number][]>(); // pool·span + hour → g columns
  const push = (map: Map<number, [number, number][]>, key: number, entry: [number, number]) => {
    const list = map.get(key);
    if (list === undefined) map.set(key, [entry]);
    else list.push(entry);
  };
  // Wh for sale and the cheapest price per Wh of a (pool, hour), computed when first asked.
  const poolSupply = new Map<number, { wh: number; cheapest: number }>();
  const supplyOf = (pool: number, h: number) => {
    const key = pool * span + h;
    let found = poolSupply.get(key);
    if (found === undefined) {
      let wh = 0;
      let cheapest = Infinity;
      for (const r of regionsOfPool(pool)) {
        const cell = r * span + h;
        for (let i = energy.cellStart[cell]; i < energy.cellStart[cell + 1]; i++) {
          const k = energy.cellSlots[i];
          wh += energy.left[k];
          cheapest = Math.min(cheapest, energy.pricePerKwh[k] / 1000);
        }
      }
      found = { wh, cheapest };
      poolSupply.set(key, found);
    }
    return found;
  };

  for (const b of bidIndices) {
    const bid = bids[b];
    const order = bid.order;
    const d = bid.duration;
    const share = order.minGreenBps / 10_000;
    const zs: [number, number][] = [];
    for (let s = bid.firstStart; s <= bid.lastStart; s++) {
      const offers: number[] = [];
      for (const c of bid.candidates) {
        const compute = computes[c];
        if (compute.reserve * fee > bid.limit || compute.start > s || s + d > compute.end) continue;
        offers.push(c);
      }
      if (offers.length === 0) continue;
      const z = m.column(0, 0, 1, false);
      zs.push([z, 1]);
      const scale = 1 / (bid.limit * d);
      const limitRow: [number, number][] = [];
      const vcuRow: [number, number][] = [[z, -bid.remaining]];
      // Per pool: the need of one hour, Σ n_c·x_c, and how many offers it sums.
      const needOfPool = new Map<number, { need: [number, number][]; offers: number }>();
      const remote = new Map<number, [number, number][]>(); // route → [x, its upper bound] of the offers it carries
      for (const c of offers) {
        const compute = computes[c];
        // At most the offer's least free hour of the job, and only at the start taken: x ≤ u·z.
        let upper = bid.remaining;
        for (let k = 0; k < d; k++) upper = Math.min(upper, computeFree[compute.offset + s - compute.start + k]);
        // Column bounds left open where a row limits the column: the duals then sit on the capacity
        // rows, where the block bound reads them (a bound's dual would hide the capacity's price).
        const x = m.column((bid.limit - compute.reserve) * d * MONEY, 0, Infinity, false);
        m.row(
          [
            [x, 1],
            [z, -upper],
          ],
          -Infinity,
          0,
        );
        vcuRow.push([x, 1]);
        limitRow.push([x, (fee * compute.reserve * d - bid.limit * d) * scale]);
        for (let k = 0; k < d; k++) push(computeEntries, compute.offset + s - compute.start + k, [x, 1]);
        if (share > 0) {
          const pool = certificatePool(order.certificateOrigin, compute.region);
          if (pool < 0) {
            // No certificate may serve this offer: only the rounding allowance of the minimum share.
            m.row([[x, -share * d * (compute.milliWhPerVcuHour / 1000)]], -share * d, Infinity);
          } else {
            const entry = needOfPool.get(pool) ?? { need: [], offers: 0 };
            entry.need.push([x, -compute.milliWhPerVcuHour / 1000]);
            entry.offers++;
            needOfPool.set(pool, entry);
          }
        }
        if (compute.region !== order.buyerRegion) {
          const key = routeKey(compute.region, order.buyerRegion);
          remote.set(key, [...(remote.get(key) ?? []), [x, upper]]);
        }
      }
      for (const [pool, { need, offers: count }] of needOfPool) {
        const green: [number, number][] = [];
        for (let k = 0; k < d; k++) {
          const supply = supplyOf(pool, s + k);
          if (supply.wh <= 0) continue;
          const g = m.column(0, 0, Infinity, false);
          green.push([g, 1]);
          push(poolHourEntries, pool * span + s + k, [g, 1]);
          m.row([[g, 1], ...need], -Infinity, 0);
          limitRow.push([g, fee * supply.cheapest * scale]);
        }
        const shareRow: [number, number][] = [...green, [z, share * d * count]];
        for (const [x, minusN] of need) shareRow.push([x, share * d * minusN]);
        m.row(shareRow, 0, Infinity);
      }
      for (const [key, xs] of remote) {
        const usable: number[] = [];
        for (const w of prep.routes.get(key) ?? []) {
          const l = links[w];
          if (l.order.latencyMs > order.maxLatencyMs || l.start > s || s + d > l.end) continue;
          const col = m.column(-l.price * bid.mbps * d * MONEY, 0, 1, false);
          usable.push(col);
          m.row(
            [
              [col, 1],
              [z, -1],
            ],
            -Infinity,
            0,
          );
          for (let k = 0; k < d; k++) push(linkEntries, l.offset + s - l.start + k, [col, bid.mbps]);
          limitRow.push([col, fee * l.price * bid.mbps * d * scale]);
        }
        for (const [x, upper] of xs)
          m.row([[x, 1], ...usable.map((col) => [col, -upper] as [number, number])], -Infinity, 0);
      }
      m.row(vcuRow, -Infinity, 0);
      m.row(limitRow, -Infinity, offers.length * scale);
    }
    m.row(zs, 0, 1);
  }

  // Pool → region → slot.
  const regionHourEntries = new Map<number, [number, number][]>(); // region·span + hour
  for (const [key, entries] of poolHourEntries) {
    const pool = Math.floor(key / span);
    const h = key % span;
    const row: [number, number][] = [...entries];
    for (const r of regionsOfPool(pool)) {
      const cell = r * span + h;
      if (energy.cellStart[cell] === energy.cellStart[cell + 1]) continue;
      const y = m.column(0, 0, Infinity, false);
      row.push([y, -1]);
      push(regionHourEntries, cell, [y, 1]);
    }
    m.row(row, -Infinity, 0);
  }
  const slotEntries = new Map<number, [number, number][]>();
  for (const [cell, entries] of regionHourEntries) {
    const row: [number, number][] = [...entries];
    for (let i = energy.cellStart[cell]; i < energy.cellStart[cell + 1]; i++) {
      const k = energy.cellSlots[i];
      const v = m.column((-energy.pricePerKwh[k] / 1000) * MONEY, 0, Infinity, false);
      row.push([v, -1]);
      slotEntries.set(k, [[v, 1]]);
    }
    m.row(row, -Infinity, 0);
  }

  const rows = (map: Map<number, [number, number][]>, free: ArrayLike<number>) => {
    const out: ScheduleModel["computeRows"] = new Map();
    for (const [i, entries] of map) out.set(i, { entries, row: m.row(entries, 0, free[i]) });
    return out;
  };
  return {
    m,
    starts: [],
    candidates: [],
    computeRows: rows(computeEntries, computeFree),
    slotRows: rows(slotEntries, energy.left),
    linkRows: rows(linkEntries, linkFree),
  };
}
