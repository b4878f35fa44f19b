// Turns a time-matched book into the schedulers' working form: hours as indices from the book's
// first hour, free capacity per (compute offer, hour) and per (link, hour) in flat typed arrays,
// remaining Wh per (energy offer, hour) as "slots" listed per (region, hour) cheapest first, and for
// every bid the compute offers that can host its job at some start (class, region, window).
// Competition for capacity is decided by each scheduler.

import { energyHoursOf, type HourOffers } from "./energy-hours.ts";
import {
  GRID_AREA_OF_REGION,
  HOUR,
  type HourlyComputeOffer,
  ORIGIN,
  type ScheduleRules,
  type TimedBid,
  type TimedBook,
} from "./types.ts";

/** Region codes fit a uint32 mask (0..31); grid areas are numbered in GRID_AREAS order. */
export const REGION_SLOTS = 32;
export const GRID_AREAS = ["north", "east", "south", "southwest", "northwest"] as const;
export const AREA_OF_REGION: Int8Array = Int8Array.from({ length: REGION_SLOTS }, (_, r) => {
  const area = GRID_AREA_OF_REGION[r];
  return area === undefined ? -1 : GRID_AREAS.indexOf(area);
});

export type LiveBid = {
  order: TimedBid;
  remaining: number; // VCU
  limit: number; // base units per VCU-hour
  duration: number; // hours
  /** First and last allowed start, hour indices (equal when the start is fixed). */
  firstStart: number;
  lastStart: number;
  mbps: number;
  /** Candidate compute offers, indices into `computes`. */
  candidates: Int32Array;
};

export type LiveCompute = {
  order: HourlyComputeOffer;
  region: number;
  start: number; // hour index, inclusive
  end: number; // hour index, exclusive
  capacity: number;
  reserve: number; // base units per VCU-hour
  milliWhPerVcuHour: number; // whPerVcuHour × pueMilli
  offset: number; // into PreparedSchedule.computeFree: hour h at offset + h − start
};

export type LiveLink = {
  order: TimedBook["bandwidthOffers"][number];
  start: number;
  end: number;
  mbps: number;
  price: number; // base units per Mbps-hour
  offset: number; // into PreparedSchedule.linkFree
};

export type PreparedSchedule = {
  /** Hour index 0 is unix hour `base` (seconds = (base + h) × 3600). */
  base: number;
  span: number;
  bids: LiveBid[];
  computes: LiveCompute[];
  /** Free VCU per (compute offer, hour). */
  computeFree: Int32Array;
  links: LiveLink[];
  /** Free Mbps per (link, hour). */
  linkFree: Float64Array;
  /** Links of a route (unordered region pair, key min·32 + max), cheapest first. */
  routes: Map<number, number[]>;
  /** Per route: latencies ascending and the lowest price among links at most that slow. */
  routeFloors: Map<number, { latency: Float64Array; price: Float64Array }>;
  energy: EnergySlots;
  /** Mean reserve price per Wh over all slots (0 without energy): the schedulers' energy estimate. */
  meanPricePerWh: number;
};

/** Remaining Wh per (energy offer, hour), listed per (region, hour) cheapest first. */
export type EnergySlots = {
  offer: Int32Array; // index into book.energyOffers
  hour: Int32Array;
  region: Int8Array;
  pricePerKwh: Float64Array;
  left: Float64Array;
  /** Slots of (region r, hour h) are cellSlots[cellStart[r·span + h] .. cellStart[r·span + h + 1]). */
  cellStart: Int32Array;
  cellSlots: Int32Array;
  /** Σ left per region, per grid area and in all, per hour: kept up to date as slots sell. */
  supplyRegion: Float64Array;
  supplyArea: Float64Array;
  supplyAll: Float64Array;
  /**
   * For a layout kept for many schedules (one-bid-energy.ts): each slot's place in the order
   * chooseCertificates buys in without `spareScarce` (price, then offer, then hour), and the slots in
   * that order, so a pick is put in order by sorting whole numbers instead of comparing three keys.
   */
  order?: { rank: Int32Array; slots: Int32Array };
};

