// The open book as a fold over the market's events: a posted event adds an order, a cancellation
// removes it, a DealOpened moves the fills of every order the deal took from. Pure, so the chain
// reader and the tests share it.
import type { GetLogsReturnType } from "viem";

import { marketAbi } from "../../protocol/generated/abis.ts";
import type { BandwidthOffer, Bid, ComputeOffer, EnergyOffer } from "../../protocol/orders.ts";

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

/** Open orders by id; an order leaves its map when cancelled or fully filled. */
export type BookState = {
  bids: Map<bigint, Bid>;
  computeOffers: Map<bigint, ComputeOffer>;
  energyOffers: Map<bigint, EnergyOffer>;
  bandwidthOffers: Map<bigint, BandwidthOffer>;
};

export function emptyBookState(): BookState {
  return { bids: new Map(), computeOffers: new Map(), energyOffers: new Map(), bandwidthOffers: new Map() };
}

export function cloneBookState(state: BookState): BookState {
  const copy = <T extends object>(m: Map<bigint, T>) => new Map([...m].map(([id, o]) => [id, { ...o }]));
  return {
    bids: copy(state.bids),
    computeOffers: copy(state.computeOffers),
    energyOffers: copy(state.energyOffers),
    bandwidthOffers: copy(state.bandwidthOffers),
  };
}

export function bookOf(state: BookState): {
  bids: Bid[];
  computeOffers: ComputeOffer[];
  energyOffers: EnergyOffer[];
  bandwidthOffers: BandwidthOffer[];
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
        windowStart: Number(bid.windowStart),
        windowEnd: Number(bid.windowEnd),
        vcuHours: BigInt(bid.vcuHours),
        filled: 0n,
        limitPricePerVcuHour: BigInt(bid.limitPricePerVcuHour),
        minGreenBps: Number(bid.minGreenBps),
        bandwidthMbps: BigInt(bid.bandwidthMbps),
        maxLatencyMs: Number(bid.maxLatencyMs),
        expiry: Number(bid.expiry),
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
        vcuHours: BigInt(offer.vcuHours),
        filled: 0n,
        reservePricePerVcuHour: BigInt(offer.reservePricePerVcuHour),
        whPerVcuHour: BigInt(offer.whPerVcuHour),
        pueMilli: Number(offer.pueMilli),
        expiry: Number(offer.expiry),
      });
      return;
    }
    case "EnergyOfferPosted": {
      const { offerId, supplier, batchId, source, region, offer } = log.args;
      state.energyOffers.set(offerId, {
        id: offerId,
        supplier,
        batchId,
        source: Number(source),
        region: Number(region),
        wh: BigInt(offer.wh),
        filled: 0n,
        reservePricePerKwh: BigInt(offer.reservePricePerKwh),
        expiry: Number(offer.expiry),
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
        mbps: BigInt(offer.mbps),
        filled: 0n,
        latencyMs: Number(offer.latencyMs),
        windowStart: Number(offer.windowStart),
        windowEnd: Number(offer.windowEnd),
        reservePricePerMbpsHour: BigInt(offer.reservePricePerMbpsHour),
        expiry: Number(offer.expiry),
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
    case "DealOpened": {
      const { terms } = log.args;
      fill(state.bids, terms.bidId, BigInt(terms.vcuHours), (o) => o.vcuHours);
      fill(state.computeOffers, terms.computeOfferId, BigInt(terms.vcuHours), (o) => o.vcuHours);
      for (const lot of terms.energyLots) fill(state.energyOffers, lot.offerId, BigInt(lot.wh), (o) => o.wh);
      if (terms.bandwidthOfferId !== 0n) {
        fill(state.bandwidthOffers, terms.bandwidthOfferId, BigInt(terms.bandwidthMbps), (o) => o.mbps);
      }
      return;
    }
  }
}

function fill<T extends { filled: bigint }>(
  orders: Map<bigint, T>,
  id: bigint,
  amount: bigint,
  total: (o: T) => bigint,
): void {
  const order = orders.get(id);
  // A deal on an order the fold never saw posted means the fold started too late: the start block
  // of the deployment is wrong. Nothing sensible to subtract from.
  if (order === undefined) return;
  order.filled += amount;
  if (order.filled >= total(order)) orders.delete(id);
}
