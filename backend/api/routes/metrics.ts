// GET /metrics — Prometheus text exposition of this app's registry.
import { Router } from "express";

import { methodNotAllowed } from "../errors.ts";
import type { ApiMetrics } from "../metrics.ts";

export function metricsRouter(metrics: ApiMetrics): Router {
  const router = Router();
  router
    .route("/metrics")
    .get(async (_req, res) => {
      const text = await metrics.registry.metrics();
      res.type(metrics.registry.contentType).send(text);
    })
    .all(methodNotAllowed("GET", "HEAD"));
  return router;
}
