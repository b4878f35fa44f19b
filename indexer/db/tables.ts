// One row type per table, as the database hands rows back: the handlers write them through the
// store, the GraphQL mappers read them, and renaming a column here breaks every place that uses it.
// The SQL definitions are the migrations in ./migrations; docs/indexer.md describes the read model.
//
// How column types arrive in JavaScript (both drivers agree, see postgres-types.ts):
//   numeric (uint256 amounts, ids)     → decimal string, never rounded
//   int8 (blocks, unix seconds)        → number
//   int2 / int4 (codes, bps, counters) → number
//   text (addresses lower case)        → string
//   json / jsonb                       → the parsed value
import type { DealStatus } from "../../protocol/orders.ts";

/** numeric: an exact decimal string (token base units, Wh, gCO2e, uint256 ids). */
export type Decimal = string;

/** Where an event happened, in the column names of tables with one row per event. */
export type EventPlace = { block_number: number; block_time: number; tx_hash: string; log_index: number };

/** Where an entity was born. */
export type Created = { created_block: number; created_time: number; created_tx: string; created_log: number };

export type OrderKind = "bid" | "compute" | "energy" | "bandwidth";
export type Resource = "compute" | "energy" | "bandwidth";

export type OrderRow = Created & {
  kind: OrderKind;
  id: Decimal;
  owner: string;
  resource: Resource;
  side: "bid" | "ask";
  price: Decimal;
  quantity: Decimal;
  remaining: Decimal;
  cancelled: Decimal;
  /** Expiry is judged at read time, so an expired order is still "open" here. */
  status: "open" | "filled" | "cancelled";
  expiry: number;
  window_start: number | null;
  window_end: number | null;
  hardware_class: number | null;
  region: number | null;
  accepted_regions: number[] | null;
  buyer_region: number | null;
  min_green_bps: number | null;
  bandwidth_mbps: Decimal | null;
  max_latency_ms: number | null;
  wh_per_vcu_hour: Decimal | null;
  pue_milli: number | null;
  /** Bids: the job (window_start/window_end are earliestStart/latestEnd). */
  vcu: number | null;
  duration_hours: number | null;
  /** Bids: the job's first hour once a match fixed it. */
  start_hour: number | null;
  /** Bids: IMarket.CertificateOrigin. */
  certificate_origin: number | null;
  /** Energy offers: the device whose hours [period_start, period_end) it sells. */
  device_id: Decimal | null;
  source: number | null;
  period_start: number | null;
  period_end: number | null;
  from_region: number | null;
  to_region: number | null;
  latency_ms: number | null;
  escrow: Decimal | null;
  updated_block: number;
};

/** A deal's terms as DealOpened emitted them (uint256 as decimal strings, small uints as numbers). */
export type DealTerms = Readonly<Record<string, unknown>>;