export function routeKey(a: number, b: number): number {
  return a < b ? a * REGION_SLOTS + b : b * REGION_SLOTS + a;
}

/** Whether an energy offer's certificates can be sold at `now` (the batch and the quotes' layouts, one-bid-energy.ts). */
export function energyOfferLive(e: TimedBook["energyOffers"][number], now: number): boolean {
  return e.expiry > now && !e.deviceSuspended;
}

export function prepareSchedule(book: TimedBook, rules: ScheduleRules): PreparedSchedule {
  const liveBids = book.bids.filter((b) => b.expiry > rules.now && b.vcu - b.filledVcu > 0 && b.durationHours > 0);
  const liveComputes = book.computeOffers.filter((c) => c.expiry > rules.now && c.vcu > 0);
  const liveLinks = book.bandwidthOffers.filter((w) => w.expiry > rules.now && w.mbps > 0n);
  const liveEnergy = book.energyOffers.map((e, i) => ({ e, i })).filter(({ e }) => energyOfferLive(e, rules.now));

  let first = Infinity;
  let last = -Infinity;
  for (let i = 0; i < liveBids.length; i++) {
    const b = liveBids[i];
    first = Math.min(first, b.earliestStart);
    last = Math.max(last, b.latestEnd);
  }
  for (let i = 0; i < liveComputes.length; i++) {
    const c = liveComputes[i];
    first = Math.min(first, c.windowStart);
    last = Math.max(last, c.windowEnd);
  }
  if (!Number.isFinite(first)) first = last = 0;
  const base = Math.floor(first / HOUR);
  const span = Math.max(1, Math.ceil(last / HOUR) - base);
  const index = (t: number) => Math.floor(t / HOUR) - base;
  const clampHour = (h: number) => Math.min(Math.max(h, 0), span);

  let computeCells = 0;
  const computes: LiveCompute[] = liveComputes.map((order) => {
    const start = clampHour(index(order.windowStart));
    const end = clampHour(index(order.windowEnd));
    const offset = computeCells;
    computeCells += Math.max(0, end - start);
    return {
      order,
      region: order.region,
      start,
      end,
      capacity: order.vcu,
      reserve: Number(order.reservePricePerVcuHour),
      milliWhPerVcuHour: Number(order.whPerVcuHour) * order.pueMilli,
      offset,
    };
  });
  const computeFree = new Int32Array(computeCells);
  for (let i = 0; i < computes.length; i++) {
    const c = computes[i];
    const used = c.order.usedVcu;
    // An offer with nothing sold yet (most of a book) is free in every hour: one fill.
    if (used === undefined || used.size === 0) computeFree.fill(c.capacity, c.offset, c.offset + c.end - c.start);
    else
      for (let h = c.start; h < c.end; h++)
        computeFree[c.offset + h - c.start] = Math.max(0, c.capacity - (used.get((base + h) * HOUR) ?? 0));
  }

  // Compute offers by (class, region), each group sorted by window start (ties in book order), for
  // the candidate search: one typed-array sort of packed (group, start, index) keys, and the
  // fields the search reads laid out flat in that order.
  const count = computes.length;
  let groups = 0;
  for (let i = 0; i < computes.length; i++)
    groups = Math.max(groups, computes[i].order.hardwareClass * REGION_SLOTS + computes[i].region + 1);
  const packed = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const c = computes[i];
    packed[i] = ((c.order.hardwareClass * REGION_SLOTS + c.region) * (span + 1) + c.start) * count + i;
  }
  packed.sort();
  const sortedOffer = new Int32Array(count);
  const sortedStart = new Int32Array(count);
  const sortedEnd = new Int32Array(count);
  const sortedReserve = new Float64Array(count);
  const groupFrom = new Int32Array(groups + 1);
  const longest = new Int32Array(groups);
  for (let k = 0; k < count; k++) {
    const i = packed[k] % count;
    const c = computes[i];
    const group = c.order.hardwareClass * REGION_SLOTS + c.region;
    sortedOffer[k] = i;
    sortedStart[k] = c.start;
    sortedEnd[k] = c.end;
    sortedReserve[k] = c.reserve;
    groupFrom[group + 1]++;
    longest[group] = Math.max(longest[group], c.end - c.start);
  }
  for (let g = 0; g < groups; g++) groupFrom[g + 1] += groupFrom[g];

  // Certificates are bought only for bids with a minimum green share, from their origin pools
  // around the compute regions they may run in: only those regions' slots are laid out.
  let greenRegions = 0;
  const bids: LiveBid[] = [];
  // Every bid's candidates in one array, each bid's a view of it: one allocation, not one per bid.
  let found = new Int32Array(Math.max(64, 4 * liveBids.length));
  let foundCount = 0;
  const candidateFrom: number[] = [];
  for (let o = 0; o < liveBids.length; o++) {
    const order = liveBids[o];
    const duration = order.durationHours;
    const fixedAt = order.start !== 0 ? index(order.start) : -1;
    const firstStart = fixedAt >= 0 ? fixedAt : Math.ceil(order.earliestStart / HOUR) - base;
    const lastStart = fixedAt >= 0 ? fixedAt : Math.floor(order.latestEnd / HOUR) - base - duration;
    if (firstStart > lastStart || firstStart < 0 || lastStart + duration > span) continue;
    if (fixedAt >= 0 && (order.start < order.earliestStart || order.start + duration * HOUR > order.latestEnd))
      continue;
    const limit = Number(order.limitPricePerVcuHour);
    const bidFrom = foundCount;
    let pools = 0;
    const mask = Number(order.acceptableRegions & 0xffffffffn);
    for (let r = 0; r < REGION_SLOTS; r++) {
      if (((mask >>> r) & 1) === 0) continue;
      const group = order.hardwareClass * REGION_SLOTS + r;
      if (group >= groups) continue;
      // Offers starting after the last start cannot host the job; those starting more than the
      // group's longest window before the first start's end cannot either.
      const lowStart = firstStart + duration - longest[group];
      let lo = groupFrom[group];
      let hi = groupFrom[group + 1];
      const end = hi;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (sortedStart[mid] < lowStart) lo = mid + 1;
        else hi = mid;
      }
      const before = foundCount;
      for (let k = lo; k < end; k++) {
        const start = sortedStart[k];
        if (start > lastStart) break;
        if (Math.max(firstStart, start) > Math.min(lastStart, sortedEnd[k] - duration)) continue;
        if (sortedReserve[k] >= limit) continue;
        if (foundCount === found.length) {
          const grown = new Int32Array(2 * found.length);
          grown.set(found);
          found = grown;
        }
        found[foundCount++] = sortedOffer[k];
      }
      if (foundCount > before && order.minGreenBps > 0) pools |= poolRegions(order.certificateOrigin, r);
    }
    if (foundCount === bidFrom) continue;
    greenRegions |= pools;
    bids.push({
      order,
      remaining: order.vcu - order.filledVcu,
      limit,
      duration,
      firstStart,
      lastStart,
      mbps: Number(order.bandwidthMbps),
      candidates: found,
    });
    candidateFrom.push(bidFrom);
  }
  for (let i = 0; i < bids.length; i++)
    bids[i].candidates = found.subarray(candidateFrom[i], i + 1 < bids.length ? candidateFrom[i + 1] : foundCount);

  let linkCells = 0;
  const links: LiveLink[] = liveLinks.map((order) => {
    const start = clampHour(index(order.windowStart));
    const end = clampHour(index(order.windowEnd));
    const offset = linkCells;
    linkCells += Math.max(0, end - start);
    return { order, start, end, mbps: Number(order.mbps), price: Number(order.reservePricePerMbpsHour), offset };
  });
  const linkFree = new Float64Array(linkCells);
  for (let i = 0; i < links.length; i++) {
    const w = links[i];
    const used = w.order.usedMbps;
    if (used === undefined || used.size === 0) linkFree.fill(w.mbps, w.offset, w.offset + w.end - w.start);
    else
      for (let h = w.start; h < w.end; h++)
        linkFree[w.offset + h - w.start] = Math.max(0, w.mbps - Number(used.get((base + h) * HOUR) ?? 0n));
  }
  const routes = new Map<number, number[]>();
  links.forEach((w, i) => {
    const key = routeKey(w.order.fromRegion, w.order.toRegion);
    const list = routes.get(key) ?? [];
    list.push(i);
    routes.set(key, list);
  });
  const routeFloors = sortRoutes(routes, links);

  const energy = prepareEnergy(book, liveEnergy, base, span, greenRegions);
  return {
    base,
    span,
    bids,
    computes,
    computeFree,
    links,
    linkFree,
    routes,
    routeFloors,
    energy,
    meanPricePerWh: meanEnergyPricePerWh(book, liveEnergy, base, span),
  };
}

