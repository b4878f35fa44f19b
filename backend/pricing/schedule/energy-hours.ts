// The certificate Wh of an energy-offer list arranged by hour once, so that laying out the slots of a
// schedule's few hours (prepare.ts) costs only those hours. A quote schedules one bid over a window of
// a day or two against every energy offer of the book (all of them set the energy price, and the
// "anywhere" origin may use any); reading each offer's bigint Wh and sorting each (region, hour) by
// price for every quote was most of a quote's time (docs/pricing.md, "Quotes").
//
// Built once per offer list: books are replaced, never mutated (backend/book/book-source.ts), so the
// quotes against one book version share it, as they share replacements.ts's lists.

import { REGION_SLOTS } from "./prepare.ts";
import { HOUR, type HourlyEnergyOffer } from "./types.ts";

/**
 * One hour's offers with Wh left, by region, each region's cheapest first (ties by id): region r's
 * are offers[regionStart[r] .. regionStart[r + 1]); rank[j] is how many of offers[j]'s earlier hours
 * have Wh left.
 */
export type HourOffers = { offers: Int32Array; rank: Int32Array; regionStart: Int32Array };

export type EnergyHours = {
  /** Per offer: its first unix hour (hours since the epoch), −1 when the scheduler cannot use it. */
  firstHour: Int32Array;
  /** Per offer: into `left`/`positiveBefore`, where its hour k is at offset + k. */
  offset: Int32Array;
  /** Per offer: its hours. */
  hours: Int32Array;
  /** Per offer: reserve price per kWh. */
  pricePerKwh: Float64Array;
  /** Per (offer, hour): Wh offered minus Wh sold. */
  left: Float64Array;
  /** Per (offer, hour k): how many of the offer's hours before k have Wh left. */
  positiveBefore: Int32Array;
  /** Per offer: how many of its hours have Wh left. */
  positive: Int32Array;
  /** Per unix hour: the offers with Wh left in it. */
  byHour: Map<number, HourOffers>;
  /** Per offer: its rank by id (offers with equal ids share one), the order of a match's energy lots. */
  idRank: Int32Array;
};

const indexes = new WeakMap<readonly HourlyEnergyOffer[], EnergyHours>();

/**
 * The offers' Wh by hour, built on the first call for this list and shared after.
 *
 * @example
 * energyHoursOf(book.energyOffers).byHour.get(unixSeconds / 3600)?.offers; // offer indices, by region, cheapest first
 */
export function energyHoursOf(offers: readonly HourlyEnergyOffer[]): EnergyHours {
  let index = indexes.get(offers);
  if (index === undefined) {
    index = build(offers);
    indexes.set(offers, index);
  }
  return index;
}

function build(offers: readonly HourlyEnergyOffer[]): EnergyHours {
  const n = offers.length;
  const firstHour = new Int32Array(n).fill(-1);
  const offset = new Int32Array(n);
  const hours = new Int32Array(n);
  const pricePerKwh = new Float64Array(n);
  let cells = 0;
  offers.forEach((e, i) => {
    offset[i] = cells;
    // Slots are laid out per region code below 32 and whole hour; other offers never reach a schedule.
    if (e.region < 0 || e.region >= REGION_SLOTS || e.firstHour % HOUR !== 0) return;
    firstHour[i] = e.firstHour / HOUR;
    hours[i] = e.whPerHour.length;
    pricePerKwh[i] = Number(e.reservePricePerKwh);
    cells += e.whPerHour.length;
  });
  const left = new Float64Array(cells);
  const positiveBefore = new Int32Array(cells);
  const positive = new Int32Array(n);
  const inHour = new Map<number, number[]>();
  offers.forEach((e, i) => {
    if (firstHour[i] < 0) return;
    let seen = 0;
    for (let k = 0; k < hours[i]; k++) {
      const wh = Number(e.whPerHour[k] - (e.soldWhPerHour?.[k] ?? 0n));
      left[offset[i] + k] = wh;
      positiveBefore[offset[i] + k] = seen;
      if (wh <= 0) continue;
      seen++;
      const hour = firstHour[i] + k;
      const list = inHour.get(hour);
      if (list === undefined) inHour.set(hour, [i]);
      else list.push(i);
    }
    positive[i] = seen;
  });
  const byHour = new Map<number, HourOffers>();
  for (const [hour, list] of inHour) {
    list.sort(
      (x, y) =>
        offers[x].region - offers[y].region ||
        pricePerKwh[x] - pricePerKwh[y] ||
        (offers[x].id < offers[y].id ? -1 : offers[x].id > offers[y].id ? 1 : 0),
    );
    const regionStart = new Int32Array(REGION_SLOTS + 1);
    for (const i of list) regionStart[offers[i].region + 1]++;
    for (let r = 0; r < REGION_SLOTS; r++) regionStart[r + 1] += regionStart[r];
    const rank = Int32Array.from(list, (i) => positiveBefore[offset[i] + hour - firstHour[i]]);
    byHour.set(hour, { offers: Int32Array.from(list), rank, regionStart });
  }
  const byId = Array.from(offers.keys()).sort((x, y) =>
    offers[x].id < offers[y].id ? -1 : offers[x].id > offers[y].id ? 1 : 0,
  );
  const idRank = new Int32Array(n);
  for (let k = 1; k < n; k++)
    idRank[byId[k]] = idRank[byId[k - 1]] + (offers[byId[k]].id === offers[byId[k - 1]].id ? 0 : 1);
  return { firstHour, offset, hours, pricePerKwh, left, positiveBefore, positive, byHour, idRank };
}
