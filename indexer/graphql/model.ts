// Rows → GraphQL objects. Related objects are fields holding functions, which graphql-js calls only
// when a query asks for them, so a list never loads what nobody selected.
import { ENERGY_SOURCES, HARDWARE_CLASSES } from "../../protocol/units.ts";
import type { Queryable, Row } from "../db/driver.ts";
import type { ApiContext } from "./context.ts";
import { userError } from "./errors.ts";
import { type PageArgs, type PageQuery, page, whereEq, whereParam } from "./pagination.ts";

export const KIND_TO_DB = {
  BID: "bid",
  COMPUTE_OFFER: "compute",
  ENERGY_OFFER: "energy",
  BANDWIDTH_OFFER: "bandwidth",
} as const;
const KIND_FROM_DB: Record<string, string> = Object.fromEntries(Object.entries(KIND_TO_DB).map(([k, v]) => [v, k]));

export const hardwareClassName = (i: unknown) =>
  i === null || i === undefined ? null : (HARDWARE_CLASSES[Number(i)] ?? `class-${i}`);
export const sourceName = (i: unknown) =>
  i === null || i === undefined ? null : (ENERGY_SOURCES[Number(i)] ?? `source-${i}`);

export function hardwareClassIndex(name: string | null | undefined, field: string): number | null {
  if (name === null || name === undefined) return null;
  const i = (HARDWARE_CLASSES as readonly string[]).indexOf(name);
  if (i < 0) throw userError(field, `unknown hardware class "${name}" (one of ${HARDWARE_CLASSES.join(", ")})`);
  return i;
}

export function sourceIndex(name: string | null | undefined, field: string): number | null {
  if (name === null || name === undefined) return null;
  const i = (ENERGY_SOURCES as readonly string[]).indexOf(name);
  if (i < 0) throw userError(field, `unknown energy source "${name}" (one of ${ENERGY_SOURCES.join(", ")})`);
  return i;
}

export function address(value: string | null | undefined, field: string): string | null {
  if (value === null || value === undefined) return null;
  if (!/^0x[0-9a-fA-F]{40}$/.test(value)) throw userError(field, "not a 20-byte hex address");
  return value.toLowerCase();
}

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

const at = (r: Row) => chainRef(r.block_number, r.block_time, r.tx_hash, r.log_index ?? null);

// ─── loaders ────────────────────────────────────────────────────────────────────────────────

export async function one(db: Queryable, sql: string, params: unknown[]): Promise<Row | null> {
  return (await db.query(sql, params))[0] ?? null;
}

export const loadOrder = async (db: Queryable, kind: string, id: string) =>
  mapOrder(await one(db, "SELECT * FROM orders WHERE kind = $1 AND id = $2", [kind, id]));
export const loadDeal = async (db: Queryable, id: string | null) =>
  id === null ? null : mapDeal(await one(db, "SELECT * FROM deals WHERE id = $1", [id]));
export const loadBatch = async (db: Queryable, id: string) =>
  mapBatch(await one(db, "SELECT * FROM certificate_batches WHERE id = $1", [id]));
export const loadDevice = async (db: Queryable, id: string) =>
  mapDevice(await one(db, "SELECT * FROM devices WHERE id = $1", [id]));

// ─── orders ─────────────────────────────────────────────────────────────────────────────────

export function orderStatus(row: Row, chainTime: number): string {
  if (row.status === "open" && Number(row.expiry) <= chainTime) return "EXPIRED";
  return String(row.status).toUpperCase();
}

export function mapOrder(r: Row | null) {
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
    hardwareClass: hardwareClassName(r.hardware_class),
    region: r.region,
    acceptableRegions: r.accepted_regions,
    buyerRegion: r.buyer_region,
    minGreenBps: r.min_green_bps,
    bandwidthMbps: r.bandwidth_mbps,
    maxLatencyMs: r.max_latency_ms,
    whPerVcuHour: r.wh_per_vcu_hour,
    pueMilli: r.pue_milli,
    batchId: r.batch_id,
    batch: (_: unknown, ctx: ApiContext) => (r.batch_id === null ? null : loadBatch(ctx.db, r.batch_id)),
    source: sourceName(r.source),
    periodStart: r.period_start,
    periodEnd: r.period_end,
    fromRegion: r.from_region,
    toRegion: r.to_region,
    latencyMs: r.latency_ms,
    escrow: r.escrow,
    posted: chainRef(r.created_block, r.created_time, r.created_tx, r.created_log),
    deals: (args: PageArgs, ctx: ApiContext) => orderDeals(ctx, r, args),
    final: final(r.updated_block),
  };
}