export type DealRow = {
  id: Decimal;
  bid_id: Decimal;
  buyer: string;
  terms: DealTerms | null;
  compute_offer_id: Decimal;
  compute_supplier: string;
  compute_region: number;
  hardware_class: number | null;
  buyer_region: number | null;
  /** The job's hours: [start_hour, start_hour + duration_hours × 3600) = [window_start, window_end). */
  start_hour: number;
  duration_hours: number;
  vcu: number;
  need_per_hour_wh: Decimal;
  min_green_bps: number;
  /** IMarket.CertificateOrigin. */
  certificate_origin: number;
  window_start: number;
  window_end: number;
  vcu_hours: Decimal;
  compute_payment: Decimal;
  energy_needed_wh: Decimal;
  green_wh: Decimal;
  energy_payment: Decimal;
  bandwidth_offer_id: Decimal | null;
  bandwidth_supplier: string | null;
  bandwidth_mbps: Decimal;
  bandwidth_payment: Decimal;
  fee: Decimal;
  escrow: Decimal;
  grid_factor: number;
  report_deadline: number;
  challenge_period: number;
  status: DealStatus;
  challenge_end: number | null;
  dispute_reason: string | null;
  arbitration_deadline: number | null;
  arbiter: string | null;
  refund_bps: number | null;
  vcu_delivered: Decimal | null;
  wh_consumed: Decimal | null;
  accepted_bps: number | null;
  compute_paid: Decimal | null;
  bandwidth_paid: Decimal | null;
  energy_paid: Decimal | null;
  fee_paid: Decimal | null;
  refund: Decimal | null;
  retired_wh: Decimal | null;
  returned_wh: Decimal | null;
  /** Σ lots' retirable Wh the suppliers no longer held at finalisation. */
  undelivered_wh: Decimal | null;
  /** Σ_h min(lots' Wh in h, metered Wh in h), once reported. */
  matched_green_wh: Decimal | null;
  credits: Decimal | null;
  /** Set by UsageFlagged (NULL while the report is not flagged). */
  flagged_outside_profile: boolean | null;
  flagged_below_green_minimum: boolean | null;
  /** The Wh the deal's declared profile expected, as the flag reported it. */
  expected_wh: Decimal | null;
  /** Rows in deal_steps and deal_payments: the next `seq` of each. */
  step_count: number;
  payment_count: number;
  opened_block: number;
  opened_time: number;
  opened_tx: string;
  opened_log: number;
  closed_block: number | null;
  closed_time: number | null;
  closed_tx: string | null;
  updated_block: number;
};

export type DealLotRow = {
  deal_id: Decimal;
  idx: number;
  offer_id: Decimal;
  supplier: string;
  device_id: Decimal;
  /** The lot's hour (start, unix seconds). */
  hour: number;
  wh: Decimal;
  payment: Decimal;
  source_factor: number;
  paid: Decimal | null;
  retired_wh: Decimal | null;
  undelivered_wh: Decimal | null;
  returned_wh: Decimal | null;
  updated_block: number;
};

export type DealRole = "buyer" | "compute" | "energy" | "bandwidth";

export type DealPartyRow = { deal_id: Decimal; account: string; role: DealRole };

export type DealAction =
  | "opened"
  | "reported"
  | "confirmed"
  | "disputed"
  | "resolved"
  | "lapsed"
  | "finalized"
  | "cancelled";

export type DealStepRow = EventPlace & { deal_id: Decimal; seq: number; action: DealAction; actor: string | null };

export type PaymentKind = "escrow" | "compute" | "energy" | "bandwidth" | "fee" | "refund";

export type DealPaymentRow = EventPlace & {
  deal_id: Decimal;
  seq: number;
  kind: PaymentKind;
  /** Who pays (escrow) or is credited; null: the treasury was not known yet. */
  account: string | null;
  amount: Decimal;
};

export type UsageReportRow = EventPlace & {
  deal_id: Decimal;
  reporter: string;
  vcu_delivered: Decimal;
  wh_consumed: Decimal;
  metering_hash: string;
  challenge_end: number;
  vcu_per_hour: number[];
  /** Decimal strings. */
  wh_per_hour: Decimal[];
};

export type TradeRow = EventPlace & {
  /** `<dealId>-compute`, `<dealId>-energy-<lot>` or `<dealId>-bandwidth`. */
  id: string;
  deal_id: Decimal;
  resource: Resource;
  offer_id: Decimal;
  supplier: string;
  buyer: string;
  quantity: Decimal;
  value: Decimal;
  price: Decimal;
  hardware_class: number | null;
  region: number | null;
  source: number | null;
  from_region: number | null;
  to_region: number | null;
};

export type SkippedMatchRow = Omit<EventPlace, "log_index"> & {
  /** `<block>-<log index>`. */
  id: string;
  match_index: Decimal;
  bid_id: Decimal;
  compute_offer_id: Decimal;
  reason: string;
};

