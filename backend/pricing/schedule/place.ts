// Places one piece of a job — `vcu` units of one compute offer from one start hour — into a
// schedule under construction, the way the contract will settle it: certificates of the job's
// hours from the bid's origin pool, cheapest first (with other bids about: price over the square
// root of the region-hour's Wh left, sparing scarce hours), at most the piece's need in each hour and at
// least its minimum green share; a link when the compute region is not the buyer's (the bid's link
// on that route is reused at no charge); payments at every order's reserve; the all-in limit checked
// in bigint. A piece that does not fit changes nothing, except that a rerouting state may have
// moved other pieces' certificates to other hours of their jobs to make room for it (each move
// valid on its own). Both schedulers build their matches here.

import { energyHoursOf } from "./energy-hours.ts";
import { HolderLists } from "./holders.ts";
import { mulDiv } from "./mul-div.ts";
import { PieceStore } from "./pieces.ts";
import {
  AREA_OF_REGION,
  type LiveBid,
  type LiveCompute,
  type PreparedSchedule,
  poolRegions,
  REGION_SLOTS,
  routeKey,
} from "./prepare.ts";
import type { Scarcity } from "./scarcity.ts";
import { HOUR, type HourlyEnergyLot, MAX_JOB_HOURS, ORIGIN, type ScheduledMatch, type TimedBook } from "./types.ts";

/** Hours per block of the per-route link index (linkBlocks). */
const LINK_BLOCK_HOURS = 24;

/**
 * Holders a rerouting state asks to move, per live bid of the book (unless the scheduler says
 * otherwise): on seeded books of 1k–20k orders the gain stops growing at about 2 (the worthiest
 * bids, scheduled first, use them). On the 100k books the gain grows nearly linearly with the
 * checks (0.5 per bid +0.37 %, 1 +0.70 %, 2 +0.90 % on the fixed book), and the checks are what
 * rerouting costs there.
 */
export const REROUTE_CHECKS_PER_BID = 2;

/**
 * Scratch arrays every state shares: each method that fills one reads it before it returns, and
 * nothing runs between (schedules are synchronous), so states need not own them. A quote builds a
 * state or more per request, and these arrays (allocated outside V8's heap) cost more to make
 * than its schedule spends in them (docs/architecture.md, "Quotes per process"). A method that needs
 * a larger one grows it here, for the states after it too.
 */
const SCRATCH = {
  chosenSlot: new Int32Array(64),
  chosenWh: new Float64Array(64),
  addedSlot: new Int32Array(64),
  addedWh: new Float64Array(64),
  movedSlot: new Int32Array(64),
  movedWh: new Float64Array(64),
  key: new Float64Array(64),
  rerouteUsed: new Float64Array(MAX_JOB_HOURS),
  supply: new Float64Array(MAX_JOB_HOURS),
  usedInHour: new Float64Array(MAX_JOB_HOURS),
  ranks: new Int32Array(64),
  pick: new Int32Array(256),
  lotOrder: new Int32Array(64),
};

/** What a state without rerouting (or holder lists) keeps in their place: never written, shared. */
const NO_FLOATS = new Float64Array(0);
const NO_HOLDERS = new HolderLists(0, 0);

/** A copy of `from`: written into `into` when it is another array of the same length, else a new one. */
function copied<T extends Int32Array | Float64Array>(from: T, into: T | undefined): T {
  if (into === undefined || into === from || into.length !== from.length) return from.slice() as T;
  into.set(from);
  return into;
}

/** A route's links per block of hours (linkBlocks): entries first[k] .. first[k + 1] of the other arrays. */
type LinkBlocks = {
  first: Int32Array;
  links: Int32Array;
  start: Int32Array;
  end: Int32Array;
  latency: Float64Array;
  offset: Int32Array;
};

/** Above this many certificate slots a job's pool is taken off a heap (chooseCertificates), below sorted by insertion. */
const INSERTION_SORT_MAX = 48;

/**
 * A bid's pieces as `takeOut` found them, for `putBack` to restore exactly: each piece's offer,
 * start, VCU, link reserved, welfare, certificate lots and match.
 */
export type TakenBid = {
  bid: number;
  start: number;
  links: Map<number, number> | undefined;
  pieces: {
    offer: number;
    start: number;
    vcu: number;
    link: number;
    welfare: number;
    slots: Int32Array;
    whs: Float64Array;
    match: ScheduledMatch;
  }[];
};

export class ScheduleState {
  readonly prep: PreparedSchedule;
  readonly book: TimedBook;
  readonly feeBps: number;
  welfare = 0;
  /** Per live bid: VCU still unserved, the start fixed by its first piece (−1: none). */
  readonly remaining: Float64Array;
  readonly start: Int32Array;
  /** Per live bid: the link reserved on each route (routeKey → link index). */
  private readonly bidLinks = new Map<number, Map<number, number>>();
  /** Per live bid: its placed pieces, kept when the state is undoable or reroutes certificates. */
  private pieces: PieceStore;
  /** The matches in the order they were placed; a removed piece leaves a hole. */
  private placed: (ScheduledMatch | undefined)[] = [];
  private holes = 0;
  private readonly undoable: boolean;
  /**
   * In an undoable state with `holders`: the bids holding each compute offer and each certificate slot
   * (pass 4's blockers).
   */
  private readonly holders: boolean;
  private onOffer: HolderLists;
  private onSlot: HolderLists;
  /**
   * With `reroute`: per energy slot, the bids that took Wh of it. The reroute walk drops the stale
   * entries it meets (the bid was removed or rerouted since) and parks the holders stuck for good,
   * which the move pass's index still lists.
   */
  private reroutable: HolderLists;
  private readonly reroute: boolean;
  /** Per bid: the (start, pool) of its last reroute that freed nothing (−1: none). */
  private readonly rerouteFailed: Float64Array;
  /** Holders a rerouting state may still ask to move (checksPerBid per live bid; a clone starts afresh). */
  private rerouteChecks: number;
  private readonly checksPerBid: number;
  /**
   * While a move is open (openMove): each piece whose certificates were rerouted, as it was before
   * (its bid, lot range, welfare and match), and the reroute budget at the opening.
   */
  private rerouted:
    | { bid: number; piece: number; lotFrom: number; lotCount: number; welfare: number; match: ScheduledMatch }[]
    | undefined;
  private checksAtOpen = 0;
  private readonly rerouteUsed = SCRATCH.rerouteUsed;
  private readonly rerouteOptions: number[] = [];
  private readonly routeBlocks = new Map<number, LinkBlocks>();
  /** chooseCertificates' answer: lots chosenSlot/chosenWh[0 .. its count). */
  private chosenSlot = SCRATCH.chosenSlot;
  private chosenWh = SCRATCH.chosenWh;
  /** moveCertificates' scratch: the Wh it adds, and the holder's lots after the move. */
  private addedSlot = SCRATCH.addedSlot;
  private addedWh = SCRATCH.addedWh;
  private movedSlot = SCRATCH.movedSlot;
  private movedWh = SCRATCH.movedWh;
  /** chooseCertificates' sort key of each energy slot, indexed by slot (with `spareScarce`). */
  private key = SCRATCH.key;
  private readonly spareScarce: boolean;
  /** The regions with certificate slots in the book (bit r: region r). */
  private readonly selling: number;
  /**
   * With `spareScarce` (books of more than one bid), per (region, hour): where chooseCertificates
   * starts reading the cell's slots, every slot before it sold out (made on its first call). A cell
   * lists its slots cheapest first and the cheapest sell first, so a full book's cells start with
   * sold-out slots; a slot given back (takeEnergy) moves its cell's start back to the first.
   */
  private cellFirst: Int32Array | undefined;
  /** Per energy offer of the book: its rank by id (priceLots; read on the first lot priced). */
  private idRank: Int32Array | undefined;
  /**
   * With `spareScarce`, set by the fast scheduler on books over 1,000 bids: what the bids still to come ask of
   * each certificate cell (scarcity.ts); the chooser spares the cells under most pressure.
   */
  scarcity: Scarcity | undefined;
  private readonly supply = SCRATCH.supply;
  private readonly usedInHour = SCRATCH.usedInHour;

