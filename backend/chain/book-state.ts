// The open book as a fold over the market's events: a posted event adds an order, a cancellation
// removes it, a DealOpened fixes the bid's start, takes its VCU, and marks the job's hours used on the
// compute offer and the link and the lots' Wh sold on the energy offers. Pure, so the chain
// reader and the tests share it.
import type { GetLogsReturnType } from "viem";

import type { BookBandwidthOffer, BookBid, BookComputeOffer, BookEnergyOffer, OrderBook } from "../../protocol/book.ts";
import { marketAbi } from "../../protocol/generated/abis.ts";
import { hoursOf } from "../../protocol/hours.ts";
import { SECONDS_PER_HOUR } from "../../protocol/units.ts";

/** The events the book is folded from. */
export const BOOK_EVENT_NAMES = [
  "BidPosted",
  "ComputeOfferPosted",
  "EnergyOfferPosted",
  "BandwidthOfferPosted",
  "BidCancelled",
  "ComputeOfferCancelled",
  "EnergyOfferCancelled",
  "BandwidthOfferCancelled",
  "DealOpened",
] as const;

export const bookEvents = marketAbi.filter(
  (item): item is Extract<(typeof marketAbi)[number], { type: "event"; name: (typeof BOOK_EVENT_NAMES)[number] }> =>
    item.type === "event" && (BOOK_EVENT_NAMES as readonly string[]).includes(item.name),
);

/** One market event as eth_getLogs returns it decoded against `bookEvents` (strict: every field present). */
export type BookLog = GetLogsReturnType<undefined, typeof bookEvents, true>[number];

/**
 * Open orders by id with their hourly usage; an order leaves its map when cancelled, and a bid when
 * its last VCU is matched. Offers stay until cancelled (an offer with every hour sold sells nothing more).
 */
export type BookState = {
  bids: Map<bigint, BookBid & { reservedLinks: bigint[] }>;
  computeOffers: Map<bigint, BookComputeOffer & { usedVcu: Map<number, number> }>;
  energyOffers: Map<bigint, BookEnergyOffer & { soldWhPerHour: bigint[] }>;
  bandwidthOffers: Map<bigint, BookBandwidthOffer & { usedMbps: Map<number, number> }>;
};

export function emptyBookState(): BookState {
  return { bids: new Map(), computeOffers: new Map(), energyOffers: new Map(), bandwidthOffers: new Map() };
}

export function cloneBookState(state: BookState): BookState {
  const copy = <T extends object>(m: Map<bigint, T>, own: (o: T) => Partial<T>) =>
    new Map([...m].map(([id, o]) => [id, { ...o, ...own(o) }]));
  return {
    bids: copy(state.bids, (o) => ({ reservedLinks: [...o.reservedLinks] })),
    computeOffers: copy(state.computeOffers, (o) => ({ usedVcu: new Map(o.usedVcu) })),
    energyOffers: copy(state.energyOffers, (o) => ({ soldWhPerHour: [...o.soldWhPerHour] })),
    bandwidthOffers: copy(state.bandwidthOffers, (o) => ({ usedMbps: new Map(o.usedMbps) })),
  };
}

export function bookOf(state: BookState): OrderBook & {
  bids: BookBid[];
  computeOffers: BookComputeOffer[];
  energyOffers: BookEnergyOffer[];
  bandwidthOffers: BookBandwidthOffer[];
} {
  return {
    bids: [...state.bids.values()],
    computeOffers: [...state.computeOffers.values()],
    energyOffers: [...state.energyOffers.values()],
    bandwidthOffers: [...state.bandwidthOffers.values()],
  };
}

