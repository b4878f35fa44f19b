// The open book read from the indexer's GraphQL API (indexer/graphql/schema.graphql) instead of
// replaying chain events: one paginated `orders` query per kind of order. Pages are taken between two
// reads of the indexer's status; if a block was indexed in between, the pages may mix two states of
// the book, so the whole read starts again. An order the indexer describes incompletely, or with a
// value the exchange does not trade (admit.ts), is left out and logged; it never fails the read.
import { getAddress } from "viem";
import { z } from "zod";

import type { BookBandwidthOffer, BookBid, BookComputeOffer, BookEnergyOffer } from "../../protocol/book.ts";
import { CERTIFICATE_ORIGINS } from "../../protocol/orders.ts";
import { ENERGY_SOURCES, HARDWARE_CLASSES, SECONDS_PER_HOUR } from "../../protocol/units.ts";
import { RetryableChainError } from "../chain/errors.ts";
import { NO_RETRY, type RetryPolicy, withRetry } from "../chain/retry.ts";
import { admitBook, type OrderKind, RefusalLog, type RefusalLogger, type RefusedOrder } from "./admit.ts";
import type { BlockBook, MatcherBookSource } from "./book-source.ts";

// Bids: the job (vcu, durationHours, [earliestStart, latestEnd), start once fixed) and the VCU not
// matched yet (`remainingVcu`). Offers: capacity and use per hour over their window (`hours`;
// energy: Wh offered and sold).
const ORDER_FIELDS = `
  id owner price expiry windowStart windowEnd
  hardwareClass region acceptableRegions buyerRegion minGreenBps bandwidthMbps maxLatencyMs
  vcu durationHours remainingVcu earliestStart latestEnd certificateOrigin start
  whPerVcuHour pueMilli deviceId source fromRegion toRegion latencyMs
  hours { start capacity used }`;

const ORDERS_QUERY = `query MatcherOrders($kind: OrderKind!, $first: Int!, $after: String) {
  orders(filter: { kind: $kind, status: OPEN }, first: $first, after: $after) {
    nodes { ${ORDER_FIELDS} }
    pageInfo { endCursor hasNextPage }
  }
}`;

const STATUS_QUERY = `query MatcherStatus { status { indexedBlock chainTime } }`;

const big = z
  .string()
  .regex(/^[0-9]+$/, "expected a decimal integer")
  .transform(BigInt);
// Checksummed, as viem decodes addresses from events, so books from either source compare equal.
const address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/)
  .transform((a) => getAddress(a));
const OrderNode = z.object({
  id: big,
  owner: address,
  price: big,
  expiry: z.int(),
  windowStart: z.int().nullable(),
  windowEnd: z.int().nullable(),
  hardwareClass: z.string().nullable(),
  region: z.int().nullable(),
  acceptableRegions: z.array(z.int().min(0).max(255)).nullable(),
  buyerRegion: z.int().nullable(),
  minGreenBps: z.int().nullable(),
  bandwidthMbps: big.nullable(),
  maxLatencyMs: z.int().nullable(),
  vcu: z.int().nullable(),
  durationHours: z.int().nullable(),
  remainingVcu: z.int().nullable(),
  earliestStart: z.int().nullable(),
  latestEnd: z.int().nullable(),
  certificateOrigin: z.string().nullable(),
  start: z.int().nullable(),
  whPerVcuHour: big.nullable(),
  pueMilli: z.int().nullable(),
  deviceId: big.nullable(),
  source: z.string().nullable(),
  fromRegion: z.int().nullable(),
  toRegion: z.int().nullable(),
  latencyMs: z.int().nullable(),
  hours: z.array(z.object({ start: z.int(), capacity: big, used: big })).nullable(),
});
type OrderNode = z.output<typeof OrderNode>;
const OrdersResponse = z.object({
  orders: z.object({
    nodes: z.array(OrderNode),
    pageInfo: z.object({ endCursor: z.string().nullable(), hasNextPage: z.boolean() }),
  }),
});
const StatusResponse = z.object({
  status: z.object({ indexedBlock: z.int().nullable(), chainTime: z.int().nullable() }),
});

type Kind = "BID" | "COMPUTE_OFFER" | "ENERGY_OFFER" | "BANDWIDTH_OFFER";

export type IndexerBookSourceParameters = {
  /** The indexer's GraphQL endpoint, e.g. http://127.0.0.1:4350/graphql. */
  url: string;
  /** Orders per page (the indexer serves at most 200). */
  pageSize?: number;
  /** How many times to start over when the indexer moves on during a read. */
  consistencyAttempts?: number;
  retry?: RetryPolicy;
  fetch?: typeof fetch;
  /** Where orders left out of the book are reported, once each. */
  logger?: RefusalLogger;
};