  /**
   * `prep` is consumed: its free capacities and energy slots change as pieces are placed. An
   * `undoable` state remembers its pieces so that bids can be removed again and the state copied.
   * A `spareScarce` state buys certificates from plentiful region-hours before cheaper scarce ones
   * (chooseCertificates); otherwise always the cheapest. A `reroute` state, when a green piece finds
   * its hours' certificates taken, moves the pieces holding them to other hours or regions of their
   * own pools (rerouteCertificates), asking at most `checksPerBid` holders per live bid of the book.
   * An undoable state keeps who holds each offer and slot (holdersOfOffer, holdersOfCertificates)
   * unless `holders` is false: a one-bid schedule asks for no blockers, and a quote would pay for
   * lists as long as the book's certificate slots (docs/architecture.md, "Quotes per process").
   */
  constructor(
    prep: PreparedSchedule,
    book: TimedBook,
    feeBps: number,
    undoable = false,
    spareScarce = false,
    reroute = false,
    checksPerBid = REROUTE_CHECKS_PER_BID,
    holders = true,
  ) {
    this.prep = prep;
    this.book = book;
    this.feeBps = feeBps;
    this.undoable = undoable;
    this.holders = undoable && holders;
    this.onOffer = this.holders ? new HolderLists(prep.computes.length, 2 * prep.bids.length) : NO_HOLDERS;
    this.onSlot = this.holders ? new HolderLists(prep.energy.left.length, 5 * prep.bids.length) : NO_HOLDERS;
    this.spareScarce = spareScarce;
    let selling = 0;
    for (let r = 0; r < REGION_SLOTS; r++)
      if (prep.energy.cellStart[r * prep.span] < prep.energy.cellStart[(r + 1) * prep.span]) selling |= 1 << r;
    this.selling = selling;
    this.reroute = reroute;
    // About five certificate lots per bid are held on a full book (each one an entry).
    this.reroutable = new HolderLists(reroute ? prep.energy.left.length : 0, reroute ? 5 * prep.bids.length : 0);
    this.checksPerBid = checksPerBid;
    this.rerouteChecks = reroute ? checksPerBid * prep.bids.length : 0;
    const { bids } = prep;
    this.remaining = new Float64Array(bids.length);
    for (let b = 0; b < bids.length; b++) this.remaining[b] = bids[b].remaining;
    // About two pieces per bid on a full book: sized once, not grown (each growth is garbage for
    // the collector to meet, and on a 100k-order book an extra full collection).
    this.pieces = new PieceStore(prep.bids.length, undoable || reroute ? 2 * prep.bids.length : 0);
    this.rerouteFailed = reroute ? new Float64Array(prep.bids.length).fill(-1) : NO_FLOATS;
    this.start = new Int32Array(prep.bids.length).fill(-1);
  }

  /** The least free VCU of offer `c` over hours [start, start + duration). */
  freeVcu(c: number, start: number, duration: number): number {
    const compute = this.prep.computes[c];
    if (start < compute.start || start + duration > compute.end) return 0;
    let free = Infinity;
    const from = compute.offset + start - compute.start;
    const computeFree = this.prep.computeFree;
    for (let k = 0; k < duration && free > 0; k++) if (computeFree[from + k] < free) free = computeFree[from + k];
    return free;
  }

  /** Green Wh the bid's origin pool still offers in hour `h` for compute in `region`. */
  poolSupply(origin: number, region: number, h: number): number {
    const { energy, span } = this.prep;
    if (origin === ORIGIN.Anywhere) return energy.supplyAll[h];
    if (origin === ORIGIN.ComputeRegion) return energy.supplyRegion[region * span + h];
    const area = AREA_OF_REGION[region];
    return area < 0 || origin !== ORIGIN.GridArea ? 0 : energy.supplyArea[area * span + h];
  }