/**
 * The schedulers' energy estimate: the mean price per Wh over every certificate slot of the hours
 * [base, base + span) still for sale, whatever its region (summed offer by offer in book order, hour by hour).
 */
export function meanEnergyPricePerWh(book: TimedBook, live: { i: number }[], base: number, span: number): number {
  const hours = energyHoursOf(book.energyOffers);
  let priceSum = 0;
  let whSum = 0;
  for (let j = 0; j < live.length; j++) {
    const i = live[j].i;
    const first = hours.firstHour[i] - base;
    if (hours.firstHour[i] < 0 || first >= span || first + hours.hours[i] <= 0) continue;
    const to = Math.min(hours.hours[i], span - first);
    const o = hours.offset[i];
    for (let k = Math.max(0, -first); k < to; k++) {
      const wh = hours.left[o + k];
      if (wh <= 0) continue;
      priceSum += hours.pricePerKwh[i] * wh;
      whSum += wh;
    }
  }
  return whSum > 0 ? priceSum / whSum / 1000 : 0;
}

/**
 * Sorts each route's links cheapest first (ties by order id), in place, and returns per route the
 * price floor by latency: `price[i]` is the cheapest link whose latency is at most `latency[i]`.
 */
export function sortRoutes(
  routes: Map<number, number[]>,
  links: readonly LiveLink[],
): Map<number, { latency: Float64Array; price: Float64Array }> {
  const floors = new Map<number, { latency: Float64Array; price: Float64Array }>();
  for (const [key, list] of routes) {
    list.sort((x, y) => links[x].price - links[y].price || Number(links[x].order.id - links[y].order.id));
    const byLatency = [...list].sort((x, y) => links[x].order.latencyMs - links[y].order.latencyMs);
    const latency = new Float64Array(byLatency.length);
    const price = new Float64Array(byLatency.length);
    byLatency.forEach((w, i) => {
      latency[i] = links[w].order.latencyMs;
      price[i] = links[w].price;
    });
    for (let i = 1; i < price.length; i++) price[i] = Math.min(price[i], price[i - 1]);
    floors.set(key, { latency, price });
  }
  return floors;
}

