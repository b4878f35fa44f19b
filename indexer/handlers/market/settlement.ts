// Settlement of a matched batch: each DealOpened fills the bid and the offers it took from (hour by
// hour: the compute offer's and the link's job hours, each lot's energy hour), opens the deal with its
// full terms and its hours, and records one trade per priced resource; MatchSkipped records a match
// the contract refused. docs/market-rules.md, "Flow of a trade"; docs/indexer.md, "Hours".
import { hoursOf } from "../../../protocol/hours.ts";
import { DEAL_STATUSES, SKIP_REASONS } from "../../../protocol/orders.ts";
import { SECONDS_PER_HOUR, WH_PER_KWH } from "../../../protocol/units.ts";
import type { DealRole } from "../../db/tables.ts";
import type { ContractHandlers } from "../types.ts";
import { at, eventId, isZero, sub, sum, unitPrice, ZERO_ADDRESS } from "../util.ts";
import { addRegionHour, sellOfferHour } from "./hours.ts";
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
        ...t.energyLots.flatMap((l) => [
          ["orders", ["energy", l.offerId]] as const,
          ["offer_hours", ["energy", l.offerId, l.hour]] as const,
        ]),
        ...(isZero(t.bandwidthOfferId) ? [] : [["orders", ["bandwidth", t.bandwidthOfferId]] as const]),
      ];
    },
    handle: async (e, { store }) => {
      const t = e.args.terms;
      const dealId = e.args.dealId;
      const lots = t.energyLots;
      const bid = await store.require("orders", ["bid", t.bidId]);
      const offer = await store.require("orders", ["compute", t.computeOfferId]);
      const hasBandwidth = !isZero(t.bandwidthOfferId);
      const end = t.start + t.durationHours * SECONDS_PER_HOUR;
      const jobHours = hoursOf(t.start, end);
      const vcuHours = (BigInt(t.vcu) * BigInt(t.durationHours)).toString();

      await reduce(store, e, "bid", t.bidId, vcuHours, false);
      await store.update("orders", ["bid", t.bidId], (o) => ({
        escrow: sub(o.escrow!, t.escrow),
        start_hour: t.start,
      }));
      await reduce(store, e, "compute", t.computeOfferId, vcuHours, false);
      // A compute offer always has its vcu (ComputeOfferPosted set it).
      for (const h of jobHours) await sellOfferHour(store, e, "compute", t.computeOfferId, h, offer.vcu!, t.vcu);
      for (const lot of lots) {
        await reduce(store, e, "energy", lot.offerId, lot.wh, false);
        await sellOfferHour(store, e, "energy", lot.offerId, lot.hour, 0, lot.wh);
      }
      const link = hasBandwidth ? await store.require("orders", ["bandwidth", t.bandwidthOfferId]) : null;
      if (link && !isZero(t.bandwidthMbps)) {
        for (const h of jobHours) {
          await sellOfferHour(store, e, "bandwidth", t.bandwidthOfferId, h, link.quantity, t.bandwidthMbps);
        }
      }

      const greenWh = sum(lots.map((l) => l.wh));
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
        start_hour: t.start,
        duration_hours: t.durationHours,
        vcu: Number(t.vcu),
        need_per_hour_wh: t.needPerHourWh,
        min_green_bps: t.minGreenBps,
        certificate_origin: t.certificateOrigin,
        window_start: t.start,
        window_end: end,
        vcu_hours: vcuHours,
        compute_payment: t.computePayment,
        energy_needed_wh: (BigInt(t.needPerHourWh) * BigInt(t.durationHours)).toString(),
        green_wh: greenWh,
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
      for (const h of jobHours) {
        store.insert("deal_hours", {
          deal_id: dealId,
          hour: h,
          vcu: Number(t.vcu),
          need_wh: t.needPerHourWh,
          green_wh: sum(lots.filter((l) => l.hour === h).map((l) => l.wh)),
          updated_block: e.blockNumber,
        });
        await addRegionHour(store, e, t.computeRegion, h, { demand_wh: t.needPerHourWh });
      }
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
        quantity: vcuHours,
        value: t.computePayment,
        price: unitPrice(t.computePayment, vcuHours),
        hardware_class: bid.hardware_class,
        region: t.computeRegion,
      });
      for (const [idx, lot] of lots.entries()) {
        const energyOffer = await store.require("orders", ["energy", lot.offerId]);
        store.insert("deal_lots", {
          deal_id: dealId,
          idx,
          offer_id: lot.offerId,
          supplier: lot.supplier,
          device_id: lot.deviceId,
          hour: lot.hour,
          wh: lot.wh,
          payment: lot.payment,
          source_factor: lot.sourceFactor,
          updated_block: e.blockNumber,
        });
        // An energy offer always has its generation region (EnergyOfferPosted set it).
        await addRegionHour(store, e, energyOffer.region!, lot.hour, { green_sold_wh: lot.wh });
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
          source: energyOffer.source,
          region: energyOffer.region,
        });
      }
      if (link) {
        const mbpsHours = (BigInt(t.bandwidthMbps) * BigInt(t.durationHours)).toString();
        party(t.bandwidthSupplier, "bandwidth");
        store.insert("trades", {
          ...trade,
          id: `${dealId}-bandwidth`,
          resource: "bandwidth",
          offer_id: t.bandwidthOfferId,
          supplier: t.bandwidthSupplier,
          quantity: mbpsHours,
          value: t.bandwidthPayment,
          price: unitPrice(t.bandwidthPayment, mbpsHours),
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
