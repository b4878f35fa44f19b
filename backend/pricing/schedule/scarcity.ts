// Scarcity-aware assignment in the fast scheduler's pass 2 (docs/pricing.md, "The fast scheduler",
// step 2). Most of what a fixed book loses against its LP bound is bids blocked by sold-out
// certificate cells and full compute hours that bids with a choice took first. So the greedy keeps
// count of what the bids still to be scheduled ask for: a green bid asks for its minimum green Wh in
// each hour it may run, split evenly over its candidate offers, from each offer's origin pool, spread
// over the pool's regions in proportion to their Wh at the start; its VCU likewise per compute
// offer-hour (fast.ts's `pressure`). What the bids to come ask of a cell or a pool over the Wh it has
// left, or of an offer-hour over its VCU, is its pressure: above 1 they will not all be served. A bid then
// prefers the compute offer whose hours and certificate pool are under less pressure (rankOffers),
// and buys its certificates from the cells under least pressure (place.ts, chooseCertificates).

import { AREA_OF_REGION, GRID_AREAS, type PreparedSchedule, poolRegions, REGION_SLOTS } from "./prepare.ts";
import { ORIGIN } from "./types.ts";

/**
 * Weight of a cell's pressure in the certificate chooser's key: price over the square root of the
 * Wh left, times 1 + this × pressure (place.ts). On the fixed 100k book 0.25–3 give the same
 * welfare within 0.03 %.
 */
export const CELL_PRESSURE_WEIGHT = 1;
/**
 * Weight of a pool's pressure in a green bid's choice of compute offer (rankOffers): the mean
 * pressure over the job's hours prices its green Wh at this many times the mean certificate price.
 * On the fixed 100k book (asks from the best offer only) 2–5 gave +0.3 % of welfare, 10 nothing,
 * 30 −1.2 %.
 */
export const OFFER_PRESSURE_WEIGHT = 3;
/**
 * Weight of a compute offer's pressure in rankOffers: the mean over the job's hours of the VCU the
 * bids to come ask of it over its VCU prices a VCU-hour at this many times its reserve. On the
 * fixed 100k book 0.1–0.15 gave +0.3 % of welfare on top of the certificates' pressure (0.05 and 0.2:
 * +0.2 %); over its free VCU instead of its VCU, the same welfare for one more cache miss per offer.
 */
export const COMPUTE_PRESSURE_WEIGHT = 0.1;
/** A pressure counts at most this much in rankOffers (a sold-out pool or a full offer-hour). */
export const MAX_PRESSURE = 4;

/** Each bid's candidate compute offers: bid b's are pairOffer[pairStart[b] .. pairStart[b + 1]). */
type Pairs = { pairStart: Int32Array; pairOffer: Int32Array };

/**
 * A job's `profit` per VCU-hour on a compute offer (VCU-hour `reserve`) less what the bids to come
 * make it cost over its `d` hours: `busy`, the offer's pressure summed over them (each at most
 * MAX_PRESSURE), at COMPUTE_PRESSURE_WEIGHT × the reserve, and `pool`, its certificate pool's summed
 * likewise, on its `greenWh` per VCU-hour at OFFER_PRESSURE_WEIGHT × `pricePerWh`. rankOffers and the
 * fast scheduler's start score (fast.ts) both price a pair so, each reading the pressures its own way.
 */
export function pressedScore(
  profit: number,
  reserve: number,
  busy: number,
  d: number,
  greenWh: number,
  pricePerWh: number,
  pool: number,
): number {
  return (
    profit - (reserve * COMPUTE_PRESSURE_WEIGHT * busy) / d - (greenWh * pricePerWh * OFFER_PRESSURE_WEIGHT * pool) / d
  );
}