/**
 * The certificate pool a bid with this origin rule buys from for compute in `region`: the region itself
 * (0..REGION_SLOTS − 1), its grid area (REGION_SLOTS + area), or the one pool of every region
 * (REGION_SLOTS + GRID_AREAS.length); −1 when the rule allows none.
 */
export function certificatePool(origin: number, region: number): number {
  if (origin === ORIGIN.ComputeRegion) return region;
  if (origin === ORIGIN.GridArea) return AREA_OF_REGION[region] < 0 ? -1 : REGION_SLOTS + AREA_OF_REGION[region];
  if (origin === ORIGIN.Anywhere) return REGION_SLOTS + GRID_AREAS.length;
  return -1;
}

/** Regions (bit r: region r) whose certificates a bid with this origin rule may use for compute in `region`. */
export function poolRegions(origin: number, region: number): number {
  if (origin === ORIGIN.Anywhere) return -1;
  if (origin === ORIGIN.ComputeRegion) return 1 << region;
  const area = AREA_OF_REGION[region];
  return origin === ORIGIN.GridArea && area >= 0 ? AREA_REGIONS[area] : 0;
}

/** Per grid area: its regions as a bit mask. */
const AREA_REGIONS: Int32Array = Int32Array.from(GRID_AREAS, (_, a) => {
  let mask = 0;
  for (let r = 0; r < REGION_SLOTS; r++) if (AREA_OF_REGION[r] === a) mask |= 1 << r;
  return mask;
});

