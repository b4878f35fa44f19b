// Settlement of a matched batch: each DealOpened fills the bid and the offers it took from, opens
// the deal with its full terms, and records one trade per priced resource; MatchSkipped records a
// match the contract refused. docs/market-rules.md, "Flow of a trade".
import { DEAL_STATUSES, SKIP_REASONS } from "../../../protocol/orders.ts";
import { SECONDS_PER_HOUR, WH_PER_KWH } from "../../../protocol/units.ts";
import type { DealRole } from "../../db/tables.ts";
import type { ContractHandlers } from "../types.ts";
import { at, eventId, isZero, sub, sum, unitPrice, ZERO_ADDRESS } from "../util.ts";
import { dealStep, payment } from "./ledger.ts";
import { reduce } from "./orders.ts";

const [ACTIVE] = DEAL_STATUSES;

export const settlementHandlers: ContractHandlers<"Market"> = {
  DealOpened: {
    prefetch: (e) => {
      const t = e.args.terms;
      return [
        ["orders", ["bid", t.bidId]],
        ["orders", ["compute", t.computeOfferId]],
        ...t.energyLots.map((l) => ["orders", ["energy", l.offerId]] as const),
        ...(isZero(t.bandwidthOfferId) ? [] : [["orders", ["bandwidth", t.bandwidthOfferId]] as const]),
      ];
    },
    handle: async (e, { store }) => {
      const t = e.args.terms;
      const dealId = e.args.dealId;
      const lots = t.energyLots;
      const bid = await store.require("orders", ["bid", t.bidId]);
      const hasBandwidth = !isZero(t.bandwidthOfferId);

      await reduce(store, e, "bid", t.bidId, t.vcuHours, false);
      await store.update("orders", ["bid", t.bidId], (o) => ({ escrow: sub(o.escrow!, t.escrow) }));
      await reduce(store, e, "compute", t.computeOfferId, t.vcuHours, false);
      for (const lot of lots) await reduce(store, e, "energy", lot.offerId, lot.wh, false);
      if (hasBandwidth) await reduce(store, e, "bandwidth", t.bandwidthOfferId, t.bandwidthMbps, false);

      store.insert("deals", {
        id: dealId,
        bid_id: t.bidId,
        buyer: t.buyer,
        terms: t,
        compute_offer_id: t.computeOfferId,
        compute_supplier: t.computeSupplier,
        compute_region: t.computeRegion,
        hardware_class: bid.hardware_class,
        buyer_region: bid.buyer_region,
        window_start: t.windowStart,
        window_end: t.windowEnd,
        vcu_hours: t.vcuHours,
        compute_payment: t.computePayment,
        energy_needed_wh: t.energyNeededWh,
        green_wh: sum(lots.map((l) => l.wh)),
        energy_payment: sum(lots.map((l) => l.payment)),
        bandwidth_offer_id: hasBandwidth ? t.bandwidthOfferId : null,
        bandwidth_supplier: hasBandwidth && t.bandwidthSupplier !== ZERO_ADDRESS ? t.bandwidthSupplier : null,
        bandwidth_mbps: t.bandwidthMbps,
        bandwidth_payment: t.bandwidthPayment,
        fee: t.fee,
        escrow: t.escrow,
        grid_factor: t.gridFactor,
        report_deadline: t.reportDeadline,
        challenge_period: t.challengePeriod,
        status: ACTIVE,
        step_count: 0,
        payment_count: 0,
        opened_block: e.blockNumber,
        opened_time: e.blockTime,
        opened_tx: e.txHash,
        opened_log: e.logIndex,
        updated_block: e.blockNumber,
      });
      const parties = new Set<string>();
      const party = (account: string, role: DealRole) => {
        if (parties.has(`${account}/${role}`)) return;
        parties.add(`${account}/${role}`);
        store.insert("deal_parties", { deal_id: dealId, account, role });
      };
      party(t.buyer, "buyer");
      party(t.computeSupplier, "compute");
      const trade = { deal_id: dealId, buyer: t.buyer, ...at(e) };
      store.insert("trades", {
        ...trade,
        id: `${dealId}-compute`,
        resource: "compute",
        offer_id: t.computeOfferId,
        supplier: t.computeSupplier,
        quantity: t.vcuHours,
        value: t.computePayment,
        price: unitPrice(t.computePayment, t.vcuHours),
        hardware_class: bid.hardware_class,
        region: t.computeRegion,
      });
      for (const [idx, lot] of lots.entries()) {
        const offer = await store.require("orders", ["energy", lot.offerId]);
        store.insert("deal_lots", {
          deal_id: dealId,
          idx,
          offer_id: lot.offerId,
          supplier: lot.supplier,
          batch_id: lot.batchId,
          wh: lot.wh,
          payment: lot.payment,
          source_factor: lot.sourceFactor,
          updated_block: e.blockNumber,
        });
        party(lot.supplier, "energy");
        store.insert("trades", {
          ...trade,
          id: `${dealId}-energy-${idx}`,
          resource: "energy",
          offer_id: lot.offerId,
          supplier: lot.supplier,
          quantity: lot.wh,
          value: lot.payment,
          price: unitPrice(lot.payment, lot.wh, BigInt(WH_PER_KWH)),
          source: offer.source,
          region: offer.region,
        });
      }
      if (hasBandwidth) {
        const link = await store.require("orders", ["bandwidth", t.bandwidthOfferId]);
        const mbpsSeconds = BigInt(t.bandwidthMbps) * BigInt(t.windowEnd - t.windowStart);
        party(t.bandwidthSupplier, "bandwidth");
        store.insert("trades", {
          ...trade,
          id: `${dealId}-bandwidth`,
          resource: "bandwidth",
          offer_id: t.bandwidthOfferId,
          supplier: t.bandwidthSupplier,
          quantity: (mbpsSeconds / BigInt(SECONDS_PER_HOUR)).toString(),
          value: t.bandwidthPayment,
          price: unitPrice(t.bandwidthPayment, mbpsSeconds, BigInt(SECONDS_PER_HOUR)),
          from_region: link.from_region,
          to_region: link.to_region,
        });
      }
      await dealStep(store, e, dealId, "opened", t.buyer);
      await payment(store, e, dealId, "escrow", t.buyer, t.escrow);
    },
  },
  MatchSkipped: {
    handle: async (e, { store }) => {
      store.insert("skipped_matches", {
        id: eventId(e),
        match_index: e.args.index,
        bid_id: e.args.bidId,
        compute_offer_id: e.args.computeOfferId,
        reason: SKIP_REASONS[e.args.reason] ?? String(e.args.reason),
        block_number: e.blockNumber,
        block_time: e.blockTime,
        tx_hash: e.txHash,
      });
    },
  },
};
