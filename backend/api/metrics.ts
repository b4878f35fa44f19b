// Prometheus metrics of one app instance. Each app gets its own registry so that several apps (tests,
// benchmarks) in one process never share counters.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

import type { BookSource } from "../book/book-source.ts";
import type { ProposalStore } from "../proposals/proposal-store.ts";

export type QuoteOutcome = "priced" | "limit-too-low" | "infeasible";

export type ApiMetrics = ReturnType<typeof createMetrics>;

export function createMetrics(deps: { book: BookSource; proposals: ProposalStore }, defaults = true) {
  const registry = new Registry();
  if (defaults) collectDefaultMetrics({ register: registry, prefix: "ccex_api_" });

  const httpRequests = new Counter({
    name: "ccex_http_requests_total",
    help: "HTTP requests answered, by method, route template and status code.",
    labelNames: ["method", "route", "status"] as const,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: "ccex_http_request_duration_seconds",
    help: "Time from receiving a request to finishing its response.",
    labelNames: ["method", "route", "status"] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const quotes = new Counter({
    name: "ccex_quotes_total",
    help: "Quotes answered, by outcome: priced, limit-too-low (feasible only above the limit), infeasible.",
    labelNames: ["outcome"] as const,
    registers: [registry],
  });
  const quotePricing = new Histogram({
    name: "ccex_quote_pricing_duration_seconds",
    help: "Time to clear a quoted bid against the book and bargain its price.",
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
    registers: [registry],
  });
  const quotePrice = new Histogram({
    name: "ccex_quote_price_per_vcu_hour_tokens",
    help: "Expected all-in price per VCU-hour of priced quotes, in settlement tokens.",
    buckets: [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100],
    registers: [registry],
  });
  new Gauge({
    name: "ccex_book_open_orders",
    help: "Orders in the open book the API quotes against, by side.",
    labelNames: ["side"] as const,
    registers: [registry],
    async collect() {
      const book = await deps.book.openBook();
      this.set({ side: "bid" }, book.bids.length);
      this.set({ side: "compute" }, book.computeOffers.length);
      this.set({ side: "energy" }, book.energyOffers.length);
      this.set({ side: "bandwidth" }, book.bandwidthOffers.length);
    },
  });
  new Gauge({
    name: "ccex_proposals_latest_matches",
    help: "Matches in the latest proposed batch.",
    registers: [registry],
    async collect() {
      this.set((await deps.proposals.latest())?.matches.length ?? 0);
    },
  });
  new Gauge({
    name: "ccex_proposals_latest_cleared_at_seconds",
    help: "Unix time at which the latest proposed batch was cleared (0 before the first).",
    registers: [registry],
    async collect() {
      this.set((await deps.proposals.latest())?.clearedAt ?? 0);
    },
  });

  // An answered request's count and duration by method, route template and status. The labelled
  // series are looked up once per combination (a few dozen), not hashed from a label object per request.
  type Series = { requests: { inc(): void }; duration: { observe(seconds: number): void } };
  const series = new Map<string, Series>();
  function observeRequest(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${route} ${status}`;
    let s = series.get(key);
    if (s === undefined) {
      const labels = { method, route, status: String(status) };
      s = { requests: httpRequests.labels(labels), duration: httpDuration.labels(labels) };
      series.set(key, s);
    }
    s.requests.inc();
    s.duration.observe(seconds);
  }
  const quotesBy = new Map<QuoteOutcome, { inc(): void }>();
  /** Counts an answered quote by its outcome. */
  function countQuote(outcome: QuoteOutcome): void {
    let counter = quotesBy.get(outcome);
    if (counter === undefined) {
      counter = quotes.labels({ outcome });
      quotesBy.set(outcome, counter);
    }
    counter.inc();
  }

  return { registry, httpRequests, httpDuration, quotes, quotePricing, quotePrice, observeRequest, countQuote };
}