  /**
   * Tries to place `vcu` units (or fewer when green supply is short) of bid `b` on compute offer `c`
   * from hour index `start`. Returns the VCU placed (0 when nothing fits).
   */
  place(b: number, c: number, start: number, vcu: number): number {
    const { prep } = this;
    const bid = prep.bids[b];
    const compute = prep.computes[c];
    const order = bid.order;
    const duration = bid.duration;
    if (this.start[b] >= 0 && this.start[b] !== start) return 0;
    // One match per (bid, compute offer): after a removal a bid may find room again on an offer
    // it already holds, and a second match there would only split one bundle in two.
    if (this.undoable)
      for (let p = this.pieces.first[b]; p >= 0; p = this.pieces.next[p]) if (this.pieces.offer[p] === c) return 0;
    let q = Math.min(vcu, this.remaining[b], this.freeVcu(c, start, duration));
    if (q <= 0) return 0;

    // Certificates: hours of the job, pool of the bid's origin rule, cheapest first.
    const minBps = order.minGreenBps;
    let lots = 0;
    if (minBps > 0) {
      const supply = this.supply.length >= duration ? this.supply : new Float64Array(duration);
      for (let k = 0; k < duration; k++)
        supply[k] = this.poolSupply(order.certificateOrigin, compute.region, start + k);
      const milliWh = compute.milliWhPerVcuHour;
      const pool = poolRegions(order.certificateOrigin, compute.region);
      // A bid whose last reroute at this start and pool freed nothing is not tried there again:
      // what its holders could not move then they cannot now (until bids are removed).
      const tried = start * 2 ** 32 + (pool >>> 0);
      let fitting = greenFits(q, milliWh, duration, minBps, supply);
      if (!fitting && this.rerouteChecks > 0 && this.rerouteFailed[b] !== tried) {
        const need = mulDiv(q, compute.milliWhPerVcuHour, 1000, false);
        const min = mulDiv(need * duration, minBps, 10_000, true);
        if (this.rerouteCertificates(pool, start, duration, need, min, supply))
          fitting = greenFits(q, milliWh, duration, minBps, supply);
        else this.rerouteFailed[b] = tried;
      }
      if (!fitting) {
        let lo = 0;
        let hi = q;
        while (lo < hi) {
          const mid = Math.ceil((lo + hi) / 2);
          if (greenFits(mid, milliWh, duration, minBps, supply)) lo = mid;
          else hi = mid - 1;
        }
        q = lo;
        if (q <= 0) return 0;
      }
      lots = this.chooseCertificates(
        order.certificateOrigin,
        compute.region,
        start,
        duration,
        q,
        compute.milliWhPerVcuHour,
        minBps,
        this.spareScarce,
      );
    }

    // Bandwidth: the bid's link on this route if it has one, else the cheapest with room.
    let link = -1;
    let linkPayment = 0n;
    let linkPaid = 0;
    let newLink = false;
    if (compute.region !== order.buyerRegion) {
      const key = routeKey(compute.region, order.buyerRegion);
      const held = this.bidLinks.get(b)?.get(key);
      if (held !== undefined) {
        const w = prep.links[held];
        if (w.start <= start && start + duration <= w.end) link = held;
      }
      if (link < 0) {
        const blocks = this.linkBlocks(key);
        const block = Math.floor(start / LINK_BLOCK_HOURS);
        const maxLatency = order.maxLatencyMs;
        for (let i = blocks.first[block]; i < blocks.first[block + 1]; i++) {
          const linkStart = blocks.start[i];
          if (linkStart > start || start + duration > blocks.end[i] || blocks.latency[i] > maxLatency) continue;
          const from = blocks.offset[i] + start - linkStart;
          let room = true;
          for (let k = 0; k < duration && room; k++) room = prep.linkFree[from + k] >= bid.mbps;
          if (room) {
            link = blocks.links[i];
            newLink = true;
            break;
          }
        }
      }
      if (link < 0) return 0;
      if (newLink) {
        linkPaid = prep.links[link].price * bid.mbps * duration;
        linkPayment = exactWhole(linkPaid)
          ? BigInt(linkPaid)
          : prep.links[link].order.reservePricePerMbpsHour * order.bandwidthMbps * BigInt(duration);
      }
    }

    // Payments at reserve; the all-in limit in exact arithmetic: in doubles while every amount is a
    // whole number below 2⁵³ (the book's prices are, as Numbers, exactly their bigints then), else
    // in bigint. The lots are priced as objects only once the limit holds: on the fixed 100k book
    // about one piece tried in six fails it.
    const vcuHours = q * duration;
    if (!this.withinLimit(bid, compute, vcuHours, linkPaid, linkPayment, lots)) {
      // Certificates that spare scarce hours may cost more than the bid can pay: the cheapest then.
      if (!this.spareScarce || lots === 0) return 0;
      lots = this.chooseCertificates(
        order.certificateOrigin,
        compute.region,
        start,
        duration,
        q,
        compute.milliWhPerVcuHour,
        minBps,
        false,
      );
      if (!this.withinLimit(bid, compute, vcuHours, linkPaid, linkPayment, lots)) return 0;
    }
    const energyLots = this.priceLots(this.chosenSlot, this.chosenWh, lots);

    // Commit.
    const from = compute.offset + start - compute.start;
    for (let k = 0; k < duration; k++) prep.computeFree[from + k] -= q;
    let energyCost = 0;
    const { chosenSlot, chosenWh } = this;
    for (let i = 0; i < lots; i++) {
      this.takeEnergy(chosenSlot[i], chosenWh[i]);
      energyCost += (prep.energy.pricePerKwh[chosenSlot[i]] * chosenWh[i]) / 1000;
    }
    if (newLink) {
      const l = prep.links[link];
      for (let k = 0; k < duration; k++) prep.linkFree[l.offset + start - l.start + k] -= bid.mbps;
      const routes = this.bidLinks.get(b) ?? new Map<number, number>();
      routes.set(routeKey(compute.region, order.buyerRegion), link);
      this.bidLinks.set(b, routes);
    }
    this.remaining[b] -= q;
    this.start[b] = start;
    const match: ScheduledMatch = {
      bidId: order.id,
      computeOfferId: compute.order.id,
      start: (prep.base + start) * HOUR,
      vcu: q,
      computePayment: computePaymentOf(compute, vcuHours),
      energyLots,
      bandwidthOfferId: link < 0 ? 0n : prep.links[link].order.id,
      bandwidthPayment: linkPayment,
    };
    const welfare =
      (bid.limit - compute.reserve) * q * duration -
      energyCost -
      (newLink ? prep.links[link].price * bid.mbps * duration : 0);
    this.welfare += welfare;
    if (this.undoable || this.reroute) {
      const piece = this.pieces.add(b, this.placed.length, c, start, q, newLink ? link : -1, welfare);
      this.pieces.setLots(piece, chosenSlot, chosenWh, lots);
      if (this.reroute) for (let i = 0; i < lots; i++) this.reroutable.add(chosenSlot[i], b);
    }
    if (this.holders) {
      this.onOffer.add(c, b);
      for (let i = 0; i < lots; i++) this.onSlot.add(chosenSlot[i], b);
    }
    this.placed.push(match);
    return q;
  }

  /** The matches of the placed pieces, in the order they were placed. */
  get matches(): ScheduledMatch[] {
    const matches: ScheduledMatch[] = [];
    const placed = this.placed;
    for (let i = 0; i < placed.length; i++) if (placed[i] !== undefined) matches.push(placed[i] as ScheduledMatch);
    return matches;
  }

  /**
   * Frees certificates of the pool `regions` (bit r: region r) in the hours [start, start + duration)
   * for a piece that needs `need` Wh an hour and `min` Wh in all, of which `supply` (per job hour,
   * updated) is on sale: pieces holding Wh of those cells move them to other hours of their jobs or
   * other regions of their pools, where certificates are still for sale. A move is made only when
   * the holder's all-in limit still holds at the new certificates' prices; every rule of the
   * contract keeps holding for it (the same hours, at most its need per hour, at least its minimum).
   */
  private rerouteCertificates(
    regions: number,
    start: number,
    duration: number,
    need: number,
    min: number,
    supply: Float64Array,
  ): boolean {
    const { energy, span } = this.prep;
    let available = 0;
    for (let k = 0; k < duration; k++) available += Math.min(supply[k], need);
    let deficit = min - available;
    const before = deficit;
    if (this.rerouteChecks <= 0) return false;
    for (let k = 0; k < duration && deficit > 0; k++) {
      if (supply[k] >= need) continue;
      const h = start + k;
      for (let r = 0; r < REGION_SLOTS && deficit > 0 && supply[k] < need; r++) {
        if (((regions >>> r) & 1) === 0) continue;
        const cell = r * span + h;
        for (let i = energy.cellStart[cell]; i < energy.cellStart[cell + 1] && deficit > 0 && supply[k] < need; i++) {
          const slot = energy.cellSlots[i];
          const holders = this.reroutable;
          for (let e = holders.first(slot), prev = -1; e >= 0; ) {
            if (deficit <= 0 || supply[k] >= need || this.rerouteChecks <= 0) break;
            const want = Math.min(need - supply[k], deficit);
            this.rerouteChecks--;
            const b = holders.bid(e);
            const after = holders.next(e);
            const moved = this.moveCertificates(b, slot, want, regions, start, start + duration);
            if (moved < 0) {
              // It holds nothing of the slot it could ever move: off the list (parked when it holds
              // some, stuck: the move pass may still start it elsewhere).
              if (this.heldOf(b, slot) > 0) holders.park(slot, e, prev);
              else holders.drop(slot, e, prev);
              e = after;
              continue;
            }
            prev = e;
            e = after;
            supply[k] += moved;
            deficit -= moved;
          }
        }
      }
    }
    return deficit < before;
  }

