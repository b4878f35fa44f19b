// placeholder until backend/pricing lands
import type { OpenBook } from "./book-source.ts";
import type { QuoteRequest } from "./schemas/quote.ts";
export function quoteBid(_request: QuoteRequest, _book: OpenBook) {
  return { outcome: "infeasible" as "priced" | "infeasible" | "limit-too-low", price: { perVcuHour: "0" } };
}
