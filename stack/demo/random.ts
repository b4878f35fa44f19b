// A seeded PRNG, so that a demo run is reproducible: the same seed and chain give the same market.
// mulberry32 is small, fast and plenty for a simulation (not for anything secret).

export type Random = {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [min, max]. */
  between(min: number, max: number): number;
  /** Integer uniform in [min, max]. */
  int(min: number, max: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
};

/** Mixes integers into one 32-bit seed (FNV-1a over their 32-bit words), e.g. (seed, deviceId, hour). */
export function mix(...parts: (number | bigint)[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    let v = BigInt.asUintN(64, BigInt(part));
    for (let i = 0; i < 2; i++) {
      h = Math.imul(h ^ Number(v & 0xffffffffn), 0x01000193) >>> 0;
      v >>= 32n;
    }
  }
  return h;
}

export function random(seed: number): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return {
    next,
    between: (min, max) => min + (max - min) * next(),
    int: (min, max) => min + Math.floor((max - min + 1) * next()),
    chance: (p) => next() < p,
    pick: (items) => items[Math.floor(items.length * next())],
  };
}
