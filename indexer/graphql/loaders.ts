// Rows by key, and the rows that belong to one entity, as the mappers' related fields ask for them.
// SQL only: each returns rows of a table's own type (db/tables.ts), mapping is mappers.ts's job.
import type { Queryable } from "../db/driver.ts";
import type {
  CertificateBalanceRow,
  CertificateBatchRow,
  CertificateHourRow,
  CreditAllocationRow,
  CreditHolderRow,
  CreditMintRow,
  CreditRetirementRow,
  DealHourRow,
  DealLotRow,
  DealPaymentRow,
  DealRow,
  DealStepRow,
  DeviceRow,
  MarketBalanceRow,
  MarketParamRow,
  OfferHourRow,
  OrderKind,
  OrderRow,
  RegionHourRow,
  RetirementRow,
  ScheduledChangeRow,
  UsageReportRow,
} from "../db/tables.ts";

export async function one<R>(db: Queryable, sql: string, params: unknown[]): Promise<R | null> {
  return (await db.query<R>(sql, params))[0] ?? null;
}

export const orderRow = (db: Queryable, kind: OrderKind, id: string) =>
  one<OrderRow>(db, "SELECT * FROM orders WHERE kind = $1 AND id = $2", [kind, id]);
export const dealRow = (db: Queryable, id: string) => one<DealRow>(db, "SELECT * FROM deals WHERE id = $1", [id]);
export const batchRow = (db: Queryable, id: string) =>
  one<CertificateBatchRow>(db, "SELECT * FROM certificate_batches WHERE id = $1", [id]);
export const deviceRow = (db: Queryable, id: string) => one<DeviceRow>(db, "SELECT * FROM devices WHERE id = $1", [id]);
export const retirementRow = (db: Queryable, id: string) =>
  one<RetirementRow>(db, "SELECT * FROM retirements WHERE id = $1", [id]);
export const creditRetirementRow = (db: Queryable, id: string) =>
  one<CreditRetirementRow>(db, "SELECT * FROM credit_retirements WHERE id = $1", [id]);
export const usageReportOf = (db: Queryable, dealId: string) =>
  one<UsageReportRow>(db, "SELECT * FROM usage_reports WHERE deal_id = $1", [dealId]);

export const lotsOfDeal = (db: Queryable, dealId: string) =>
  db.query<DealLotRow>("SELECT * FROM deal_lots WHERE deal_id = $1 ORDER BY idx", [dealId]);
export const paymentsOfDeal = (db: Queryable, dealId: string) =>
  db.query<DealPaymentRow>("SELECT * FROM deal_payments WHERE deal_id = $1 ORDER BY seq", [dealId]);
export const stepsOfDeal = (db: Queryable, dealId: string) =>
  db.query<DealStepRow>("SELECT * FROM deal_steps WHERE deal_id = $1 ORDER BY seq", [dealId]);
export const retirementsOfDeal = (db: Queryable, dealId: string) =>
  db.query<RetirementRow>("SELECT * FROM retirements WHERE deal_id = $1 ORDER BY block_number, log_index", [dealId]);
export const creditMintsOfDeal = (db: Queryable, dealId: string) =>
  db.query<CreditMintRow>("SELECT * FROM credit_mints WHERE deal_id = $1 ORDER BY block_number, log_index", [dealId]);

export const holdersOfBatch = (db: Queryable, batchId: string) =>
  db.query<CertificateBalanceRow>(
    "SELECT * FROM certificate_balances WHERE batch_id = $1 AND wh > 0 ORDER BY wh DESC, holder",
    [batchId],
  );
export const retirementsOfBatch = (db: Queryable, batchId: string) =>
  db.query<RetirementRow>("SELECT * FROM retirements WHERE batch_id = $1 ORDER BY block_number, log_index", [batchId]);

