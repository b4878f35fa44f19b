// POST /api/quote — the expected price of a bid against the current book, and why.
import express, { Router } from "express";

import type { BookSource } from "../book-source.ts";
import { methodNotAllowed, requireJsonBody } from "../errors.ts";
import type { ApiMetrics } from "../metrics.ts";
import { QuoteRequest } from "../schemas/quote.ts";
import { quoteBid } from "../quote.ts";
import { validate } from "../validate.ts";

export function quoteRouter(deps: { book: BookSource; metrics: ApiMetrics; bodyLimit: number | string }): Router {
  const router = Router();
  router
    .route("/api/quote")
    .post(requireJsonBody, express.json({ limit: deps.bodyLimit, type: ["application/json", "application/*+json"] }), async (req, res) => {
      const request = validate(QuoteRequest, req.body, "body");
      const book = await deps.book.openBook();
      const stop = deps.metrics.quotePricing.startTimer();
      const quote = quoteBid(request, book);
      stop();
      deps.metrics.quotes.inc({ outcome: quote.outcome });
      if (quote.outcome === "priced") deps.metrics.quotePrice.observe(Number(quote.price.perVcuHour) / 1e6);
      res.json(quote);
    })
    .all(methodNotAllowed("POST"));
  return router;
}