  /**
   * Moves up to `want` Wh of bid `b`'s certificates of `slot` to slots of its pool outside the
   * regions `avoid` in hours [from, to). Returns the Wh moved (0 when it has no room elsewhere now or
   * the dearer certificates would break its all-in limit; −1 when it holds none of the slot, or only
   * in pieces stuck for good).
   */
  private moveCertificates(b: number, slot: number, want: number, avoid: number, from: number, to: number): number {
    const pieces = this.pieces;
    if (pieces.first[b] < 0) return -1;
    const { prep } = this;
    const { energy, span } = prep;
    const bid = prep.bids[b];
    const d = bid.duration;
    let moved = 0;
    let movable = false;
    for (let p = pieces.first[b]; p >= 0 && moved < want; p = pieces.next[p]) {
      const lotFrom = pieces.lotFrom[p];
      const lotTo = lotFrom + pieces.lotCount[p];
      let taken = -1;
      for (let i = lotFrom; i < lotTo; i++) if (pieces.lotSlot[i] === slot && pieces.lotWh[i] > 0) taken = i;
      if (taken < 0 || pieces.stuck[p] === 1) continue;
      const pieceStart = pieces.start[p];
      const compute = prep.computes[pieces.offer[p]];
      const origin = bid.order.certificateOrigin;
      const pool = poolRegions(origin, compute.region);
      const q = pieces.vcu[p];
      const pieceNeed = mulDiv(q, compute.milliWhPerVcuHour, 1000, false);
      const usedInHour = this.rerouteUsed.fill(0, 0, d);
      for (let i = lotFrom; i < lotTo; i++) usedInHour[energy.hour[pieces.lotSlot[i]] - pieceStart] += pieces.lotWh[i];
      const slotHour = energy.hour[slot];
      // First from the totals, before any slot is looked at: is anything left in the pool's hours
      // (if not, the piece is stuck), and in an hour it has room in, outside the cells avoided?
      let open = false;
      let possible = false;
      for (let k = 0; k < d && !possible; k++) {
        const h = pieceStart + k;
        if (this.poolSupply(origin, compute.region, h) <= 0) continue;
        open = true;
        if (h !== slotHour && usedInHour[k] >= pieceNeed) continue;
        const allowed = h >= from && h < to ? pool & ~avoid : pool;
        possible = allowed === pool;
        for (let r = 0; r < REGION_SLOTS && !possible && allowed !== 0; r++)
          possible = ((allowed >>> r) & 1) === 1 && energy.supplyRegion[r * span + h] > 0;
      }
      if (!open) pieces.stuck[p] = 1;
      else movable = true;
      if (!possible) continue;
      // Slots it may move to, cheapest first.
      const options = this.rerouteOptions;
      options.length = 0;
      for (let k = 0; k < d; k++) {
        const h = pieceStart + k;
        if (h !== slotHour && usedInHour[k] >= pieceNeed) continue;
        for (let r = 0; r < REGION_SLOTS; r++) {
          if (((pool >>> r) & 1) === 0) continue;
          if (((avoid >>> r) & 1) === 1 && h >= from && h < to) continue;
          const cell = r * span + h;
          if (energy.supplyRegion[cell] <= 0) continue;
          for (let i = energy.cellStart[cell]; i < energy.cellStart[cell + 1]; i++)
            if (energy.left[energy.cellSlots[i]] > 0) options.push(energy.cellSlots[i]);
        }
      }
      if (options.length === 0) continue;
      options.sort((x, y) => energy.pricePerKwh[x] - energy.pricePerKwh[y] || x - y);
      let left = Math.min(want - moved, pieces.lotWh[taken]);
      if (this.addedSlot.length < options.length) {
        this.addedSlot = SCRATCH.addedSlot = new Int32Array(2 * options.length);
        this.addedWh = SCRATCH.addedWh = new Float64Array(2 * options.length);
      }
      const { addedSlot, addedWh } = this;
      let added = 0;
      let amount = 0;
      for (const option of options) {
        if (left <= 0) break;
        const k = energy.hour[option] - pieceStart;
        // In the freed slot's own hour the Wh moved frees its room there.
        const room = k === slotHour - pieceStart ? left : pieceNeed - usedInHour[k];
        const wh = Math.min(left, energy.left[option], room);
        if (wh <= 0) continue;
        if (k !== slotHour - pieceStart) usedInHour[k] += wh;
        left -= wh;
        amount += wh;
        addedSlot[added] = option;
        addedWh[added++] = wh;
      }
      if (amount <= 0) continue;
      // The holder's lots after the move: its old ones less the Wh moved, the added ones merged in.
      const size = lotTo - lotFrom + added;
      if (this.movedSlot.length < size) {
        this.movedSlot = SCRATCH.movedSlot = new Int32Array(2 * size);
        this.movedWh = SCRATCH.movedWh = new Float64Array(2 * size);
      }
      const { movedSlot, movedWh } = this;
      let kept = 0;
      for (let i = lotFrom; i < lotTo; i++) {
        movedSlot[kept] = pieces.lotSlot[i];
        movedWh[kept++] = pieces.lotWh[i] - (i === taken ? amount : 0);
      }
      for (let a = 0; a < added; a++) {
        let same = 0;
        while (same < kept && movedSlot[same] !== addedSlot[a]) same++;
        if (same < kept) movedWh[same] += addedWh[a];
        else {
          movedSlot[kept] = addedSlot[a];
          movedWh[kept++] = addedWh[a];
        }
      }
      let n = 0;
      for (let i = 0; i < kept; i++)
        if (movedWh[i] > 0) {
          movedSlot[n] = movedSlot[i];
          movedWh[n++] = movedWh[i];
        }
      // The limit first in doubles (as place checks it); the lots are priced as objects only for a move made.
      const old = this.placed[pieces.index[p]] as ScheduledMatch;
      const paidInDoubles = this.withinInDoubles(
        bid.limit,
        q * d,
        Number(old.computePayment),
        Number(old.bandwidthPayment),
        this.lotsPaid(movedSlot, movedWh, n),
      );
      if (paidInDoubles === false) continue;
      const energyLots = this.priceLots(movedSlot, movedWh, n);
      const limit = bid.order.limitPricePerVcuHour * BigInt(q * d);
      if (paidInDoubles === undefined && this.allIn(old.computePayment + old.bandwidthPayment, energyLots) > limit)
        continue;
      // Commit: the Wh change hands, the piece's lots and match are replaced by its rerouted ones.
      this.rerouted?.push({
        bid: b,
        piece: p,
        lotFrom,
        lotCount: lotTo - lotFrom,
        welfare: pieces.welfare[p],
        match: old,
      });
      let costChange = 0;
      this.takeEnergy(slot, -amount);
      costChange -= (energy.pricePerKwh[slot] * amount) / 1000;
      for (let a = 0; a < added; a++) {
        this.takeEnergy(addedSlot[a], addedWh[a]);
        costChange += (energy.pricePerKwh[addedSlot[a]] * addedWh[a]) / 1000;
        this.reroutable.add(addedSlot[a], b);
        if (this.holders) this.onSlot.add(addedSlot[a], b);
      }
      this.welfare -= costChange;
      pieces.welfare[p] -= costChange;
      pieces.setLots(p, movedSlot, movedWh, n);
      this.placed[pieces.index[p]] = { ...old, energyLots };
      moved += amount;
    }
    return movable || moved > 0 ? moved : -1;
  }

  /**
   * Whether bid `bid`'s piece of `vcuHours` VCU-hours on `compute`, its link paying `linkPaid`
   * (`linkPayment`) and the lots chosenSlot/chosenWh[0 .. lots), is within its all-in limit, fee
   * included: in doubles when they are exact (withinInDoubles), else in bigint.
   */
  private withinLimit(
    bid: LiveBid,
    compute: LiveCompute,
    vcuHours: number,
    linkPaid: number,
    linkPayment: bigint,
    lots: number,
  ): boolean {
    const lotsPaid = this.lotsPaid(this.chosenSlot, this.chosenWh, lots);
    const inDoubles = this.withinInDoubles(bid.limit, vcuHours, compute.reserve * vcuHours, linkPaid, lotsPaid);
    if (inDoubles !== undefined) return inDoubles;
    const energyLots = this.priceLots(this.chosenSlot, this.chosenWh, lots);
    return (
      this.allIn(computePaymentOf(compute, vcuHours) + linkPayment, energyLots) <=
      bid.order.limitPricePerVcuHour * BigInt(vcuHours)
    );
  }

