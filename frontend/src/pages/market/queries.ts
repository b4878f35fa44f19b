// The market page's reads from the indexer (indexer/graphql/schema.graphql).

export type Resource = "COMPUTE" | "ENERGY" | "BANDWIDTH";
export type Interval = "HOUR" | "DAY" | "WEEK";

export type BookFilter = {
  hardwareClass?: string;
  region?: number;
  source?: string;
  fromRegion?: number;
  toRegion?: number;
};

export type PriceLevel = { price: string; quantity: string; orders: number };
export type OrderBook = {
  bids: PriceLevel[];
  asks: PriceLevel[];
  bestBid: string | null;
  bestAsk: string | null;
  spread: string | null;
  asOfBlock: number;
  chainTime: number;
  final: boolean;
};

export const ORDER_BOOK = `query OrderBook($resource: Resource!, $filter: OrderBookFilter, $depth: Int) {
  orderBook(resource: $resource, filter: $filter, depth: $depth) {
    bids { price quantity orders }
    asks { price quantity orders }
    bestBid bestAsk spread asOfBlock chainTime final
  }
}`;

export type Trade = {
  id: string;
  dealId: string;
  quantity: string;
  value: string;
  price: string;
  hardwareClass: string | null;
  region: number | null;
  source: string | null;
  fromRegion: number | null;
  toRegion: number | null;
  at: { time: number; txHash: string };
};

export const TRADES = `query Trades($filter: TradeFilter, $first: Int) {
  trades(filter: $filter, first: $first) {
    nodes { id dealId quantity value price hardwareClass region source fromRegion toRegion at { time txHash } }
  }
}`;

export type Candle = {
  start: number;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string;
  trades: number;
};

export const PRICE_HISTORY = `query PriceHistory($resource: Resource!, $interval: Interval, $hardwareClass: String, $region: Int, $source: String) {
  stats(interval: $interval) {
    priceHistory(resource: $resource, hardwareClass: $hardwareClass, region: $region, source: $source) {
      start open high low close volume trades
    }
  }
}`;

/** The trade filter matching a book filter (trades know one region; a route is not a trade filter). */
export function tradeFilter(resource: Resource, filter: BookFilter): Record<string, unknown> {
  return { resource, hardwareClass: filter.hardwareClass, region: filter.region, source: filter.source };
}
