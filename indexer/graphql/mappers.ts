// Rows → GraphQL objects. Related objects are fields holding functions, which graphql-js calls only
// when a query asks for them, so a list never loads what nobody selected.
import { certificateId } from "../../protocol/hours.ts";
import { ENERGY_SOURCES, HARDWARE_CLASSES } from "../../protocol/units.ts";
import type {
  CertificateBalanceRow,
  CertificateBatchRow,
  CreditMintRow,
  CreditRetirementRow,
  DealLotRow,
  DealPaymentRow,
  DealRow,
  DealStepRow,
  DeviceRow,
  EventPlace,
  EventRow,
  MarketParamRow,
  OrderKind,
  OrderRow,
  RetirementRow,
  ScheduledChangeRow,
  SkippedMatchRow,
  TradeRow,
  UsageReportRow,
} from "../db/tables.ts";
import type { ApiContext } from "./context.ts";
import { batchesWhere, dealsOfOrder } from "./filters.ts";
import { mapCertificateHour, mapDealHour, offerHours, originName } from "./hours.ts";
import { KIND_TO_DB, type OrderKindName } from "./inputs.ts";
import {
  batchRow,
  claimsOfCreditRetirement,
  creditMintsOfDeal,
  dealRow,
  deviceRow,
  holdersOfBatch,
  hoursOfBatch,
  hoursOfDeal,
  hoursOfDevice,
  issueOfHour,
  lotsOfDeal,
  orderRow,
  paymentsOfDeal,
  retirementsOfBatch,
  retirementsOfDeal,
  stepsOfDeal,
  usageReportOf,
} from "./loaders.ts";
import { type PageArgs, page } from "./pagination.ts";

const KIND_FROM_DB = Object.fromEntries(Object.entries(KIND_TO_DB).map(([k, v]) => [v, k])) as Record<
  OrderKind,
  OrderKindName
>;

export const hardwareClassName = (i: number | null | undefined) =>
  i === null || i === undefined ? null : (HARDWARE_CLASSES[Number(i)] ?? `class-${i}`);
export const sourceName = (i: number | null | undefined) =>
  i === null || i === undefined ? null : (ENERGY_SOURCES[Number(i)] ?? `source-${i}`);

/** Exact decimal of `value / 10^decimals` (Wh → kWh, gCO2e → kgCO2e). */
export function decimal(value: string, decimals: number): string {
  const v = BigInt(value);
  const scale = 10n ** BigInt(decimals);
  const frac = (v % scale).toString().padStart(decimals, "0").replace(/0+$/, "");
  return frac ? `${v / scale}.${frac}` : `${v / scale}`;
}

const final = (block: number) => async (_: unknown, ctx: ApiContext) => block <= (await ctx.view()).finalizedBlock;

export function chainRef(block: number, time: number, tx: string, log: number | null = null) {
  return { blockNumber: block, time, txHash: tx, logIndex: log, final: final(block) };
}

const at = (r: Omit<EventPlace, "log_index"> & { log_index?: number | null }) =>
  chainRef(r.block_number, r.block_time, r.tx_hash, r.log_index ?? null);

// ─── by key ─────────────────────────────────────────────────────────────────────────────────

export const loadOrder = async (ctx: ApiContext, kind: OrderKind, id: string) =>
  mapOrder(await orderRow(ctx.db, kind, id));
export const loadDeal = async (ctx: ApiContext, id: string | null) =>
  id === null ? null : mapDeal(await dealRow(ctx.db, id));
export const loadBatch = async (ctx: ApiContext, id: string) => mapBatch(await batchRow(ctx.db, id));
export const loadDevice = async (ctx: ApiContext, id: string) => mapDevice(await deviceRow(ctx.db, id));

// ─── orders ─────────────────────────────────────────────────────────────────────────────────

export function orderStatus(row: Pick<OrderRow, "status" | "expiry">, chainTime: number): string {
  if (row.status === "open" && Number(row.expiry) <= chainTime) return "EXPIRED";
  return String(row.status).toUpperCase();
}

