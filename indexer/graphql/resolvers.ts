// Root resolvers. Everything is read-only; objects come from model.ts, the heavier views from
// orderbook.ts, provenance.ts and stats.ts.
import { Repeater } from "graphql-yoga";
import { MARKET_REFERENCE } from "../../protocol/reference.ts";
import type { SyncEvent } from "../sync/engine.ts";
import type { ApiContext } from "./context.ts";
import {
  address,
  type BatchFilter,
  chainRef,
  type DealFilter,
  eventRowQuery,
  hardwareClassIndex,
  KIND_TO_DB,
  listBatches,
  listDeals,
  listOrders,
  loadBatch,
  loadDeal,
  loadDevice,
  loadOrder,
  mapCreditMint,
  mapCreditRetirement,
  mapDeal,
  mapDevice,
  mapHolding,
  mapRetirement,
  mapSkipped,
  mapTrade,
  type OrderFilter,
  one,
  sourceIndex,
} from "./model.ts";
import { type OrderBookFilter, orderBook } from "./orderbook.ts";
import { type PageArgs, type PageQuery, page, whereEq, whereParam } from "./pagination.ts";
import { provenance } from "./provenance.ts";
import { BigIntScalar, JSONScalar } from "./scalars.ts";
import { stats } from "./stats.ts";

type Args<T = Record<string, never>> = T & PageArgs;

async function status(ctx: ApiContext) {
  const view = await ctx.view();
  const live = ctx.syncStatus?.();
  return {
    phase: live?.phase ?? "api-only",
    chainId: live?.chainId ?? null,
    headBlock: live?.headBlock ?? view.headBlock,
    indexedBlock: view.indexedBlock,
    finalizedBlock: view.finalizedBlock,
    confirmations: ctx.confirmations,
    blocksBehind: live?.blocksBehind ?? null,
    eventsPerSecond: live?.eventsPerSecond ?? 0,
    eventsIndexed: live?.eventsIndexed ?? 0,
    realtime: live?.realtime ?? null,
    reorgs: live?.reorgs ?? 0,
    chainTime: view.chainTime,
  };
}

function account(ctx: ApiContext, raw: string) {
  const a = address(raw, "address")!;
  const db = ctx.db;
  return {
    address: a,
    orders: (args: Args<{ filter?: OrderFilter }>, c: ApiContext) => listOrders(c, args.filter, args, a),
    deals: (args: Args<{ filter?: DealFilter }>, c: ApiContext) => listDeals(c, args.filter, args, a),
    devices: (args: PageArgs) => {
      const q: PageQuery = {
        select: "SELECT * FROM devices",
        where: [],
        params: [],
        order: [{ expr: "id", column: "id", cast: "numeric" }],
      };
      whereEq(q, "owner", a);
      return page(db, q, args, mapDevice);
    },
    certificates: async () =>
      (await db.query("SELECT * FROM certificate_balances WHERE holder = $1 AND wh > 0 ORDER BY batch_id", [a])).map(
        mapHolding,
      ),
    retirements: (args: PageArgs) => {
      const q = eventRowQuery("retirements");
      whereParam(q, "(t.holder = $? OR t.beneficiary = $?)", a);
      return page(db, q, args, mapRetirement);
    },
    creditBalance: async () =>
      (await one(db, "SELECT balance FROM credit_holders WHERE account = $1", [a]))?.balance ?? "0",
    creditLots: async () =>
      (
        ((await one(db, "SELECT lots FROM credit_holders WHERE account = $1", [a]))?.lots ?? []) as {
          dealId: string;
          amount: string;
        }[]
      ).map((l) => ({
        dealId: l.dealId,
        amount: l.amount,
      })),
    creditMints: (args: PageArgs) => {
      const q = eventRowQuery("credit_mints");
      whereEq(q, "t.account", a);
      return page(db, q, args, mapCreditMint);
    },
    creditRetirements: (args: PageArgs) => {
      const q = eventRowQuery("credit_retirements");
      whereParam(q, "(t.holder = $? OR t.beneficiary = $?)", a);
      return page(db, q, args, mapCreditRetirement);
    },
    marketBalance: async () => {
      const b = await one(db, "SELECT credited, withdrawn FROM market_balances WHERE account = $1", [a]);
      const credited = b?.credited ?? "0";
      const withdrawn = b?.withdrawn ?? "0";
      return { credited, withdrawn, withdrawable: (BigInt(credited) - BigInt(withdrawn)).toString() };
    },
    activity: (args: PageArgs) => {
      const q: PageQuery = {
        select: "SELECT e.* FROM account_events x JOIN events e USING (block_number, log_index)",
        where: [],
        params: [],
        order: [
          { expr: "x.block_number", column: "block_number", cast: "int8" },
          { expr: "x.log_index", column: "log_index", cast: "int4" },
        ],
      };
      whereEq(q, "x.account", a);
      return page(db, q, args, (e) => ({
        contract: e.contract,
        name: e.name,
        args: e.args,
        at: chainRef(e.block_number, e.block_time, e.tx_hash, e.log_index),
      }));
    },
  };
}

