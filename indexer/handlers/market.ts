// Events of the market contract: orders, settlement into deals, the deal lifecycle, withdrawals and
// settings. Deal events carry the full terms and outcome, so nothing is ever read back from chain.
import { DEAL_STATUSES, SKIP_REASONS } from "../../protocol/orders.ts";
import { SECONDS_PER_HOUR, WH_PER_KWH } from "../../protocol/units.ts";
import type { Store } from "../db/store.ts";
import type { DecodedEvent, EventArgs } from "../sync/decode.ts";
import type { ContractHandlers, Handler, HandlerContext } from "./types.ts";
import { add, at, created, eventId, isZero, regionsOf, sub, sum, unitPrice, ZERO_ADDRESS } from "./util.ts";

const [ACTIVE, REPORTED, DISPUTED, FINALIZED, CANCELLED] = DEAL_STATUSES;

type Kind = "bid" | "compute" | "energy" | "bandwidth";

/** Columns every order has; kind-specific ones are added by each Posted handler. */
function order(
  e: DecodedEvent,
  kind: Kind,
  id: string,
  owner: string,
  price: string,
  quantity: string,
  expiry: number,
) {
  return {
    kind,
    id,
    owner,
    resource: kind === "bid" ? "compute" : kind,
    side: kind === "bid" ? "bid" : "ask",
    price,
    quantity,
    remaining: quantity,
    cancelled: "0",
    status: "open",
    expiry,
    ...created(e),
  };
}

