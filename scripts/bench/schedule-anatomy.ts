// Where the fast scheduler loses welfare against the LP (docs/pricing.md, "The fast scheduler"): on a
// seeded fixed-window book whose pooled LP solves whole, the LP's primal is compared with the fast
// schedule bid by bid and capacity by capacity.
//
//   node scripts/bench/schedule-anatomy.ts --orders 1000 --seed 1
//   node scripts/bench/schedule-anatomy.ts --orders 100000 --full-service   no LP: the short bids
//
// Prints JSON: the welfare gap split over the bids the LP serves more (by green share, origin,
// duration, density decile, size) and less than the fast schedule; what stops each under-served bid
// in the fast schedule's final state (compute full, its pool's certificates sold out, links full, or
// nothing but its all-in limit); who holds the cells that block it (bids the fast schedule serves
// more than the LP, as much, or less); and how much of the capacity the LP prices (dual ≠ 0) the fast
// schedule leaves idle. A bid's LP welfare charges its minimum green Wh at the LP's mean certificate
// price (the pooled LP's certificate columns are not mapped bid by bid): the split is an estimate,
// the totals are exact.

import os from "node:os";
import { MONEY, type ScheduleModel } from "../../backend/pricing/schedule/exact.ts";
import { scheduleFast } from "../../backend/pricing/schedule/fast.ts";
import { buildPooledModel } from "../../backend/pricing/schedule/pooled-lp.ts";
import { certificatePool, prepareSchedule, REGION_SLOTS, routeKey } from "../../backend/pricing/schedule/prepare.ts";
import { HOUR } from "../../backend/pricing/schedule/types.ts";
import { randomTimeBook, TIME_BOOK_NOW } from "../../test/backend/pricing/schedule/fixtures/books.ts";

const argument = (name: string, fallback: string) => {
  const at = process.argv.indexOf(name);
  return at >= 0 && at + 1 < process.argv.length ? process.argv[at + 1] : fallback;
};
const orders = Number(argument("--orders", "1000"));
const seed = Number(argument("--seed", "1"));
if (!Number.isInteger(orders) || orders < 10 || !Number.isInteger(seed))
  throw new Error("--orders takes a whole number of orders ≥ 10, --seed a whole number");
const rules = { now: TIME_BOOK_NOW, platformFeeBps: 30 };
const fee = 1 + rules.platformFeeBps / 10_000;

const book = randomTimeBook({ orders, seed, flexibleShare: 0 });
const prep = prepareSchedule(book, rules);
const { bids, computes, energy, span } = prep;
const all = Array.from(bids.keys());
// --full-service: no LP (the 100k book's does not solve whole); each bid's reference is its whole VCU
// on its best offer, so the tables show the fast schedule's short bids and what stops them.
const fullService = process.argv.includes("--full-service");
const model = fullService ? undefined : buildPooledModel(prep, all, rules.platformFeeBps);
const solved = model?.m.solve(600, false);
if (model !== undefined && solved?.optimal !== true) throw new Error("the LP did not solve");
const lpVcu = new Float64Array(bids.length);
const lpOn = new Map<number, number>(); // b·computes + c → VCU
if (model === undefined || solved?.values === undefined) {
  for (const b of all) {
    const bid = bids[b];
    let best = -1;
    let bestProfit = 0;
    for (const c of bid.candidates) {
      const compute = computes[c];
      const green = ((bid.order.minGreenBps / 10_000) * compute.milliWhPerVcuHour) / 1000;
      const profit = bid.limit - compute.reserve - green * prep.meanPricePerWh;
      if (compute.reserve * fee <= bid.limit && profit > bestProfit) {
        best = c;
        bestProfit = profit;
      }
    }
    if (best < 0) continue;
    lpVcu[b] = bid.remaining;
    lpOn.set(b * computes.length + best, bid.remaining);
  }
} else {
  // The x columns (VCU of bid b on offer c at start s) are the model's only columns of positive
  // cost, made in this order (pooled-lp.ts).
  const values = solved.values;
  const positive: number[] = [];
  for (let i = 0; i < model.m.colCost.length; i++) if (model.m.colCost[i] > 0) positive.push(i);
  let next = 0;
  for (const b of all) {
    const bid = bids[b];
    for (let s = bid.firstStart; s <= bid.lastStart; s++)
      for (const c of bid.candidates) {
        const compute = computes[c];
        if (compute.reserve * fee > bid.limit || compute.start > s || s + bid.duration > compute.end) continue;
        const v = values[positive[next++]];
        lpVcu[b] += v;
        if (v > 1e-9) lpOn.set(b * computes.length + c, (lpOn.get(b * computes.length + c) ?? 0) + v);
      }
  }
  if (next !== positive.length) throw new Error(`mapped ${next} x columns of ${positive.length}`);
}