function orderDeals(ctx: ApiContext, r: Row, args: PageArgs) {
  const q = dealQuery();
  if (r.kind === "bid") whereEq(q, "d.bid_id", r.id);
  else if (r.kind === "compute") whereEq(q, "d.compute_offer_id", r.id);
  else if (r.kind === "bandwidth") whereEq(q, "d.bandwidth_offer_id", r.id);
  else whereParam(q, "d.id IN (SELECT deal_id FROM deal_lots WHERE offer_id = $?)", r.id);
  return page(ctx.db, q, args, mapDeal);
}

export type OrderFilter = {
  kind?: keyof typeof KIND_TO_DB;
  resource?: string;
  status?: string;
  owner?: string;
  hardwareClass?: string;
  region?: number;
  source?: string;
  batchId?: string;
};

export async function listOrders(
  ctx: ApiContext,
  filter: OrderFilter | null | undefined,
  args: PageArgs,
  owner?: string,
) {
  const f = filter ?? {};
  const q: PageQuery = {
    select: "SELECT o.* FROM orders o",
    where: [],
    params: [],
    order: [
      { expr: "o.created_block", column: "created_block", cast: "int8" },
      { expr: "o.created_log", column: "created_log", cast: "int4" },
    ],
  };
  whereEq(q, "o.kind", f.kind ? KIND_TO_DB[f.kind] : null);
  whereEq(q, "o.resource", f.resource?.toLowerCase());
  whereEq(q, "o.owner", owner ?? address(f.owner, "filter.owner"));
  whereEq(q, "o.hardware_class", hardwareClassIndex(f.hardwareClass, "filter.hardwareClass"));
  whereEq(q, "o.region", f.region);
  whereEq(q, "o.source", sourceIndex(f.source, "filter.source"));
  whereEq(q, "o.batch_id", f.batchId);
  if (f.status) {
    const now = (await ctx.view()).chainTime;
    if (f.status === "EXPIRED") whereParam(q, "o.status = 'open' AND o.expiry <= $?", now);
    else if (f.status === "OPEN") whereParam(q, "o.status = 'open' AND o.expiry > $?", now);
    else whereEq(q, "o.status", f.status.toLowerCase());
  }
  return page(ctx.db, q, args, mapOrder);
}

// ─── deals ──────────────────────────────────────────────────────────────────────────────────

export function dealQuery(): PageQuery {
  return {
    select: "SELECT d.* FROM deals d",
    where: [],
    params: [],
    order: [{ expr: "d.id", column: "id", cast: "numeric" }],
  };
}

export type DealFilter = {
  status?: string;
  account?: string;
  role?: string;
  bidId?: string;
  computeOfferId?: string;
  hardwareClass?: string;
  region?: number;
};

export function listDeals(ctx: ApiContext, filter: DealFilter | null | undefined, args: PageArgs, account?: string) {
  const f = filter ?? {};
  const q = dealQuery();
  const who = account ?? address(f.account, "filter.account");
  if (who) {
    q.params.push(who);
    let sql = `d.id IN (SELECT deal_id FROM deal_parties WHERE account = $${q.params.length}`;
    if (f.role) {
      q.params.push(f.role.toLowerCase());
      sql += ` AND role = $${q.params.length}`;
    }
    q.where.push(`${sql})`);
  } else if (f.role) {
    throw userError("filter.role", "needs filter.account");
  }
  whereEq(q, "d.status", f.status ? f.status[0] + f.status.slice(1).toLowerCase() : null);
  whereEq(q, "d.bid_id", f.bidId);
  whereEq(q, "d.compute_offer_id", f.computeOfferId);
  whereEq(q, "d.hardware_class", hardwareClassIndex(f.hardwareClass, "filter.hardwareClass"));
  whereEq(q, "d.compute_region", f.region);
  return page(ctx.db, q, args, mapDeal);
}

