// Exact integer arithmetic both clearers use to size a bundle's certificates, price it at its
// orders' reserves and decide whether it fits under the bid's all-in limit, with the contract's
// roundings (reserves up, energy needed and fee down). This is the clearers' own statement of the
// rules; feasibility.ts states them again independently for tests.
//
// Quantities and money are exact integers held in `number`s while they stay below 2⁵³ (far above
// any single bundle: 2⁵³ base units are 9 billion tokens); a result that would not be exact is NaN,
// which every comparison below treats as "does not fit". `reservePricedMatch` recomputes the final
// payments in bigint and re-checks the limit, so a bundle is never emitted on float arithmetic alone.

import type { Bid, ComputeOffer, EnergyOffer, Match } from "./pool-orders.ts";

/** ⌈a·b/c⌉ (up) or ⌊a·b/c⌋ for non-negative integers; NaN when not exactly representable. */
export function mulDiv(a: number, b: number, c: number, up: boolean): number {
  const product = a * b;
  // Below 2⁵³ the product is exact and the correctly rounded quotient sits closer to the true one
  // than the true one sits to any other integer, so ceil/floor of it are exact.
  if (Number.isSafeInteger(product)) return up ? Math.ceil(product / c) : Math.floor(product / c);
  if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b)) return NaN;
  const p = BigInt(a) * BigInt(b);
  const q = up ? (p + BigInt(c) - 1n) / BigInt(c) : p / BigInt(c);
  return q <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(q) : NaN;
}

/**
 * Certificate Wh a bundle of `vcuHours` must carry: at least `min` (the bid's minimum green share of
 * the energy needed, rounded up) and at most `max` (the energy needed, ⌊vcuHours × whPerVcuHour ×
 * pueMilli / 1000⌋, with milliWhPerVcuHour = whPerVcuHour × pueMilli). NaN: beyond exact arithmetic.
 */
export function greenRange(
  vcuHours: number,
  minGreenBps: number,
  milliWhPerVcuHour: number,
): { min: number; max: number } {
  const needed = mulDiv(vcuHours, milliWhPerVcuHour, 1000, false);
  return { min: mulDiv(needed, minGreenBps, 10_000, true), max: needed };
}

/** Smallest payment a bandwidth offer accepts for carrying `mbps` over `seconds`. */
export function linkReservePayment(mbps: number, seconds: number, pricePerMbpsHour: number): number {
  return mulDiv(pricePerMbpsHour * mbps, seconds, 3600, true);
}

/** Smallest payment an energy offer accepts for `wh`. */
export function energyReservePayment(pricePerKwh: number, wh: number): number {
  return mulDiv(pricePerKwh, wh, 1000, true);
}

/** Largest total T of suppliers' payments with T + ⌊T × feeBps / 10⁴⌋ ≤ limit × vcuHours. */
export function maxPayments(limitPricePerVcuHour: number, vcuHours: number, feeBps: number): number {
  const budget = limitPricePerVcuHour * vcuHours;
  if (!Number.isSafeInteger(budget)) return NaN;
  let total = mulDiv(budget, 10_000, 10_000 + feeBps, false);
  // The fee rounds down, so one or two more base units may still fit.
  while (total + 1 + mulDiv(total + 1, feeBps, 10_000, false) <= budget) total++;
  return total;
}

/**
 * The bundle priced at every order's reserve, energy lots in ascending offer id as the contract
 * wants, or undefined if in exact bigint arithmetic it would exceed the bid's all-in limit.
 */
export function reservePricedMatch(
  bid: Bid,
  compute: ComputeOffer,
  vcuHours: number,
  lots: readonly { offer: EnergyOffer; wh: number }[],
  link: { offerId: bigint; pricePerMbpsHour: bigint } | undefined,
  feeBps: number,
): Match | undefined {
  const q = BigInt(vcuHours);
  const energyLots = lots
    .filter((l) => l.wh > 0)
    .map((l) => ({
      offerId: l.offer.id,
      wh: BigInt(l.wh),
      payment: (l.offer.reservePricePerKwh * BigInt(l.wh) + 999n) / 1000n,
    }))
    .sort((a, b) => (a.offerId < b.offerId ? -1 : 1));
  const seconds = BigInt(bid.windowEnd - bid.windowStart);
  const bandwidthPayment =
    link === undefined ? 0n : (link.pricePerMbpsHour * bid.bandwidthMbps * seconds + 3599n) / 3600n;
  const match: Match = {
    bidId: bid.id,
    computeOfferId: compute.id,
    vcuHours: q,
    computePayment: compute.reservePricePerVcuHour * q,
    energyLots,
    bandwidthOfferId: link?.offerId ?? 0n,
    bandwidthPayment,
  };
  const total = match.computePayment + bandwidthPayment + energyLots.reduce((s, l) => s + l.payment, 0n);
  return total + (total * BigInt(feeBps)) / 10_000n <= bid.limitPricePerVcuHour * q ? match : undefined;
}
