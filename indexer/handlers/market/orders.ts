// Orders: offers and bids posted, cancelled, and filled (fills come with DealOpened, see
// settlement.ts). docs/market-rules.md, "Flow of a trade". Quantities: bids and compute offers in
// VCU-hours (vcu × hours), energy offers in Wh (Σ of their hours), links in Mbps (in every hour of
// their window); what each hour has left is in offer_hours (docs/indexer.md, "Hours").
import { SECONDS_PER_HOUR } from "../../../protocol/units.ts";
import type { Store } from "../../db/store.ts";
import type { NewRow, OrderKind, OrderRow } from "../../db/tables.ts";
import type { DecodedEvent } from "../../sync/decode.ts";
import type { ContractHandlers } from "../types.ts";
import { type Amount, add, created, isZero, regionsOf, sub, sum } from "../util.ts";
import { addRegionHour } from "./hours.ts";

/** Columns every order has; kind-specific ones are added by each Posted handler. */
function order(
  e: DecodedEvent,
  kind: OrderKind,
  id: string,
  owner: string,
  price: string,
  quantity: Amount,
  expiry: number,
): NewRow<OrderRow> {
  return {
    kind,
    id,
    owner,
    resource: kind === "bid" ? "compute" : kind,
    side: kind === "bid" ? "bid" : "ask",
    price,
    quantity: String(quantity),
    remaining: String(quantity),
    cancelled: "0",
    status: "open",
    expiry,
    ...created(e),
  };
}

/** Takes `amount` off an order's remaining quantity (a fill or a cancellation). */
export async function reduce(
  store: Store,
  e: DecodedEvent,
  kind: OrderKind,
  id: string,
  amount: Amount,
  cancel: boolean,
): Promise<void> {
  await store.update("orders", [kind, id], (o) => {
    const remaining = sub(o.remaining, amount);
    if (remaining.startsWith("-")) throw new Error(`${kind} order ${id} would go below zero`);
    return {
      remaining,
      cancelled: cancel ? add(o.cancelled, amount) : o.cancelled,
      status: cancel ? "cancelled" : isZero(remaining) ? "filled" : o.status,
      updated_block: e.blockNumber,
    };
  });
}

/** Hours of the window [start, end), both on the hour. */
const hoursIn = (start: number, end: number) => (end - start) / SECONDS_PER_HOUR;

/** Cancels what is left of an order. */
async function cancelRest(store: Store, e: DecodedEvent, kind: OrderKind, id: string): Promise<void> {
  const o = await store.require("orders", [kind, id]);
  await reduce(store, e, kind, id, o.remaining, true);
}

export const orderHandlers: ContractHandlers<"Market"> = {
  ComputeOfferPosted: {
    handle: async (e, { store }) => {
      const o = e.args.offer;
      const vcuHours = BigInt(o.vcu) * BigInt(hoursIn(o.windowStart, o.windowEnd));
      store.insert("orders", {
        ...order(e, "compute", e.args.offerId, e.args.supplier, o.reservePricePerVcuHour, vcuHours, o.expiry),
        window_start: o.windowStart,
        window_end: o.windowEnd,
        vcu: o.vcu,
        hardware_class: o.hardwareClass,
        region: o.region,
        wh_per_vcu_hour: String(o.whPerVcuHour),
        pue_milli: o.pueMilli,
      });
    },
  },
  EnergyOfferPosted: {
    handle: async (e, { store }) => {
      const o = e.args.offer;
      const offerId = e.args.offerId;
      store.insert("orders", {
        ...order(e, "energy", offerId, e.args.supplier, o.reservePricePerKwh, sum(o.whPerHour), o.expiry),
        device_id: e.args.deviceId,
        source: e.args.source,
        region: e.args.region,
        period_start: o.firstHour,
        period_end: o.firstHour + o.whPerHour.length * SECONDS_PER_HOUR,
      });
      for (const [i, wh] of o.whPerHour.entries()) {
        if (isZero(wh)) continue;
        const hour = o.firstHour + i * SECONDS_PER_HOUR;
        store.insert("offer_hours", {
          kind: "energy",
          offer_id: offerId,
          hour,
          capacity: wh,
          used: "0",
          updated_block: e.blockNumber,
        });
        await addRegionHour(store, e, e.args.region, hour, { green_offered_wh: wh });
      }
    },
  },
  BandwidthOfferPosted: {
    handle: async (e, { store }) => {
      const o = e.args.offer;
      store.insert("orders", {
        ...order(e, "bandwidth", e.args.offerId, e.args.supplier, o.reservePricePerMbpsHour, o.mbps, o.expiry),
        window_start: o.windowStart,
        window_end: o.windowEnd,
        from_region: o.fromRegion,
        to_region: o.toRegion,
        latency_ms: o.latencyMs,
      });
    },
  },
  BidPosted: {
    handle: async (e, { store }) => {
      const b = e.args.bid;
      const vcuHours = BigInt(b.vcu) * BigInt(b.durationHours);
      store.insert("orders", {
        ...order(e, "bid", e.args.bidId, e.args.buyer, b.limitPricePerVcuHour, vcuHours, b.expiry),
        window_start: b.earliestStart,
        window_end: b.latestEnd,
        vcu: b.vcu,
        duration_hours: b.durationHours,
        certificate_origin: b.certificateOrigin,
        hardware_class: b.hardwareClass,
        accepted_regions: regionsOf(b.acceptableRegions),
        buyer_region: b.buyerRegion,
        min_green_bps: b.minGreenBps,
        bandwidth_mbps: String(b.bandwidthMbps),
        max_latency_ms: b.maxLatencyMs,
        escrow: e.args.escrow,
      });
    },
  },
  BidCancelled: {
    prefetch: (e) => [["orders", ["bid", e.args.bidId]]],
    handle: async (e, { store }) => {
      const bid = await store.require("orders", ["bid", e.args.bidId]);
      // A bid always has its job and escrow (BidPosted set them).
      await reduce(store, e, "bid", e.args.bidId, BigInt(e.args.vcu) * BigInt(bid.duration_hours!), true);
      await store.update("orders", ["bid", e.args.bidId], (o) => ({ escrow: sub(o.escrow!, e.args.refund) }));
    },
  },
  ComputeOfferCancelled: {
    prefetch: (e) => [["orders", ["compute", e.args.offerId]]],
    handle: (e, { store }) => cancelRest(store, e, "compute", e.args.offerId),
  },
  EnergyOfferCancelled: {
    prefetch: (e) => [["orders", ["energy", e.args.offerId]]],
    handle: async (e, { store }) => {
      const offerId = e.args.offerId;
      const offer = await store.require("orders", ["energy", offerId]);
      await reduce(store, e, "energy", offerId, sum(e.args.unsoldWhPerHour), true);
      // An energy offer always names its hours and region (EnergyOfferPosted set them).
      for (const [i, unsold] of e.args.unsoldWhPerHour.entries()) {
        if (isZero(unsold)) continue;
        const hour = offer.period_start! + i * SECONDS_PER_HOUR;
        await store.update("offer_hours", ["energy", offerId, hour], (h) => ({
          capacity: sub(h.capacity, unsold),
          updated_block: e.blockNumber,
        }));
        await addRegionHour(store, e, offer.region!, hour, { green_offered_wh: -BigInt(unsold) });
      }
    },
  },
  BandwidthOfferCancelled: {
    prefetch: (e) => [["orders", ["bandwidth", e.args.offerId]]],
    handle: (e, { store }) => cancelRest(store, e, "bandwidth", e.args.offerId),
  },
};