const fast = scheduleFast(book, rules);
const bidIndex = new Map(bids.map((bid, b) => [bid.order.id, b]));
const computeIndex = new Map(computes.map((c, i) => [c.order.id, i]));
const slotOf = new Map<string, number>();
for (let k = 0; k < energy.left.length; k++)
  slotOf.set(`${book.energyOffers[energy.offer[k]].id}:${energy.hour[k]}`, k);
const fastVcu = new Float64Array(bids.length);
const fastWelfare = new Float64Array(bids.length);
const fastUsed = new Float64Array(prep.computeFree.length);
const computeHolders: { b: number; cell: number; vcu: number }[] = [];
const fastWh = new Float64Array(energy.left.length);
const holders: { b: number; slot: number; wh: number }[] = [];
const linkPaid = new Set<string>();
const linkUsed = new Float64Array(prep.linkFree.length);
const linkIndex = new Map(prep.links.map((l, i) => [l.order.id, i]));
for (const m of fast.matches) {
  const b = bidIndex.get(m.bidId) as number;
  const c = computeIndex.get(m.computeOfferId) as number;
  const bid = bids[b];
  const compute = computes[c];
  const s = m.start / HOUR - prep.base;
  fastVcu[b] += m.vcu;
  let w = (bid.limit - compute.reserve) * m.vcu * bid.duration;
  for (let k = 0; k < bid.duration; k++) {
    fastUsed[compute.offset + s - compute.start + k] += m.vcu;
    computeHolders.push({ b, cell: compute.offset + s - compute.start + k, vcu: m.vcu });
  }
  for (const lot of m.energyLots) {
    const k = slotOf.get(`${lot.offerId}:${lot.hour / HOUR - prep.base}`) as number;
    fastWh[k] += Number(lot.wh);
    holders.push({ b, slot: k, wh: Number(lot.wh) });
    w -= (Number(lot.wh) * energy.pricePerKwh[k]) / 1000;
  }
  if (m.bandwidthOfferId !== 0n && !linkPaid.has(`${b}:${m.bandwidthOfferId}`)) {
    linkPaid.add(`${b}:${m.bandwidthOfferId}`);
    const link = prep.links[linkIndex.get(m.bandwidthOfferId) as number];
    w -= link.price * bid.mbps * bid.duration;
    for (let k = 0; k < bid.duration; k++) linkUsed[link.offset + s - link.start + k] += bid.mbps;
  }
  fastWelfare[b] += w;
}

// LP welfare per bid: its x at (limit − reserve)·d, less its minimum green Wh at the LP's mean
// price per Wh sold, less its cheapest link when remote (the pooled LP's g and link columns are not
// mapped one by one; the split is an estimate, the total is the LP's).
let lpWh = 0;
let lpCertificateCost = 0;
for (const [k, { row }] of model?.slotRows ?? []) {
  const v = solved?.rowValues?.[row] ?? 0;
  lpWh += v;
  lpCertificateCost += (v * energy.pricePerKwh[k]) / 1000;
}
const lpPricePerWh = lpWh > 0 ? lpCertificateCost / lpWh : prep.meanPricePerWh;
const lpWelfare = new Float64Array(bids.length);
for (const [key, v] of lpOn) {
  const b = Math.floor(key / computes.length);
  const c = key % computes.length;
  const bid = bids[b];
  const compute = computes[c];
  const green = ((bid.order.minGreenBps / 10_000) * compute.milliWhPerVcuHour) / 1000;
  lpWelfare[b] += (bid.limit - compute.reserve - green * lpPricePerWh) * v * bid.duration;
}
const lpTotal = solved === undefined ? Number.NaN : solved.bound / MONEY;