export class IndexerBookSource implements MatcherBookSource {
  readonly #p: Required<Omit<IndexerBookSourceParameters, "retry" | "logger">> & { retry: RetryPolicy };
  readonly #refusals: RefusalLog;

  constructor(parameters: IndexerBookSourceParameters) {
    this.#p = { pageSize: 200, consistencyAttempts: 5, retry: NO_RETRY, fetch: globalThis.fetch, ...parameters };
    this.#refusals = new RefusalLog(parameters.logger);
  }

  async openBook(): Promise<BlockBook> {
    for (let attempt = 0; attempt < this.#p.consistencyAttempts; attempt++) {
      const before = await this.#status();
      const [bids, computes, energies, links] = await Promise.all(
        (["BID", "COMPUTE_OFFER", "ENERGY_OFFER", "BANDWIDTH_OFFER"] as const).map((kind) => this.#orders(kind)),
      );
      const after = await this.#status();
      if (before.indexedBlock !== after.indexedBlock) continue;
      const malformed: RefusedOrder[] = [];
      const { book, refused } = admitBook({
        bids: mapOrders(bids, "bid", toBid, malformed),
        computeOffers: mapOrders(computes, "compute", toComputeOffer, malformed),
        energyOffers: mapOrders(energies, "energy", toEnergyOffer, malformed),
        bandwidthOffers: mapOrders(links, "bandwidth", toBandwidthOffer, malformed),
      });
      this.#refusals.report([...malformed, ...refused]);
      return { asOf: after.chainTime, blockNumber: BigInt(after.indexedBlock), ...book };
    }
    throw new RetryableChainError("the indexer kept moving while the book was read");
  }

  async #status(): Promise<{ indexedBlock: number; chainTime: number }> {
    const { status } = StatusResponse.parse(await this.#query(STATUS_QUERY, {}));
    if (status.indexedBlock === null || status.chainTime === null) {
      throw new RetryableChainError("the indexer has not indexed a block yet");
    }
    return { indexedBlock: status.indexedBlock, chainTime: status.chainTime };
  }

  async #orders(kind: Kind): Promise<OrderNode[]> {
    const nodes: OrderNode[] = [];
    let after: string | null = null;
    do {
      const { orders }: z.output<typeof OrdersResponse> = OrdersResponse.parse(
        await this.#query(ORDERS_QUERY, { kind, first: this.#p.pageSize, after }),
      );
      nodes.push(...orders.nodes);
      after = orders.pageInfo.hasNextPage ? orders.pageInfo.endCursor : null;
    } while (after !== null);
    return nodes;
  }

  async #query(query: string, variables: Record<string, unknown>): Promise<unknown> {
    return withRetry(
      async () => {
        let response: Response;
        try {
          response = await this.#p.fetch(this.#p.url, {
            method: "POST",
            headers: { "content-type": "application/json", accept: "application/json" },
            body: JSON.stringify({ query, variables }),
            signal: AbortSignal.timeout(20_000),
          });
        } catch (err) {
          throw new RetryableChainError("indexer unreachable", { details: (err as Error).message, cause: err });
        }
        if (!response.ok && response.status !== 400) {
          throw new RetryableChainError("indexer answered an error", { details: `HTTP ${response.status}` });
        }
        const body = (await response.json()) as { data?: unknown; errors?: { message: string }[] };
        if (body.errors !== undefined && body.errors.length > 0) {
          // The query is fixed: an error means the indexer's schema and this file disagree.
          throw new RetryableChainError("indexer rejected the book query", {
            details: body.errors.map((e) => e.message).join("; "),
          });
        }
        return body.data;
      },
      { ...this.#p.retry, label: "read book from indexer" },
    );
  }
}

/** One order the indexer describes in a way no order of this kind can be; only that order is dropped. */
class MalformedOrderError extends Error {
  override name = "MalformedOrderError";
}

function mapOrders<T>(
  nodes: readonly OrderNode[],
  kind: OrderKind,
  to: (o: OrderNode) => T,
  malformed: RefusedOrder[],
): T[] {
  const orders: T[] = [];
  for (const node of nodes) {
    try {
      orders.push(to(node));
    } catch (err) {
      if (!(err instanceof MalformedOrderError)) throw err;
      malformed.push({ kind, id: node.id, reason: err.message });
    }
  }
  return orders;
}

function enumIndex(names: readonly string[], name: string | null, field: string): number {
  const known = name === null ? -1 : names.indexOf(name);
  if (known >= 0) return known;
  // The indexer names values it does not know `class-7`, `source-9`; admit.ts then refuses them.
  const numbered = /-(\d+)$/.exec(name ?? "");
  if (numbered !== null) return Number(numbered[1]);
  throw new MalformedOrderError(`no usable ${field} (${JSON.stringify(name)})`);
}

function need<T>(value: T | null, field: string): T {
  if (value === null) throw new MalformedOrderError(`lacks ${field}`);
  return value;
}

