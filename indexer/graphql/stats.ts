// Market statistics over a window of chain time, computed in SQL from the trades, deals,
// retirements and credit tables (so they always agree with the lists the API serves).
import { CREDIT_DECIMALS } from "../../protocol/units.ts";
import type { Decimal } from "../db/tables.ts";
import type { ApiContext } from "./context.ts";
import { userError } from "./errors.ts";
import { hardwareClassIndex, sourceIndex } from "./inputs.ts";
import { decimal } from "./mappers.ts";

const SECONDS = { HOUR: 3_600, DAY: 86_400, WEEK: 604_800 } as const;
const QUANTITY_UNIT = { COMPUTE: "VCU-hours", ENERGY: "Wh", BANDWIDTH: "Mbps-hours" } as const;
type Resource = keyof typeof QUANTITY_UNIT;

/** Trades summed over a group: one resource, or one interval of one resource. */
type TradeSums = { quantity: Decimal; value: Decimal; trades: number };
type Bucket = TradeSums & { start: number };
type Candle = Omit<Bucket, "quantity"> & {
  open: Decimal;
  high: Decimal;
  low: Decimal;
  close: Decimal;
  volume: Decimal;
};

export function stats(
  ctx: ApiContext,
  from: number | null | undefined,
  to: number | null | undefined,
  interval: keyof typeof SECONDS,
) {
  if (from != null && to != null && to <= from) throw userError("to", "must be after from");
  const lo = from ?? 0;
  const hi = to ?? Number.MAX_SAFE_INTEGER;
  const step = SECONDS[interval];
  const db = ctx.db;
  const sumOf = async (sql: string) => (await db.query<{ v: string | null }>(sql, [lo, hi]))[0].v ?? "0";
  return {
    from: from ?? null,
    to: to ?? null,
    interval,
    totals: async () => {
      const rows = await db.query<TradeSums & { resource: string }>(
        `SELECT resource, sum(quantity) AS quantity, sum(value) AS value, count(*)::int4 AS trades
         FROM trades WHERE block_time >= $1 AND block_time < $2 GROUP BY resource`,
        [lo, hi],
      );
      return (Object.keys(QUANTITY_UNIT) as Resource[]).map((r) => {
        const row = rows.find((x) => x.resource === r.toLowerCase());
        return {
          resource: r,
          quantityUnit: QUANTITY_UNIT[r],
          quantity: row?.quantity ?? "0",
          value: row?.value ?? "0",
          trades: row?.trades ?? 0,
        };
      });
    },
    volume: async ({ resource }: { resource: Resource }) =>
      db.query<Bucket>(
        `SELECT (block_time / $3) * $3 AS start, sum(quantity) AS quantity, sum(value) AS value, count(*)::int4 AS trades
         FROM trades WHERE resource = $4 AND block_time >= $1 AND block_time < $2 GROUP BY 1 ORDER BY 1`,
        [lo, hi, step, resource.toLowerCase()],
      ),
    priceHistory: async (args: { resource: Resource; hardwareClass?: string; region?: number; source?: string }) => {
      const params: unknown[] = [lo, hi, step, args.resource.toLowerCase()];
      const where = ["resource = $4", "block_time >= $1", "block_time < $2"];
      const add = (col: string, v: unknown) => {
        if (v === null || v === undefined) return;
        params.push(v);
        where.push(`${col} = $${params.length}`);
      };
      add("hardware_class", hardwareClassIndex(args.hardwareClass, "hardwareClass"));
      add("region", args.region);
      add("source", sourceIndex(args.source, "source"));
      return db.query<Candle>(
        `SELECT (block_time / $3) * $3 AS start,
                (array_agg(price ORDER BY block_number, log_index, id))[1] AS open,
                max(price) AS high, min(price) AS low,
                (array_agg(price ORDER BY block_number DESC, log_index DESC, id DESC))[1] AS close,
                sum(quantity) AS volume, sum(value) AS value, count(*)::int4 AS trades
         FROM trades WHERE ${where.join(" AND ")} GROUP BY 1 ORDER BY 1`,
        params,
      );
    },
    deals: async () => {
      const [opened] = await db.query<{ n: number }>(
        "SELECT count(*)::int4 AS n FROM deals WHERE opened_time >= $1 AND opened_time < $2",
        [lo, hi],
      );
      const rows = await db.query<{ status: string; n: number }>(
        "SELECT status, count(*)::int4 AS n FROM deals WHERE opened_time >= $1 AND opened_time < $2 GROUP BY status",
        [lo, hi],
      );
      const n = (s: string) => rows.find((r) => r.status === s)?.n ?? 0;
      return {
        opened: opened.n,
        active: n("Active"),
        reported: n("Reported"),
        disputed: n("Disputed"),
        finalized: n("Finalized"),
        cancelled: n("Cancelled"),
      };
    },
    // Volume matching: a deal's certificates count up to its whole consumption, whatever their hour.
    greenShareBps: async () => {
      const [r] = await db.query<{ green: string | null; consumed: string | null }>(
        `SELECT sum(least(green_wh, wh_consumed)) AS green, sum(wh_consumed) AS consumed FROM deals
         WHERE status = 'Finalized' AND closed_time >= $1 AND closed_time < $2`,
        [lo, hi],
      );
      return bps(r.green, r.consumed);
    },
    // Hourly matching: only Wh retired in the hour they were generated count (all a deal retires).
    timeMatchedGreenBps: async () => {
      const [r] = await db.query<{ retired: string | null; consumed: string | null }>(
        `SELECT sum(retired_wh) AS retired, sum(wh_consumed) AS consumed FROM deals
         WHERE status = 'Finalized' AND closed_time >= $1 AND closed_time < $2`,
        [lo, hi],
      );
      return bps(r.retired, r.consumed);
    },
    contractedGreenShareBps: async () => {
      const [r] = await db.query<{ green: string | null; needed: string | null }>(
        "SELECT sum(green_wh) AS green, sum(energy_needed_wh) AS needed FROM deals WHERE opened_time >= $1 AND opened_time < $2",
        [lo, hi],
      );
      return bps(r.green, r.needed);
    },
    whRetired: () => sumOf("SELECT sum(wh) AS v FROM retirements WHERE block_time >= $1 AND block_time < $2"),
    kwhRetired: async () =>
      decimal(await sumOf("SELECT sum(wh) AS v FROM retirements WHERE block_time >= $1 AND block_time < $2"), 3),
    gCo2eAvoided: () => sumOf("SELECT sum(amount) AS v FROM credit_mints WHERE block_time >= $1 AND block_time < $2"),
    kgCo2eAvoided: async () =>
      decimal(
        await sumOf("SELECT sum(amount) AS v FROM credit_mints WHERE block_time >= $1 AND block_time < $2"),
        CREDIT_DECIMALS,
      ),
    creditsRetired: () =>
      sumOf("SELECT sum(amount) AS v FROM credit_retirements WHERE block_time >= $1 AND block_time < $2"),
  };
}

function bps(part: string | null, whole: string | null): number | null {
  if (whole === null || BigInt(whole) === 0n) return null;
  return Number((BigInt(part ?? "0") * 10_000n) / BigInt(whole));
}