/** Takes `amount` off an order's remaining quantity (a fill or a cancellation). */
async function reduce(store: Store, e: DecodedEvent, kind: Kind, id: string, amount: string, cancel: boolean) {
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

async function credit(store: Store, e: DecodedEvent, account: string | null, amount: string) {
  if (!account || isZero(amount)) return;
  await store.upsert(
    "market_balances",
    [account],
    () => ({ account, credited: amount, withdrawn: "0", updated_block: e.blockNumber }),
    (b) => ({ credited: add(b.credited, amount), updated_block: e.blockNumber }),
  );
}

// Steps and payments are numbered per deal; the counters live on the deal row, so the numbering
// continues correctly across blocks and rolls back with the deal.
async function nextSeq(store: Store, dealId: string, counter: "step_count" | "payment_count"): Promise<number> {
  const deal = await store.update("deals", [dealId], (d) => ({ [counter]: Number(d[counter]) + 1 }));
  return Number(deal[counter]) - 1;
}

async function payment(
  store: Store,
  e: DecodedEvent,
  dealId: string,
  kind: string,
  account: string | null,
  amount: string,
) {
  if (isZero(amount)) return;
  store.insert("deal_payments", {
    deal_id: dealId,
    seq: await nextSeq(store, dealId, "payment_count"),
    kind,
    account,
    amount,
    ...at(e),
  });
}

const treasury = async (store: Store) =>
  ((await store.get("market_params", ["treasury"]))?.value as string | undefined) ?? null;

async function setParam(store: Store, e: DecodedEvent, name: string, value: string) {
  await store.upsert(
    "market_params",
    [name],
    () => ({ name, value, updated_block: e.blockNumber }),
    () => ({ value, updated_block: e.blockNumber }),
  );
}

const onComputeOfferPosted: Handler = async (e, { store }) => {
  const o = e.args.offer as EventArgs;
  store.insert("orders", {
    ...order(e, "compute", e.args.offerId, e.args.supplier, o.reservePricePerVcuHour, o.vcuHours, o.expiry),
    window_start: o.windowStart,
    window_end: o.windowEnd,
    hardware_class: o.hardwareClass,
    region: o.region,
    wh_per_vcu_hour: o.whPerVcuHour,
    pue_milli: o.pueMilli,
  });
};

const onEnergyOfferPosted: Handler = async (e, { store }) => {
  const o = e.args.offer as EventArgs;
  const batch = await store.require("certificate_batches", [e.args.batchId]);
  store.insert("orders", {
    ...order(e, "energy", e.args.offerId, e.args.supplier, o.reservePricePerKwh, o.wh, o.expiry),
    batch_id: e.args.batchId,
    source: e.args.source,
    region: e.args.region,
    period_start: batch.period_start,
    period_end: batch.period_end,
  });
};

const onBandwidthOfferPosted: Handler = async (e, { store }) => {
  const o = e.args.offer as EventArgs;
  store.insert("orders", {
    ...order(e, "bandwidth", e.args.offerId, e.args.supplier, o.reservePricePerMbpsHour, o.mbps, o.expiry),
    window_start: o.windowStart,
    window_end: o.windowEnd,
    from_region: o.fromRegion,
    to_region: o.toRegion,
    latency_ms: o.latencyMs,
  });
};

const onBidPosted: Handler = async (e, { store }) => {
  const b = e.args.bid as EventArgs;
  store.insert("orders", {
    ...order(e, "bid", e.args.bidId, e.args.buyer, b.limitPricePerVcuHour, b.vcuHours, b.expiry),
    window_start: b.windowStart,
    window_end: b.windowEnd,
    hardware_class: b.hardwareClass,
    accepted_regions: regionsOf(b.acceptableRegions),
    buyer_region: b.buyerRegion,
    min_green_bps: b.minGreenBps,
    bandwidth_mbps: b.bandwidthMbps,
    max_latency_ms: b.maxLatencyMs,
    escrow: e.args.escrow,
  });
};

const onBidCancelled: Handler = async (e, { store }) => {
  await reduce(store, e, "bid", e.args.bidId, e.args.vcuHours, true);
  await store.update("orders", ["bid", e.args.bidId], (o) => ({ escrow: sub(o.escrow, e.args.refund) }));
};

const cancelled =
  (kind: Kind, field: string): Handler =>
  async (e, { store }) =>
    reduce(store, e, kind, e.args.offerId, e.args[field], true);

const onDealOpened: Handler = async (e, { store }) => {
  const t = e.args.terms as EventArgs;
  const dealId = e.args.dealId as string;
  const lots = t.energyLots as EventArgs[];
  const bid = await store.require("orders", ["bid", t.bidId]);
  const hasBandwidth = !isZero(t.bandwidthOfferId);

  await reduce(store, e, "bid", t.bidId, t.vcuHours, false);
  await store.update("orders", ["bid", t.bidId], (o) => ({ escrow: sub(o.escrow, t.escrow) }));
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
  const party = (account: string, role: string) => {
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
};

async function dealStep(store: Store, e: DecodedEvent, dealId: string, action: string, actor: string | null) {
  store.insert("deal_steps", {
    deal_id: dealId,
    seq: await nextSeq(store, dealId, "step_count"),
    action,
    actor,
    ...at(e),
  });
}

const onMatchSkipped: Handler = async (e, { store }) => {
  store.insert("skipped_matches", {
    id: eventId(e),
    match_index: e.args.index,
    bid_id: e.args.bidId,
    compute_offer_id: e.args.computeOfferId,
    reason: SKIP_REASONS[Number(e.args.reason)] ?? String(e.args.reason),
    block_number: e.blockNumber,
    block_time: e.blockTime,
    tx_hash: e.txHash,
  });
};

const onUsageReported: Handler = async (e, { store }) => {
  const r = e.args.report as EventArgs;
  const dealId = e.args.dealId as string;
  store.insert("usage_reports", {
    deal_id: dealId,
    reporter: e.args.computeSupplier,
    vcu_delivered: r.vcuDelivered,
    wh_consumed: r.whConsumed,
    metering_hash: r.meteringHash,
    challenge_end: e.args.challengeEnd,
    ...at(e),
  });
  await store.update("deals", [dealId], {
    status: REPORTED,
    vcu_delivered: r.vcuDelivered,
    wh_consumed: r.whConsumed,
    challenge_end: e.args.challengeEnd,
    updated_block: e.blockNumber,
  });
  await dealStep(store, e, dealId, "reported", e.args.computeSupplier);
};

const onUsageConfirmed: Handler = async (e, { store }) => {
  await store.update("deals", [e.args.dealId], { updated_block: e.blockNumber });
  await dealStep(store, e, e.args.dealId, "confirmed", e.args.buyer);
};

const onDealDisputed: Handler = async (e, { store }) => {
  await store.update("deals", [e.args.dealId], {
    status: DISPUTED,
    dispute_reason: e.args.reason,
    arbitration_deadline: e.args.arbitrationDeadline,
    updated_block: e.blockNumber,
  });
  await dealStep(store, e, e.args.dealId, "disputed", e.args.disputant);
};

const onDisputeResolved: Handler = async (e, { store }) => {
  await store.update("deals", [e.args.dealId], {
    arbiter: e.args.arbiter,
    refund_bps: e.args.refundBps,
    updated_block: e.blockNumber,
  });
  await dealStep(store, e, e.args.dealId, "resolved", e.args.arbiter);
};

// The arbiter let the arbitration period run out: the report stands (refund share 0), and whoever
// sent the transaction only triggered the rule, so the step has no actor.
const onDisputeLapsed: Handler = async (e, { store }) => {
  await store.update("deals", [e.args.dealId], { refund_bps: 0, updated_block: e.blockNumber });
  await dealStep(store, e, e.args.dealId, "lapsed", null);
};

const onDealFinalized: Handler = async (e, { store }) => {
  const dealId = e.args.dealId as string;
  const out = e.args.outcome as EventArgs;
  const lots = out.energyLots as EventArgs[];
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
};

const onDealCancelled: Handler = async (e, { store }) => {
  const dealId = e.args.dealId as string;
  const returned = e.args.returnedWh as string[];
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
};

const onWithdrawn: Handler = async (e, { store }) => {
  await store.upsert(
    "market_balances",
    [e.args.account],
    () => ({ account: e.args.account, credited: "0", withdrawn: e.args.amount, updated_block: e.blockNumber }),
    (b) => ({ withdrawn: add(b.withdrawn, e.args.amount), updated_block: e.blockNumber }),
  );
};

async function addParam(store: Store, e: DecodedEvent, name: string, amount: string) {
  const current = (await store.get("market_params", [name]))?.value ?? "0";
  await setParam(store, e, name, add(current, amount));
}

const onFeesWithdrawn: Handler = async (e, { store }) => {
  await addParam(store, e, "accruedFees", `-${e.args.amount}`);
  await addParam(store, e, "feesWithdrawn", e.args.amount);
};

const param =
  (name: (a: EventArgs) => string, value: (a: EventArgs) => unknown): Handler =>
  async (e, { store }) =>
    setParam(store, e, name(e.args), String(value(e.args)));

const dealKey = (e: DecodedEvent): [string, (string | number)[]][] => [["deals", [e.args.dealId]]];

export const market: ContractHandlers = {
  events: {
    ComputeOfferPosted: onComputeOfferPosted,
    EnergyOfferPosted: onEnergyOfferPosted,
    BandwidthOfferPosted: onBandwidthOfferPosted,
    BidPosted: onBidPosted,
    BidCancelled: onBidCancelled,
    ComputeOfferCancelled: cancelled("compute", "vcuHours"),
    EnergyOfferCancelled: cancelled("energy", "wh"),
    BandwidthOfferCancelled: cancelled("bandwidth", "mbps"),
    DealOpened: onDealOpened,
    MatchSkipped: onMatchSkipped,
    UsageReported: onUsageReported,
    UsageConfirmed: onUsageConfirmed,
    DealDisputed: onDealDisputed,
    DisputeResolved: onDisputeResolved,
    DisputeLapsed: onDisputeLapsed,
    DealFinalized: onDealFinalized,
    DealCancelled: onDealCancelled,
    Withdrawn: onWithdrawn,
    FeesWithdrawn: onFeesWithdrawn,
    FeeSet: param(
      () => "feeBps",
      (a) => a.feeBps,
    ),
    TreasurySet: param(
      () => "treasury",
      (a) => a.treasury,
    ),
    DealPeriodsSet: async (e, ctx: HandlerContext) => {
      await setParam(ctx.store, e, "challengePeriod", String(e.args.challengePeriod));
      await setParam(ctx.store, e, "reportGracePeriod", String(e.args.reportGracePeriod));
    },
    ArbitrationPeriodSet: param(
      () => "arbitrationPeriod",
      (a) => a.arbitrationPeriod,
    ),
    GridFactorSet: param(
      (a) => `gridFactor:${a.region}`,
      (a) => a.gCO2ePerKwh,
    ),
    SourceFactorSet: param(
      (a) => `sourceFactor:${a.source}`,
      (a) => a.gCO2ePerKwh,
    ),
    Paused: param(
      () => "paused",
      () => true,
    ),
    Unpaused: param(
      () => "paused",
      () => false,
    ),
  },
  prefetch: {
    BidCancelled: (e) => [["orders", ["bid", e.args.bidId]]],
    ComputeOfferCancelled: (e) => [["orders", ["compute", e.args.offerId]]],
    EnergyOfferCancelled: (e) => [["orders", ["energy", e.args.offerId]]],
    BandwidthOfferCancelled: (e) => [["orders", ["bandwidth", e.args.offerId]]],
    EnergyOfferPosted: (e) => [["certificate_batches", [e.args.batchId]]],
    DealOpened: (e) => {
      const t = e.args.terms as EventArgs;
      const keys: [string, (string | number)[]][] = [
        ["orders", ["bid", t.bidId]],
        ["orders", ["compute", t.computeOfferId]],
        ...(t.energyLots as EventArgs[]).map((l): [string, string[]] => ["orders", ["energy", l.offerId]]),
      ];
      if (!isZero(t.bandwidthOfferId)) keys.push(["orders", ["bandwidth", t.bandwidthOfferId]]);
      return keys;
    },
    UsageReported: dealKey,
    UsageConfirmed: dealKey,
    DealDisputed: dealKey,
    DisputeResolved: dealKey,
    DisputeLapsed: dealKey,
    DealFinalized: dealKey,
    DealCancelled: dealKey,
  },
};