// Density (pass 1's estimate at the book's mean certificate price, without links) of each bid.
const density = bids.map((bid) => {
  let best = 0;
  for (const c of bid.candidates) {
    const compute = computes[c];
    const green = ((bid.order.minGreenBps / 10_000) * compute.milliWhPerVcuHour) / 1000;
    best = Math.max(best, bid.limit - compute.reserve - green * prep.meanPricePerWh);
  }
  return best / bid.limit;
});
const sortedDensity = [...density].sort((a, b) => a - b);
const decile = (b: number) =>
  Math.min(9, Math.floor((10 * sortedDensity.findIndex((d) => d >= density[b])) / sortedDensity.length));

// What stops an under-served bid in the fast schedule's final state: at its start, does any of its
// offers have VCU free in all of its hours, and does its origin pool have certificate Wh left?
const free = (c: number, s: number, d: number) => {
  const compute = computes[c];
  if (compute.start > s || s + d > compute.end) return 0;
  let f = Infinity;
  for (let k = 0; k < d; k++) {
    const i = compute.offset + s - compute.start + k;
    f = Math.min(f, prep.computeFree[i] - fastUsed[i]);
  }
  return f;
};
const cellLeft = (r: number, h: number) => {
  let wh = 0;
  const cell = r * span + h;
  for (let i = energy.cellStart[cell]; i < energy.cellStart[cell + 1]; i++) {
    const k = energy.cellSlots[i];
    wh += energy.left[k] - fastWh[k];
  }
  return wh;
};
const linkRoom = (b: number, c: number, s: number) => {
  const bid = bids[b];
  const region = computes[c].region;
  if (region === bid.order.buyerRegion) return true;
  for (const w of prep.routes.get(routeKey(region, bid.order.buyerRegion)) ?? []) {
    const l = prep.links[w];
    if (l.start > s || s + bid.duration > l.end || l.order.latencyMs > bid.order.maxLatencyMs) continue;
    let room = true;
    for (let k = 0; k < bid.duration && room; k++)
      room = prep.linkFree[l.offset + s - l.start + k] - linkUsed[l.offset + s - l.start + k] >= bid.mbps;
    if (room) return true;
  }
  return false;
};
/** VCU of offer c the origin pool's Wh left can cover at start s (the minimum share in the job's hours). */
const greenRoom = (b: number, c: number, s: number, q: number) => {
  const bid = bids[b];
  const share = bid.order.minGreenBps / 10_000;
  if (share === 0) return q;
  const pool = certificatePool(bid.order.certificateOrigin, computes[c].region);
  if (pool < 0) return 0;
  const left: number[] = [];
  for (let k = 0; k < bid.duration; k++) {
    let wh = 0;
    for (let r = 0; r < REGION_SLOTS; r++)
      if (certificatePool(bid.order.certificateOrigin, r) === pool) wh += cellLeft(r, s + k);
    left.push(wh);
  }
  const n = computes[c].milliWhPerVcuHour / 1000;
  const fits = (v: number) => left.reduce((a, l) => a + Math.min(l, n * v), 0) >= share * bid.duration * n * v;
  let v = q;
  while (v > 0 && !fits(v)) v--;
  return v;
};
const blockedBy = (b: number) => {
  const bid = bids[b];
  const s = bid.firstStart;
  let compute = false;
  let green = false;
  let link = false;
  for (const c of bid.candidates) {
    if (computes[c].reserve * fee > bid.limit) continue;
    const f = free(c, s, bid.duration);
    if (f <= 0) continue;
    compute = true;
    if (greenRoom(b, c, s, Math.min(f, lpVcu[b] - fastVcu[b])) <= 0) continue;
    green = true;
    if (linkRoom(b, c, s)) link = true;
  }
  if (!compute) return "compute full";
  if (!green) return "certificates sold out in its pool-hours";
  return link ? "compute, certificates and link free (all-in limit)" : "links full";
};