// The indexer spells origins in GraphQL's camelCase ("gridArea"); protocol/orders.ts in kebab-case.
function originIndex(name: string | null): number {
  const kebab = (name ?? "").replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  return enumIndex(CERTIFICATE_ORIGINS, kebab === "" ? null : kebab, "certificateOrigin");
}

function toBid(o: OrderNode): BookBid {
  return {
    id: o.id,
    buyer: o.owner,
    hardwareClass: enumIndex(HARDWARE_CLASSES, o.hardwareClass, "hardwareClass"),
    acceptableRegions: need(o.acceptableRegions, "acceptableRegions").reduce((mask, r) => mask | (1n << BigInt(r)), 0n),
    buyerRegion: need(o.buyerRegion, "buyerRegion"),
    earliestStart: need(o.earliestStart, "earliestStart"),
    latestEnd: need(o.latestEnd, "latestEnd"),
    durationHours: need(o.durationHours, "durationHours"),
    vcu: need(o.vcu, "vcu"),
    remainingVcu: need(o.remainingVcu, "remainingVcu"),
    start: o.start ?? 0,
    limitPricePerVcuHour: o.price,
    minGreenBps: need(o.minGreenBps, "minGreenBps"),
    certificateOrigin: originIndex(o.certificateOrigin),
    bandwidthMbps: need(o.bandwidthMbps, "bandwidthMbps"),
    maxLatencyMs: need(o.maxLatencyMs, "maxLatencyMs"),
    expiry: o.expiry,
  };
}

/** Used capacity per hour start, leaving out free hours. */
function usedByHour(o: OrderNode): Map<number, number> {
  const used = new Map<number, number>();
  for (const h of need(o.hours, "hours")) if (h.used > 0n) used.set(h.start, Number(h.used));
  return used;
}

function toComputeOffer(o: OrderNode): BookComputeOffer {
  // Units in every hour of the window: the offer's own field, else any hour's capacity (all equal).
  const vcu = o.vcu ?? Number(need(o.hours, "hours").reduce((max, h) => (h.capacity > max ? h.capacity : max), 0n));
  return {
    id: o.id,
    supplier: o.owner,
    hardwareClass: enumIndex(HARDWARE_CLASSES, o.hardwareClass, "hardwareClass"),
    region: need(o.region, "region"),
    windowStart: need(o.windowStart, "windowStart"),
    windowEnd: need(o.windowEnd, "windowEnd"),
    vcu,
    reservePricePerVcuHour: o.price,
    whPerVcuHour: need(o.whPerVcuHour, "whPerVcuHour"),
    pueMilli: need(o.pueMilli, "pueMilli"),
    expiry: o.expiry,
    usedVcu: usedByHour(o),
  };
}

function toEnergyOffer(o: OrderNode): BookEnergyOffer {
  const hours = [...need(o.hours, "hours")].sort((a, b) => a.start - b.start);
  if (hours.length === 0) throw new MalformedOrderError("names no hours");
  const firstHour = hours[0].start;
  // The offer's hours are consecutive; an hour the indexer leaves out was offered with 0 Wh.
  const count = (hours[hours.length - 1].start - firstHour) / SECONDS_PER_HOUR + 1;
  const whPerHour: bigint[] = Array.from({ length: count }, () => 0n);
  const soldWhPerHour: bigint[] = Array.from({ length: count }, () => 0n);
  for (const h of hours) {
    const i = (h.start - firstHour) / SECONDS_PER_HOUR;
    if (!Number.isInteger(i)) throw new MalformedOrderError(`hour ${h.start} is not on the hour`);
    whPerHour[i] = h.capacity;
    soldWhPerHour[i] = h.used;
  }
  return {
    id: o.id,
    supplier: o.owner,
    deviceId: need(o.deviceId, "deviceId"),
    source: enumIndex(ENERGY_SOURCES, o.source, "source"),
    region: need(o.region, "region"),
    firstHour,
    whPerHour,
    soldWhPerHour,
    reservePricePerKwh: o.price,
    expiry: o.expiry,
  };
}

function toBandwidthOffer(o: OrderNode): BookBandwidthOffer {
  const capacity = need(o.hours, "hours").reduce((max, h) => (h.capacity > max ? h.capacity : max), 0n);
  return {
    id: o.id,
    supplier: o.owner,
    fromRegion: need(o.fromRegion, "fromRegion"),
    toRegion: need(o.toRegion, "toRegion"),
    mbps: Number(capacity),
    latencyMs: need(o.latencyMs, "latencyMs"),
    windowStart: need(o.windowStart, "windowStart"),
    windowEnd: need(o.windowEnd, "windowEnd"),
    reservePricePerMbpsHour: o.price,
    expiry: o.expiry,
    usedMbps: usedByHour(o),
  };
}
