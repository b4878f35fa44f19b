// The seam between the matcher and backend/pricing: a book and the market's rules in, priced matches
// with the numbers that explain each price out (the API's ProposedMatch, served at /api/proposals).
// Each match is priced on its own, so a match pricing cannot handle is refused alone, with its
// reason, and the rest of the batch goes on (docs/security.md, "One order cannot stop the exchange").

import type { OrderBook } from "../../protocol/book.ts";
import type { Match } from "../../protocol/orders.ts";
import { clearBook, type MarketRules, priceEachBundle } from "../pricing/index.ts";
import { toProposedMatch } from "../proposals/explain.ts";
import type { ProposedMatch } from "../proposals/proposal-store.ts";

/** A cleared match that could not be priced, and why. */
export type UnpricedMatch = { match: Match; reason: string };

export type PricedBatch = { proposed: ProposedMatch[]; unpriced: UnpricedMatch[] };

export type PriceBatch = (book: OrderBook, rules: MarketRules) => PricedBatch;

/**
 * Stage 1 with the fast scheduler (each bid's start hour, offers per hour, hourly energy lots and a
 * link), stage 2 with Nash bargaining over each bundle (backend/pricing).
 *
 * @example
 * const { proposed, unpriced } = clearAndPrice(book, { now: book.asOf + 30, platformFeeBps: 30 })
 */
export const clearAndPrice: PriceBatch = (book, rules) => {
  const { matches } = clearBook(book, rules);
  const batch: PricedBatch = { proposed: [], unpriced: [] };
  for (const priced of priceEachBundle(book, matches, rules)) {
    if (priced.ok) batch.proposed.push(toProposedMatch(priced.proposal));
    else batch.unpriced.push({ match: priced.match, reason: priced.error.message });
  }
  return batch;
};