export function mapOrder(r: OrderRow | null) {
  if (!r) return null;
  return {
    kind: KIND_FROM_DB[r.kind],
    id: r.id,
    resource: String(r.resource).toUpperCase(),
    side: String(r.side).toUpperCase(),
    owner: r.owner,
    price: r.price,
    quantity: r.quantity,
    remaining: r.remaining,
    filled: (BigInt(r.quantity) - BigInt(r.remaining) - BigInt(r.cancelled)).toString(),
    cancelled: r.cancelled,
    status: async (_: unknown, ctx: ApiContext) => orderStatus(r, (await ctx.view()).chainTime),
    expiry: Number(r.expiry),
    windowStart: r.window_start,
    windowEnd: r.window_end,
    vcu: r.vcu,
    durationHours: r.duration_hours,
    remainingVcu: r.kind === "bid" ? Number(BigInt(r.remaining) / BigInt(r.duration_hours!)) : null,
    earliestStart: r.kind === "bid" ? r.window_start : null,
    latestEnd: r.kind === "bid" ? r.window_end : null,
    certificateOrigin: originName(r.certificate_origin),
    start: r.start_hour,
    deviceId: r.device_id,
    device: (_: unknown, ctx: ApiContext) => (r.device_id === null ? null : loadDevice(ctx, r.device_id)),
    batchId: null,
    hardwareClass: hardwareClassName(r.hardware_class),
    region: r.region,
    acceptableRegions: r.accepted_regions,
    buyerRegion: r.buyer_region,
    minGreenBps: r.min_green_bps,
    bandwidthMbps: r.bandwidth_mbps,
    maxLatencyMs: r.max_latency_ms,
    whPerVcuHour: r.wh_per_vcu_hour,
    pueMilli: r.pue_milli,
    source: sourceName(r.source),
    periodStart: r.period_start,
    periodEnd: r.period_end,
    fromRegion: r.from_region,
    toRegion: r.to_region,
    latencyMs: r.latency_ms,
    escrow: r.escrow,
    posted: chainRef(r.created_block, r.created_time, r.created_tx, r.created_log),
    hours: (args: { from?: number | null; to?: number | null }, ctx: ApiContext) => offerHours(ctx, r, args),
    deals: (args: PageArgs, ctx: ApiContext) => page(ctx.db, dealsOfOrder(r), args, mapDeal),
    final: final(r.updated_block),
  };
}

// ─── deals ──────────────────────────────────────────────────────────────────────────────────

export function mapDeal(r: DealRow | null) {
  if (!r) return null;
  const id = r.id;
  const needed = BigInt(r.energy_needed_wh);
  return {
    id,
    status: String(r.status).toUpperCase(),
    bidId: r.bid_id,
    buyer: r.buyer,
    computeOfferId: r.compute_offer_id,
    computeSupplier: r.compute_supplier,
    computeRegion: r.compute_region,
    hardwareClass: hardwareClassName(r.hardware_class),
    buyerRegion: r.buyer_region,
    start: Number(r.start_hour),
    durationHours: r.duration_hours,
    vcu: Number(r.vcu),
    certificateOrigin: originName(r.certificate_origin),
    windowStart: Number(r.window_start),
    windowEnd: Number(r.window_end),
    vcuHours: r.vcu_hours,
    computePayment: r.compute_payment,
    energyNeededWh: r.energy_needed_wh,
    greenWh: r.green_wh,
    greenShareBps: needed === 0n ? 0 : Number((BigInt(r.green_wh) * 10_000n) / needed),
    energyPayment: r.energy_payment,
    bandwidthOfferId: r.bandwidth_offer_id,
    bandwidthSupplier: r.bandwidth_supplier,
    bandwidthMbps: r.bandwidth_mbps,
    bandwidthPayment: r.bandwidth_payment,
    fee: r.fee,
    escrow: r.escrow,
    gridFactor: r.grid_factor,
    reportDeadline: Number(r.report_deadline),
    challengePeriod: Number(r.challenge_period),
    challengeEnd: r.challenge_end,
    disputeReason: r.dispute_reason,
    arbitrationDeadline: r.arbitration_deadline === null ? null : Number(r.arbitration_deadline),
    terms: r.terms,
    arbiter: r.arbiter,
    refundBps: r.refund_bps,
    vcuDelivered: r.vcu_delivered,
    whConsumed: r.wh_consumed,
    acceptedBps: r.accepted_bps,
    computePaid: r.compute_paid,
    bandwidthPaid: r.bandwidth_paid,
    energyPaid: r.energy_paid,
    feePaid: r.fee_paid,
    refund: r.refund,
    retiredWh: r.retired_wh,
    returnedWh: r.returned_wh,
    undeliveredWh: r.undelivered_wh,
    credits: r.credits,
    matchedGreenWh: r.matched_green_wh,
    hours: async (_: unknown, ctx: ApiContext) => (await hoursOfDeal(ctx.db, id)).map(mapDealHour),
    flagged: r.expected_wh !== null,
    flaggedOutsideProfile: r.flagged_outside_profile === true,
    flaggedBelowGreenMinimum: r.flagged_below_green_minimum === true,
    expectedWh: r.expected_wh,
    energyLots: async (_: unknown, ctx: ApiContext) => (await lotsOfDeal(ctx.db, id)).map(mapLot),
    payments: async (_: unknown, ctx: ApiContext) => (await paymentsOfDeal(ctx.db, id)).map(mapPayment),
    steps: async (_: unknown, ctx: ApiContext) => (await stepsOfDeal(ctx.db, id)).map(mapStep),
    usageReport: async (_: unknown, ctx: ApiContext) => mapReport(await usageReportOf(ctx.db, id)),
    retirements: async (_: unknown, ctx: ApiContext) => (await retirementsOfDeal(ctx.db, id)).map(mapRetirement),
    creditMints: async (_: unknown, ctx: ApiContext) => (await creditMintsOfDeal(ctx.db, id)).map(mapCreditMint),
    opened: chainRef(r.opened_block, r.opened_time, r.opened_tx, r.opened_log),
    closed: r.closed_block === null ? null : chainRef(r.closed_block, r.closed_time!, r.closed_tx!),
    final: final(r.updated_block),
  };
}

