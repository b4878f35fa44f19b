// Orders: offers and bids posted, cancelled, and filled (fills come with DealOpened, see
// settlement.ts). docs/market-rules.md, "Flow of a trade".
import type { Store } from "../../db/store.ts";
import type { NewRow, OrderKind, OrderRow } from "../../db/tables.ts";
import type { DecodedEvent } from "../../sync/decode.ts";
import type { ContractHandlers } from "../types.ts";
import { type Amount, add, created, isZero, regionsOf, sub } from "../util.ts";

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

export const orderHandlers: ContractHandlers<"Market"> = {
  ComputeOfferPosted: {
    handle: async (e, { store }) => {
      const o = e.args.offer;
      store.insert("orders", {
        ...order(e, "compute", e.args.offerId, e.args.supplier, o.reservePricePerVcuHour, o.vcuHours, o.expiry),
        window_start: o.windowStart,
        window_end: o.windowEnd,
        hardware_class: o.hardwareClass,
        region: o.region,
        wh_per_vcu_hour: String(o.whPerVcuHour),
        pue_milli: o.pueMilli,
      });
    },
  },
  EnergyOfferPosted: {
    prefetch: (e) => [["certificate_batches", [e.args.batchId]]],
    handle: async (e, { store }) => {
      const o = e.args.offer;
      const batch = await store.require("certificate_batches", [e.args.batchId]);
      store.insert("orders", {
        ...order(e, "energy", e.args.offerId, e.args.supplier, o.reservePricePerKwh, o.wh, o.expiry),
        batch_id: e.args.batchId,
        source: e.args.source,
        region: e.args.region,
        period_start: batch.period_start,
        period_end: batch.period_end,
      });
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
      store.insert("orders", {
        ...order(e, "bid", e.args.bidId, e.args.buyer, b.limitPricePerVcuHour, b.vcuHours, b.expiry),
        window_start: b.windowStart,
        window_end: b.windowEnd,
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
      await reduce(store, e, "bid", e.args.bidId, e.args.vcuHours, true);
      // A bid always holds escrow (BidPosted set it).
      await store.update("orders", ["bid", e.args.bidId], (o) => ({ escrow: sub(o.escrow!, e.args.refund) }));
    },
  },
  ComputeOfferCancelled: {
    prefetch: (e) => [["orders", ["compute", e.args.offerId]]],
    handle: (e, { store }) => reduce(store, e, "compute", e.args.offerId, e.args.vcuHours, true),
  },
  EnergyOfferCancelled: {
    prefetch: (e) => [["orders", ["energy", e.args.offerId]]],
    handle: (e, { store }) => reduce(store, e, "energy", e.args.offerId, e.args.wh, true),
  },
  BandwidthOfferCancelled: {
    prefetch: (e) => [["orders", ["bandwidth", e.args.offerId]]],
    handle: (e, { store }) => reduce(store, e, "bandwidth", e.args.offerId, e.args.mbps, true),
  },
};
