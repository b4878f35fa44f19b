// GET /api/proposals — the latest cleared batch, each match with the terms of its bargain.
import { Router } from "express";

import { methodNotAllowed } from "../errors.ts";
import type { PartyTerms, ProposalStore, ProposedMatch } from "../proposal-store.ts";
import { ProposalsQuery, type ProposalsResponse } from "../schemas/proposals.ts";
import { validate } from "../validate.ts";

type MatchOut = ProposalsResponse["matches"][number];

function presentParty(p: PartyTerms): MatchOut["parties"][number] {
  return {
    role: p.role,
    orderId: String(p.orderId),
    reserve: String(p.reserve),
    disagreement: String(p.disagreement),
    weight: p.weight,
    payment: String(p.payment),
    surplusShareBps: p.surplusShareBps,
    explanation: p.explanation,
  };
}

function presentMatch({ match, surplus, parties }: ProposedMatch): MatchOut {
  return {
    bidId: String(match.bidId),
    computeOfferId: String(match.computeOfferId),
    vcuHours: String(match.vcuHours),
    computePayment: String(match.computePayment),
    energyLots: match.energyLots.map((l) => ({ offerId: String(l.offerId), wh: String(l.wh), payment: String(l.payment) })),
    bandwidthOfferId: String(match.bandwidthOfferId),
    bandwidthPayment: String(match.bandwidthPayment),
    surplus: String(surplus),
    parties: parties.map(presentParty),
  };
}

export function proposalsRouter(proposals: ProposalStore): Router {
  const router = Router();
  router
    .route("/api/proposals")
    .get(async (req, res) => {
      const query = validate(ProposalsQuery, req.query, "query");
      const batch = await proposals.latest();
      const all = batch?.matches ?? [];
      const selected = query.bidId === undefined ? all : all.filter((m) => m.match.bidId === query.bidId);
      const body: ProposalsResponse = {
        batch: batch === undefined ? null : { id: String(batch.id), clearedAt: batch.clearedAt, matchCount: all.length },
        matches: selected.slice(query.offset, query.offset + query.limit).map(presentMatch),
        page: { offset: query.offset, limit: query.limit, total: selected.length },
      };
      res.json(body);
    })
    .all(methodNotAllowed("GET", "HEAD"));
  return router;
}
