// The seam between the matcher and backend/pricing: a book and the market's rules in, priced matches
// with the numbers that explain each price out (the API's ProposedMatch, served at /api/proposals).
import type { ProposedMatch } from "../api/proposal-store.ts";
import type { MarketRules, OrderBook } from "../pricing/index.ts";

export type PriceBatch = (book: OrderBook, rules: MarketRules) => ProposedMatch[];