export function mapDeal(r: Row | null) {
  if (!r) return null;
  const id = r.id as string;
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
    credits: r.credits,
    energyLots: async (_: unknown, ctx: ApiContext) =>
      (await ctx.db.query("SELECT * FROM deal_lots WHERE deal_id = $1 ORDER BY idx", [id])).map(mapLot),
    payments: async (_: unknown, ctx: ApiContext) =>
      (await ctx.db.query("SELECT * FROM deal_payments WHERE deal_id = $1 ORDER BY seq", [id])).map((p) => ({
        kind: String(p.kind).toUpperCase(),
        account: p.account,
        amount: p.amount,
        at: at(p),
      })),
    steps: async (_: unknown, ctx: ApiContext) =>
      (await ctx.db.query("SELECT * FROM deal_steps WHERE deal_id = $1 ORDER BY seq", [id])).map((s) => ({
        action: s.action,
        actor: s.actor,
        at: at(s),
      })),
    usageReport: async (_: unknown, ctx: ApiContext) =>
      mapReport(await one(ctx.db, "SELECT * FROM usage_reports WHERE deal_id = $1", [id])),
    retirements: async (_: unknown, ctx: ApiContext) =>
      (await ctx.db.query("SELECT * FROM retirements WHERE deal_id = $1 ORDER BY block_number, log_index", [id])).map(
        mapRetirement,
      ),
    creditMints: async (_: unknown, ctx: ApiContext) =>
      (await ctx.db.query("SELECT * FROM credit_mints WHERE deal_id = $1 ORDER BY block_number, log_index", [id])).map(
        mapCreditMint,
      ),
    opened: chainRef(r.opened_block, r.opened_time, r.opened_tx, r.opened_log),
    closed: r.closed_block === null ? null : chainRef(r.closed_block, r.closed_time, r.closed_tx),
    final: final(r.updated_block),
  };
}

function mapLot(l: Row) {
  return {
    index: l.idx,
    offerId: l.offer_id,
    supplier: l.supplier,
    batchId: l.batch_id,
    batch: (_: unknown, ctx: ApiContext) => loadBatch(ctx.db, l.batch_id),
    wh: l.wh,
    payment: l.payment,
    sourceFactor: l.source_factor,
    paid: l.paid,
    retiredWh: l.retired_wh,
    returnedWh: l.returned_wh,
  };
}

export function mapReport(r: Row | null) {
  if (!r) return null;
  return {
    dealId: r.deal_id,
    reporter: r.reporter,
    vcuDelivered: r.vcu_delivered,
    whConsumed: r.wh_consumed,
    meteringHash: r.metering_hash,
    challengeEnd: Number(r.challenge_end),
    at: at(r),
  };
}

export function mapTrade(r: Row) {
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

export function mapSkipped(r: Row) {
  return {
    id: r.id,
    matchIndex: r.match_index,
    bidId: r.bid_id,
    computeOfferId: r.compute_offer_id,
    reason: r.reason,
    at: chainRef(r.block_number, r.block_time, r.tx_hash),
  };
}

// ─── certificates and credits ───────────────────────────────────────────────────────────────

export function mapDevice(r: Row | null) {
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
    batches: (args: PageArgs, ctx: ApiContext) => listBatches(ctx, { deviceId: r.id }, args),
    registered: chainRef(r.created_block, r.created_time, r.created_tx, r.created_log),
    approved: r.approved_block === null ? null : chainRef(r.approved_block, r.approved_time, r.approved_tx),
    final: final(r.updated_block),
  };
}

