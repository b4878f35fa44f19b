/**
 * `xs.map(f)` for the arrays a quote hands from one pricing function to the next, built so that
 * every such array has one elements kind whichever tier of V8 runs the caller.
 *
 * Array.prototype.map's builtin (interpreter, Maglev) returns a PACKED array, but TurboFan inlines
 * `map` and allocates its result HOLEY, and an empty result is PACKED_SMI while a filled one is
 * PACKED_ELEMENTS. So once the function calling `map` is optimised, the functions reading its
 * result meet array maps their own optimised code has never seen and deoptimise ("wrong map"),
 * then recompile on V8's helper threads; on the API bench's 1,200 bodies that came in waves
 * for the first ~10,000 quotes in a loop and ~40,000 in a server (docs/architecture.md, "Quotes per
 * process"). Pushing onto one array literal gives PACKED in every tier, and the literal's
 * allocation site keeps the elements kind its arrays have needed so far, so empty results start
 * with the filled ones' kind.
 */
export function mapPacked<T, U>(xs: readonly T[], f: (x: T, i: number) => U): U[] {
  const out: U[] = [];
  for (let i = 0; i < xs.length; i++) out.push(f(xs[i], i));
  return out;
}
