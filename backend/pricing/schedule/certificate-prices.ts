// Certificate prices for the fast scheduler (docs/pricing.md, "The fast scheduler"): a price per Wh
// for each (region, hour) certificate cell, its Wh-weighted reserve plus a scarcity premium found by
// a few tâtonnement rounds on the certificate cells alone. In each round every green bid takes, at
// its best (compute offer, start) under the current prices, its minimum green Wh in the cheapest
// hours of its job from the cheapest region of its origin pool, as long as its surplus stays
// positive; the premium of a cell rises with the share by which that demand exceeds the cell's Wh
// and falls (never below 0) where Wh are left over. A bid that leans on scarce green power then shows
// its real surplus in pass 1, and the bids earning more per Wh go first.

import { type PreparedSchedule, poolRegions, REGION_SLOTS } from "./prepare.ts";

/** Rounds of price updates (4, 8 and 12 measured alike on seeded 1k–5k books; 4 is the cheapest). */
const ROUNDS = 4;
/** First round's step, as a share of the book's mean certificate price per unit of excess demand. */
const STEP = 4;

/** Pass 1's candidate pairs: bid b's are [pairStart[b], pairStart[b + 1]) of pairOffer / pairProfit. */
export type CandidatePairs = {
  pairStart: Int32Array;
  pairOffer: Int32Array;
  /** Surplus per VCU-hour with the minimum green Wh at the book's mean certificate price. */
  pairProfit: Float64Array;
};

/** Per (region r, hour h) cell at r·span + h, per Wh: its price (Infinity where it has no Wh) and its scarcity premium. */
export type CertificatePrices = {
  price: Float64Array;
  premium: Float64Array;
  /** The cell's Wh-weighted reserve price per Wh, and its Wh before any was sold. */
  base: Float64Array;
  supply: Float64Array;
};

/**
 * Finds the certificate cells' prices for a book whose pass 1 estimates are `pairs`.
 *
 * @example
 * const prices = certificatePrices(prep, { pairStart, pairOffer, pairProfit });
 * pricePairs(prep, pairs, prices); // pairProfit now prices each bid's green Wh at its hours' cells
 */
export function certificatePrices(prep: PreparedSchedule, pairs: CandidatePairs): CertificatePrices {
  const { span, energy, bids } = prep;
  const cells = REGION_SLOTS * span;
  const base = cellReserve(prep);
  const supply = energy.supplyRegion.slice();
  const premium = new Float64Array(cells);
  const price = new Float64Array(cells);
  const demand = new Float64Array(cells);
  const wanted = Float64Array.from(bids, (bid) => bid.remaining);
  for (let round = 0; round < ROUNDS; round++) {
    for (let c = 0; c < cells; c++) price[c] = supply[c] > 0 ? base[c] + premium[c] : Infinity;
    greenDemand(prep, pairs, price, wanted, demand);
    const step = (STEP * prep.meanPricePerWh) / Math.sqrt(round + 1);
    for (let c = 0; c < cells; c++) {
      if (supply[c] <= 0) continue;
      const excess = Math.max(-1, Math.min(1, (demand[c] - supply[c]) / supply[c]));
      premium[c] = Math.max(0, premium[c] + step * excess);
    }
  }
  for (let c = 0; c < cells; c++) price[c] = supply[c] > 0 ? base[c] + premium[c] : Infinity;
  return { price, premium, base, supply };
}

/**
 * Adds to `demand` (per cell) each green bid's minimum Wh for `wanted[b]` VCU at its best pair under
 * `price`: the cheapest hours of its job at its cheapest start, from the cheapest region of its pool,
 * when its surplus there stays positive.
 */