export type MarketBalanceRow = { account: string; credited: Decimal; withdrawn: Decimal; updated_block: number };

export type MarketParamRow = { name: string; value: string; updated_block: number };

/** A parameter change scheduled and not yet applied or withdrawn (`parameter`: IMarket.Parameter). */
export type ScheduledChangeRow = EventPlace & {
  parameter: number;
  key: Decimal;
  value: Decimal;
  effective_at: number;
};

export type DeviceStatus = "Pending" | "Approved" | "Suspended";

export type DeviceRow = Created & {
  id: Decimal;
  owner: string;
  source: number;
  region: number;
  capacity_w: Decimal;
  commissioned_at: number;
  metadata_uri: string;
  status: DeviceStatus;
  registrar: string | null;
  issued_wh: Decimal;
  issued_until: number | null;
  batches: number;
  approved_block: number | null;
  approved_time: number | null;
  approved_tx: string | null;
  updated_block: number;
};

export type CertificateBatchRow = Created & {
  id: Decimal;
  device_id: Decimal;
  issuer: string;
  source: number;
  region: number;
  period_start: number;
  period_end: number;
  issued_wh: Decimal;
  retired_wh: Decimal;
  updated_block: number;
};

/** Wh of one certificate issue held by one account, summed over the issue's device-hours. */
export type CertificateBalanceRow = { batch_id: Decimal; holder: string; wh: Decimal; updated_block: number };

/** One issued device-hour (ERC-1155 id device_id << 32 | hour / 3600). */
export type CertificateHourRow = {
  device_id: Decimal;
  hour: number;
  issue_id: Decimal;
  issued_wh: Decimal;
  retired_wh: Decimal;
  updated_block: number;
};

/** An offer's capacity and use in one hour (compute VCU, link Mbps, energy Wh). */
export type OfferHourRow = {
  kind: Exclude<OrderKind, "bid">;
  offer_id: Decimal;
  hour: number;
  capacity: Decimal;
  used: Decimal;
  updated_block: number;
};

export type DealHourRow = {
  deal_id: Decimal;
  hour: number;
  vcu: number;
  need_wh: Decimal;
  green_wh: Decimal;
  vcu_delivered: number | null;
  metered_wh: Decimal | null;
  retired_wh: Decimal | null;
  updated_block: number;
};

export type RegionHourRow = {
  region: number;
  hour: number;
  green_offered_wh: Decimal;
  green_sold_wh: Decimal;
  demand_wh: Decimal;
  updated_block: number;
};

export type RetirementRow = EventPlace & {
  /** `<block>-<log index>`. */
  id: string;
  batch_id: Decimal;
  device_id: Decimal;
  hour: number;
  certificate_id: Decimal;
  holder: string;
  beneficiary: string;
  wh: Decimal;
  /** Set when the market retired for a finalised deal. */
  deal_id: Decimal | null;
  purpose: string;
};

export type CreditMintRow = EventPlace & { id: string; deal_id: Decimal; account: string; amount: Decimal };

export type CreditRetirementRow = EventPlace & {
  id: string;
  holder: string;
  beneficiary: string;
  amount: Decimal;
  reason: string;
};

/** Credits of one deal a holder still has, in the order received. */
export type CreditLot = { dealId: Decimal; amount: Decimal };

export type CreditHolderRow = { account: string; balance: Decimal; lots: CreditLot[]; updated_block: number };

export type CreditAllocationRow = { retirement_id: string; deal_id: Decimal; amount: Decimal };

