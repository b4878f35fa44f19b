// The certificates a quote's one-bid schedule reads (one-bid.ts), prepared once per book version and
// shared by its quotes (docs/pricing.md, "Quotes"). Books are replaced, never mutated
// (backend/book/book-source.ts), so everything here is keyed on the energy-offer list and on the
// offers live at the quote's time.
//
// - The certificate slots of every region and every hour the offers cover: a quote whose hours lie
//   inside them schedules on them directly (with its hours counted from the offers' first hour),
//   copying only what a schedule changes (Wh left, supply sums), instead of laying out its own window's
//   slots of its pool's regions. The schedule reads the same (offer, hour) slots with the same Wh and
//   price, and picks among them by price, offer and hour, never by slot number, so it is unchanged.
// - The mean certificate price over a window from per-hour sums, when they add up exactly (whole
//   numbers below 2^53, as the price × Wh of real books are): then any order of addition gives the
//   same sum as meanEnergyPricePerWh's, offer by offer, and so the same estimate to the last bit.

import { energyHoursOf } from "./energy-hours.ts";
import {
  type EnergySlots,
  energyOfferLive,
  GRID_AREAS,
  meanEnergyPricePerWh,
  prepareEnergy,
  REGION_SLOTS,
} from "./prepare.ts";
import type { HourlyEnergyOffer, TimedBook } from "./types.ts";

type EnergyOffers = TimedBook["energyOffers"];
/** A live energy offer and its index in the book's list, as prepare.ts takes them. */
export type LiveEnergy = { e: HourlyEnergyOffer; i: number };
/** The unix hours [base, base + span) the offers' hours index covers (span 0: none). */
export type EnergyRange = { base: number; span: number };

type HourSums = {
  /** Σ price per kWh × Wh and Σ Wh of the live offers' hours before hour index k (from the range's base). */
  priceBefore: Float64Array;
  whBefore: Float64Array;
  /** Whether every partial sum is a whole number below 2^53, so that sums of any hours are exact. */
  exact: boolean;
};

const liveIndexes = new WeakMap<EnergyOffers, { now: number; live: LiveEnergy[] }>();
const ranges = new WeakMap<EnergyOffers, EnergyRange>();
const layouts = new WeakMap<LiveEnergy[], EnergySlots>();
const hourSums = new WeakMap<LiveEnergy[], HourSums>();

/**
 * The energy offers prepare.ts counts as live at `now`, in book order. The list of the last `now` asked
 * is kept, and handed out again at a later `now` while the same offers are live, so that what is built
 * from it (the layouts, the hour sums) lasts as long as the live offers do, not one second.
 */
export function liveEnergy(offers: EnergyOffers, now: number): LiveEnergy[] {
  const known = liveIndexes.get(offers);
  if (known !== undefined && known.now === now) return known.live;
  const live: LiveEnergy[] = [];
  for (let i = 0; i < offers.length; i++) {
    const e = offers[i];
    if (energyOfferLive(e, now)) live.push({ e, i });
  }
  const same =
    known !== undefined && known.live.length === live.length && known.live.every((l, k) => l.i === live[k].i);
  const kept = same ? known.live : live;
  liveIndexes.set(offers, { now, live: kept });
  return kept;
}

/** The hours the offers' certificates cover, as the hours index lists them. */
export function energyRange(offers: EnergyOffers): EnergyRange {
  let range = ranges.get(offers);
  if (range === undefined) {
    const hours = energyHoursOf(offers);
    let first = Number.POSITIVE_INFINITY;
    let end = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < offers.length; i++) {
      if (hours.firstHour[i] < 0 || hours.hours[i] === 0) continue;
      first = Math.min(first, hours.firstHour[i]);
      end = Math.max(end, hours.firstHour[i] + hours.hours[i]);
    }
    range = first < end ? { base: first, span: end - first } : { base: 0, span: 0 };
    ranges.set(offers, range);
  }
  return range;
}

/**
 * The slots of every live offer over the offers' whole range (energyRange), laid out once per live list
 * and shared: a schedule must change a copy (changeableOver), never these. Every region's
 * slots are there, whatever regions a bid may buy from: the scheduler reads only the cells of its
 * pool's regions and the supply sums of its pool (a region, a grid area, or all), which are the same
 * in a layout of more regions, so one layout serves every quote of the version.
 */
export function sharedEnergySlots(book: TimedBook, live: LiveEnergy[]): EnergySlots {
  let slots = layouts.get(live);
  if (slots === undefined) {
    const { base, span } = energyRange(book.energyOffers);
    slots = prepareEnergy(book, live, base, span, -1);
    slots.order = purchaseOrder(slots);
    layouts.set(live, slots);
  }
  return slots;
}

// What a quote's schedule changes of a kept layout, reused from quote to quote (a schedule runs to its
// end before the next starts).
const changeable: {
  left: Float64Array;
  supplyRegion: Float64Array;
  supplyArea: Float64Array;
  supplyAll: Float64Array;
} = {
  left: new Float64Array(0),
  supplyRegion: new Float64Array(0),
  supplyArea: new Float64Array(0),
  supplyAll: new Float64Array(0),
};