/**
 * Typed arrays prepareEnergy may lay its slots out in instead of allocating a dozen new ones: views of
 * the first elements, valid until the next call that is lent the same buffers. The one-bid scheduler
 * reads and changes a quote's slots only while that quote's schedule runs, so it lends one set from
 * quote to quote (docs/pricing.md, "Quotes"); each buffer grows to the largest layout asked of it.
 */
export class EnergyBuffers {
  private offer = new Int32Array(0);
  private hour = new Int32Array(0);
  private region = new Int8Array(0);
  private pricePerKwh = new Float64Array(0);
  private left = new Float64Array(0);
  private supplyRegion = new Float64Array(0);
  private supplyArea = new Float64Array(0);
  private supplyAll = new Float64Array(0);
  private cellStart = new Int32Array(0);
  private cellSlots = new Int32Array(0);
  private inWindow = new Uint8Array(0);
  private slotBase = new Int32Array(0);

  /** Per energy offer: whether it has slots in the layout (zeroed), and its first slot's number less its earlier hours'. */
  offers(count: number): { inWindow: Uint8Array; slotBase: Int32Array } {
    if (this.inWindow.length < count) {
      this.inWindow = new Uint8Array(count);
      this.slotBase = new Int32Array(count);
    }
    return { inWindow: this.inWindow.fill(0, 0, count).subarray(0, count), slotBase: this.slotBase.subarray(0, count) };
  }

  /** Arrays for `count` slots (contents left over: every element is written), and zeroed supply sums over `span` hours. */
  slots(count: number, span: number): Omit<EnergySlots, "cellSlots"> {
    this.lend(count, span);
    return {
      offer: this.offer.subarray(0, count),
      hour: this.hour.subarray(0, count),
      region: this.region.subarray(0, count),
      pricePerKwh: this.pricePerKwh.subarray(0, count),
      left: this.left.subarray(0, count),
      supplyRegion: this.supplyRegion.fill(0, 0, REGION_SLOTS * span).subarray(0, REGION_SLOTS * span),
      supplyArea: this.supplyArea.fill(0, 0, GRID_AREAS.length * span).subarray(0, GRID_AREAS.length * span),
      supplyAll: this.supplyAll.fill(0, 0, span).subarray(0, span),
      cellStart: this.cellStart.subarray(0, REGION_SLOTS * span + 1),
    };
  }

  /** Per (region, hour) slot lists for `count` slots (contents left over: every element is written). */
  cellSlotsFor(count: number): Int32Array {
    return this.cellSlots.subarray(0, count);
  }

  /** Grows the buffers to hold `count` slots and `span` hours. */
  private lend(count: number, span: number): void {
    if (this.offer.length < count) {
      const size = Math.max(count, 2 * this.offer.length);
      this.offer = new Int32Array(size);
      this.hour = new Int32Array(size);
      this.region = new Int8Array(size);
      this.pricePerKwh = new Float64Array(size);
      this.left = new Float64Array(size);
      this.cellSlots = new Int32Array(size);
    }
    if (this.supplyAll.length < span) {
      const size = Math.max(span, 2 * this.supplyAll.length);
      this.supplyRegion = new Float64Array(REGION_SLOTS * size);
      this.supplyArea = new Float64Array(GRID_AREAS.length * size);
      this.supplyAll = new Float64Array(size);
      this.cellStart = new Int32Array(REGION_SLOTS * size + 1);
    }
  }
}

/**
 * The slots of offers in `regions` (bit r: region r), over hours [base, base + span), in new arrays
 * or, when `buffers` are lent, in views of them (valid until their next use).
 */
