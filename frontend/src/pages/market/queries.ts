// The market page's reads from the indexer (indexer/graphql/schema.graphql), typed by gql.tada.
import { graphql, type ResultOf, type VariablesOf } from "../../lib/graphql-documents.ts";

export type Resource = VariablesOf<typeof ORDER_BOOK>["resource"];
export type Interval = NonNullable<VariablesOf<typeof PRICE_HISTORY>["interval"]>;
export type BookFilter = {
  hardwareClass?: string;
  region?: number;
  source?: string;
  fromRegion?: number;
  toRegion?: number;
};

export const ORDER_BOOK = graphql(`
  query OrderBook($resource: Resource!, $filter: OrderBookFilter, $depth: Int) {
    orderBook(resource: $resource, filter: $filter, depth: $depth) {
      bids { price quantity orders }
      asks { price quantity orders }
      bestBid bestAsk spread asOfBlock chainTime final
    }
  }
`);
export type OrderBook = ResultOf<typeof ORDER_BOOK>["orderBook"];
export type PriceLevel = OrderBook["bids"][number];

export const TRADES = graphql(`
  query Trades($filter: TradeFilter, $first: Int) {
    trades(filter: $filter, first: $first) {
      nodes { id dealId quantity value price hardwareClass region source fromRegion toRegion at { time txHash } }
    }
  }
`);
export type Trade = ResultOf<typeof TRADES>["trades"]["nodes"][number];

export const PRICE_HISTORY = graphql(`
  query PriceHistory($resource: Resource!, $interval: Interval, $hardwareClass: String, $region: Int, $source: String) {
    stats(interval: $interval) {
      priceHistory(resource: $resource, hardwareClass: $hardwareClass, region: $region, source: $source) {
        start open high low close volume trades
      }
    }
  }
`);
export type Candle = ResultOf<typeof PRICE_HISTORY>["stats"]["priceHistory"][number];

/** The trade filter matching a book filter (trades know one region; a route is not a trade filter). */
export function tradeFilter(resource: Resource, filter: BookFilter): VariablesOf<typeof TRADES>["filter"] {
  return { resource, hardwareClass: filter.hardwareClass, region: filter.region, source: filter.source };
}
