// GET /api/proposals — the latest cleared batch, each match with the terms of its bargain.
import { Router } from "express";
import type { ProposalsResponse } from "../../../protocol/api.ts";
import type { ProposalStore } from "../../proposals/proposal-store.ts";
import { dependency, methodNotAllowed } from "../errors.ts";
import { presentMatch } from "../present.ts";
import { ProposalsQuery } from "../schemas/proposals.ts";
import { validate } from "../validate.ts";

export function proposalsRouter(proposals: ProposalStore): Router {
  const router = Router();
  router
    .route("/api/proposals")
    .get(async (req, res) => {
      const query = validate(ProposalsQuery, req.query, "query");
      const batch = await dependency(() => proposals.latest(), "the proposal store did not answer");
      const all = batch?.matches ?? [];
      const selected = query.bidId === undefined ? all : all.filter((m) => m.match.bidId === query.bidId);
      const body: ProposalsResponse = {
        batch:
          batch === undefined ? null : { id: String(batch.id), clearedAt: batch.clearedAt, matchCount: all.length },
        matches: selected.slice(query.offset, query.offset + query.limit).map(presentMatch),
        page: { offset: query.offset, limit: query.limit, total: selected.length },
      };
      res.json(body);
    })
    .all(methodNotAllowed("GET", "HEAD"));
  return router;
}