  /**
   * Whether payments for compute, link and lots of `vcuHours` VCU-hours, fee included, are within the
   * bid's all-in `limit` per VCU-hour, in doubles: undefined unless every amount is a whole number
   * below 2⁵³ (the book's prices are, as Numbers, exactly their bigints then), when allIn decides.
   */
  private withinInDoubles(
    limit: number,
    vcuHours: number,
    computePaid: number,
    linkPaid: number,
    lotsPaid: number,
  ): boolean | undefined {
    const total = computePaid + linkPaid + lotsPaid;
    const limitPaid = limit * vcuHours;
    const exact = exactWhole(computePaid) && exactWhole(linkPaid) && exactWhole(lotsPaid) && exactWhole(total);
    if (!exact || !exactWhole(limitPaid) || !exactWhole(total * this.feeBps)) return undefined;
    return total + floorDiv(total * this.feeBps, 10_000) <= limitPaid;
  }

  /** What a match with these payments for compute and link and these energy lots costs its bid, fee included. */
  private allIn(computeAndLink: bigint, energyLots: HourlyEnergyLot[]): bigint {
    let total = computeAndLink;
    for (const l of energyLots) total += l.payment;
    return total + (total * BigInt(this.feeBps)) / 10_000n;
  }

  /**
   * The lots slots/whs[0 .. n) as priced energy lots of a match, in a match's order (offer id, then
   * hour): the slots are put in that order by the offers' ranks by id, whole numbers,
   * rather than the lots by their bigint ids.
   */
  private priceLots(slots: Int32Array, whs: Float64Array, n: number): HourlyEnergyLot[] {
    const { prep } = this;
    const { offer, hour } = prep.energy;
    if (this.idRank === undefined) this.idRank = energyHoursOf(this.book.energyOffers).idRank;
    const idRank = this.idRank;
    if (SCRATCH.lotOrder.length < n) SCRATCH.lotOrder = new Int32Array(2 * n);
    const order = SCRATCH.lotOrder;
    // An insertion sort (a match has a few lots), stable: lots of one offer and hour keep their order.
    for (let i = 0; i < n; i++) {
      const rx = idRank[offer[slots[i]]];
      const hx = hour[slots[i]];
      let j = i;
      for (; j > 0; j--) {
        const y = slots[order[j - 1]];
        const ry = idRank[offer[y]];
        if (ry < rx || (ry === rx && hour[y] <= hx)) break;
        order[j] = order[j - 1];
      }
      order[j] = i;
    }
    const lots: HourlyEnergyLot[] = new Array(n);
    const { pricePerKwh } = prep.energy;
    for (let i = 0; i < n; i++) {
      const slot = slots[order[i]];
      const energyOffer = this.book.energyOffers[offer[slot]];
      const whNumber = whs[order[i]];
      const wh = BigInt(whNumber);
      // ⌈price × Wh / 1000⌉, in doubles while the product is a whole number below 2⁵³.
      const product = pricePerKwh[slot] * whNumber;
      const payment = exactWhole(product)
        ? BigInt(ceilDiv(product, 1000))
        : (energyOffer.reservePricePerKwh * wh + 999n) / 1000n;
      lots[i] = { offerId: energyOffer.id, hour: (prep.base + hour[slot]) * HOUR, wh, payment };
    }
    return lots;
  }

  /**
   * The payments priceLots would give the lots slots/whs[0 .. n) summed, exactly: NaN when one is
   * not a whole number below 2⁵³ (then only the lots' bigints are exact).
   */
  private lotsPaid(slots: Int32Array, whs: Float64Array, n: number): number {
    const { pricePerKwh } = this.prep.energy;
    let paid = 0;
    for (let i = 0; i < n; i++) {
      const product = pricePerKwh[slots[i]] * whs[i];
      if (!exactWhole(product)) return Number.NaN;
      paid += ceilDiv(product, 1000);
    }
    return paid;
  }

  /**
   * Calls `visit` for each bid with a piece on compute offer `c` in some hour of [from, to) (undoable
   * states only; a bid may come more than once).
   */
  holdersOfOffer(c: number, from: number, to: number, visit: (b: number) => void): void {
    const { pieces, onOffer } = this;
    const { bids } = this.prep;
    for (let e = onOffer.first(c), prev = -1; e >= 0; e = onOffer.next(e)) {
      const b = onOffer.bid(e);
      let holds = false;
      let during = false;
      for (let p = pieces.first[b]; p >= 0 && !during; p = pieces.next[p]) {
        if (pieces.offer[p] !== c) continue;
        holds = true;
        during = pieces.start[p] < to && pieces.start[p] + bids[b].duration > from;
      }
      if (!holds) {
        onOffer.drop(c, e, prev);
        continue;
      }
      prev = e;
      if (during) visit(b);
    }
  }

  /**
   * Calls `visit` for each bid holding certificates of a region in `regions` (bit r: region r) for
   * some hour of [from, to) (undoable states only; a bid may come more than once).
   */
  holdersOfCertificates(regions: number, from: number, to: number, visit: (b: number) => void): void {
    const { energy, span } = this.prep;
    const { onSlot } = this;
    for (let r = 0; r < REGION_SLOTS; r++) {
      if (((regions >>> r) & 1) === 0) continue;
      for (let h = Math.max(0, from); h < Math.min(to, span); h++) {
        const cell = r * span + h;
        for (let i = energy.cellStart[cell]; i < energy.cellStart[cell + 1]; i++) {
          const slot = energy.cellSlots[i];
          for (let e = onSlot.first(slot), prev = -1; e >= 0; e = onSlot.next(e)) {
            const b = onSlot.bid(e);
            if (this.heldOf(b, slot) <= 0) {
              onSlot.drop(slot, e, prev);
              continue;
            }
            prev = e;
            visit(b);
          }
        }
      }
    }
  }

  /** The Wh of certificate slot `slot` bid `b`'s pieces hold. */
  private heldOf(b: number, slot: number): number {
    const { pieces } = this;
    let held = 0;
    for (let p = pieces.first[b]; p >= 0; p = pieces.next[p])
      for (let j = pieces.lotFrom[p]; j < pieces.lotFrom[p] + pieces.lotCount[p]; j++)
        if (pieces.lotSlot[j] === slot) held += pieces.lotWh[j];
    return held;
  }

  /**
   * Placed bids that hold certificates of a region in `regions` (bit r: region r) in the hours
   * [from, from + short.length): in each hour k, holders until the Wh they hold there reach short[k],
   * at most `max` bids in all (rerouting states only). They are read from the reroute holder lists,
   * each slot's list and then its parked one (the holders stuck for good, which a new start may
   * move), latest first.
   */
  greenHolders(regions: number, from: number, short: Float64Array, max: number): number[] {
    const { energy, span } = this.prep;
    const holders = this.reroutable;
    const found: number[] = [];
    for (let k = 0; k < short.length && found.length < max; k++) {
      let freed = 0;
      for (let r = 0; r < REGION_SLOTS && freed < short[k] && found.length < max; r++) {
        if (((regions >>> r) & 1) === 0) continue;
        const cell = r * span + from + k;
        for (let i = energy.cellStart[cell]; i < energy.cellStart[cell + 1] && freed < short[k]; i++) {
          const slot = energy.cellSlots[i];
          for (let list = 0; list < 2; list++)
            for (
              let e = list === 0 ? holders.first(slot) : holders.firstParked(slot);
              e >= 0 && freed < short[k] && found.length < max;
              e = holders.next(e)
            ) {
              const b = holders.bid(e);
              if (found.includes(b)) continue;
              const held = this.heldOf(b, slot);
              if (held <= 0) continue;
              found.push(b);
              freed += held;
            }
        }
      }
    }
    return found;
  }

