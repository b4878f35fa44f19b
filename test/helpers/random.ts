// Seeded randomness for test data and invariant campaigns: the same seed gives the same sequence
// on every machine, so a failing seed replays exactly. Not for anything secret.

/**
 * mulberry32: a small, fast 32-bit generator, uniform in [0, 1).
 * @example const next = mulberry32(7); next(); // 0.0643…, the same on every run
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