export class Scarcity {
  private readonly prep: PreparedSchedule;
  private readonly pairs: Pairs;
  /** VCU the bids to come ask per compute offer-hour (indexed like computeFree; kept by the scheduler). */
  private readonly computeAsked: Float32Array;
  /** Wh the bids to come ask for, per cell r·span + h, per grid area-hour a·span + h, and per hour in all. */
  private readonly askedRegion: Float64Array;
  private readonly askedArea: Float64Array;
  private readonly askedAll: Float64Array;
  /** Wh per cell at the start: the proportions a bid's ask is spread over its pool's regions in. */
  private readonly supplyRegion: Float64Array;
  /**
   * Per bid, its asks by distinct pool (CSR): the regions of each pool (askPool) and the Wh an hour
   * asked of it (askWh, its pairs' minimum green Wh an hour over its number of pairs).
   */
  private readonly askFrom: Int32Array;
  private readonly askPool: Int32Array;
  private readonly askWh: Float64Array;
  /** rankOffers' answer: pair indices, best first, and their scores. */
  ranked = new Int32Array(64);
  private rankedScore = new Float64Array(64);

  /**
   * Reads `prep`'s certificates as they are now (before any piece is placed). `computeAsked` is the
   * VCU the bids to come ask per compute offer-hour, which the scheduler keeps.
   */
  constructor(prep: PreparedSchedule, pairs: Pairs, computeAsked: Float32Array) {
    const { bids, computes, span } = prep;
    this.prep = prep;
    this.pairs = pairs;
    this.computeAsked = computeAsked;
    this.askedRegion = new Float64Array(REGION_SLOTS * span);
    this.askedArea = new Float64Array(GRID_AREAS.length * span);
    this.askedAll = new Float64Array(span);
    this.supplyRegion = prep.energy.supplyRegion.slice();
    const { pairStart, pairOffer } = pairs;
    // Only regions with certificates at all take part in a pool (an Anywhere pool lists every bit).
    let selling = 0;
    for (const r of prep.energy.region) selling |= 1 << r;
    this.askFrom = new Int32Array(bids.length + 1);
    this.askPool = new Int32Array(pairStart[bids.length]);
    this.askWh = new Float64Array(pairStart[bids.length]);
    let n = 0;
    for (let b = 0; b < bids.length; b++) {
      const bid = bids[b];
      const order = bid.order;
      const from = n;
      if (order.minGreenBps > 0)
        for (let p = pairStart[b]; p < pairStart[b + 1]; p++) {
          const compute = computes[pairOffer[p]];
          const pool = poolRegions(order.certificateOrigin, compute.region) & selling;
          const wh =
            ((order.minGreenBps / 10_000) * ((bid.remaining * compute.milliWhPerVcuHour) / 1000)) /
            (pairStart[b + 1] - pairStart[b]);
          let i = from;
          while (i < n && this.askPool[i] !== pool) i++;
          if (i === n) {
            this.askPool[n] = pool;
            this.askWh[n++] = 0;
          }
          this.askWh[i] += wh;
        }
      this.askFrom[b + 1] = n;
    }
  }

  /** Adds bid `b`'s ask for certificates (sign 1), or takes it off (−1) when its turn comes. */
  spread(b: number, sign: number): void {
    const { bids, span } = this.prep;
    const bid = bids[b];
    const { askFrom, askPool, askWh } = this;
    if (askFrom[b] === askFrom[b + 1]) return;
    const { askedRegion, askedArea, askedAll, supplyRegion } = this;
    // A flexible bid's ask is spread over the hours it may run in.
    const from = bid.firstStart;
    const to = bid.lastStart + bid.duration;
    const share = (sign * bid.duration) / (to - from);
    for (let i = askFrom[b]; i < askFrom[b + 1]; i++) {
      const pool = askPool[i];
      const perHour = share * askWh[i];
      for (let h = from; h < to; h++) {
        let poolWh = 0;
        for (let m = pool; m !== 0; m &= m - 1) poolWh += supplyRegion[(31 - Math.clz32(m & -m)) * span + h];
        if (poolWh <= 0) continue;
        const f = perHour / poolWh;
        for (let m = pool; m !== 0; m &= m - 1) {
          const r = 31 - Math.clz32(m & -m);
          const wh = f * supplyRegion[r * span + h];
          if (wh === 0) continue;
          askedRegion[r * span + h] += wh;
          const area = AREA_OF_REGION[r];
          if (area >= 0) askedArea[area * span + h] += wh;
          askedAll[h] += wh;
        }
      }
    }
  }

