// POST /api/quote — the expected price of a bid against the current book, and why.
import express, { Router } from "express";

import { TOKEN_DECIMALS } from "../../../protocol/units.ts";
import type { BookSource } from "../../book/book-source.ts";
import type { PricingConfig } from "../../pricing/index.ts";
import { dependency, methodNotAllowed, requireJsonBody } from "../errors.ts";
import type { ApiMetrics } from "../metrics.ts";
import { quoteBid } from "../quote.ts";
import { readQuoteRequest } from "../schemas/quote.ts";

export type QuoteRouterDeps = {
  book: BookSource;
  metrics: ApiMetrics;
  bodyLimit: number | string;
  platformFeeBps: number;
  pricing: PricingConfig | undefined;
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
        const started = performance.now();
        const quote = quoteBid(request, book, {
          now: deps.clock(),
          platformFeeBps: deps.platformFeeBps,
          pricing: deps.pricing,
        });
        deps.metrics.quotePricing.observe((performance.now() - started) / 1000);
        deps.metrics.countQuote(quote.outcome);
        if (quote.price !== null)
          deps.metrics.quotePrice.observe(Number(quote.price.perVcuHour) / 10 ** TOKEN_DECIMALS);
        // Sent as is: an ETag (a hash of every answer, which res.json computes) means nothing on a POST.
        res.setHeader("Content-Type", "application/json; charset=utf-8");
        res.end(JSON.stringify(quote));
      },
    )
    .all(methodNotAllowed("POST"));
  return router;
}