/** Applies one decoded market event to `state` (in place). */
export function applyBookLog(state: BookState, log: BookLog): void {
  switch (log.eventName) {
    case "BidPosted": {
      const { bidId, buyer, bid } = log.args;
      state.bids.set(bidId, {
        id: bidId,
        buyer,
        hardwareClass: Number(bid.hardwareClass),
        acceptableRegions: BigInt(bid.acceptableRegions),
        buyerRegion: Number(bid.buyerRegion),
        earliestStart: Number(bid.earliestStart),
        latestEnd: Number(bid.latestEnd),
        durationHours: Number(bid.durationHours),
        vcu: Number(bid.vcu),
        remainingVcu: Number(bid.vcu),
        start: 0,
        limitPricePerVcuHour: BigInt(bid.limitPricePerVcuHour),
        minGreenBps: Number(bid.minGreenBps),
        certificateOrigin: Number(bid.certificateOrigin),
        bandwidthMbps: BigInt(bid.bandwidthMbps),
        maxLatencyMs: Number(bid.maxLatencyMs),
        expiry: Number(bid.expiry),
        reservedLinks: [],
      });
      return;
    }
    case "ComputeOfferPosted": {
      const { offerId, supplier, offer } = log.args;
      state.computeOffers.set(offerId, {
        id: offerId,
        supplier,
        hardwareClass: Number(offer.hardwareClass),
        region: Number(offer.region),
        windowStart: Number(offer.windowStart),
        windowEnd: Number(offer.windowEnd),
        vcu: Number(offer.vcu),
        reservePricePerVcuHour: BigInt(offer.reservePricePerVcuHour),
        whPerVcuHour: BigInt(offer.whPerVcuHour),
        pueMilli: Number(offer.pueMilli),
        expiry: Number(offer.expiry),
        usedVcu: new Map(),
      });
      return;
    }
    case "EnergyOfferPosted": {
      const { offerId, supplier, deviceId, source, region, offer } = log.args;
      state.energyOffers.set(offerId, {
        id: offerId,
        supplier,
        deviceId,
        source: Number(source),
        region: Number(region),
        firstHour: Number(offer.firstHour),
        whPerHour: offer.whPerHour.map(BigInt),
        reservePricePerKwh: BigInt(offer.reservePricePerKwh),
        expiry: Number(offer.expiry),
        soldWhPerHour: offer.whPerHour.map(() => 0n),
      });
      return;
    }
    case "BandwidthOfferPosted": {
      const { offerId, supplier, offer } = log.args;
      state.bandwidthOffers.set(offerId, {
        id: offerId,
        supplier,
        fromRegion: Number(offer.fromRegion),
        toRegion: Number(offer.toRegion),
        mbps: Number(offer.mbps),
        latencyMs: Number(offer.latencyMs),
        windowStart: Number(offer.windowStart),
        windowEnd: Number(offer.windowEnd),
        reservePricePerMbpsHour: BigInt(offer.reservePricePerMbpsHour),
        expiry: Number(offer.expiry),
        usedMbps: new Map(),
      });
      return;
    }
    case "BidCancelled":
      state.bids.delete(log.args.bidId);
      return;
    case "ComputeOfferCancelled":
      state.computeOffers.delete(log.args.offerId);
      return;
    case "EnergyOfferCancelled":
      state.energyOffers.delete(log.args.offerId);
      return;
    case "BandwidthOfferCancelled":
      state.bandwidthOffers.delete(log.args.offerId);
      return;
    case "DealOpened":
      openDeal(state, log.args.terms);
      return;
  }
}

type DealOpenedTerms = Extract<BookLog, { eventName: "DealOpened" }>["args"]["terms"];

// A deal on an order the fold never saw posted means the fold started too late (the deployment's
// start block is wrong): there is nothing to subtract from, so that order is left alone.
function openDeal(state: BookState, terms: DealOpenedTerms): void {
  const start = Number(terms.start);
  const jobHours = hoursOf(start, start + Number(terms.durationHours) * SECONDS_PER_HOUR);
  const vcu = Number(terms.vcu);
  const bid = state.bids.get(terms.bidId);
  if (bid !== undefined) {
    bid.start = start;
    bid.remainingVcu -= vcu;
    if (terms.bandwidthOfferId !== 0n && !bid.reservedLinks.includes(terms.bandwidthOfferId)) {
      bid.reservedLinks.push(terms.bandwidthOfferId);
    }
    if (bid.remainingVcu <= 0) state.bids.delete(bid.id);
  }
  const compute = state.computeOffers.get(terms.computeOfferId);
  if (compute !== undefined) for (const h of jobHours) compute.usedVcu.set(h, (compute.usedVcu.get(h) ?? 0) + vcu);
  for (const lot of terms.energyLots) {
    const offer = state.energyOffers.get(lot.offerId);
    if (offer === undefined) continue;
    const i = (Number(lot.hour) - offer.firstHour) / SECONDS_PER_HOUR;
    if (Number.isInteger(i) && i >= 0 && i < offer.soldWhPerHour.length) offer.soldWhPerHour[i] += BigInt(lot.wh);
  }
  const link = terms.bandwidthOfferId === 0n ? undefined : state.bandwidthOffers.get(terms.bandwidthOfferId);
  const mbps = Number(terms.bandwidthMbps);
  if (link !== undefined && mbps > 0)
    for (const h of jobHours) link.usedMbps.set(h, (link.usedMbps.get(h) ?? 0) + mbps);
}
