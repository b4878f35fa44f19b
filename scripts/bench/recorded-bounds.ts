// The best upper bounds on welfare known for the seeded 100k books of `npm run bench:clearing`
// (seed 1; docs/pricing.md): the block LP of the fixed book, the level steps' Lagrangian of the half
// flexible one. They take minutes to compute, so the quicker schedule benches read them from here.

const BOUNDS: Record<string, number> = { "100000/0/1": 2_229_110_000_000, "100000/0.5/1": 2_713_199_446_005 };

/** The recorded bound of a seeded book, or undefined where none is recorded. */
export function recordedBound(orders: number, flexibleShare: number, seed = 1): number | undefined {
  return BOUNDS[`${orders}/${flexibleShare}/${seed}`];
}