  /**
   * Orders bid `b`'s pairs (with estimated profits per VCU-hour `pairProfit`) for start `s`: by
   * profit less the compute offer's pressure over the job's hours at COMPUTE_PRESSURE_WEIGHT × its
   * reserve, and for a green bid less its green Wh at OFFER_PRESSURE_WEIGHT × the mean certificate
   * price × its pool's pressure. Writes `ranked` and returns how many.
   */
  rankOffers(b: number, pairProfit: Float64Array, s: number): number {
    const { pairStart, pairOffer } = this.pairs;
    const from = pairStart[b];
    const n = pairStart[b + 1] - from;
    if (this.ranked.length < n) {
      this.ranked = new Int32Array(2 * n);
      this.rankedScore = new Float64Array(2 * n);
    }
    const { ranked, rankedScore } = this;
    // The bid's fields, read once for all its pairs (its order object is a cache miss of its own).
    const bid = this.prep.bids[b];
    const d = bid.duration;
    const minShare = bid.order.minGreenBps / 10_000;
    const origin = bid.order.certificateOrigin;
    for (let i = 0; i < n; i++) {
      const p = from + i;
      const score = this.pressed(pairOffer[p], s, d, minShare, origin, pairProfit[p]);
      // Insertion: a bid has a few pairs; ties keep the profit order.
      let j = i;
      while (j > 0 && rankedScore[j - 1] < score) {
        rankedScore[j] = rankedScore[j - 1];
        ranked[j] = ranked[j - 1];
        j--;
      }
      rankedScore[j] = score;
      ranked[j] = p;
    }
    return n;
  }

  /**
   * A job's `profit` per VCU-hour on compute offer `c` from hour `s` less what the bids to come make
   * it cost (pressedScore): the offer's pressure over its `d` hours and, with a minimum green share
   * `minShare`, that on its certificate pool of `origin`. The bid's fields are passed in, so that
   * rankOffers reads them once for all its offers.
   */
  private pressed(c: number, s: number, d: number, minShare: number, origin: number, profit: number): number {
    const compute = this.prep.computes[c];
    let busy = 0;
    if (compute.start <= s && s + d <= compute.end) {
      const { computeAsked } = this;
      const hours = compute.offset + s - compute.start;
      for (let k = 0; k < d; k++) busy += Math.min(MAX_PRESSURE, computeAsked[hours + k] / compute.capacity);
    }
    if (minShare <= 0) return pressedScore(profit, compute.reserve, busy, d, 0, 0, 0);
    const pool = this.poolPressure(origin, compute.region, s, d);
    return pressedScore(
      profit,
      compute.reserve,
      busy,
      d,
      (minShare * compute.milliWhPerVcuHour) / 1000,
      this.prep.meanPricePerWh,
      pool,
    );
  }

  /**
   * The pressure on the certificate pool of `origin` for compute in `region`, summed over the hours
   * [s, s + d), each hour's at most MAX_PRESSURE (MAX_PRESSURE × d for a region in no grid area).
   */
  poolPressure(origin: number, region: number, s: number, d: number): number {
    const { energy, span } = this.prep;
    // The pool's asked and left Wh per hour: a region, a grid area or every region.
    let asked = this.askedAll;
    let left = energy.supplyAll;
    let at = s;
    if (origin === ORIGIN.ComputeRegion) {
      asked = this.askedRegion;
      left = energy.supplyRegion;
      at = region * span + s;
    } else if (origin === ORIGIN.GridArea) {
      asked = this.askedArea;
      left = energy.supplyArea;
      at = AREA_OF_REGION[region] * span + s;
    }
    if (at < 0) return MAX_PRESSURE * d; // a region in no grid area: no certificates at all
    let pressure = 0;
    for (let k = 0; k < d; k++)
      pressure += Math.min(MAX_PRESSURE, Math.max(0, asked[at + k]) / Math.max(1, left[at + k]));
    return pressure;
  }

  /** The chooser's factor on the key of a slot in cell r·span + h with `left` Wh left there (place.ts). */
  cellFactor(cell: number, left: number): number {
    return 1 + (CELL_PRESSURE_WEIGHT * Math.max(0, this.askedRegion[cell])) / left;
  }
}
