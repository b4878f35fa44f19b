// A match's identity for "never submit the same match twice". It names every order the match
// touches together with how much of that order was already filled in the book it was cleared from:
// the same bundle cleared again from the same (possibly stale) book gets the same key and is held
// back, while a new bundle for the rest of a partly filled order gets a new one.
import type { Match } from "../../protocol/orders.ts";
import type { OrderBook } from "../pricing/index.ts";

type Filled = { id: bigint; filled: bigint };

/**
 * Returns the key function for matches cleared from `book` (indexes the book once).
 *
 * @example
 * matchKeyer(book)(match) // "bid 7@3 compute 2@0 vcu 4 energy 5@0:1200 bandwidth none"
 */
export function matchKeyer(book: OrderBook): (match: Match) => string {
  const index = (orders: readonly Filled[]) => new Map(orders.map((o) => [o.id, o.filled]));
  const bids = index(book.bids);
  const computes = index(book.computeOffers);
  const energies = index(book.energyOffers);
  const links = index(book.bandwidthOffers);
  const at = (filled: Map<bigint, bigint>, id: bigint) => `${id}@${filled.get(id) ?? "?"}`;

  return (match) => {
    const energy = [...match.energyLots]
      .sort((a, b) => (a.offerId < b.offerId ? -1 : a.offerId > b.offerId ? 1 : 0))
      .map((lot) => `${at(energies, lot.offerId)}:${lot.wh}`)
      .join(",");
    return [
      `bid ${at(bids, match.bidId)}`,
      `compute ${at(computes, match.computeOfferId)}`,
      `vcu ${match.vcuHours}`,
      `energy ${energy === "" ? "none" : energy}`,
      `bandwidth ${match.bandwidthOfferId === 0n ? "none" : at(links, match.bandwidthOfferId)}`,
    ].join(" ");
  };
}