  /**
   * False when `place(b, c, start, …)` would place nothing even once the bids `out` are taken out
   * (rerouting off): no VCU free on offer `c` in the job's hours and none of them on `c` then, or too
   * few green Wh in the job's pool for one VCU's minimum share, counting the Wh they hold there.
   * True does not promise a placement (links, the all-in limit): it only rules out moves that
   * cannot start (the move pass, moves.ts).
   */
  couldPlace(b: number, c: number, start: number, out: readonly number[]): boolean {
    const { prep, pieces } = this;
    const { energy } = prep;
    const bid = prep.bids[b];
    const compute = prep.computes[c];
    const d = bid.duration;
    if ((this.start[b] >= 0 && this.start[b] !== start) || this.remaining[b] <= 0) return false;
    if (start < compute.start || start + d > compute.end) return false;
    if (this.freeVcu(c, start, d) <= 0) {
      let freed = false;
      for (let i = 0; i < out.length && !freed; i++)
        for (let p = pieces.first[out[i]]; p >= 0 && !freed; p = pieces.next[p])
          freed =
            pieces.offer[p] === c &&
            pieces.start[p] < start + d &&
            pieces.start[p] + prep.bids[out[i]].duration > start;
      if (!freed) return false;
    }
    const minBps = bid.order.minGreenBps;
    // One VCU's need an hour: a larger piece needs at least as large a share of every hour.
    const need = mulDiv(1, compute.milliWhPerVcuHour, 1000, false);
    if (minBps === 0 || !(need > 0)) return true;
    const origin = bid.order.certificateOrigin;
    const supply = this.supply.length >= d ? this.supply : new Float64Array(d);
    for (let k = 0; k < d; k++) supply[k] = this.poolSupply(origin, compute.region, start + k);
    const pool = poolRegions(origin, compute.region);
    for (const v of out)
      for (let p = pieces.first[v]; p >= 0; p = pieces.next[p])
        for (let j = pieces.lotFrom[p]; j < pieces.lotFrom[p] + pieces.lotCount[p]; j++) {
          const slot = pieces.lotSlot[j];
          const k = energy.hour[slot] - start;
          if (k >= 0 && k < d && ((pool >>> energy.region[slot]) & 1) === 1) supply[k] += pieces.lotWh[j];
        }
    let available = 0;
    for (let k = 0; k < d; k++) available += Math.min(supply[k], need);
    // place's minimum rounds up: this one is a relaxation of it.
    return available >= ((need * d * minBps) / 10_000) * (1 - 1e-9);
  }

  /** Takes bid `b`'s pieces out (as `remove`) and returns them for `putBack` (rerouting or undoable states). */
  takeOut(b: number): TakenBid {
    const taken = this.piecesOf(b);
    this.removeAll([b], false);
    return taken;
  }

  /** Bid `b`'s pieces as they are, for `putBack` once they have been removed (rerouting or undoable states). */
  piecesOf(b: number): TakenBid {
    const { pieces } = this;
    // A copy of its links: pieces placed before the put-back may add routes to the bid's map.
    const links = this.bidLinks.get(b);
    const taken: TakenBid = { bid: b, start: this.start[b], links: links && new Map(links), pieces: [] };
    for (let p = pieces.first[b]; p >= 0; p = pieces.next[p]) {
      const from = pieces.lotFrom[p];
      const to = from + pieces.lotCount[p];
      taken.pieces.push({
        offer: pieces.offer[p],
        start: pieces.start[p],
        vcu: pieces.vcu[p],
        link: pieces.link[p],
        welfare: pieces.welfare[p],
        slots: pieces.lotSlot.slice(from, to),
        whs: pieces.lotWh.slice(from, to),
        match: this.placed[pieces.index[p]] as ScheduledMatch,
      });
    }
    return taken;
  }

  /**
   * Puts a bid taken out by `takeOut` back as it was: the same offers, hours, certificates and
   * links, which must be free again (its later pieces, if any, removed first).
   */
  putBack(taken: TakenBid): void {
    const { prep, pieces } = this;
    const b = taken.bid;
    const bid = prep.bids[b];
    const d = bid.duration;
    for (const t of taken.pieces) {
      const compute = prep.computes[t.offer];
      const from = compute.offset + t.start - compute.start;
      for (let k = 0; k < d; k++) prep.computeFree[from + k] -= t.vcu;
      for (let i = 0; i < t.slots.length; i++) {
        this.takeEnergy(t.slots[i], t.whs[i]);
        if (this.reroute) this.reroutable.add(t.slots[i], b);
        if (this.holders) this.onSlot.add(t.slots[i], b);
      }
      if (this.holders) this.onOffer.add(t.offer, b);
      if (t.link >= 0) {
        const l = prep.links[t.link];
        for (let k = 0; k < d; k++) prep.linkFree[l.offset + t.start - l.start + k] -= bid.mbps;
      }
      this.remaining[b] -= t.vcu;
      this.welfare += t.welfare;
      const p = pieces.add(b, this.placed.length, t.offer, t.start, t.vcu, t.link, t.welfare);
      pieces.setLots(p, t.slots, t.whs, t.slots.length);
      this.placed.push(t.match);
    }
    this.start[b] = taken.start;
    // A copy again: the same record may be put back more than once (each undone try of a move).
    if (taken.links !== undefined) this.bidLinks.set(b, new Map(taken.links));
  }

  /**
   * Opens a move with a budget of `checks` holders to ask (by default as many as a fresh schedule):
   * from now the certificates rerouted for other bids' pieces are logged, so that `undoReroutes` can
   * give them back.
   */
  openMove(checks = this.checksPerBid * this.prep.bids.length): void {
    this.rerouted = [];
    this.rerouteChecks = this.reroute ? checks : 0;
    this.checksAtOpen = this.rerouteChecks;
    this.reroutable.mark();
    if (this.holders) {
      this.onSlot.mark();
      this.onOffer.mark();
    }
  }

  /** Closes a move (kept as it stands): the log is dropped. */
  closeMove(): void {
    this.rerouted = undefined;
    this.reroutable.unmark();
    if (this.holders) {
      this.onSlot.unmark();
      this.onOffer.unmark();
    }
  }

  /**
   * Once an undone try's pieces are all back (undoReroutes, removeAll, putBack): the holder lists as
   * they were when the move opened. Left as the try made them, they would keep the holders a
   * reroute found stuck during it off the lists for good (docs/pricing.md, step 4).
   */
  rewindHolders(): void {
    this.reroutable.rewind();
    if (this.holders) {
      this.onSlot.rewind();
      this.onOffer.rewind();
    }
  }

  /**
   * Gives back the certificates rerouted since `openMove` (or the last undo), latest first, with
   * their cost in the welfare, and the reroute budget; pieces of the bids `skip` names are left alone
   * (`putBack` restores them whole).
   */
  undoReroutes(skip: (b: number) => boolean): void {
    const log = this.rerouted;
    if (log === undefined) return;
    const { pieces } = this;
    for (let i = log.length - 1; i >= 0; i--) {
      const e = log[i];
      if (skip(e.bid)) continue;
      const p = e.piece;
      for (let j = pieces.lotFrom[p]; j < pieces.lotFrom[p] + pieces.lotCount[p]; j++)
        this.takeEnergy(pieces.lotSlot[j], -pieces.lotWh[j]);
      for (let j = e.lotFrom; j < e.lotFrom + e.lotCount; j++) {
        this.takeEnergy(pieces.lotSlot[j], pieces.lotWh[j]);
        if (this.reroute) this.reroutable.add(pieces.lotSlot[j], e.bid);
        if (this.holders) this.onSlot.add(pieces.lotSlot[j], e.bid);
      }
      pieces.lotFrom[p] = e.lotFrom;
      pieces.lotCount[p] = e.lotCount;
      this.welfare += e.welfare - pieces.welfare[p];
      pieces.welfare[p] = e.welfare;
      this.placed[pieces.index[p]] = e.match;
    }
    log.length = 0;
    this.rerouteChecks = this.checksAtOpen;
  }