export function mapLot(l: DealLotRow) {
  return {
    index: l.idx,
    offerId: l.offer_id,
    supplier: l.supplier,
    deviceId: l.device_id,
    device: (_: unknown, ctx: ApiContext) => loadDevice(ctx, l.device_id),
    hour: Number(l.hour),
    certificateId: () => certificateId(BigInt(l.device_id), Number(l.hour)).toString(),
    batchId: (_: unknown, ctx: ApiContext) => issueOfHour(ctx.db, l.device_id, Number(l.hour)),
    batch: async (_: unknown, ctx: ApiContext) => {
      const issue = await issueOfHour(ctx.db, l.device_id, Number(l.hour));
      return issue === null ? null : loadBatch(ctx, issue);
    },
    wh: l.wh,
    payment: l.payment,
    sourceFactor: l.source_factor,
    paid: l.paid,
    retiredWh: l.retired_wh,
    undeliveredWh: l.undelivered_wh,
    returnedWh: l.returned_wh,
  };
}

export function mapPayment(p: DealPaymentRow) {
  return { kind: String(p.kind).toUpperCase(), account: p.account, amount: p.amount, at: at(p) };
}

export function mapStep(s: DealStepRow) {
  return { action: s.action, actor: s.actor, at: at(s) };
}

export function mapReport(r: UsageReportRow | null) {
  if (!r) return null;
  return {
    dealId: r.deal_id,
    reporter: r.reporter,
    vcuDelivered: r.vcu_delivered,
    whConsumed: r.wh_consumed,
    vcuPerHour: r.vcu_per_hour,
    whPerHour: r.wh_per_hour,
    meteringHash: r.metering_hash,
    challengeEnd: Number(r.challenge_end),
    at: at(r),
  };
}

export function mapTrade(r: TradeRow) {
  return {
    id: r.id,
    dealId: r.deal_id,
    resource: String(r.resource).toUpperCase(),
    offerId: r.offer_id,
    supplier: r.supplier,
    buyer: r.buyer,
    quantity: r.quantity,
    value: r.value,
    price: r.price,
    hardwareClass: hardwareClassName(r.hardware_class),
    region: r.region,
    source: sourceName(r.source),
    fromRegion: r.from_region,
    toRegion: r.to_region,
    at: at(r),
  };
}

export function mapSkipped(r: SkippedMatchRow) {
  return {
    id: r.id,
    matchIndex: r.match_index,
    bidId: r.bid_id,
    computeOfferId: r.compute_offer_id,
    reason: r.reason,
    at: chainRef(r.block_number, r.block_time, r.tx_hash),
  };
}

/** One entry of an account's activity: a raw event that names it. */
export function mapActivity(e: EventRow) {
  return {
    contract: e.contract,
    name: e.name,
    args: e.args,
    at: chainRef(e.block_number, e.block_time, e.tx_hash, e.log_index),
  };
}

// ─── certificates and credits ───────────────────────────────────────────────────────────────

