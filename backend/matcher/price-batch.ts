// The seam between the matcher and backend/pricing: a book and the market's rules in, priced matches
// with the numbers that explain each price out (the API's ProposedMatch, served at /api/proposals).

import { clearFast, type MarketRules, type OrderBook, priceBundles } from "../pricing/index.ts";
import { toProposedMatch } from "../proposals/explain.ts";
import type { ProposedMatch } from "../proposals/proposal-store.ts";

export type PriceBatch = (book: OrderBook, rules: MarketRules) => ProposedMatch[];

/**
 * Stage 1 with the fast clearer, stage 2 with Nash bargaining over each bundle (backend/pricing).
 *
 * @example
 * const proposed = clearAndPrice(book, { now: book.asOf + 30, platformFeeBps: 30 })
 */
export const clearAndPrice: PriceBatch = (book, rules) => {
  const { matches } = clearFast(book, rules);
  return priceBundles(book, matches, rules).map(toProposedMatch);
};