  /** Runs `f` with no holder asked to move (its changes could not be undone by `putBack`). */
  withoutRerouting<T>(f: () => T): T {
    const checks = this.rerouteChecks;
    this.rerouteChecks = 0;
    try {
      return f();
    } finally {
      this.rerouteChecks = checks;
    }
  }

  /** Takes every piece of bid `b` out again: capacity, certificates, link and welfare come back. */
  remove(b: number): void {
    this.removeAll([b]);
  }

  /**
   * `remove` for several bids at once: the match list is rebuilt once, not once per bid. With
   * `forgetMarks` (the default) the pieces stuck and the failed reroutes are forgotten, since the
   * Wh freed may give them room; a take-out that is put back or refilled at once keeps them.
   */
  removeAll(removed: Iterable<number>, forgetMarks = true): void {
    const { prep, pieces } = this;
    if (forgetMarks) {
      pieces.stuck.fill(0, 0, pieces.count);
      this.rerouteFailed.fill(-1);
    }
    for (const b of removed) {
      const bid = prep.bids[b];
      const d = bid.duration;
      for (let p = pieces.first[b]; p >= 0; p = pieces.next[p]) {
        const compute = prep.computes[pieces.offer[p]];
        const start = pieces.start[p];
        const from = compute.offset + start - compute.start;
        for (let k = 0; k < d; k++) prep.computeFree[from + k] += pieces.vcu[p];
        for (let i = pieces.lotFrom[p]; i < pieces.lotFrom[p] + pieces.lotCount[p]; i++)
          this.takeEnergy(pieces.lotSlot[i], -pieces.lotWh[i]);
        if (pieces.link[p] >= 0) {
          const l = prep.links[pieces.link[p]];
          for (let k = 0; k < d; k++) prep.linkFree[l.offset + start - l.start + k] += bid.mbps;
        }
        this.remaining[b] += pieces.vcu[p];
        this.welfare -= pieces.welfare[p];
        this.placed[pieces.index[p]] = undefined;
        this.holes++;
      }
      pieces.clear(b);
      this.bidLinks.delete(b);
      this.start[b] = -1;
    }
    // Holes past half the list are squeezed out (the pieces' indices follow).
    if (this.holes * 2 <= this.placed.length) return;
    const kept: ScheduledMatch[] = [];
    const at = new Int32Array(this.placed.length);
    for (let i = 0; i < this.placed.length; i++) {
      const m = this.placed[i];
      if (m === undefined) continue;
      at[i] = kept.length;
      kept.push(m);
    }
    for (let b = 0; b < this.remaining.length; b++)
      for (let p = pieces.first[b]; p >= 0; p = pieces.next[p]) pieces.index[p] = at[pieces.index[p]];
    this.placed = kept;
    this.holes = 0;
  }

  /**
   * An independent copy of an undoable state (its prep's capacities and slots copied too). With
   * `reuse`, a copy of the same state no longer wanted, its capacity and slot arrays are written over
   * instead of new ones made: a quote's pass 4 copies its state for every start it tries, and the
   * arrays (the book's certificate slots among them) cost more to make than to fill.
   */
  clone(reuse?: ScheduleState): ScheduleState {
    const { prep } = this;
    const energy = prep.energy;
    const into = reuse?.prep;
    const copy = new ScheduleState(
      {
        ...prep,
        computeFree: copied(prep.computeFree, into?.computeFree),
        linkFree: copied(prep.linkFree, into?.linkFree),
        energy: {
          ...energy,
          left: copied(energy.left, into?.energy.left),
          supplyRegion: copied(energy.supplyRegion, into?.energy.supplyRegion),
          supplyArea: copied(energy.supplyArea, into?.energy.supplyArea),
          supplyAll: copied(energy.supplyAll, into?.energy.supplyAll),
        },
      },
      this.book,
      this.feeBps,
      this.undoable,
      this.spareScarce,
      this.reroute,
      this.checksPerBid,
      this.holders,
    );
    copy.welfare = this.welfare;
    copy.placed = this.placed.slice();
    copy.holes = this.holes;
    copy.remaining.set(this.remaining);
    copy.start.set(this.start);
    copy.reroutable = this.reroutable.copy();
    if (this.holders) {
      copy.onOffer = this.onOffer.copy();
      copy.onSlot = this.onSlot.copy();
    }
    for (const [b, routes] of this.bidLinks) copy.bidLinks.set(b, new Map(routes));
    // A copy starts with no piece stuck, as with a fresh budget.
    copy.pieces = this.pieces.copy();
    copy.pieces.stuck.fill(0);
    return copy;
  }

  /**
   * The route's links listed per block of LINK_BLOCK_HOURS hours, each block's links in the route's
   * order (cheapest first): a link that covers a job covers its first hour, so only the first
   * hour's block need be searched, not every link of the route. Each entry carries the link's
   * window, latency and offset, so the search reads no link object until it has found one.
   */
  private linkBlocks(key: number): LinkBlocks {
    const known = this.routeBlocks.get(key);
    if (known !== undefined) return known;
    const { links, span } = this.prep;
    const route = this.prep.routes.get(key) ?? [];
    const count = Math.ceil(span / LINK_BLOCK_HOURS);
    const first = new Int32Array(count + 1);
    const blockOf = (h: number) => Math.floor(h / LINK_BLOCK_HOURS);
    for (const w of route) {
      const l = links[w];
      if (l.end > l.start) for (let k = blockOf(l.start); k <= blockOf(l.end - 1); k++) first[k + 1]++;
    }
    for (let k = 0; k < count; k++) first[k + 1] += first[k];
    const fill = first.slice(0, count);
    const listed = new Int32Array(first[count]);
    const start = new Int32Array(first[count]);
    const end = new Int32Array(first[count]);
    const latency = new Float64Array(first[count]);
    const offset = new Int32Array(first[count]);
    for (const w of route) {
      const l = links[w];
      if (l.end <= l.start) continue;
      for (let k = blockOf(l.start); k <= blockOf(l.end - 1); k++) {
        const i = fill[k]++;
        listed[i] = w;
        start[i] = l.start;
        end[i] = l.end;
        latency[i] = l.order.latencyMs;
        offset[i] = l.offset;
      }
    }
    const blocks = { first, links: listed, start, end, latency, offset };
    this.routeBlocks.set(key, blocks);
    return blocks;
  }

  private takeEnergy(slot: number, wh: number): void {
    const { energy, span } = this.prep;
    const h = energy.hour[slot];
    const r = energy.region[slot];
    energy.left[slot] -= wh;
    if (wh < 0 && this.cellFirst !== undefined) this.cellFirst[r * span + h] = energy.cellStart[r * span + h];
    energy.supplyRegion[r * span + h] -= wh;
    const area = AREA_OF_REGION[r];
    if (area >= 0) energy.supplyArea[area * span + h] -= wh;
    energy.supplyAll[h] -= wh;
  }

