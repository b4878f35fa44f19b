// A quote concerns one hardware class, a few regions and one buyer region, yet clearing and pricing
// scan whatever book they are given. Grouping the offers once per book (books are replaced, never
// mutated, so identity marks a new one) lets each quote hand them only the offers it could use.
import type { BandwidthOffer, Bid, ComputeOffer, EnergyOffer } from "../../protocol/orders.ts";
import { admitBook } from "../book/admit.ts";
import type { OpenBook } from "../book/book-source.ts";
import type { OrderBook } from "../pricing/index.ts";

type BookIndex = {
  /** The energy offers the exchange trades. */
  energyOffers: EnergyOffer[];
  /** Compute offers by (hardware class, region): also the market a going rate is measured in. */
  computeByCell: Map<number, ComputeOffer[]>;
  /** Bandwidth offers by each of their two end regions. */
  linksByRegion: Map<number, BandwidthOffer[]>;
};

const indexes = new WeakMap<OpenBook, BookIndex>();
const cell = (hardwareClass: number, region: number) => hardwareClass * 65_536 + region;

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

function indexOf(book: OpenBook): BookIndex {
  let index = indexes.get(book);
  if (index === undefined) {
    // The book sources admit orders already; a source that did not must not put one the exchange
    // does not trade into a quote (backend/book/admit.ts).
    const admitted = admitBook(book).book;
    index = { energyOffers: admitted.energyOffers, computeByCell: new Map(), linksByRegion: new Map() };
    for (const o of admitted.computeOffers) push(index.computeByCell, cell(o.hardwareClass, o.region), o);
    for (const l of admitted.bandwidthOffers) {
      push(index.linksByRegion, l.fromRegion, l);
      if (l.toRegion !== l.fromRegion) push(index.linksByRegion, l.toRegion, l);
    }
    indexes.set(book, index);
  }
  return index;
}

/**
 * The part of `book` that can matter to `bid`: compute offers of its class in its accepted regions
 * (whole markets, so going rates are unchanged), links that end in its buyer region, every energy
 * offer (certificates serve any region, and all of them set the energy price).
 */
export function bookFor(bid: Bid, book: OpenBook, regions: readonly number[]): OrderBook {
  const index = indexOf(book);
  return {
    bids: [bid],
    computeOffers: [...new Set(regions)].flatMap((r) => index.computeByCell.get(cell(bid.hardwareClass, r)) ?? []),
    energyOffers: index.energyOffers,
    bandwidthOffers: index.linksByRegion.get(bid.buyerRegion) ?? [],
  };
}
