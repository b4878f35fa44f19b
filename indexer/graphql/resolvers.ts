// Root resolvers. Everything is read-only: lists are filters.ts queries paged and mapped by
// mappers.ts, single objects come from loaders.ts through the mappers; the heavier views from
// orderbook.ts, provenance.ts and stats.ts.
import { Repeater } from "graphql-yoga";
import { MARKET_REFERENCE } from "../../protocol/reference.ts";
import type { SyncEvent } from "../sync/engine.ts";
import type { ApiContext } from "./context.ts";
import {
  activityOf,
  type BatchFilter,
  batchesWhere,
  type CreditFilter,
  creditMintsWhere,
  creditRetirementsWhere,
  type DealFilter,
  type DeviceFilter,
  dealsWhere,
  devicesWhere,
  type OrderFilter,
  orderQuery,
  type RetirementFilter,
  retirementsWhere,
  skippedMatchQuery,
  type TradeFilter,
  tradesWhere,
} from "./filters.ts";
import { regionHours } from "./hours.ts";
import { address, KIND_TO_DB, type OrderKindName } from "./inputs.ts";
import {
  certificatesHeldBy,
  creditBalanceOf,
  creditLotsOf,
  creditRetirementRow,
  dealsChangedIn,
  marketBalanceOf,
  marketParams,
  retirementRow,
  scheduledChanges,
} from "./loaders.ts";
import {
  loadBatch,
  loadDeal,
  loadDevice,
  loadOrder,
  mapActivity,
  mapBatch,
  mapCreditMint,
  mapCreditRetirement,
  mapDeal,
  mapDevice,
  mapHolding,
  mapMarketParam,
  mapOrder,
  mapRetirement,
  mapScheduledChange,
  mapSkipped,
  mapTrade,
} from "./mappers.ts";
import { type OrderBookFilter, orderBook } from "./orderbook.ts";
import { type PageArgs, page } from "./pagination.ts";
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
    orders: async (args: Args<{ filter?: OrderFilter }>, c: ApiContext) =>
      page(c.db, await orderQuery(c, args.filter, a), args, mapOrder),
    deals: (args: Args<{ filter?: DealFilter }>, c: ApiContext) =>
      page(c.db, dealsWhere(args.filter, a), args, mapDeal),
    devices: (args: PageArgs) => page(db, devicesWhere(null, a), args, mapDevice),
    certificates: async () => (await certificatesHeldBy(db, a)).map(mapHolding),
    retirements: (args: PageArgs) => page(db, retirementsWhere(null, a), args, mapRetirement),
    creditBalance: async () => (await creditBalanceOf(db, a))?.balance ?? "0",
    creditLots: async () =>
      ((await creditLotsOf(db, a))?.lots ?? []).map((l) => ({
        dealId: l.dealId,
        amount: l.amount,
      })),
    creditMints: (args: PageArgs) => page(db, creditMintsWhere(null, a), args, mapCreditMint),
    creditRetirements: (args: PageArgs) => page(db, creditRetirementsWhere(null, a), args, mapCreditRetirement),
    marketBalance: async () => {
      const b = await marketBalanceOf(db, a);
      const credited = b?.credited ?? "0";
      const withdrawn = b?.withdrawn ?? "0";
      return { credited, withdrawn, withdrawable: (BigInt(credited) - BigInt(withdrawn)).toString() };
    },
    activity: (args: PageArgs) => page(db, activityOf(a), args, mapActivity),
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
    order: (_: unknown, a: { kind: OrderKindName; id: string }, ctx: ApiContext) =>
      loadOrder(ctx, KIND_TO_DB[a.kind], a.id),
    orders: async (_: unknown, a: Args<{ filter?: OrderFilter }>, ctx: ApiContext) =>
      page(ctx.db, await orderQuery(ctx, a.filter), a, mapOrder),
    deal: (_: unknown, a: { id: string }, ctx: ApiContext) => loadDeal(ctx, a.id),
    deals: (_: unknown, a: Args<{ filter?: DealFilter }>, ctx: ApiContext) =>
      page(ctx.db, dealsWhere(a.filter), a, mapDeal),
    trades: (_: unknown, a: Args<{ filter?: TradeFilter }>, ctx: ApiContext) =>
      page(ctx.db, tradesWhere(a.filter), a, mapTrade),
    skippedMatches: (_: unknown, a: PageArgs, ctx: ApiContext) => page(ctx.db, skippedMatchQuery(), a, mapSkipped),
    device: (_: unknown, a: { id: string }, ctx: ApiContext) => loadDevice(ctx, a.id),
    devices: (_: unknown, a: Args<{ filter?: DeviceFilter }>, ctx: ApiContext) =>
      page(ctx.db, devicesWhere(a.filter), a, mapDevice),
    certificateBatch: (_: unknown, a: { id: string }, ctx: ApiContext) => loadBatch(ctx, a.id),
    certificateBatches: (_: unknown, a: Args<{ filter?: BatchFilter }>, ctx: ApiContext) =>
      page(ctx.db, batchesWhere(a.filter), a, mapBatch),
    retirement: async (_: unknown, a: { id: string }, ctx: ApiContext) =>
      mapRetirement(await retirementRow(ctx.db, a.id)),
    retirements: (_: unknown, a: Args<{ filter?: RetirementFilter }>, ctx: ApiContext) =>
      page(ctx.db, retirementsWhere(a.filter), a, mapRetirement),
    creditMints: (_: unknown, a: Args<{ filter?: CreditFilter }>, ctx: ApiContext) =>
      page(ctx.db, creditMintsWhere(a.filter), a, mapCreditMint),
    creditRetirement: async (_: unknown, a: { id: string }, ctx: ApiContext) =>
      mapCreditRetirement(await creditRetirementRow(ctx.db, a.id)),
    creditRetirements: (_: unknown, a: Args<{ filter?: CreditFilter }>, ctx: ApiContext) =>
      page(ctx.db, creditRetirementsWhere(a.filter), a, mapCreditRetirement),
    account: (_: unknown, a: { address: string }, ctx: ApiContext) => account(ctx, a.address),
    provenance: (_: unknown, a: { dealId?: string; batchId?: string; retirementId?: string }, ctx: ApiContext) =>
      provenance(ctx, a),
    stats: (_: unknown, a: { from?: number; to?: number; interval: "DAY" }, ctx: ApiContext) =>
      stats(ctx, a.from, a.to, a.interval),
    marketParams: async (_: unknown, __: unknown, ctx: ApiContext) => (await marketParams(ctx.db)).map(mapMarketParam),
    scheduledChanges: async (_: unknown, __: unknown, ctx: ApiContext) =>
      (await scheduledChanges(ctx.db)).map(mapScheduledChange),
    regionHours: (_: unknown, a: { from: number; to: number; region?: number | null }, ctx: ApiContext) =>
      regionHours(ctx, a.from, a.to, a.region),
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
          () => loadDeal(ctx, a.id),
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
                for (const row of await dealsChangedIn(ctx.db, e.fromBlock, e.toBlock, who)) await push(mapDeal(row));
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