/**
 * The kept layout `slots` with what a schedule changes — Wh left per slot and the supply sums —
 * copied into buffers reused from quote to quote, for the hours [from, to) and the regions of
 * `regions` (a bit mask, poolRegions' form) only: a one-bid schedule reads nothing outside its
 * bid's hours (every certificate it picks and every sum it reads lies in the hours of a start it
 * tries) and nothing of a region outside its candidates' certificate pools (it buys certificates
 * from those and reads their regions' sums; buying changes the area and all-region sums too, which
 * are copied whole), so the layout's other hours, ~85 % of a quote of a day, and other regions need
 * no copy. The buffers' other elements hold whatever an earlier quote left there, and a copy of the
 * returned slots (pass 4) copies them too, unread.
 */
export function changeableOver(slots: EnergySlots, from: number, to: number, regions: number): EnergySlots {
  const span = slots.supplyAll.length;
  const grow = (a: Float64Array, n: number): Float64Array =>
    a.length >= n ? a : new Float64Array(Math.max(n, 2 * a.length));
  changeable.left = grow(changeable.left, slots.left.length);
  changeable.supplyRegion = grow(changeable.supplyRegion, REGION_SLOTS * span);
  changeable.supplyArea = grow(changeable.supplyArea, GRID_AREAS.length * span);
  changeable.supplyAll = grow(changeable.supplyAll, span);
  const left = changeable.left.subarray(0, slots.left.length);
  const supplyRegion = changeable.supplyRegion.subarray(0, REGION_SLOTS * span);
  const supplyArea = changeable.supplyArea.subarray(0, GRID_AREAS.length * span);
  const supplyAll = changeable.supplyAll.subarray(0, span);
  const lo = Math.max(0, from);
  const hi = Math.min(span, to);
  const { cellStart, cellSlots } = slots;
  for (let r = 0; r < REGION_SLOTS; r++) {
    if (((regions >>> r) & 1) === 0) continue;
    for (let h = lo; h < hi; h++) supplyRegion[r * span + h] = slots.supplyRegion[r * span + h];
    for (let i = cellStart[r * span + lo]; i < cellStart[r * span + hi]; i++)
      left[cellSlots[i]] = slots.left[cellSlots[i]];
  }
  for (let a = 0; a < GRID_AREAS.length; a++)
    for (let h = lo; h < hi; h++) supplyArea[a * span + h] = slots.supplyArea[a * span + h];
  for (let h = lo; h < hi; h++) supplyAll[h] = slots.supplyAll[h];
  return { ...slots, left, supplyRegion, supplyArea, supplyAll };
}

/** The slots in the order chooseCertificates buys them without `spareScarce`: price, offer, hour (a strict order). */
function purchaseOrder(slots: EnergySlots): { rank: Int32Array; slots: Int32Array } {
  const { pricePerKwh, offer, hour } = slots;
  const ordered = Int32Array.from(pricePerKwh.keys()).sort(
    (x, y) => pricePerKwh[x] - pricePerKwh[y] || offer[x] - offer[y] || hour[x] - hour[y],
  );
  const rank = new Int32Array(ordered.length);
  for (let i = 0; i < ordered.length; i++) rank[ordered[i]] = i;
  return { rank, slots: ordered };
}

/** meanEnergyPricePerWh over the unix hours [base, base + span), from the per-hour sums when they are exact. */
export function meanPricePerWhOver(book: TimedBook, live: LiveEnergy[], base: number, span: number): number {
  const sums = hourSumsOf(book, live);
  if (!sums.exact) return meanEnergyPricePerWh(book, live, base, span);
  const range = energyRange(book.energyOffers);
  const from = Math.min(Math.max(base - range.base, 0), range.span);
  const to = Math.min(Math.max(base + span - range.base, 0), range.span);
  const whSum = sums.whBefore[to] - sums.whBefore[from];
  return whSum > 0 ? (sums.priceBefore[to] - sums.priceBefore[from]) / whSum / 1000 : 0;
}

function hourSumsOf(book: TimedBook, live: LiveEnergy[]): HourSums {
  let sums = hourSums.get(live);
  if (sums === undefined) {
    const hours = energyHoursOf(book.energyOffers);
    const range = energyRange(book.energyOffers);
    const priceBefore = new Float64Array(range.span + 1);
    const whBefore = new Float64Array(range.span + 1);
    let exact = true;
    for (const { i } of live) {
      if (hours.firstHour[i] < 0) continue;
      const first = hours.firstHour[i] - range.base;
      const price = hours.pricePerKwh[i];
      exact &&= Number.isInteger(price) && price >= 0;
      for (let k = 0; k < hours.hours[i]; k++) {
        const wh = hours.left[hours.offset[i] + k];
        if (wh <= 0) continue;
        exact &&= Number.isInteger(wh);
        priceBefore[first + k + 1] += price * wh;
        whBefore[first + k + 1] += wh;
      }
    }
    for (let k = 0; k < range.span; k++) {
      priceBefore[k + 1] += priceBefore[k];
      whBefore[k + 1] += whBefore[k];
    }
    // Whole, non-negative terms: every partial sum is at most the last one.
    exact &&= priceBefore[range.span] <= Number.MAX_SAFE_INTEGER && whBefore[range.span] <= Number.MAX_SAFE_INTEGER;
    sums = { priceBefore, whBefore, exact };
    hourSums.set(live, sums);
  }
  return sums;
}
