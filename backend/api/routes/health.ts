// GET /health — liveness plus a look at both dependencies, so a probe notices a dead book source.
import { Router } from "express";

import type { BookSource } from "../../book/book-source.ts";
import type { ProposalStore } from "../../proposals/proposal-store.ts";
import { dependency, methodNotAllowed } from "../errors.ts";

export function healthRouter(deps: { book: BookSource; proposals: ProposalStore }): Router {
  const started = Date.now();
  const router = Router();
  router
    .route("/health")
    .get(async (_req, res) => {
      const [book, latest] = await dependency(
        () => Promise.all([deps.book.openBook(), deps.proposals.latest()]),
        "the order book or the proposal store did not answer",
      );
      res.json({
        status: "ok",
        uptimeSeconds: Math.floor((Date.now() - started) / 1000),
        book: {
          asOf: book.asOf,
          bids: book.bids.length,
          offers: book.computeOffers.length + book.energyOffers.length + book.bandwidthOffers.length,
        },
        proposals: latest === undefined ? null : { batchId: String(latest.id), clearedAt: latest.clearedAt },
      });
    })
    .all(methodNotAllowed("GET", "HEAD"));
  return router;
}