export function prepareEnergy(
  book: TimedBook,
  live: { e: TimedBook["energyOffers"][number]; i: number }[],
  base: number,
  span: number,
  regions: number,
  buffers?: EnergyBuffers,
): EnergySlots {
  // Slots are numbered offer by offer in book order, hour by hour, as the hours index lists them
  // (energy-hours.ts); each (region, hour) lists its slots cheapest first, ties by offer id. An
  // offer's slots are consecutive: the one of its hour k is slotBase + (its hours before k with Wh left).
  const hours = energyHoursOf(book.energyOffers);
  const { inWindow, slotBase } =
    buffers === undefined
      ? { inWindow: new Uint8Array(book.energyOffers.length), slotBase: new Int32Array(book.energyOffers.length) }
      : buffers.offers(book.energyOffers.length);
  let count = 0;
  for (const { e, i } of live) {
    const first = hours.firstHour[i] - base;
    if (hours.firstHour[i] < 0 || first >= span || first + hours.hours[i] <= 0) continue;
    if (((regions >>> e.region) & 1) === 0) continue;
    const o = hours.offset[i];
    const before = hours.positiveBefore[o + Math.max(0, -first)];
    const through = span - first < hours.hours[i] ? hours.positiveBefore[o + span - first] : hours.positive[i];
    inWindow[i] = 1;
    slotBase[i] = count - before;
    count += through - before;
  }
  const { offer, hour, region, pricePerKwh, left, supplyRegion, supplyArea, supplyAll, cellStart } =
    buffers === undefined
      ? {
          offer: new Int32Array(count),
          hour: new Int32Array(count),
          region: new Int8Array(count),
          pricePerKwh: new Float64Array(count),
          left: new Float64Array(count),
          supplyRegion: new Float64Array(REGION_SLOTS * span),
          supplyArea: new Float64Array(GRID_AREAS.length * span),
          supplyAll: new Float64Array(span),
          cellStart: new Int32Array(REGION_SLOTS * span + 1),
        }
      : buffers.slots(count, span);
  for (const { e, i } of live) {
    if (inWindow[i] === 0) continue;
    const first = hours.firstHour[i] - base;
    const from = Math.max(0, -first);
    const to = Math.min(hours.hours[i], span - first);
    const o = hours.offset[i];
    let s = slotBase[i] + hours.positiveBefore[o + from];
    const end =
      s + (to < hours.hours[i] ? hours.positiveBefore[o + to] : hours.positive[i]) - hours.positiveBefore[o + from];
    offer.fill(i, s, end);
    region.fill(e.region, s, end);
    pricePerKwh.fill(hours.pricePerKwh[i], s, end);
    const area = AREA_OF_REGION[e.region];
    for (let k = from; k < to; k++) {
      const wh = hours.left[o + k];
      if (wh <= 0) continue;
      const h = first + k;
      hour[s] = h;
      left[s] = wh;
      s++;
      supplyRegion[e.region * span + h] += wh;
      if (area >= 0) supplyArea[area * span + h] += wh;
      supplyAll[h] += wh;
    }
  }
  const cellSlots = buffers === undefined ? new Int32Array(count) : buffers.cellSlotsFor(count);
  cellStart[0] = 0;
  const cells: (HourOffers | undefined)[] = [];
  for (let h = 0; h < span; h++) cells.push(hours.byHour.get(base + h));
  let filled = 0;
  for (let r = 0; r < REGION_SLOTS; r++) {
    if (((regions >>> r) & 1) === 0) {
      cellStart.fill(filled, r * span + 1, (r + 1) * span + 1);
      continue;
    }
    for (let h = 0; h < span; h++) {
      const cell = cells[h];
      if (cell !== undefined) {
        for (let j = cell.regionStart[r]; j < cell.regionStart[r + 1]; j++) {
          const i = cell.offers[j];
          if (inWindow[i] === 1) cellSlots[filled++] = slotBase[i] + cell.rank[j];
        }
      }
      cellStart[r * span + h + 1] = filled;
    }
  }
  return { offer, hour, region, pricePerKwh, left, cellStart, cellSlots, supplyRegion, supplyArea, supplyAll };
}

/** Lowest reserve price per Mbps-hour among a route's links within a latency bound (undefined: none). */
export function cheapestLinkPrice(prep: PreparedSchedule, key: number, maxLatencyMs: number): number | undefined {
  const floors = prep.routeFloors.get(key);
  if (floors === undefined) return undefined;
  let lo = 0;
  let hi = floors.latency.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (floors.latency[mid] <= maxLatencyMs) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? undefined : floors.price[lo - 1];
}
