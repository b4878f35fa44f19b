// A deal's life after it opened: usage reported and confirmed, disputes and their outcome, and the
// end (finalised with payments, or cancelled with a refund). Deal events carry the full outcome,
// so nothing is ever read back from chain. docs/market-rules.md, "Flow of a trade".
import { DEAL_STATUSES } from "../../../protocol/orders.ts";
import { SECONDS_PER_HOUR } from "../../../protocol/units.ts";
import type { Store } from "../../db/store.ts";
import type { DealHourRow, DealRow } from "../../db/tables.ts";
import type { DecodedEvent } from "../../sync/decode.ts";
import type { ContractHandlers, RowRef } from "../types.ts";
import { at, sub, sum } from "../util.ts";
import { credit, dealStep, payment } from "./ledger.ts";
import { addParam, treasury } from "./params.ts";

const [, REPORTED, DISPUTED, FINALIZED, CANCELLED] = DEAL_STATUSES;

const theDeal = (e: { args: { dealId: string } }): RowRef[] => [["deals", [e.args.dealId]]];

/** The lots of a deal's terms as DealOpened emitted them (deals.terms). */
const lotCount = (deal: DealRow) => ((deal.terms?.energyLots as unknown[] | undefined) ?? []).length;

/** Changes every hour of a deal's job, hour i being the job's i-th. */
async function updateHours(
  store: Store,
  e: DecodedEvent,
  deal: DealRow,
  patch: (i: number, h: DealHourRow) => Partial<DealHourRow>,
): Promise<DealHourRow[]> {
  const rows: DealHourRow[] = [];
  // The hours are known only from the deal row, not from the event, so the step's prefetch cannot
  // list them: read them here in one statement rather than one per hour (when the step's rows are
  // not all in memory: blocks near the head, or after the cache dropped them).
  const keys: [string, number][] = [];
  for (let i = 0; i < deal.duration_hours; i++) keys.push([deal.id, deal.start_hour + i * SECONDS_PER_HOUR]);
  await store.prefetch("deal_hours", keys);
  for (let i = 0; i < deal.duration_hours; i++) {
    const hour = deal.start_hour + i * SECONDS_PER_HOUR;
    rows.push(
      await store.update("deal_hours", [deal.id, hour], (h) => ({ ...patch(i, h), updated_block: e.blockNumber })),
    );
  }
  return rows;
}
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
      const vcuDelivered = sum(r.vcuPerHour);
      const whConsumed = sum(r.whPerHour);
      store.insert("usage_reports", {
        deal_id: dealId,
        reporter: e.args.computeSupplier,
        vcu_delivered: vcuDelivered,
        wh_consumed: whConsumed,
        vcu_per_hour: [...r.vcuPerHour],
        wh_per_hour: [...r.whPerHour],
        metering_hash: r.meteringRoot,
        challenge_end: challengeEnd,
        ...at(e),
      });
      const deal = await store.require("deals", [dealId]);
      // The market checked the report has one entry per job hour.
      const hours = await updateHours(store, e, deal, (i) => ({
        vcu_delivered: r.vcuPerHour[i],
        metered_wh: r.whPerHour[i],
      }));
      const matched = hours.reduce((s, h) => {
        const green = BigInt(h.green_wh);
        const metered = BigInt(h.metered_wh!);
        return s + (green < metered ? green : metered);
      }, 0n);
      await store.update("deals", [dealId], {
        status: REPORTED,
        vcu_delivered: vcuDelivered,
        wh_consumed: whConsumed,
        matched_green_wh: matched.toString(),
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
        matched_green_wh: e.args.matchedGreenWh,
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
      const retired = sum(lots.map((l) => l.retiredWh));
      await store.update("deals", [dealId], {
        status: FINALIZED,
        vcu_delivered: out.vcuHoursDelivered,
        wh_consumed: out.whConsumed,
        accepted_bps: out.acceptedBps,
        compute_paid: out.computePaid,
        bandwidth_paid: out.bandwidthPaid,
        energy_paid: sum(lots.map((l) => l.paid)),
        fee_paid: out.fee,
        refund: out.refund,
        retired_wh: retired,
        returned_wh: sub(deal.green_wh, retired),
        undelivered_wh: sum(lots.map((l) => l.undeliveredWh)),
        credits: out.credits,
        closed_block: e.blockNumber,
        closed_time: e.blockTime,
        closed_tx: e.txHash,
        updated_block: e.blockNumber,
      });
      await dealStep(store, e, dealId, "finalized", null);
      await payment(store, e, dealId, "compute", deal.compute_supplier, out.computePaid);
      await credit(store, e, deal.compute_supplier, out.computePaid);
      const retiredInHour = new Map<number, bigint>();
      for (const [idx, lot] of lots.entries()) {
        const row = await store.update("deal_lots", [dealId, idx], (l) => ({
          paid: lot.paid,
          retired_wh: lot.retiredWh,
          undelivered_wh: lot.undeliveredWh,
          returned_wh: sub(l.wh, lot.retiredWh),
          updated_block: e.blockNumber,
        }));
        retiredInHour.set(row.hour, (retiredInHour.get(row.hour) ?? 0n) + BigInt(lot.retiredWh));
        await payment(store, e, dealId, "energy", row.supplier, lot.paid);
        await credit(store, e, row.supplier, lot.paid);
      }
      await updateHours(store, e, deal, (_, h) => ({ retired_wh: String(retiredInHour.get(h.hour) ?? 0n) }));
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
    prefetch: theDeal,
    handle: async (e, { store }) => {
      const dealId = e.args.dealId;
      // No certificate moved: every lot's Wh stayed with its supplier.
      const deal = await store.update("deals", [dealId], (d) => ({
        status: CANCELLED,
        refund: e.args.refund,
        retired_wh: "0",
        returned_wh: d.green_wh,
        undelivered_wh: "0",
        closed_block: e.blockNumber,
        closed_time: e.blockTime,
        closed_tx: e.txHash,
        updated_block: e.blockNumber,
      }));
      for (let idx = 0; idx < lotCount(deal); idx++) {
        await store.update("deal_lots", [dealId, idx], (l) => ({
          paid: "0",
          retired_wh: "0",
          undelivered_wh: "0",
          returned_wh: l.wh,
          updated_block: e.blockNumber,
        }));
      }
      await updateHours(store, e, deal, () => ({ retired_wh: "0" }));
      await dealStep(store, e, dealId, "cancelled", null);
      await payment(store, e, dealId, "refund", deal.buyer, e.args.refund);
      await credit(store, e, deal.buyer, e.args.refund);
    },
  },
};