/** The tables the handlers write (through the store): the read model a re-org rolls back. */
export type Tables = {
  orders: OrderRow;
  deals: DealRow;
  deal_lots: DealLotRow;
  deal_parties: DealPartyRow;
  deal_steps: DealStepRow;
  deal_payments: DealPaymentRow;
  usage_reports: UsageReportRow;
  trades: TradeRow;
  skipped_matches: SkippedMatchRow;
  market_balances: MarketBalanceRow;
  market_params: MarketParamRow;
  scheduled_changes: ScheduledChangeRow;
  devices: DeviceRow;
  certificate_batches: CertificateBatchRow;
  certificate_balances: CertificateBalanceRow;
  certificate_hours: CertificateHourRow;
  offer_hours: OfferHourRow;
  deal_hours: DealHourRow;
  region_hours: RegionHourRow;
  retirements: RetirementRow;
  credit_mints: CreditMintRow;
  credit_retirements: CreditRetirementRow;
  credit_holders: CreditHolderRow;
  credit_allocations: CreditAllocationRow;
};

export type TableName = keyof Tables;

/** Primary key columns of every table the handlers write, in the order keys are given. */
export const TABLE_KEYS = {
  orders: ["kind", "id"],
  deals: ["id"],
  deal_lots: ["deal_id", "idx"],
  deal_parties: ["account", "deal_id", "role"],
  deal_steps: ["deal_id", "seq"],
  deal_payments: ["deal_id", "seq"],
  usage_reports: ["deal_id"],
  trades: ["id"],
  skipped_matches: ["id"],
  market_balances: ["account"],
  market_params: ["name"],
  scheduled_changes: ["parameter", "key"],
  devices: ["id"],
  certificate_batches: ["id"],
  certificate_balances: ["batch_id", "holder"],
  certificate_hours: ["device_id", "hour"],
  offer_hours: ["kind", "offer_id", "hour"],
  deal_hours: ["deal_id", "hour"],
  region_hours: ["region", "hour"],
  retirements: ["id"],
  credit_mints: ["id"],
  credit_retirements: ["id"],
  credit_holders: ["account"],
  credit_allocations: ["retirement_id", "deal_id"],
} as const satisfies { readonly [T in TableName]: readonly (keyof Tables[T] & string)[] };

export const TABLE_NAMES = Object.keys(TABLE_KEYS) as TableName[];

/**
 * History: rows the handlers write once and never read back (the backfill's row cache forgets
 * them after each step, and a COPY backfill defers their primary keys: db/deferred-indexes.ts). A
 * handler that did read one would still be right, but during a backfill each read would scan.
 */
export const WRITE_ONCE_TABLES: readonly TableName[] = [
  "deal_parties",
  "deal_steps",
  "deal_payments",
  "usage_reports",
  "trades",
  "skipped_matches",
  "retirements",
  "credit_mints",
  "credit_retirements",
  "credit_allocations",
];

type KeyValues<R, K> = { readonly [I in keyof K]: K[I] extends keyof R ? R[K[I]] : never };

/** A row's primary key as a tuple, e.g. `["bid", "7"]` for an order. */
export type KeyOf<T extends TableName> = KeyValues<Tables[T], (typeof TABLE_KEYS)[T]>;

type NullableColumns<R> = { [C in keyof R]-?: null extends R[C] ? C : never }[keyof R];

/** A row as a handler creates it: nullable columns may be left out (they start as NULL). */
export type NewRow<R> = Omit<R, NullableColumns<R>> & Partial<Pick<R, NullableColumns<R>>>;

// ─── the sync loop's own tables (db/checkpoint.ts) ───────────────────────────────────────────

export type SyncStateRow = {
  chain_id: number;
  deployment: string;
  block_number: number;
  block_hash: string;
  journal_floor: number;
  head_block: number;
};

export type BlockRow = { number: number; hash: string; parent_hash: string; timestamp: number };

/** One event of the raw log (`events`): what `Account.activity` returns. */
export type EventRow = {
  block_number: number;
  log_index: number;
  block_time: number;
  tx_hash: string;
  contract: string;
  name: string;
  args: unknown;
};

/** One row of `account_events`: the events of one block that name the account, by ascending log index. */
export type AccountEventRow = { account: string; block_number: number; log_indexes: number[] };