export function mapDevice(r: DeviceRow | null) {
  if (!r) return null;
  return {
    id: r.id,
    owner: r.owner,
    source: sourceName(r.source),
    region: r.region,
    capacityW: r.capacity_w,
    commissionedAt: Number(r.commissioned_at),
    metadataUri: r.metadata_uri,
    status: String(r.status).toUpperCase(),
    registrar: r.registrar,
    issuedWh: r.issued_wh,
    issuedUntil: r.issued_until,
    batchCount: r.batches,
    batches: (args: PageArgs, ctx: ApiContext) => page(ctx.db, batchesWhere({ deviceId: r.id }), args, mapBatch),
    hours: async (args: { from: number; to: number }, ctx: ApiContext) =>
      (await hoursOfDevice(ctx.db, r.id, args.from, args.to)).map(mapCertificateHour),
    registered: chainRef(r.created_block, r.created_time, r.created_tx, r.created_log),
    approved: r.approved_block === null ? null : chainRef(r.approved_block, r.approved_time!, r.approved_tx!),
    final: final(r.updated_block),
  };
}

export function mapBatch(r: CertificateBatchRow | null) {
  if (!r) return null;
  const id = r.id;
  return {
    id,
    deviceId: r.device_id,
    device: (_: unknown, ctx: ApiContext) => loadDevice(ctx, r.device_id),
    issuer: r.issuer,
    source: sourceName(r.source),
    region: r.region,
    periodStart: Number(r.period_start),
    periodEnd: Number(r.period_end),
    issuedWh: r.issued_wh,
    heldWh: (BigInt(r.issued_wh) - BigInt(r.retired_wh)).toString(),
    retiredWh: r.retired_wh,
    hours: async (_: unknown, ctx: ApiContext) => (await hoursOfBatch(ctx.db, id)).map(mapCertificateHour),
    holders: async (_: unknown, ctx: ApiContext) => (await holdersOfBatch(ctx.db, id)).map(mapHolding),
    retirements: async (_: unknown, ctx: ApiContext) => (await retirementsOfBatch(ctx.db, id)).map(mapRetirement),
    issued: chainRef(r.created_block, r.created_time, r.created_tx, r.created_log),
    final: final(r.updated_block),
  };
}

export function mapHolding(h: CertificateBalanceRow) {
  return {
    batchId: h.batch_id,
    batch: (_: unknown, ctx: ApiContext) => loadBatch(ctx, h.batch_id),
    holder: h.holder,
    wh: h.wh,
  };
}

export function mapRetirement(r: RetirementRow | null) {
  if (!r) return null;
  return {
    id: r.id,
    batchId: r.batch_id,
    batch: (_: unknown, ctx: ApiContext) => loadBatch(ctx, r.batch_id),
    deviceId: r.device_id,
    hour: Number(r.hour),
    certificateId: r.certificate_id,
    holder: r.holder,
    beneficiary: r.beneficiary,
    wh: r.wh,
    dealId: r.deal_id,
    deal: (_: unknown, ctx: ApiContext) => loadDeal(ctx, r.deal_id),
    purpose: r.purpose,
    at: at(r),
  };
}

export function mapCreditMint(r: CreditMintRow | null) {
  if (!r) return null;
  return {
    id: r.id,
    dealId: r.deal_id,
    deal: (_: unknown, ctx: ApiContext) => loadDeal(ctx, r.deal_id),
    account: r.account,
    amount: r.amount,
    at: at(r),
  };
}

export function mapCreditRetirement(r: CreditRetirementRow | null) {
  if (!r) return null;
  return {
    id: r.id,
    holder: r.holder,
    beneficiary: r.beneficiary,
    amount: r.amount,
    reason: r.reason,
    claims: async (_: unknown, ctx: ApiContext) =>
      (await claimsOfCreditRetirement(ctx.db, r.id)).map((c) => ({ dealId: c.deal_id, amount: c.amount })),
    at: at(r),
  };
}

// ─── market settings ────────────────────────────────────────────────────────────────────────

const PARAMETER_NAMES = [
  "FEE",
  "CHALLENGE_PERIOD",
  "REPORT_GRACE_PERIOD",
  "ARBITRATION_PERIOD",
  "GRID_FACTOR",
  "SOURCE_FACTOR",
] as const;

export function mapMarketParam(r: MarketParamRow) {
  return { name: r.name, value: r.value, updatedBlock: Number(r.updated_block) };
}

export function mapScheduledChange(r: ScheduledChangeRow) {
  return {
    parameter: PARAMETER_NAMES[r.parameter],
    key: r.key,
    value: r.value,
    effectiveAt: Number(r.effective_at),
    scheduled: at(r),
  };
}
