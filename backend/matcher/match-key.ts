// A match's identity for "never submit the same match twice". It names every order the match
// touches together with how much of it was already taken in the book it was cleared from (a bid's
// remaining VCU, the compute offer's and link's used capacity in the job's hours, each lot hour's
// sold Wh): the same bundle cleared again from the same (possibly stale) book gets the same key and
// is held back, while a new bundle for the rest of a partly filled order gets a new one.
import type { OrderBook } from "../../protocol/book.ts";
import type { Match } from "../../protocol/orders.ts";
import { SECONDS_PER_HOUR } from "../../protocol/units.ts";

/**
 * Returns the key function for matches cleared from `book` (indexes the book once).
 *
 * @example
 * matchKeyer(book)(match) // "bid 7@3 start 1767225600 compute 2@0 vcu 4 energy 5@1767225600:0:1200 bandwidth none"
 */
export function matchKeyer(book: OrderBook): (match: Match) => string {
  const bids = new Map(book.bids.map((o) => [o.id, o]));
  const computes = new Map(book.computeOffers.map((o) => [o.id, o]));
  const energies = new Map(book.energyOffers.map((o) => [o.id, o]));
  const links = new Map(book.bandwidthOffers.map((o) => [o.id, o]));

  return (match) => {
    const bid = bids.get(match.bidId);
    const hours = bid === undefined ? [] : jobHours(match.start, bid.durationHours);
    const usedIn = (used: ReadonlyMap<number, number> | undefined) =>
      used === undefined ? "?" : hours.map((h) => used.get(h) ?? 0).join("/");
    const compute = computes.get(match.computeOfferId);
    const link = links.get(match.bandwidthOfferId);
    const energy = [...match.energyLots]
      .sort((a, b) => (a.offerId !== b.offerId ? (a.offerId < b.offerId ? -1 : 1) : a.hour - b.hour))
      .map((lot) => {
        const offer = energies.get(lot.offerId);
        const i = offer === undefined ? -1 : (lot.hour - offer.firstHour) / SECONDS_PER_HOUR;
        const sold = offer === undefined ? "?" : String(offer.soldWhPerHour?.[i] ?? 0n);
        return `${lot.offerId}@${lot.hour}:${sold}:${lot.wh}`;
      })
      .join(",");
    return [
      `bid ${match.bidId}@${bid === undefined ? "?" : bid.vcu - bid.remainingVcu}`,
      `start ${match.start}`,
      `compute ${match.computeOfferId}@${compute === undefined ? "?" : usedIn(compute.usedVcu ?? new Map())}`,
      `vcu ${match.vcu}`,
      `energy ${energy === "" ? "none" : energy}`,
      `bandwidth ${match.bandwidthOfferId === 0n ? "none" : `${match.bandwidthOfferId}@${link === undefined ? "?" : usedIn(link.usedMbps ?? new Map())}`}`,
    ].join(" ");
  };
}

function jobHours(start: number, durationHours: number): number[] {
  return Array.from({ length: durationHours }, (_, i) => start + i * SECONDS_PER_HOUR);
}
