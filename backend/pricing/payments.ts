// Dividing a bundle's budget into whole payments (docs/pricing.md, "Nash bargaining"): the most the
// suppliers can be paid once the platform fee is on top (maxTotal), the bargain within each
// supplier's reserve and core cap (bargainInCore), and whole base units the contract accepts
// (roundPayments).
//
// Rounding: each supplier gets ⌊uᵢ⌋, and the base units left to reach round(Σ uᵢ) go one each to
// the largest fractional parts below their caps. Every payment stays ≥ its reserve (uᵢ ≥ reserve, an
// integer) and ≤ its cap, the payments sum exactly to the bundle's total T, and T ≤ V keeps
// payments + fee within the bid's limit.
import { nashBargain } from "./nash.ts";

/** The largest total T of suppliers' payments with T + ⌊T·feeBps/10⁴⌋ ≤ value. */
export function maxTotal(value: bigint, feeBps: number): bigint {
  let total = (value * 10_000n) / BigInt(10_000 + feeBps);
  while (total + 1n + ((total + 1n) * BigInt(feeBps)) / 10_000n <= value) total++;
  return total;
}

/**
 * Whole payments from real utilities: ⌊uᵢ⌋ each, then one more base unit to the largest fractional
 * parts until the sum is round(Σ uᵢ), kept within [Σ reserves, budget] and each payment within
 * [reserveᵢ, capᵢ] (caps ≥ reserves; a payment at its cap takes no more units, so the sum falls
 * short of the target only by units the caps refuse). Each uᵢ ≥ reserveᵢ.
 */
export function roundPayments(
  utilities: readonly number[],
  reserves: readonly bigint[],
  budget: bigint,
  caps: readonly (bigint | undefined)[] = [],
): bigint[] {
  // One pass for the floors, their sum and Σ uᵢ (added in party order, as before), no per-party objects.
  const n = utilities.length;
  const payments = new Array<bigint>(n);
  const fracs = new Float64Array(n);
  const order: number[] = [];
  let floorSum = 0n;
  let utilitySum = 0;
  for (let i = 0; i < n; i++) {
    const u = utilities[i];
    const down = Math.floor(u);
    const f = BigInt(down);
    const cap = caps[i];
    const floor = f < reserves[i] ? reserves[i] : cap !== undefined && f > cap ? cap : f;
    payments[i] = floor;
    floorSum += floor;
    utilitySum += u;
    fracs[i] = u - down;
    order.push(i);
  }
  let target = BigInt(Math.round(utilitySum));
  if (target > budget) target = budget;
  if (target < floorSum) target = floorSum;
  // Largest fractional part first, ties in party order.
  order.sort((a, b) => fracs[b] - fracs[a] || a - b);
  // Σ fractional parts < n, so one unit each suffices; what a cap refuses stays with the buyer.
  let left = target - floorSum;
  for (const i of order) {
    if (left === 0n) break;
    const cap = caps[i];
    if (cap !== undefined && payments[i] >= cap) continue;
    payments[i]++;
    left--;
  }
  return payments;
}

/**
 * Weighted Nash bargaining with per-party minimums and core caps uᵢ ≤ capᵢ. Parties whose cap does
 * not exceed their disagreement value are paid their cap and sit out (see replacements.ts).
 * Undefined when no division gives every bargaining party more than its disagreement value.
 *
 * Under budget balance the coalition constraint Σ_{j≠i} u_j ≥ total − capᵢ is the same set as the
 * bound uᵢ ≤ capᵢ, so it goes to nashBargain as a bound: the exact water-filling regime. Stated as
 * coalitions, caps a few base units wide beside a surplus of billions stall nashBargain's
 * active-set method ("did not converge").
 */
export function bargainInCore(
  total: number,
  d: readonly number[],
  w: readonly number[],
  min: readonly (number | undefined)[],
  cap: readonly (number | undefined)[],
): number[] | undefined {
  // One pass over the parties (a quote bargains a few times per bundle): the pinned caps summed in
  // party order, as before, and the others' terms listed for nashBargain.
  let pinnedSum = 0;
  const free: number[] = [];
  const disagreement: number[] = [];
  const weights: number[] = [];
  const bounds: { min?: number; max?: number }[] = [];
  for (let i = 0; i < d.length; i++) {
    const c = cap[i];
    if (c !== undefined && c <= d[i]) {
      pinnedSum += c;
      continue;
    }
    free.push(i);
    disagreement.push(d[i]);
    weights.push(w[i]);
    bounds.push({ min: min[i], max: c });
  }
  const result = nashBargain({ total: total - pinnedSum, disagreement, weights, bounds });
  if (!result.agreed) return undefined;
  const utilities: number[] = [];
  for (let i = 0; i < cap.length; i++) utilities.push(cap[i] ?? 0);
  for (let k = 0; k < free.length; k++) utilities[free[k]] = result.utilities[k];
  return utilities;
}

/** ⌈a / b⌉ for non-negative bigints. */
export function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}
