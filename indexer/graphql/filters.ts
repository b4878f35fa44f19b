// Every list the API serves as a query: a filter (validated, translated to stored codes) becomes a
// keyset-paginated SELECT over one table's rows. Callers page it and map the rows (mappers.ts).
import type {
  CertificateBatchRow,
  CreditMintRow,
  CreditRetirementRow,
  DealRow,
  DeviceRow,
  EventRow,
  OrderRow,
  RetirementRow,
  SkippedMatchRow,
  TradeRow,
} from "../db/tables.ts";
import type { ApiContext } from "./context.ts";
import { userError } from "./errors.ts";
import { address, hardwareClassIndex, KIND_TO_DB, type OrderKindName, sourceIndex, statusName } from "./inputs.ts";
import { type PageQuery, whereEq, whereParam } from "./pagination.ts";

// A filter value the client left out arrives as undefined or null.
type Maybe<T> = T | null | undefined;

export type OrderFilter = {
  kind?: Maybe<OrderKindName>;
  resource?: Maybe<string>;
  status?: Maybe<string>;
  owner?: Maybe<string>;
  hardwareClass?: Maybe<string>;
  region?: Maybe<number>;
  source?: Maybe<string>;
  deviceId?: Maybe<string>;
};

export async function orderQuery(
  ctx: ApiContext,
  filter: Maybe<OrderFilter>,
  owner?: string,
): Promise<PageQuery<OrderRow>> {
  const f = filter ?? {};
  const q: PageQuery<OrderRow> = {
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
  whereEq(q, "o.device_id", f.deviceId);
  if (f.status) {
    // Expiry is judged by the indexed chain time, as the contract judges it.
    const now = (await ctx.view()).chainTime;
    if (f.status === "EXPIRED") whereParam(q, "o.status = 'open' AND o.expiry <= $?", now);
    else if (f.status === "OPEN") whereParam(q, "o.status = 'open' AND o.expiry > $?", now);
    else whereEq(q, "o.status", f.status.toLowerCase());
  }
  return q;
}

export function dealQuery(): PageQuery<DealRow> {
  return {
    select: "SELECT d.* FROM deals d",
    where: [],
    params: [],
    order: [{ expr: "d.id", column: "id", cast: "numeric" }],
  };
}

/** The deals that took from one order. */
export function dealsOfOrder(order: Pick<OrderRow, "kind" | "id">): PageQuery<DealRow> {
  const q = dealQuery();
  if (order.kind === "bid") whereEq(q, "d.bid_id", order.id);
  else if (order.kind === "compute") whereEq(q, "d.compute_offer_id", order.id);
  else if (order.kind === "bandwidth") whereEq(q, "d.bandwidth_offer_id", order.id);
  else whereParam(q, "d.id IN (SELECT deal_id FROM deal_lots WHERE offer_id = $?)", order.id);
  return q;
}

export type DealFilter = {
  status?: Maybe<string>;
  account?: Maybe<string>;
  role?: Maybe<string>;
  bidId?: Maybe<string>;
  computeOfferId?: Maybe<string>;
  hardwareClass?: Maybe<string>;
  region?: Maybe<number>;
};

export function dealsWhere(filter: Maybe<DealFilter>, account?: string): PageQuery<DealRow> {
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
  whereEq(q, "d.status", statusName(f.status));
  whereEq(q, "d.bid_id", f.bidId);
  whereEq(q, "d.compute_offer_id", f.computeOfferId);
  whereEq(q, "d.hardware_class", hardwareClassIndex(f.hardwareClass, "filter.hardwareClass"));
  whereEq(q, "d.compute_region", f.region);
  return q;
}

/** Lists of rows created by one event each, sorted by where they happened on chain. */
export function eventRowQuery<R extends { block_number: number; log_index: number }>(table: string): PageQuery<R> {
  return {
    select: `SELECT t.* FROM ${table} t`,
    where: [],
    params: [],
    order: [
      { expr: "t.block_number", column: "block_number" as keyof R & string, cast: "int8" },
      { expr: "t.log_index", column: "log_index" as keyof R & string, cast: "int4" },
    ],
  };
}

export type TradeFilter = {
  resource?: Maybe<string>;
  account?: Maybe<string>;
  hardwareClass?: Maybe<string>;
  region?: Maybe<number>;
  source?: Maybe<string>;
  from?: Maybe<number>;
  to?: Maybe<number>;
};

export function tradesWhere(filter: Maybe<TradeFilter>): PageQuery<TradeRow> {
  const f = filter ?? {};
  const q = eventRowQuery<TradeRow>("trades");
  q.order.push({ expr: "t.id", column: "id", cast: "text" });
  whereEq(q, "t.resource", f.resource?.toLowerCase());
  whereParam(q, "(t.buyer = $? OR t.supplier = $?)", address(f.account, "filter.account"));
  whereEq(q, "t.hardware_class", hardwareClassIndex(f.hardwareClass, "filter.hardwareClass"));
  whereEq(q, "t.region", f.region);
  whereEq(q, "t.source", sourceIndex(f.source, "filter.source"));
  whereParam(q, "t.block_time >= $?", f.from);
  whereParam(q, "t.block_time < $?", f.to);
  return q;
}

export function skippedMatchQuery(): PageQuery<SkippedMatchRow> {
  return {
    select: "SELECT * FROM skipped_matches",
    where: [],
    params: [],
    order: [
      { expr: "block_number", column: "block_number", cast: "int8" },
      { expr: "id", column: "id", cast: "text" },
    ],
  };
}

export type DeviceFilter = {
  owner?: Maybe<string>;
  status?: Maybe<string>;
  source?: Maybe<string>;
  region?: Maybe<number>;
};

export function devicesWhere(filter: Maybe<DeviceFilter>, owner?: string): PageQuery<DeviceRow> {
  const f = filter ?? {};
  const q: PageQuery<DeviceRow> = {
    select: "SELECT * FROM devices",
    where: [],
    params: [],
    order: [{ expr: "id", column: "id", cast: "numeric" }],
  };
  whereEq(q, "owner", owner ?? address(f.owner, "filter.owner"));
  whereEq(q, "status", statusName(f.status));
  whereEq(q, "source", sourceIndex(f.source, "filter.source"));
  whereEq(q, "region", f.region);
  return q;
}

export type BatchFilter = {
  deviceId?: Maybe<string>;
  issuer?: Maybe<string>;
  holder?: Maybe<string>;
  source?: Maybe<string>;
  region?: Maybe<number>;
  periodStart?: Maybe<number>;
  periodEnd?: Maybe<number>;
};

export function batchesWhere(filter: Maybe<BatchFilter>): PageQuery<CertificateBatchRow> {
  const f = filter ?? {};
  const q: PageQuery<CertificateBatchRow> = {
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
  return q;
}

export type RetirementFilter = { batchId?: Maybe<string>; dealId?: Maybe<string>; account?: Maybe<string> };

export function retirementsWhere(filter: Maybe<RetirementFilter>, account?: string): PageQuery<RetirementRow> {
  const f = filter ?? {};
  const q = eventRowQuery<RetirementRow>("retirements");
  whereEq(q, "t.batch_id", f.batchId);
  whereEq(q, "t.deal_id", f.dealId);
  whereParam(q, "(t.holder = $? OR t.beneficiary = $?)", account ?? address(f.account, "filter.account"));
  return q;
}

export type CreditFilter = { account?: Maybe<string>; dealId?: Maybe<string> };

export function creditMintsWhere(filter: Maybe<CreditFilter>, account?: string): PageQuery<CreditMintRow> {
  const f = filter ?? {};
  const q = eventRowQuery<CreditMintRow>("credit_mints");
  whereEq(q, "t.account", account ?? address(f.account, "filter.account"));
  whereEq(q, "t.deal_id", f.dealId);
  return q;
}

export function creditRetirementsWhere(filter: Maybe<CreditFilter>, account?: string): PageQuery<CreditRetirementRow> {
  const f = filter ?? {};
  const q = eventRowQuery<CreditRetirementRow>("credit_retirements");
  whereParam(q, "(t.holder = $? OR t.beneficiary = $?)", account ?? address(f.account, "filter.account"));
  whereParam(q, "t.id IN (SELECT retirement_id FROM credit_allocations WHERE deal_id = $?)", f.dealId);
  return q;
}

/** Every event that names `account`, newest first. */
export function activityOf(account: string): PageQuery<EventRow> {
  const q: PageQuery<EventRow> = {
    // One account_events row per block the account appears in; its log indexes name the events.
    select: `SELECT e.* FROM account_events x CROSS JOIN LATERAL unnest(x.log_indexes) AS i(log_index)
      JOIN events e ON e.block_number = x.block_number AND e.log_index = i.log_index`,
    where: [],
    params: [],
    order: [
      { expr: "x.block_number", column: "block_number", cast: "int8" },
      { expr: "i.log_index", column: "log_index", cast: "int4" },
    ],
    seek: true,
  };
  whereEq(q, "x.account", account);
  return q;
}
