// Where a quote is computed: on the thread that serves HTTP (`inlineQuotes`, pool size 0) or in a pool
// of worker threads (`QuotePool`, quote-pool.ts), so that the serving thread keeps only the HTTP work
// (body, validation, one message each way) and a second core runs the scheduling and bargaining.
// Either way the answer is the JSON text `quoteBid` gives, with what the route's metrics need.
import { TOKEN_DECIMALS } from "../../protocol/units.ts";
import type { OpenBook } from "../book/book-source.ts";
import type { PricingConfig } from "../pricing/index.ts";
import type { QuoteOutcome } from "./metrics.ts";
import { quoteBid } from "./quote.ts";
import type { QuoteRequest } from "./schemas/quote.ts";

/** A quote as the route sends it: the answer's JSON text and what its metrics record. */
export type QuotedAnswer = {
  json: string;
  outcome: QuoteOutcome;
  /** The all-in price per VCU-hour in tokens (not base units), for the price histogram; null when not priced. */
  perVcuHourTokens: number | null;
  /** CPU-bound time `quoteBid` took, in seconds. */
  pricingSeconds: number;
};

export interface QuoteService {
  /** The quote of `request` against exactly `book` at unix second `now`. */
  quote(request: QuoteRequest, book: OpenBook, now: number): Promise<QuotedAnswer>;
  /** Stops the service's threads, if any; quotes asked after it fail. */
  close(): Promise<void>;
}

/** What every quote of one service shares: the market's fee and the pricing parameters. */
export type QuoteSettings = { platformFeeBps: number; pricing: PricingConfig | undefined };

const TOKEN_SCALE = 10 ** TOKEN_DECIMALS;

/** One quote, timed and written out: what the serving thread runs inline and a pool's worker runs. */
export function answerQuote(request: QuoteRequest, book: OpenBook, now: number, settings: QuoteSettings): QuotedAnswer {
  const started = performance.now();
  const quote = quoteBid(request, book, { now, platformFeeBps: settings.platformFeeBps, pricing: settings.pricing });
  const pricingSeconds = (performance.now() - started) / 1000;
  return {
    // Sent as is: an ETag (a hash of every answer, which res.json computes) means nothing on a POST.
    json: JSON.stringify(quote),
    outcome: quote.outcome,
    perVcuHourTokens: quote.price === null ? null : Number(quote.price.perVcuHour) / TOKEN_SCALE,
    pricingSeconds,
  };
}

/** Quotes on the calling thread, as before the pool: pool size 0. */
export function inlineQuotes(settings: QuoteSettings): QuoteService {
  return {
    quote: async (request, book, now) => answerQuote(request, book, now, settings),
    close: async () => {},
  };
}