type Row = { bids: number; vcuHours: number; welfare: number };
const add = (table: Record<string, Row>, key: string, b: number, vcu: number, welfare: number) => {
  table[key] ??= { bids: 0, vcuHours: 0, welfare: 0 };
  table[key].bids++;
  table[key].vcuHours += vcu * bids[b].duration;
  table[key].welfare += welfare;
};
const tables: Record<string, Record<string, Row>> = {
  lpMore_green: {},
  lpMore_origin: {},
  lpMore_duration: {},
  lpMore_densityDecile: {},
  lpMore_size: {},
  lpMore_blockedBy: {},
  fastMore_green: {},
  fastMore_densityDecile: {},
};
const origins = ["ComputeRegion", "GridArea", "Anywhere"];
let lpMoreGap = 0;
let fastMoreGap = 0;
for (const b of all) {
  const dv = lpVcu[b] - fastVcu[b];
  const w = lpWelfare[b] - fastWelfare[b];
  if (Math.abs(dv) < 0.5 && Math.abs(w) < 1) continue;
  const bid = bids[b];
  if (dv > 0) {
    lpMoreGap += w;
    add(tables.lpMore_green, String(bid.order.minGreenBps), b, dv, w);
    add(tables.lpMore_origin, origins[bid.order.certificateOrigin], b, dv, w);
    add(tables.lpMore_duration, String(bid.duration), b, dv, w);
    add(tables.lpMore_densityDecile, String(decile(b)), b, dv, w);
    add(tables.lpMore_size, bid.remaining <= 32 ? "≤32" : bid.remaining <= 64 ? "33–64" : ">64", b, dv, w);
    add(tables.lpMore_blockedBy, blockedBy(b), b, dv, w);
  } else {
    fastMoreGap += w;
    add(tables.fastMore_green, String(bid.order.minGreenBps), b, -dv, w);
    add(tables.fastMore_densityDecile, String(decile(b)), b, -dv, w);
  }
}

// Who holds the certificates of the cells that block the under-served green bids in the fast schedule:
// bids the fast schedule serves more than the LP (a choice of bids), as much (a choice of hours or
// regions), or less.
const blocking = new Uint8Array(REGION_SLOTS * span);
for (const b of all) {
  if (lpVcu[b] - fastVcu[b] < 0.5 || blockedBy(b) !== "certificates sold out in its pool-hours") continue;
  const bid = bids[b];
  for (const c of bid.candidates) {
    const pool = certificatePool(bid.order.certificateOrigin, computes[c].region);
    if (pool < 0) continue;
    for (let r = 0; r < REGION_SLOTS; r++)
      if (certificatePool(bid.order.certificateOrigin, r) === pool)
        for (let k = 0; k < bid.duration; k++)
          if (cellLeft(r, bid.firstStart + k) <= 1) blocking[r * span + bid.firstStart + k] = 1;
  }
}
/** How the LP and the fast schedule compare on bid b's VCU. */
function servedHow(b: number): string {
  const dv = lpVcu[b] - fastVcu[b];
  if (dv < -0.5) return lpVcu[b] < 0.5 ? "fast serves, LP not at all" : "fast serves more";
  return dv > 0.5 ? "LP serves more" : "both serve as much";
}
const heldBy: Record<string, { wh: number; bidsShare: Record<string, number> }> = {};
for (const { b, slot, wh } of holders) {
  if (blocking[energy.region[slot] * span + energy.hour[slot]] === 0) continue;
  const key = servedHow(b);
  heldBy[key] ??= { wh: 0, bidsShare: {} };
  heldBy[key].wh += wh;
  const share = String(bids[b].order.minGreenBps);
  heldBy[key].bidsShare[share] = (heldBy[key].bidsShare[share] ?? 0) + Math.round(wh);
}
for (const v of Object.values(heldBy)) v.wh = Math.round(v.wh);

