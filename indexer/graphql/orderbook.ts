// Aggregated price levels of open, unexpired orders, read straight from the orders table through
// the partial index on open orders.
import type { Queryable } from "../db/driver.ts";
import type { ApiContext } from "./context.ts";
import { userError } from "./errors.ts";
import { hardwareClassIndex, sourceIndex } from "./inputs.ts";

export type OrderBookFilter = {
  hardwareClass?: string | null;
  region?: number | null;
  source?: string | null;
  periodStart?: number | null;
  periodEnd?: number | null;
  fromRegion?: number | null;
  toRegion?: number | null;
  windowStart?: number | null;
  windowEnd?: number | null;
};

const UNITS = {
  COMPUTE: { price: "token base units per VCU-hour", quantity: "VCU-hours" },
  ENERGY: { price: "token base units per kWh", quantity: "Wh" },
  BANDWIDTH: { price: "token base units per Mbps-hour", quantity: "Mbps" },
} as const;

export const MAX_DEPTH = 200;

type Level = { price: string; quantity: string; orders: number };

export async function orderBook(
  ctx: ApiContext,
  resource: keyof typeof UNITS,
  filter: OrderBookFilter | null | undefined,
  depth: number,
) {
  if (!Number.isInteger(depth) || depth < 1 || depth > MAX_DEPTH)
    throw userError("depth", `must be between 1 and ${MAX_DEPTH}`);
  const f = filter ?? {};
  if ((f.fromRegion == null) !== (f.toRegion == null))
    throw userError("filter.toRegion", "fromRegion and toRegion go together");
  const view = await ctx.view();
  const res = resource.toLowerCase();
  const levels = async (side: "bid" | "ask"): Promise<Level[]> => {
    const params: unknown[] = [res, side, view.chainTime];
    const where = ["resource = $1", "side = $2", "status = 'open'", "expiry > $3"];
    const add = (sql: string, value: unknown) => {
      if (value === null || value === undefined) return;
      params.push(value);
      where.push(sql.replaceAll("$?", `$${params.length}`));
    };
    add("hardware_class = $?", hardwareClassIndex(f.hardwareClass, "filter.hardwareClass"));
    if (f.region != null)
      add(side === "bid" && res === "compute" ? "$? = ANY(accepted_regions)" : "region = $?", f.region);
    add("source = $?", sourceIndex(f.source, "filter.source"));
    add("period_end > $?", f.periodStart);
    add("period_start < $?", f.periodEnd);
    if (f.fromRegion != null) {
      params.push(f.fromRegion, f.toRegion);
      const a = `$${params.length - 1}`;
      const b = `$${params.length}`;
      where.push(`((from_region = ${a} AND to_region = ${b}) OR (from_region = ${b} AND to_region = ${a}))`);
    }
    add("window_start <= $?", f.windowStart);
    add("window_end >= $?", f.windowEnd);
    params.push(depth);
    return levelsQuery(ctx.db, where, params, side === "bid" ? "DESC" : "ASC");
  };
  const [bids, asks] = await Promise.all([levels("bid"), levels("ask")]);
  const bestBid = bids[0]?.price ?? null;
  const bestAsk = asks[0]?.price ?? null;
  const pending = await ctx.db.query<unknown>(
    "SELECT 1 FROM orders WHERE resource = $1 AND updated_block > $2 LIMIT 1",
    [res, view.finalizedBlock],
  );
  return {
    resource,
    priceUnit: UNITS[resource].price,
    quantityUnit: UNITS[resource].quantity,
    bids,
    asks,
    bestBid,
    bestAsk,
    spread: bestBid !== null && bestAsk !== null ? (BigInt(bestAsk) - BigInt(bestBid)).toString() : null,
    asOfBlock: view.indexedBlock ?? -1,
    chainTime: view.chainTime,
    final: pending.length === 0,
  };
}

async function levelsQuery(db: Queryable, where: string[], params: unknown[], dir: "ASC" | "DESC"): Promise<Level[]> {
  return db.query<Level>(
    `SELECT price, sum(remaining) AS quantity, count(*)::int4 AS orders FROM orders
     WHERE ${where.join(" AND ")} GROUP BY price ORDER BY price ${dir} LIMIT $${params.length}`,
    params,
  );
}
