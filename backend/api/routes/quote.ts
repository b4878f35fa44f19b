// POST /api/quote — the expected price of a bid against the current book, and why.
import express, { Router } from "express";

import type { BookSource } from "../../book/book-source.ts";
import { dependency, methodNotAllowed, requireJsonBody } from "../errors.ts";
import type { ApiMetrics } from "../metrics.ts";
import type { QuoteService } from "../quote-service.ts";
import { readQuoteRequest } from "../schemas/quote.ts";

export type QuoteRouterDeps = {
  book: BookSource;
  metrics: ApiMetrics;
  bodyLimit: number | string;
  /** Runs quoteBid: on this thread or in a pool of workers (quote-service.ts). */
  quotes: QuoteService;
  clock: () => number;
};

export function quoteRouter(deps: QuoteRouterDeps): Router {
  const router = Router();
  router
    .route("/api/quote")
    .post(
      requireJsonBody,
      express.json({ limit: deps.bodyLimit, type: ["application/json", "application/*+json"] }),
      async (req, res) => {
        // A well-formed body is checked directly; any other goes to zod, which names every wrong field.
        const request = readQuoteRequest(req.body);
        const book = await dependency(() => deps.book.openBook(), "the order book did not answer");
        // The book and the clock are read here, in request order: the quote is against this very version.
        const quote = await deps.quotes.quote(request, book, deps.clock());
        deps.metrics.quotePricing.observe(quote.pricingSeconds);
        deps.metrics.countQuote(quote.outcome);
        if (quote.perVcuHourTokens !== null) deps.metrics.quotePrice.observe(quote.perVcuHourTokens);
        res.setHeader("Content-Type", "application/json; charset=utf-8");
        res.end(quote.json);
      },
    )
    .all(methodNotAllowed("POST"));
  return router;
}
