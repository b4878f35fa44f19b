// A quote concerns one hardware class, a few regions and one buyer region, yet clearing and pricing
// scan whatever book they are given. Grouping the offers once per book (books are replaced, never
// mutated, so identity marks a new one) lets each quote hand them only the offers it could use. The
// lists handed out are the same arrays for every quote of the same class and regions against the
// same book, so the pricing layer's per-list preparation (backend/pricing: the certificate Wh by
// hour, id maps, replacement searches) is done once per book version, not once per quote. No answer
// is cached: every quote schedules and prices its own bid (docs/pricing.md, "Quotes").
import type {
  BookBandwidthOffer as BandwidthOffer,
  BookBid as Bid,
  BookComputeOffer as ComputeOffer,
  BookEnergyOffer as EnergyOffer,
  OrderBook,
} from "../../protocol/book.ts";
import { admitBook } from "../book/admit.ts";
import type { OpenBook } from "../book/book-source.ts";
import { energyHoursOf } from "../pricing/index.ts";

type BookIndex = {
  /** The energy offers the exchange trades. */
  energyOffers: EnergyOffer[];
  /** Compute offers by hardware class, in book order. */
  computeByClass: Map<number, ComputeOffer[]>;
  /** Compute offers by (hardware class, set of regions as a bit mask), in book order; filled on demand. */
  computeByMarkets: Map<bigint, ComputeOffer[]>;
  /** Bandwidth offers by each of their two end regions. */
  linksByRegion: Map<number, BandwidthOffer[]>;
  /** Every compute offer by id, to name a bundle's region. */
  computeById: Map<bigint, ComputeOffer>;
};

const indexes = new WeakMap<OpenBook, BookIndex>();

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
    index = {
      energyOffers: admitted.energyOffers,
      computeByClass: new Map(),
      computeByMarkets: new Map(),
      linksByRegion: new Map(),
      computeById: new Map(admitted.computeOffers.map((o) => [o.id, o])),
    };
    for (const o of admitted.computeOffers) push(index.computeByClass, o.hardwareClass, o);
    for (const l of admitted.bandwidthOffers) {
      push(index.linksByRegion, l.fromRegion, l);
      if (l.toRegion !== l.fromRegion) push(index.linksByRegion, l.toRegion, l);
    }
    // The scheduler lays out each quote's certificate slots from this (keyed on the list handed out).
    energyHoursOf(index.energyOffers);
    indexes.set(book, index);
  }
  return index;
}

/**
 * The part of `book` that can matter to `bid`: compute offers of its class in its accepted regions
 * (whole markets, so going rates are unchanged), links that end in its buyer region, every energy
 * offer (the scheduler applies the bid's certificate-origin rule, and all of them set the energy price).
 */
export function bookFor(bid: Bid, book: OpenBook): OrderBook {
  const index = indexOf(book);
  // One list per (class, accepted regions): a few hundred at most for the classes and regions the
  // exchange trades, which is all a validated quote can name.
  const key = (bid.acceptableRegions << 8n) | BigInt(bid.hardwareClass & 0xff);
  let computeOffers = index.computeByMarkets.get(key);
  if (computeOffers === undefined) {
    computeOffers = (index.computeByClass.get(bid.hardwareClass) ?? []).filter(
      (o) => ((bid.acceptableRegions >> BigInt(o.region)) & 1n) === 1n,
    );
    index.computeByMarkets.set(key, computeOffers);
  }
  return {
    bids: [bid],
    computeOffers,
    energyOffers: index.energyOffers,
    bandwidthOffers: index.linksByRegion.get(bid.buyerRegion) ?? [],
  };
}

/** The book's compute offer with this id (a bundle names its offer by id). */
export function computeOfferOf(book: OpenBook, id: bigint): ComputeOffer | undefined {
  return indexOf(book).computeById.get(id);
}