function greenDemand(
  prep: PreparedSchedule,
  pairs: CandidatePairs,
  price: Float64Array,
  wanted: Float64Array,
  demand: Float64Array,
): void {
  const { span, bids, computes } = prep;
  const pools = new PoolPrices(span);
  pools.update(price);
  const hours = new JobHours();
  demand.fill(0);
  for (let b = 0; b < bids.length; b++) {
    const bid = bids[b];
    const share = bid.order.minGreenBps / 10_000;
    if (share <= 0 || wanted[b] <= 0) continue;
    let best = 0;
    let bestPool = 0;
    let bestStart = -1;
    let bestWh = 0;
    for (let p = pairs.pairStart[b]; p < pairs.pairStart[b + 1]; p++) {
      const compute = computes[pairs.pairOffer[p]];
      const regions = poolRegions(bid.order.certificateOrigin, compute.region);
      if (regions === 0) continue;
      const n = compute.milliWhPerVcuHour / 1000;
      const lo = Math.max(bid.firstStart, compute.start);
      const hi = Math.min(bid.lastStart, compute.end - bid.duration);
      const pool = pools.of(regions);
      let cheapest = Infinity;
      let start = -1;
      for (let s = lo; s <= hi; s++) {
        const cost = hours.cost(pools.price, pool * span + s, bid.duration, share);
        if (cost < cheapest) {
          cheapest = cost;
          start = s;
        }
      }
      const surplus = pairs.pairProfit[p] + n * (share * prep.meanPricePerWh - cheapest / bid.duration);
      if (surplus > best) {
        best = surplus;
        bestPool = pool;
        bestStart = start;
        bestWh = n * Math.min(wanted[b], compute.capacity);
      }
    }
    if (bestStart < 0) continue;
    hours.cost(pools.price, bestPool * span + bestStart, bid.duration, share);
    for (let i = 0; i < hours.count; i++) {
      const h = bestStart + hours.at[i];
      demand[pools.region[bestPool * span + h] * span + h] += bestWh * hours.part[i];
    }
  }
}

/**
 * Re-prices pass 1's estimates: each pair's minimum green Wh cost its job's cheapest cells (at the
 * cheapest start of a flexible job) instead of the book's mean price. Each bid's pairs are sorted
 * again by that surplus, best first (pairProfit keeps the estimate at the mean price, which the
 * start scoring of pass 2 reads), and `density[b]` becomes its best pair's priced surplus per
 * VCU-hour (−Infinity when no pair's pool has Wh in enough hours of the job).
 */
export function pricePairs(
  prep: PreparedSchedule,
  pairs: CandidatePairs,
  prices: CertificatePrices,
  density: Float64Array,
): void {
  const { span, bids, computes } = prep;
  const pools = new PoolPrices(span);
  pools.update(prices.price);
  const hours = new JobHours();
  const { pairStart, pairOffer, pairProfit } = pairs;
  const priced = new Float64Array(pairOffer.length);
  for (let b = 0; b < bids.length; b++) {
    const bid = bids[b];
    const share = bid.order.minGreenBps / 10_000;
    const from = pairStart[b];
    if (share <= 0 || from === pairStart[b + 1]) continue;
    for (let p = from; p < pairStart[b + 1]; p++) {
      const compute = computes[pairOffer[p]];
      const regions = poolRegions(bid.order.certificateOrigin, compute.region);
      const n = compute.milliWhPerVcuHour / 1000;
      const lo = Math.max(bid.firstStart, compute.start);
      const hi = Math.min(bid.lastStart, compute.end - bid.duration);
      let cheapest = Infinity;
      if (regions !== 0) {
        const pool = pools.of(regions);
        for (let s = lo; s <= hi; s++)
          cheapest = Math.min(cheapest, hours.cost(pools.price, pool * span + s, bid.duration, share));
      }
      const profit = pairProfit[p] + n * (share * prep.meanPricePerWh - cheapest / bid.duration);
      const offer = pairOffer[p];
      const plain = pairProfit[p];
      // Insertion keeps the bid's pairs sorted by the priced surplus, ties in their old order.
      let j = p;
      while (j > from && priced[j - 1] < profit) {
        priced[j] = priced[j - 1];
        pairProfit[j] = pairProfit[j - 1];
        pairOffer[j] = pairOffer[j - 1];
        j--;
      }
      priced[j] = profit;
      pairProfit[j] = plain;
      pairOffer[j] = offer;
    }
    density[b] = Math.max(priced[from], -Number.MAX_VALUE);
  }
}

