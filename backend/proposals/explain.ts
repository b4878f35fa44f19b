// A priced bundle (backend/pricing's stage 2) as the API serves it: amounts in base units and one
// sentence per party saying why it gets what it gets. Quotes and the matcher's proposals share it.
import type { BundleProposal, PartyShare } from "../pricing/index.ts";
import type { PartyTerms, ProposedMatch } from "./proposal-store.ts";

/** A priced bundle as the API serves it, each party with one sentence saying why it gets what it gets. */
export function toProposedMatch(bundle: BundleProposal): ProposedMatch {
  const basis = basisOf(bundle);
  return {
    match: bundle.match,
    surplus: bundle.surplus,
    parties: bundle.parties.map(
      (p): PartyTerms => ({
        role: p.role,
        orderId: p.orderId,
        reserve: p.reserve,
        // The bargain runs in real numbers; whole base units are what the API shows for money.
        disagreement: BigInt(Math.round(p.disagreement)),
        weight: p.weight,
        payment: p.payment,
        surplusShareBps: shownShareBps(p),
        explanation: explain(p, bundle, basis),
      }),
    ),
  };
}

/** Where the bundle's disagreement points came from, as the buyer's sentence names it. */
export const basisOf = (bundle: BundleProposal): string =>
  bundle.disagreementBasis === "reserves" ? "reserves (the outside options exceeded the bundle)" : "outside options";

/** The party's surplus share as the API shows it: whole bps within [0, 10⁴]. */
export const shownShareBps = (p: PartyShare): number => Math.min(10_000, Math.max(0, Math.round(p.surplusShareBps)));

/** One party's sentence: what it gets and why (`basis` from basisOf). */
export function explain(p: PartyShare, bundle: BundleProposal, basis: string): string {
  const share = `${(p.surplusShareBps / 100).toFixed(2)}% of the bundle's surplus of ${bundle.surplus}`;
  if (p.role === "buyer") {
    return (
      `Pays ${p.payment} (suppliers ${bundle.total} plus platform fee ${bundle.fee}) against its limit of ${p.reserve}, ` +
      `keeping ${share} under Nash bargaining at weight ${p.weight} with disagreement points from ${basis}.`
    );
  }
  // The core cap (backend/pricing/bundle.ts): the others could deal with a replacement offer instead.
  const cap =
    p.replacementCost === undefined
      ? ""
      : ` Capped at ${p.replacementCost > p.reserve ? p.replacementCost : p.reserve}: another offer in the book could serve the same part for ${p.replacementCost} at its reserve.`;
  return (
    `Paid ${p.payment} for its ${p.role} against a reserve of ${p.reserve} and an outside option worth ` +
    `${Math.round(p.disagreement)}: ${share}, at bargaining weight ${p.weight}.${cap}`
  );
}
