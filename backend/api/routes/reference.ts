// GET /api/reference — the market's codes (regions, hardware classes, energy sources) and unit
// decimals, so a client can turn names into the integers a contract call needs (docs/reference.md).
import { Router } from "express";

import { MARKET_REFERENCE } from "../../../protocol/reference.ts";
import { methodNotAllowed } from "../errors.ts";

export function referenceRouter(): Router {
  const body = JSON.stringify(MARKET_REFERENCE);
  const router = Router();
  router
    .route("/api/reference")
    .get((_req, res) => {
      // Fixed for a release; an hour's caching spares the rate limit of scripts that ask every run.
      res.setHeader("Cache-Control", "public, max-age=3600");
      res.type("application/json").send(body);
    })
    .all(methodNotAllowed("GET", "HEAD"));
  return router;
}
