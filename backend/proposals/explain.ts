// A priced bundle (backend/pricing's stage 2) as the API serves it: amounts in base units and one
// sentence per party saying why it gets what it gets. Quotes and the matcher's proposals share it.
import type { BundleProposal, PartyShare } from "../pricing/index.ts";
import type { PartyTerms, ProposedMatch } from "./proposal-store.ts";

/** A priced bundle as the API serves it, each party with one sentence saying why it gets what it gets. */
export function toProposedMatch(bundle: BundleProposal): ProposedMatch {
  const words = wordsOf(bundle);
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
        explanation: explain(p, String(p.payment), String(p.reserve), words),
      }),
    ),
  };
}

/** The party's surplus share as the API shows it: whole bps within [0, 10⁴]. */
export const shownShareBps = (p: PartyShare): number => Math.min(10_000, Math.max(0, Math.round(p.surplusShareBps)));

/** What every party's sentence of one bundle says alike, written once per bundle. */
export type BundleWords = { surplus: string; total: string; fee: string; basis: string };

export function wordsOf(bundle: BundleProposal): BundleWords {
  return {
    surplus: `% of the bundle's surplus of ${bundle.surplus}`,
    total: String(bundle.total),
    fee: String(bundle.fee),
    basis:
      bundle.disagreementBasis === "reserves"
        ? "reserves (the outside options exceeded the bundle)"
        : "outside options",
  };
}

/** One party's sentence: what it gets and why (`payment` and `reserve` as the answer writes them). */
export function explain(p: PartyShare, payment: string, reserve: string, words: BundleWords): string {
  const share = `${(p.surplusShareBps / 100).toFixed(2)}${words.surplus}`;
  if (p.role === "buyer") {
    return (
      `Pays ${payment} (suppliers ${words.total} plus platform fee ${words.fee}) against its limit of ${reserve}, ` +
      `keeping ${share} under Nash bargaining at weight ${p.weight} with disagreement points from ${words.basis}.`
    );
  }
  // The core cap (backend/pricing/bundle.ts): the others could deal with a replacement offer instead.
  const cap =
    p.replacementCost === undefined
      ? ""
      : ` Capped at ${p.replacementCost > p.reserve ? p.replacementCost : reserve}: another offer in the book could serve the same part for ${p.replacementCost} at its reserve.`;
  return (
    `Paid ${payment} for its ${p.role} against a reserve of ${reserve} and an outside option worth ` +
    `${Math.round(p.disagreement)}: ${share}, at bargaining weight ${p.weight}.${cap}`
  );
}