export const claimsOfCreditRetirement = (db: Queryable, retirementId: string) =>
  db.query<Pick<CreditAllocationRow, "deal_id" | "amount">>(
    "SELECT deal_id, amount FROM credit_allocations WHERE retirement_id = $1 ORDER BY deal_id",
    [retirementId],
  );

export const certificatesHeldBy = (db: Queryable, account: string) =>
  db.query<CertificateBalanceRow>("SELECT * FROM certificate_balances WHERE holder = $1 AND wh > 0 ORDER BY batch_id", [
    account,
  ]);
export const creditBalanceOf = (db: Queryable, account: string) =>
  one<Pick<CreditHolderRow, "balance">>(db, "SELECT balance FROM credit_holders WHERE account = $1", [account]);
export const creditLotsOf = (db: Queryable, account: string) =>
  one<Pick<CreditHolderRow, "lots">>(db, "SELECT lots FROM credit_holders WHERE account = $1", [account]);
export const marketBalanceOf = (db: Queryable, account: string) =>
  one<Pick<MarketBalanceRow, "credited" | "withdrawn">>(
    db,
    "SELECT credited, withdrawn FROM market_balances WHERE account = $1",
    [account],
  );

/** Deals changed in blocks `from`..`to` (by updated_block), of one account's if given, by id. */
export function dealsChangedIn(db: Queryable, from: number, to: number, account: string | null): Promise<DealRow[]> {
  const params: unknown[] = [from, to];
  let sql = "SELECT d.* FROM deals d WHERE d.updated_block BETWEEN $1 AND $2";
  if (account) {
    params.push(account);
    sql += " AND d.id IN (SELECT deal_id FROM deal_parties WHERE account = $3)";
  }
  return db.query<DealRow>(`${sql} ORDER BY d.id`, params);
}

export const marketParams = (db: Queryable) => db.query<MarketParamRow>("SELECT * FROM market_params ORDER BY name");
export const scheduledChanges = (db: Queryable) =>
  db.query<ScheduledChangeRow>("SELECT * FROM scheduled_changes ORDER BY effective_at, parameter, key");

// ─── hours (docs/indexer.md, "Hours") ───────────────────────────────────────────────────────

export const hoursOfDeal = (db: Queryable, dealId: string) =>
  db.query<DealHourRow>("SELECT * FROM deal_hours WHERE deal_id = $1 ORDER BY hour", [dealId]);
export const hoursOfBatch = (db: Queryable, issueId: string) =>
  db.query<CertificateHourRow>("SELECT * FROM certificate_hours WHERE issue_id = $1 ORDER BY hour", [issueId]);
export const hoursOfDevice = (db: Queryable, deviceId: string, from: number, to: number) =>
  db.query<CertificateHourRow>(
    "SELECT * FROM certificate_hours WHERE device_id = $1 AND hour >= $2 AND hour < $3 ORDER BY hour",
    [deviceId, from, to],
  );
export const hoursOfOffer = (db: Queryable, kind: OrderKind, offerId: string, from: number, to: number) =>
  db.query<OfferHourRow>(
    "SELECT * FROM offer_hours WHERE kind = $1 AND offer_id = $2 AND hour >= $3 AND hour < $4 ORDER BY hour",
    [kind, offerId, from, to],
  );
/** The certificate issue holding a device-hour, if it is issued yet. */
export const issueOfHour = async (db: Queryable, deviceId: string, hour: number) =>
  (
    await one<Pick<CertificateHourRow, "issue_id">>(
      db,
      "SELECT issue_id FROM certificate_hours WHERE device_id = $1 AND hour = $2",
      [deviceId, hour],
    )
  )?.issue_id ?? null;
export function regionHoursIn(db: Queryable, from: number, to: number, region: number | null) {
  const params: unknown[] = [from, to];
  let sql = "SELECT * FROM region_hours WHERE hour >= $1 AND hour < $2";
  if (region !== null) {
    params.push(region);
    sql += " AND region = $3";
  }
  return db.query<RegionHourRow>(`${sql} ORDER BY region, hour`, params);
}