  /**
   * Certificate Wh that meet the piece's minimum, at most its need in each hour, cheapest (or least
   * scarce) first, written to chosenSlot/chosenWh. Returns how many lots.
   */
  private chooseCertificates(
    origin: number,
    region: number,
    start: number,
    duration: number,
    q: number,
    milliWhPerVcuHour: number,
    minBps: number,
    spareScarce: boolean,
  ): number {
    const { energy, span } = this.prep;
    const need = mulDiv(q, milliWhPerVcuHour, 1000, false);
    let missing = mulDiv(need * duration, minBps, 10_000, true);
    const { pricePerKwh, offer, hour, left, supplyRegion, cellStart, cellSlots } = energy;
    // Each slot's sort key: its price, or with `spareScarce` its price over the square root of the
    // Wh its region still has in that hour (one root per region-hour), so that a job takes
    // certificates from plentiful hours and regions and leaves the scarce ones to the jobs that can
    // use nothing else. Ties go by offer, then hour: a strict order (one slot per offer-hour), so
    // any way of taking the slots in that order buys the same lots.
    let byKey = pricePerKwh;
    if (spareScarce && this.key.length < pricePerKwh.length)
      this.key = SCRATCH.key = new Float64Array(pricePerKwh.length);
    if (spareScarce) byKey = this.key;
    const scarcity = spareScarce ? this.scarcity : undefined;
    let pick = SCRATCH.pick;
    let count = 0;
    if (this.spareScarce && this.cellFirst === undefined) this.cellFirst = cellStart.slice();
    const cellFirst = this.cellFirst;
    // The pool's regions that sell certificates at all, lowest first (a book's energy offers sit in
    // a few of the 32 regions: an Anywhere pool would read every other region's sold-out hours).
    for (let m = poolRegions(origin, region) & this.selling; m !== 0; m &= m - 1) {
      const r = 31 - Math.clz32(m & -m);
      for (let k = 0; k < duration; k++) {
        const cell = r * span + start + k;
        // A sold-out region-hour (most of them on a full book) has no slot to look at.
        const supply = supplyRegion[cell];
        if (supply <= 0) continue;
        const root = Math.sqrt(Math.max(1, supply));
        // On mid-size books, also over what the bids still to come ask of the cell (scarcity.ts).
        const factor = scarcity === undefined ? 1 : scarcity.cellFactor(cell, Math.max(1, supply));
        const to = cellStart[cell + 1];
        if (pick.length < count + to - cellStart[cell]) {
          const grown = new Int32Array(2 * (count + to - cellStart[cell]));
          grown.set(pick.subarray(0, count));
          pick = SCRATCH.pick = grown;
        }
        let i = cellStart[cell];
        if (cellFirst !== undefined) {
          i = cellFirst[cell];
          while (i < to && left[cellSlots[i]] <= 0) i++;
          cellFirst[cell] = i;
        }
        for (; i < to; i++) {
          const slot = cellSlots[i];
          if (left[slot] <= 0) continue;
          pick[count++] = slot;
          if (spareScarce) byKey[slot] = (pricePerKwh[slot] / root) * factor;
        }
      }
    }
    // A pool of every region holds hundreds of slots per job, of which it buys a few: they are
    // taken off a heap as the lots are chosen, not sorted whole. Most jobs see a few dozen, where an
    // insertion sort is cheaper; a kept layout (one-bid-energy.ts) knows each slot's place in the
    // cheapest-first order and sorts those whole numbers natively.
    let heap = 0;
    if (!spareScarce && energy.order !== undefined) {
      const { rank, slots } = energy.order;
      if (SCRATCH.ranks.length < count) SCRATCH.ranks = new Int32Array(2 * count);
      const ranks = SCRATCH.ranks.subarray(0, count);
      for (let i = 0; i < count; i++) ranks[i] = rank[pick[i]];
      ranks.sort();
      for (let i = 0; i < count; i++) pick[i] = slots[ranks[i]];
    } else if (count > INSERTION_SORT_MAX) {
      heap = count;
      for (let i = (count >> 1) - 1; i >= 0; i--) siftDown(pick, heap, i, byKey, offer, hour);
    } else {
      for (let i = 1; i < count; i++) {
        const x = pick[i];
        const kx = byKey[x];
        let j = i;
        for (; j > 0; j--) {
          const y = pick[j - 1];
          const ky = byKey[y];
          if (ky < kx || (ky === kx && (offer[y] < offer[x] || (offer[y] === offer[x] && hour[y] < hour[x])))) break;
          pick[j] = y;
        }
        pick[j] = x;
      }
    }
    const usedInHour =
      this.usedInHour.length >= duration ? this.usedInHour.fill(0, 0, duration) : new Float64Array(duration);
    if (this.chosenSlot.length < count) {
      this.chosenSlot = SCRATCH.chosenSlot = new Int32Array(2 * count);
      this.chosenWh = SCRATCH.chosenWh = new Float64Array(2 * count);
    }
    const { chosenSlot, chosenWh } = this;
    let lots = 0;
    for (let i = 0; i < count && missing > 0; i++) {
      let slot: number;
      if (heap > 0) {
        slot = pick[0];
        pick[0] = pick[--heap];
        siftDown(pick, heap, 0, byKey, offer, hour);
      } else slot = pick[i];
      const k = hour[slot] - start;
      const wh = Math.min(left[slot], need - usedInHour[k], missing);
      if (wh <= 0) continue;
      usedInHour[k] += wh;
      missing -= wh;
      chosenSlot[lots] = slot;
      chosenWh[lots++] = wh;
    }
    return lots;
  }
}

/** What a piece of `vcuHours` VCU-hours on `compute` pays for it at reserve, exactly. */
function computePaymentOf(compute: LiveCompute, vcuHours: number): bigint {
  const paid = compute.reserve * vcuHours;
  return exactWhole(paid) ? BigInt(paid) : compute.order.reservePricePerVcuHour * BigInt(vcuHours);
}

/** Whether `x` is a whole number of at least 0 and below 2⁵³, where doubles add and multiply whole numbers exactly. */
function exactWhole(x: number): boolean {
  return x >= 0 && Number.isSafeInteger(x);
}

/** ⌈a / d⌉ for whole a ≥ 0 and d > 0 below 2⁵³: the double quotient corrected by one step. */
function ceilDiv(a: number, d: number): number {
  let q = Math.ceil(a / d);
  if (q * d < a) q++;
  else if ((q - 1) * d >= a) q--;
  return q;
}

/** ⌊a / d⌋ for whole a ≥ 0 and d > 0 below 2⁵³: the double quotient corrected by one step. */
function floorDiv(a: number, d: number): number {
  let q = Math.floor(a / d);
  if (q * d > a) q--;
  else if ((q + 1) * d <= a) q++;
  return q;
}

/** Whether the green `supply` of a job's hours covers `units` VCU's minimum share, at most their need in each hour. */
function greenFits(units: number, milliWh: number, duration: number, minBps: number, supply: Float64Array): boolean {
  const need = mulDiv(units, milliWh, 1000, false);
  const min = mulDiv(need * duration, minBps, 10_000, true);
  let available = 0;
  for (let k = 0; k < duration; k++) available += Math.min(supply[k], need);
  return available >= min;
}

/**
 * Restores the heap order of `heap[0 .. size)` below position `i`: the least slot by key, then
 * offer, then hour (chooseCertificates' order) at the top.
 */
function siftDown(
  heap: Int32Array,
  size: number,
  i: number,
  key: Float64Array,
  offer: Int32Array,
  hour: Int32Array,
): void {
  const x = heap[i];
  const kx = key[x];
  for (;;) {
    let c = 2 * i + 1;
    if (c >= size) break;
    let y = heap[c];
    if (c + 1 < size) {
      const z = heap[c + 1];
      const ky = key[y];
      const kz = key[z];
      if (kz < ky || (kz === ky && (offer[z] < offer[y] || (offer[z] === offer[y] && hour[z] < hour[y])))) {
        c++;
        y = z;
      }
    }
    const ky = key[y];
    if (kx < ky || (kx === ky && (offer[x] < offer[y] || (offer[x] === offer[y] && hour[x] < hour[y])))) break;
    heap[i] = y;
    i = c;
  }
  heap[i] = x;
}