// The same for compute: of the hours of its LP offers a compute-blocked bid finds full, how many of
// its job's hours are full (fragmentation when few), and who holds them.
const fullCells = new Uint8Array(prep.computeFree.length);
const fullHours: Record<string, number> = {};
for (const b of all) {
  if (lpVcu[b] - fastVcu[b] < 0.5 || blockedBy(b) !== "compute full") continue;
  const bid = bids[b];
  for (const c of bid.candidates) {
    if ((lpOn.get(b * computes.length + c) ?? 0) < 0.5) continue;
    const compute = computes[c];
    let full = 0;
    for (let k = 0; k < bid.duration; k++) {
      const i = compute.offset + bid.firstStart - compute.start + k;
      if (prep.computeFree[i] - fastUsed[i] <= 0) {
        full++;
        fullCells[i] = 1;
      }
    }
    const key = `${full} of ${bid.duration} h full`;
    fullHours[key] = (fullHours[key] ?? 0) + 1;
  }
}
const computeHeldBy: Record<string, number> = {};
for (const { b, cell, vcu } of computeHolders) {
  if (fullCells[cell] === 0) continue;
  const key = servedHow(b);
  computeHeldBy[key] = Math.round((computeHeldBy[key] ?? 0) + vcu);
}

// Capacities: compute offer-hours and certificate slots the LP prices (dual ≠ 0), and how full the
// fast schedule leaves them.
const capacity = (rows: ScheduleModel["computeRows"] | undefined, limit: ArrayLike<number>, used: Float64Array) => {
  if (rows === undefined) return null;
  let priced = 0;
  let pricedCapacity = 0;
  let lpFill = 0;
  let fastFill = 0;
  let idleValue = 0;
  for (const [i, { row }] of rows) {
    const dual = Math.abs(solved?.rowDuals?.[row] ?? 0) / MONEY;
    if (dual <= 1e-9) continue;
    priced++;
    pricedCapacity += limit[i];
    lpFill += solved?.rowValues?.[row] ?? 0;
    fastFill += used[i];
    idleValue += dual * Math.max(0, limit[i] - used[i]);
  }
  return { rows: rows.size, priced, pricedCapacity, lpFill, fastFill, idleValueAtDuals: idleValue };
};
let allSlotsWh = 0;
for (let k = 0; k < energy.left.length; k++) allSlotsWh += energy.left[k];
const round = (x: number) => Math.round(x);
const roundRows = (t: Record<string, Row>) =>
  Object.fromEntries(
    Object.entries(t)
      .sort((a, b) => b[1].welfare - a[1].welfare)
      .map(([k, r]) => [k, { bids: r.bids, vcuHours: round(r.vcuHours), welfare: round(r.welfare) }]),
  );
console.log(
  JSON.stringify(
    {
      orders,
      seed,
      bids: bids.length,
      lp: round(lpTotal),
      fast: round(fast.welfare),
      ratio: fullService ? null : Number((fast.welfare / lpTotal).toFixed(4)),
      lpEstimateTotal: round(lpWelfare.reduce((a, b) => a + b, 0)),
      gapFromBidsLpServesMore: round(lpMoreGap),
      gapFromBidsFastServesMore: round(fastMoreGap),
      lpVcuHours: round(all.reduce((a, b) => a + lpVcu[b] * bids[b].duration, 0)),
      fastVcuHours: round(all.reduce((a, b) => a + fastVcu[b] * bids[b].duration, 0)),
      lpWh: round(lpWh),
      fastWh: round(fastWh.reduce((a, b) => a + b, 0)),
      whForSale: round(allSlotsWh),
      lpPricePerWh: lpPricePerWh,
      compute: capacity(model?.computeRows, prep.computeFree, fastUsed),
      certificates: capacity(model?.slotRows, energy.left, fastWh),
      blockingCellsHeldBy: heldBy,
      computeBlockedFullHours: fullHours,
      fullComputeHoursHeldBy: computeHeldBy,
      tables: Object.fromEntries(Object.entries(tables).map(([k, t]) => [k, roundRows(t)])),
      loadAverage: os.loadavg().map((l) => Number(l.toFixed(2))),
    },
    null,
    1,
  ),
);
