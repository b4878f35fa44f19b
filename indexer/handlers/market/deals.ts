// A deal's life after it opened: usage reported and confirmed, disputes and their outcome, and the
// end (finalised with payments, or cancelled with a refund). Deal events carry the full outcome,
// so nothing is ever read back from chain. docs/market-rules.md, "Flow of a trade".
import { DEAL_STATUSES } from "../../../protocol/orders.ts";
import type { ContractHandlers, RowRef } from "../types.ts";
import { at, sum } from "../util.ts";
import { credit, dealStep, payment } from "./ledger.ts";
import { addParam, treasury } from "./params.ts";

const [, REPORTED, DISPUTED, FINALIZED, CANCELLED] = DEAL_STATUSES;

const theDeal = (e: { args: { dealId: string } }): RowRef[] => [["deals", [e.args.dealId]]];
/** The deal and its energy lots (one per entry of `lots`), which a deal's end updates. */
const theDealAndLots = (dealId: string, lots: readonly unknown[]): RowRef[] => [
  ["deals", [dealId]],
  ...lots.map((_, idx): RowRef => ["deal_lots", [dealId, idx]]),
];

export const dealHandlers: ContractHandlers<"Market"> = {
  UsageReported: {
    prefetch: theDeal,
    handle: async (e, { store }) => {
      const r = e.args.report;
      const dealId = e.args.dealId;
      const challengeEnd = Number(e.args.challengeEnd);
      store.insert("usage_reports", {
        deal_id: dealId,
        reporter: e.args.computeSupplier,
        vcu_delivered: r.vcuDelivered,
        wh_consumed: r.whConsumed,
        metering_hash: r.meteringHash,
        challenge_end: challengeEnd,
        ...at(e),
      });
      await store.update("deals", [dealId], {
        status: REPORTED,
        vcu_delivered: r.vcuDelivered,
        wh_consumed: r.whConsumed,
        challenge_end: challengeEnd,
        updated_block: e.blockNumber,
      });
      await dealStep(store, e, dealId, "reported", e.args.computeSupplier);
    },
  },
  // Emitted right after UsageReported: the report stands but cannot finalise unchallenged.
  UsageFlagged: {
    prefetch: theDeal,
    handle: async (e, { store }) => {
      await store.update("deals", [e.args.dealId], {
        flagged_outside_profile: e.args.outsideProfile,
        flagged_below_green_minimum: e.args.belowGreenMinimum,
        expected_wh: e.args.expectedWh,
        updated_block: e.blockNumber,
      });
    },
  },
  UsageConfirmed: {
    prefetch: theDeal,
    handle: async (e, { store }) => {
      await store.update("deals", [e.args.dealId], { updated_block: e.blockNumber });
      await dealStep(store, e, e.args.dealId, "confirmed", e.args.buyer);
    },
  },
  DealDisputed: {
    prefetch: theDeal,
    handle: async (e, { store }) => {
      await store.update("deals", [e.args.dealId], {
        status: DISPUTED,
        dispute_reason: e.args.reason,
        arbitration_deadline: Number(e.args.arbitrationDeadline),
        updated_block: e.blockNumber,
      });
      await dealStep(store, e, e.args.dealId, "disputed", e.args.disputant);
    },
  },
  DisputeResolved: {
    prefetch: theDeal,
    handle: async (e, { store }) => {
      await store.update("deals", [e.args.dealId], {
        arbiter: e.args.arbiter,
        refund_bps: e.args.refundBps,
        updated_block: e.blockNumber,
      });
      await dealStep(store, e, e.args.dealId, "resolved", e.args.arbiter);
    },
  },
  // The arbiter let the arbitration period run out: the report stands (refund share 0), and whoever
  // sent the transaction only triggered the rule, so the step has no actor.
  DisputeLapsed: {
    prefetch: theDeal,
    handle: async (e, { store }) => {
      await store.update("deals", [e.args.dealId], { refund_bps: 0, updated_block: e.blockNumber });
      await dealStep(store, e, e.args.dealId, "lapsed", null);
    },
  },
  DealFinalized: {
    prefetch: (e) => theDealAndLots(e.args.dealId, e.args.outcome.energyLots),
    handle: async (e, { store }) => {
      const dealId = e.args.dealId;
      const out = e.args.outcome;
      const lots = out.energyLots;
      const deal = await store.require("deals", [dealId]);
      const fees = await treasury(store);
      await store.update("deals", [dealId], {
        status: FINALIZED,
        vcu_delivered: out.vcuDelivered,
        wh_consumed: out.whConsumed,
        accepted_bps: out.acceptedBps,
        compute_paid: out.computePaid,
        bandwidth_paid: out.bandwidthPaid,
        energy_paid: sum(lots.map((l) => l.paid)),
        fee_paid: out.fee,
        refund: out.refund,
        retired_wh: sum(lots.map((l) => l.retiredWh)),
        returned_wh: sum(lots.map((l) => l.returnedWh)),
        credits: out.credits,
        closed_block: e.blockNumber,
        closed_time: e.blockTime,
        closed_tx: e.txHash,
        updated_block: e.blockNumber,
      });
      await dealStep(store, e, dealId, "finalized", null);
      await payment(store, e, dealId, "compute", deal.compute_supplier, out.computePaid);
      await credit(store, e, deal.compute_supplier, out.computePaid);
      for (const [idx, lot] of lots.entries()) {
        const row = await store.update("deal_lots", [dealId, idx], {
          paid: lot.paid,
          retired_wh: lot.retiredWh,
          returned_wh: lot.returnedWh,
          updated_block: e.blockNumber,
        });
        await payment(store, e, dealId, "energy", row.supplier, lot.paid);
        await credit(store, e, row.supplier, lot.paid);
      }
      if (deal.bandwidth_offer_id !== null) {
        await payment(store, e, dealId, "bandwidth", deal.bandwidth_supplier, out.bandwidthPaid);
        await credit(store, e, deal.bandwidth_supplier, out.bandwidthPaid);
      }
      // Fees accrue in the market until the treasury withdraws them; they are not a withdrawable balance.
      await payment(store, e, dealId, "fee", fees, out.fee);
      await addParam(store, e, "accruedFees", out.fee);
      await payment(store, e, dealId, "refund", deal.buyer, out.refund);
      await credit(store, e, deal.buyer, out.refund);
    },
  },
  DealCancelled: {
    prefetch: (e) => theDealAndLots(e.args.dealId, e.args.returnedWh),
    handle: async (e, { store }) => {
      const dealId = e.args.dealId;
      const returned = e.args.returnedWh;
      const deal = await store.update("deals", [dealId], {
        status: CANCELLED,
        refund: e.args.refund,
        returned_wh: sum(returned),
        closed_block: e.blockNumber,
        closed_time: e.blockTime,
        closed_tx: e.txHash,
        updated_block: e.blockNumber,
      });
      for (const [idx, wh] of returned.entries()) {
        await store.update("deal_lots", [dealId, idx], {
          paid: "0",
          retired_wh: "0",
          returned_wh: wh,
          updated_block: e.blockNumber,
        });
      }
      await dealStep(store, e, dealId, "cancelled", null);
      await payment(store, e, dealId, "refund", deal.buyer, e.args.refund);
      await credit(store, e, deal.buyer, e.args.refund);
    },
  },
};