/** A subscription that yields `compute()` now and again after each sync event `relevant` accepts. */
function live<T>(ctx: ApiContext, relevant: (e: SyncEvent) => boolean, compute: () => Promise<T | null>) {
  return new Repeater<T>(async (push, stop) => {
    let last = "";
    let queue = Promise.resolve();
    const emit = () => {
      queue = queue
        .then(async () => {
          const value = await compute();
          const text = JSON.stringify(value, (_k, v) => (typeof v === "function" ? undefined : v));
          if (value !== null && text !== last) {
            last = text;
            await push(value);
          }
        })
        .catch((error) => stop(error));
    };
    const off = ctx.feed.on((e) => {
      if (e.type === "reorg" || relevant(e)) emit();
    });
    emit();
    await stop;
    off();
  });
}

export const resolvers = {
  BigInt: BigIntScalar,
  JSON: JSONScalar,
  Query: {
    reference: () => MARKET_REFERENCE,
    status: (_: unknown, __: unknown, ctx: ApiContext) => status(ctx),
    orderBook: (_: unknown, a: { resource: "COMPUTE"; filter?: OrderBookFilter; depth: number }, ctx: ApiContext) =>
      ctx.memo(`orderBook:${JSON.stringify(a)}`, () => orderBook(ctx, a.resource, a.filter, a.depth)),
    order: (_: unknown, a: { kind: keyof typeof KIND_TO_DB; id: string }, ctx: ApiContext) =>
      loadOrder(ctx.db, KIND_TO_DB[a.kind], a.id),
    orders: (_: unknown, a: Args<{ filter?: OrderFilter }>, ctx: ApiContext) => listOrders(ctx, a.filter, a),
    deal: (_: unknown, a: { id: string }, ctx: ApiContext) => loadDeal(ctx.db, a.id),
    deals: (_: unknown, a: Args<{ filter?: DealFilter }>, ctx: ApiContext) => listDeals(ctx, a.filter, a),
    // biome-ignore lint/suspicious/noExplicitAny: untyped until each table and event has its own type
    trades: (_: unknown, a: Args<{ filter?: Record<string, any> }>, ctx: ApiContext) => {
      const f = a.filter ?? {};
      const q = eventRowQuery("trades");
      q.order.push({ expr: "t.id", column: "id", cast: "text" });
      whereEq(q, "t.resource", f.resource?.toLowerCase());
      whereParam(q, "(t.buyer = $? OR t.supplier = $?)", address(f.account, "filter.account"));
      whereEq(q, "t.hardware_class", hardwareClassIndex(f.hardwareClass, "filter.hardwareClass"));
      whereEq(q, "t.region", f.region);
      whereEq(q, "t.source", sourceIndex(f.source, "filter.source"));
      whereParam(q, "t.block_time >= $?", f.from);
      whereParam(q, "t.block_time < $?", f.to);
      return page(ctx.db, q, a, mapTrade);
    },
    skippedMatches: (_: unknown, a: PageArgs, ctx: ApiContext) =>
      page(
        ctx.db,
        {
          select: "SELECT * FROM skipped_matches",
          where: [],
          params: [],
          order: [
            { expr: "block_number", column: "block_number", cast: "int8" },
            { expr: "id", column: "id", cast: "text" },
          ],
        },
        a,
        mapSkipped,
      ),
    device: (_: unknown, a: { id: string }, ctx: ApiContext) => loadDevice(ctx.db, a.id),
    devices: (
      _: unknown,
      a: Args<{ filter?: { owner?: string; status?: string; source?: string; region?: number } }>,
      ctx: ApiContext,
    ) => {
      const f = a.filter ?? {};
      const q: PageQuery = {
        select: "SELECT * FROM devices",
        where: [],
        params: [],
        order: [{ expr: "id", column: "id", cast: "numeric" }],
      };
      whereEq(q, "owner", address(f.owner, "filter.owner"));
      whereEq(q, "status", f.status ? f.status[0] + f.status.slice(1).toLowerCase() : null);
      whereEq(q, "source", sourceIndex(f.source, "filter.source"));
      whereEq(q, "region", f.region);
      return page(ctx.db, q, a, mapDevice);
    },
    certificateBatch: (_: unknown, a: { id: string }, ctx: ApiContext) => loadBatch(ctx.db, a.id),
    certificateBatches: (_: unknown, a: Args<{ filter?: BatchFilter }>, ctx: ApiContext) =>
      listBatches(ctx, a.filter, a),
    retirement: async (_: unknown, a: { id: string }, ctx: ApiContext) =>
      mapRetirement(await one(ctx.db, "SELECT * FROM retirements WHERE id = $1", [a.id])),
    retirements: (
      _: unknown,
      a: Args<{ filter?: { batchId?: string; dealId?: string; account?: string } }>,
      ctx: ApiContext,
    ) => {
      const f = a.filter ?? {};
      const q = eventRowQuery("retirements");
      whereEq(q, "t.batch_id", f.batchId);
      whereEq(q, "t.deal_id", f.dealId);
      whereParam(q, "(t.holder = $? OR t.beneficiary = $?)", address(f.account, "filter.account"));
      return page(ctx.db, q, a, mapRetirement);
    },
    creditMints: (_: unknown, a: Args<{ filter?: { account?: string; dealId?: string } }>, ctx: ApiContext) => {
      const f = a.filter ?? {};
      const q = eventRowQuery("credit_mints");
      whereEq(q, "t.account", address(f.account, "filter.account"));
      whereEq(q, "t.deal_id", f.dealId);
      return page(ctx.db, q, a, mapCreditMint);
    },
    creditRetirement: async (_: unknown, a: { id: string }, ctx: ApiContext) =>
      mapCreditRetirement(await one(ctx.db, "SELECT * FROM credit_retirements WHERE id = $1", [a.id])),
    creditRetirements: (_: unknown, a: Args<{ filter?: { account?: string; dealId?: string } }>, ctx: ApiContext) => {
      const f = a.filter ?? {};
      const q = eventRowQuery("credit_retirements");
      whereParam(q, "(t.holder = $? OR t.beneficiary = $?)", address(f.account, "filter.account"));
      whereParam(q, "t.id IN (SELECT retirement_id FROM credit_allocations WHERE deal_id = $?)", f.dealId);
      return page(ctx.db, q, a, mapCreditRetirement);
    },
    account: (_: unknown, a: { address: string }, ctx: ApiContext) => account(ctx, a.address),
    provenance: (_: unknown, a: { dealId?: string; batchId?: string; retirementId?: string }, ctx: ApiContext) =>
      provenance(ctx, a),
    stats: (_: unknown, a: { from?: number; to?: number; interval: "DAY" }, ctx: ApiContext) =>
      stats(ctx, a.from, a.to, a.interval),
  },
  Subscription: {
    orderBook: {
      subscribe: (
        _: unknown,
        a: { resource: "COMPUTE" | "ENERGY" | "BANDWIDTH"; filter?: OrderBookFilter; depth: number },
        ctx: ApiContext,
      ) => {
        const kinds = a.resource === "COMPUTE" ? ["bid/", "compute/"] : [`${a.resource.toLowerCase()}/`];
        return live(
          ctx,
          (e) =>
            e.type === "block" &&
            (!e.touched || [...(e.touched.get("orders") ?? [])].some((k) => kinds.some((p) => k.startsWith(p)))),
          () => orderBook(ctx, a.resource, a.filter, a.depth),
        );
      },
      resolve: (book: unknown) => book,
    },
    deal: {
      subscribe: (_: unknown, a: { id: string }, ctx: ApiContext) =>
        live(
          ctx,
          (e) => e.type === "block" && (!e.touched || (e.touched.get("deals")?.has(a.id) ?? false)),
          () => loadDeal(ctx.db, a.id),
        ),
      resolve: (deal: unknown) => deal,
    },
    deals: {
      subscribe: (_: unknown, a: { account?: string }, ctx: ApiContext) => {
        const who = address(a.account, "account");
        return new Repeater<unknown>(async (push, stop) => {
          // Deals changed in the committed range, found by their updated_block: the same in a
          // syncing process and in an API-only one.
          let queue = Promise.resolve();
          const off = ctx.feed.on((e) => {
            if (e.type !== "block") return;
            queue = queue
              .then(async () => {
                const params: unknown[] = [e.fromBlock, e.toBlock];
                let sql = "SELECT d.* FROM deals d WHERE d.updated_block BETWEEN $1 AND $2";
                if (who) {
                  params.push(who);
                  sql += " AND d.id IN (SELECT deal_id FROM deal_parties WHERE account = $3)";
                }
                for (const row of await ctx.db.query(`${sql} ORDER BY d.id`, params)) await push(mapDeal(row));
              })
              .catch((error) => stop(error));
          });
          await stop;
          off();
        });
      },
      resolve: (deal: unknown) => deal,
    },
    status: {
      subscribe: (_: unknown, __: unknown, ctx: ApiContext) =>
        live(
          ctx,
          () => true,
          () => status(ctx),
        ),
      resolve: (s: unknown) => s,
    },
  },
};
