// Exact integer arithmetic for the schedulers' certificate sizing (place.ts), with the contract's
// roundings: ⌈a·b/c⌉ or ⌊a·b/c⌋ on integers held in `number`s while they stay below 2⁵³ (far above
// any single match: 2⁵³ base units are 9 billion tokens); a result that would not be exact is NaN,
// which every comparison treats as "does not fit".

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
