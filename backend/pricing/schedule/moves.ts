// The move pass of the fast scheduler on large books (docs/pricing.md, "The fast scheduler", step
// 5): a green job left short often finds its hours' certificates held by jobs that could have
// started at other hours, or that earn less from them. Such holders are taken out, the job is
// placed in their place, and they are scheduled again at whatever start suits them now (a fixed job
// at its one start, with what certificates are left); the move is kept when the welfare rises and
// undone exactly otherwise (ScheduleState.takeOut / putBack, an undo log of the pieces taken out),
// so no move can lose welfare and every piece keeps the contract's rules. Most moves would leave the
// job unplaced (no compute free, too few green Wh even with the holders' own):
// ScheduleState.couldPlace rules them out before anything is taken out.

import type { ScheduleState } from "./place.ts";
import { poolRegions } from "./prepare.ts";

export type MoveBudget = {
  /**
   * Moves tried in all (each takes out at most `holders` bids and schedules them again); a move
   * whose job could not be placed even in the holders' place is ruled out first and not counted.
   */
  tries: number;
  /** Holders taken out per move. */
  holders: number;
  /** Starts of a flexible job tried (evenly spread over its window). */
  starts: number;
};

/** A bid's (compute offer) candidates as a flat list: bid b's are pairOffer[pairStart[b] .. pairStart[b + 1]). */
export type BidOffers = { pairStart: Int32Array; pairOffer: Int32Array };

/**
 * Tries the moves for the green bids of `sequence` (worthiest first) left short of their VCU, within
 * `budget`: one with no piece at a few of its starts, one served in part at its start (its pieces
 * kept, and put back with the others when the move is undone). `scheduleBid` is the scheduler's own
 * placement of a bid at its best start. Returns the moves kept.
 */
export function moveGreenHolders(
  state: ScheduleState,
  sequence: readonly number[],
  offers: BidOffers,
  scheduleBid: (b: number) => void,
  budget: MoveBudget,
): number {
  const { bids, computes } = state.prep;
  const { pairStart, pairOffer } = offers;
  let tries = budget.tries;
  let kept = 0;
  let short = new Float64Array(8);
  for (const u of sequence) {
    if (tries <= 0) break;
    const bid = bids[u];
    if (bid.order.minGreenBps === 0 || state.remaining[u] <= 0) continue;
    // A bid served in part keeps its start; one with no piece tries a few.
    const first = state.start[u] >= 0 ? state.start[u] : bid.firstStart;
    const last = state.start[u] >= 0 ? state.start[u] : bid.lastStart;
    let pool = 0;
    for (let p = pairStart[u]; p < pairStart[u + 1]; p++)
      pool |= poolRegions(bid.order.certificateOrigin, computes[pairOffer[p]].region);
    if (pool === 0 || pairStart[u] === pairStart[u + 1]) continue;
    // What the job lacks in each hour on its best offer: its need less the pool's Wh still for sale.
    const best = computes[pairOffer[pairStart[u]]];
    const need = (state.remaining[u] * best.milliWhPerVcuHour) / 1000;
    if (short.length < bid.duration) short = new Float64Array(bid.duration);
    const step = Math.max(1, Math.ceil((last - first + 1) / budget.starts));
    const remaining = state.remaining[u];
    for (let s = first; s <= last && tries > 0 && state.remaining[u] === remaining; s += step) {
      let lacking = 0;
      for (let k = 0; k < bid.duration; k++) {
        short[k] = Math.max(0, need - state.poolSupply(bid.order.certificateOrigin, best.region, s + k));
        lacking += short[k];
      }
      if (lacking <= 0) continue;
      // The job itself may hold some of them (a bid served in part): it is not its own holder.
      const holders = state
        .greenHolders(pool, s, short.subarray(0, bid.duration), budget.holders)
        .filter((v) => v !== u);
      if (holders.length === 0) continue;
      // Most moves would end with the job still unplaced: ruled out before anything is taken out.
      let possible = false;
      for (let p = pairStart[u]; p < pairStart[u + 1] && !possible; p++)
        possible = state.couldPlace(u, pairOffer[p], s, holders);
      if (!possible) continue;
      tries--;
      const before = state.welfare;
      // Rerouting is off while a move is open: its changes to other bids' pieces could not be undone.
      state.withoutRerouting(() => {
        const own = state.piecesOf(u);
        const taken = holders.map((v) => state.takeOut(v));
        for (let p = pairStart[u]; p < pairStart[u + 1] && state.remaining[u] > 0; p++)
          state.place(u, pairOffer[p], s, state.remaining[u]);
        if (state.remaining[u] < remaining) for (const v of holders) scheduleBid(v);
        if (state.welfare > before + 1e-12 * Math.abs(before)) {
          kept++;
          return;
        }
        state.removeAll([u, ...holders], false);
        state.putBack(own);
        for (const t of taken) state.putBack(t);
      });
    }
  }
  return kept;
}

export type ReplaceBudget = {
  /** Flexible bids served in part placed again (the first in the scheduler's order). */
  bids: number;
  /** Their best starts tried each (bestStarts' order). */
  starts: number;
};

/**
 * Places again the first `budget.bids` flexible bids of `sequence` served in part (docs/pricing.md,
 * step 6): a bid's pieces are taken out and it is placed at each of its `budget.starts` best starts
 * in the state as it now is (`bestStarts`, `placeAt`: the scheduler's ranking and placement). The
 * best is kept when the welfare rises, the bid put back exactly otherwise (ScheduleState.takeOut /
 * putBack), so the welfare never falls for it. Pass 2 placed the bid before the bids after it and the
 * moves of step 5 were made; the hours and certificates it would now rather have are often free.
 * Returns the bids placed again.
 */
export function replaceShortFlexible(
  state: ScheduleState,
  sequence: readonly number[],
  bestStarts: (b: number) => readonly number[],
  placeAt: (b: number, s: number) => number,
  budget: ReplaceBudget,
): number {
  const { bids } = state.prep;
  let kept = 0;
  let tried = 0;
  for (const u of sequence) {
    const bid = bids[u];
    // A bid with no piece tried its starts again once every bid had had its turn (pass 2).
    if (bid.firstStart === bid.lastStart || state.remaining[u] <= 0 || state.start[u] < 0) continue;
    if (tried++ >= budget.bids) break;
    const before = state.welfare;
    // Rerouting is off: its changes to other bids' pieces could not be undone.
    state.withoutRerouting(() => {
      const own = state.takeOut(u);
      const starts = bestStarts(u);
      let best = before + 1e-12 * Math.abs(before);
      let bestStart = -1;
      for (let t = 0; t < starts.length && t < budget.starts; t++) {
        placeAt(u, starts[t]);
        if (state.welfare > best) {
          best = state.welfare;
          bestStart = starts[t];
        }
        state.removeAll([u], false);
      }
      // The state is as it was before the tries, so the best start places the same again.
      if (bestStart >= 0) {
        placeAt(u, bestStart);
        kept++;
        return;
      }
      state.putBack(own);
    });
  }
  return kept;
}