/** Per (region, hour) cell: the Wh-weighted mean reserve price per Wh of its certificates (0 when empty). */
function cellReserve(prep: PreparedSchedule): Float64Array {
  const { span, energy } = prep;
  const reserve = new Float64Array(REGION_SLOTS * span);
  for (let c = 0; c < reserve.length; c++) {
    let wh = 0;
    let paid = 0;
    for (let i = energy.cellStart[c]; i < energy.cellStart[c + 1]; i++) {
      const slot = energy.cellSlots[i];
      wh += energy.left[slot];
      paid += (energy.left[slot] * energy.pricePerKwh[slot]) / 1000;
    }
    reserve[c] = wh > 0 ? paid / wh : 0;
  }
  return reserve;
}

/** Per origin pool (a set of regions) and hour: the cheapest cell's price and region. */
class PoolPrices {
  readonly span: number;
  /** The pools met so far, as region bit masks; pool i's rows are at i·span. */
  private readonly masks: number[] = [];
  price: Float64Array = new Float64Array(0);
  region: Int32Array = new Int32Array(0);
  private cells: Float64Array = new Float64Array(0);

  constructor(span: number) {
    this.span = span;
  }

  /** Brings every known pool's rows up to date with the cells' prices. */
  update(cells: Float64Array): void {
    this.cells = cells;
    for (let i = 0; i < this.masks.length; i++) this.fill(i);
  }

  /** The pool of regions `mask` (bit r: region r), its rows filled on first use. */
  of(mask: number): number {
    let i = this.masks.indexOf(mask);
    if (i >= 0) return i;
    i = this.masks.length;
    this.masks.push(mask);
    if (this.price.length < this.masks.length * this.span) {
      const price = new Float64Array(this.masks.length * 2 * this.span);
      price.set(this.price);
      this.price = price;
      const region = new Int32Array(this.masks.length * 2 * this.span);
      region.set(this.region);
      this.region = region;
    }
    this.fill(i);
    return i;
  }

  private fill(i: number): void {
    const { span, cells } = this;
    const mask = this.masks[i];
    for (let h = 0; h < span; h++) {
      let best = Infinity;
      let at = 0;
      for (let r = 0; r < REGION_SLOTS; r++) {
        if (((mask >>> r) & 1) === 0) continue;
        const price = cells[r * span + h];
        if (price < best) {
          best = price;
          at = r;
        }
      }
      this.price[i * span + h] = best;
      this.region[i * span + h] = at;
    }
  }
}

/** The cheapest hours of a job that carry its minimum green share, and what they cost per Wh of hourly need. */
class JobHours {
  /** Hours (from the job's start) bought, and the part of the hour's need bought in each. */
  at = new Int32Array(8);
  part = new Float64Array(8);
  count = 0;
  private order = new Int32Array(8);

  /**
   * The price of the share `share` of a job of `duration` hours whose hour prices are row[from ..]:
   * whole hours cheapest first, the last one in part. Infinity when too few hours have Wh.
   */
  cost(row: Float64Array, from: number, duration: number, share: number): number {
    if (this.order.length < duration) {
      this.order = new Int32Array(duration);
      this.at = new Int32Array(duration);
      this.part = new Float64Array(duration);
    }
    const order = this.order;
    for (let k = 0; k < duration; k++) {
      const price = row[from + k];
      let j = k;
      while (j > 0 && row[from + order[j - 1]] > price) {
        order[j] = order[j - 1];
        j--;
      }
      order[j] = k;
    }
    let missing = share * duration;
    let cost = 0;
    this.count = 0;
    for (let i = 0; i < duration && missing > 1e-9; i++) {
      const price = row[from + order[i]];
      if (price === Infinity) return Infinity;
      const part = Math.min(1, missing);
      cost += price * part;
      missing -= part;
      this.at[this.count] = order[i];
      this.part[this.count++] = part;
    }
    return cost;
  }
}
