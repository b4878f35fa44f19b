// The arrays a quote hands between pricing functions keep one elements kind whichever tier of V8
// runs the function that built them (backend/pricing/packed.ts): optimised code that has seen only
// one array map deoptimises ("wrong map") when another turns up. V8's own checks (%-natives), turned
// on for the functions compiled here.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setFlagsFromString } from "node:v8";

import { mapPacked } from "../../../backend/pricing/packed.ts";
import { fromScheduledMatch, toScheduledMatch } from "../../../backend/pricing/scheduling.ts";
import { validMatch } from "./fixtures/orders.ts";

setFlagsFromString("--allow-natives-syntax");
const native = (...source: string[]) => new Function(...source) as (...xs: unknown[]) => unknown;
const isHoley = native("a", "return %HasHoleyElements(a)") as (a: unknown) => boolean;
const sameMap = native("a", "b", "return %HaveSameMap(a, b)") as (a: unknown, b: unknown) => boolean;
const prepare = native("f", "%PrepareFunctionForOptimization(f)");
const optimiseNext = native("f", "%OptimizeFunctionOnNextCall(f)");
// V8's OptimizationStatus: bit 6 is "TurboFanned".
const isTurbofanned = native("f", "return (%GetOptimizationStatus(f) & 64) !== 0") as (f: unknown) => boolean;

/** `f` run by the interpreter, then by TurboFan: the two results. */
function interpretedThenOptimised<T>(f: () => T, optimise: unknown = f): [T, T] {
  prepare(optimise);
  const interpreted = f();
  // Enough calls for V8 to give the callees feedback vectors (it allocates them lazily).
  for (let i = 0; i < 20; i++) f();
  optimiseNext(optimise);
  const optimised = f();
  assert.ok(isTurbofanned(optimise), "the function under test was not optimised by TurboFan");
  return [interpreted, optimised];
}

describe("mapPacked", () => {
  it("maps like Array.prototype.map", () => {
    assert.deepEqual(
      mapPacked([3, 4, 5], (x, i) => x * 10 + i),
      [30, 41, 52],
    );
    assert.deepEqual(
      mapPacked([], () => 1),
      [],
    );
  });

  it("returns a packed array of one map from interpreted and from optimised code", () => {
    const lots = [{ wh: 1n }, { wh: 2n }];
    const copy = () => mapPacked(lots, (l) => ({ ...l }));
    const [interpreted, optimised] = interpretedThenOptimised(copy);
    assert.equal(isHoley(interpreted), false);
    assert.equal(isHoley(optimised), false);
    assert.ok(sameMap(interpreted, optimised));
  });

  it("gives an empty result the map of a filled one", () => {
    const filled = mapPacked([{ wh: 1n }], (l) => l);
    const empty = mapPacked([] as { wh: bigint }[], (l) => l);
    assert.ok(sameMap(filled, empty));
  });
});

describe("a match from the scheduler", () => {
  it("has energy lots of one array map whether fromScheduledMatch is interpreted or optimised", () => {
    const scheduled = toScheduledMatch(validMatch());
    const [interpreted, optimised] = interpretedThenOptimised(() => fromScheduledMatch(scheduled), fromScheduledMatch);
    assert.deepEqual(optimised, interpreted);
    assert.equal(isHoley(optimised.energyLots), false);
    assert.ok(sameMap(interpreted.energyLots, optimised.energyLots));
  });
});
