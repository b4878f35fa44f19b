// The seam between the matcher and backend/pricing: a book and the market's rules in, priced matches
// with the numbers that explain each price out (the API's ProposedMatch, served at /api/proposals).
import type { PartyTerms, ProposedMatch } from "../api/proposal-store.ts";
import { type MarketRules, type OrderBook, clearFast, matchPayments } from "../pricing/index.ts";

export type PriceBatch = (book: OrderBook, rules: MarketRules) => ProposedMatch[];

/**
 * Clears the book with the fast clearer and keeps its reserve prices: every supplier is paid its
 * reserve and the buyer keeps the whole surplus (less the platform fee).
 *
 * Stands in until backend/pricing exports its Nash-bargaining bundle pricing (priceBundles).
 */
export const priceAtReserves: PriceBatch = (book, rules) => {
  const { matches } = clearFast(book, rules);
  const bids = new Map(book.bids.map((b) => [b.id, b]));
  const computes = new Map(book.computeOffers.map((o) => [o.id, o]));
  const energies = new Map(book.energyOffers.map((o) => [o.id, o]));
  const links = new Map(book.bandwidthOffers.map((o) => [o.id, o]));
  return matches.map((match) => {
    const bid = bids.get(match.bidId)!;
    const suppliers: Omit<PartyTerms, "surplusShareBps" | "explanation">[] = [
      supplier("compute", match.computeOfferId, computes.get(match.computeOfferId)!.reservePricePerVcuHour * match.vcuHours, match.computePayment),
      ...match.energyLots.map((lot) =>
        supplier("energy", lot.offerId, ceilDiv(energies.get(lot.offerId)!.reservePricePerKwh * lot.wh, 1000n), lot.payment),
      ),
      ...(match.bandwidthOfferId === 0n
        ? []
        : [
            supplier(
              "bandwidth",
              match.bandwidthOfferId,
              ceilDiv(links.get(match.bandwidthOfferId)!.reservePricePerMbpsHour * bid.bandwidthMbps * BigInt(bid.windowEnd - bid.windowStart), 3600n),
              match.bandwidthPayment,
            ),
          ]),
    ];
    const buyerReserve = bid.limitPricePerVcuHour * match.vcuHours;
    const surplus = buyerReserve - suppliers.reduce((s, p) => s + p.reserve, 0n);
    const paid = matchPayments(match);
    const buyerPays = paid + (paid * BigInt(rules.platformFeeBps)) / 10_000n;
    const share = (gain: bigint) => (surplus > 0n ? Number((gain * 10_000n) / surplus) : 0);
    const parties: PartyTerms[] = [
      {
        role: "buyer",
        orderId: bid.id,
        reserve: buyerReserve,
        disagreement: buyerReserve,
        weight: 1,
        payment: buyerPays,
        surplusShareBps: share(buyerReserve - buyerPays),
        explanation: "pays the suppliers' reserves plus the platform fee and keeps the rest of its limit",
      },
      ...suppliers.map((p) => ({
        ...p,
        surplusShareBps: share(p.payment - p.reserve),
        explanation: "paid its reserve price",
      })),
    ];
    return { match, surplus, parties } satisfies ProposedMatch;
  });
};

function supplier(role: PartyTerms["role"], orderId: bigint, reserve: bigint, payment: bigint) {
  return { role, orderId, reserve, disagreement: reserve, weight: 1, payment };
}

function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}
