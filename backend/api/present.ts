// Domain values to their JSON form: every bigint becomes a decimal string, never a lossy number.

import type { ProposalsResponse } from "../../protocol/api.ts";
import type { Match } from "../../protocol/orders.ts";
import { mapPacked } from "../pricing/packed.ts";
import type { PartyTerms, ProposedMatch } from "../proposals/proposal-store.ts";

type MatchOut = ProposalsResponse["matches"][number];
export type PartyOut = MatchOut["parties"][number];

export function presentParty(p: PartyTerms): PartyOut {
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

/**
 * A scheduled match's fields as the API shows them, in the proposals' key order after `bidId`: shared by
 * the proposals (presentMatch) and a quote's bundles (api/quote.ts presentBundle), which must read alike.
 */
export function presentMatchFields<P>(match: Match, surplus: bigint, parties: P[]) {
  return {
    computeOfferId: String(match.computeOfferId),
    start: match.start,
    vcu: String(match.vcu),
    computePayment: String(match.computePayment),
    energyLots: mapPacked(match.energyLots, (l) => ({
      offerId: String(l.offerId),
      hour: l.hour,
      wh: String(l.wh),
      payment: String(l.payment),
    })),
    bandwidthOfferId: String(match.bandwidthOfferId),
    bandwidthPayment: String(match.bandwidthPayment),
    surplus: String(surplus),
    parties,
  };
}

export function presentMatch({ match, surplus, parties }: ProposedMatch): MatchOut {
  return { bidId: String(match.bidId), ...presentMatchFields(match, surplus, mapPacked(parties, presentParty)) };
}