export function mapBatch(r: Row | null) {
  if (!r) return null;
  const id = r.id as string;
  return {
    id,
    deviceId: r.device_id,
    device: (_: unknown, ctx: ApiContext) => loadDevice(ctx.db, r.device_id),
    issuer: r.issuer,
    source: sourceName(r.source),
    region: r.region,
    periodStart: Number(r.period_start),
    periodEnd: Number(r.period_end),
    issuedWh: r.issued_wh,
    heldWh: (BigInt(r.issued_wh) - BigInt(r.retired_wh) - BigInt(r.escrowed_wh)).toString(),
    escrowedWh: r.escrowed_wh,
    retiredWh: r.retired_wh,
    holders: async (_: unknown, ctx: ApiContext) =>
      (
        await ctx.db.query(
          "SELECT * FROM certificate_balances WHERE batch_id = $1 AND wh > 0 ORDER BY wh DESC, holder",
          [id],
        )
      ).map(mapHolding),
    retirements: async (_: unknown, ctx: ApiContext) =>
      (await ctx.db.query("SELECT * FROM retirements WHERE batch_id = $1 ORDER BY block_number, log_index", [id])).map(
        mapRetirement,
      ),
    issued: chainRef(r.created_block, r.created_time, r.created_tx, r.created_log),
    final: final(r.updated_block),
  };
}

export function mapHolding(h: Row) {
  return {
    batchId: h.batch_id,
    batch: (_: unknown, ctx: ApiContext) => loadBatch(ctx.db, h.batch_id),
    holder: h.holder,
    wh: h.wh,
  };
}

export type BatchFilter = {
  deviceId?: string;
  issuer?: string;
  holder?: string;
  source?: string;
  region?: number;
  periodStart?: number;
  periodEnd?: number;
};

export function listBatches(ctx: ApiContext, filter: BatchFilter | null | undefined, args: PageArgs) {
  const f = filter ?? {};
  const q: PageQuery = {
    select: "SELECT b.* FROM certificate_batches b",
    where: [],
    params: [],
    order: [{ expr: "b.id", column: "id", cast: "numeric" }],
  };
  whereEq(q, "b.device_id", f.deviceId);
  whereEq(q, "b.issuer", address(f.issuer, "filter.issuer"));
  whereParam(
    q,
    "b.id IN (SELECT batch_id FROM certificate_balances WHERE holder = $? AND wh > 0)",
    address(f.holder, "filter.holder"),
  );
  whereEq(q, "b.source", sourceIndex(f.source, "filter.source"));
  whereEq(q, "b.region", f.region);
  whereParam(q, "b.period_end > $?", f.periodStart);
  whereParam(q, "b.period_start < $?", f.periodEnd);
  return page(ctx.db, q, args, mapBatch);
}

export function mapRetirement(r: Row | null) {
  if (!r) return null;
  return {
    id: r.id,
    batchId: r.batch_id,
    batch: (_: unknown, ctx: ApiContext) => loadBatch(ctx.db, r.batch_id),
    holder: r.holder,
    beneficiary: r.beneficiary,
    wh: r.wh,
    dealId: r.deal_id,
    deal: (_: unknown, ctx: ApiContext) => loadDeal(ctx.db, r.deal_id),
    purpose: r.purpose,
    at: at(r),
  };
}

export function mapCreditMint(r: Row | null) {
  if (!r) return null;
  return {
    id: r.id,
    dealId: r.deal_id,
    deal: (_: unknown, ctx: ApiContext) => loadDeal(ctx.db, r.deal_id),
    account: r.account,
    amount: r.amount,
    at: at(r),
  };
}

export function mapCreditRetirement(r: Row | null) {
  if (!r) return null;
  return {
    id: r.id,
    holder: r.holder,
    beneficiary: r.beneficiary,
    amount: r.amount,
    reason: r.reason,
    claims: async (_: unknown, ctx: ApiContext) =>
      (
        await ctx.db.query("SELECT deal_id, amount FROM credit_allocations WHERE retirement_id = $1 ORDER BY deal_id", [
          r.id,
        ])
      ).map((c) => ({
        dealId: c.deal_id,
        amount: c.amount,
      })),
    at: at(r),
  };
}

/** Lists of rows created by one event each, sorted by where they happened on chain. */
export function eventRowQuery(table: string): PageQuery {
  return {
    select: `SELECT t.* FROM ${table} t`,
    where: [],
    params: [],
    order: [
      { expr: "t.block_number", column: "block_number", cast: "int8" },
      { expr: "t.log_index", column: "log_index", cast: "int4" },
    ],
  };
}
