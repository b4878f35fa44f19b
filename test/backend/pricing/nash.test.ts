import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { type BargainInput, nashBargain } from "../../../backend/pricing/nash.ts";

const RUNS = { numRuns: 200, seed: 20_260_101 };

function solve(input: BargainInput): number[] {
  const result = nashBargain(input);
  assert.ok(result.agreed, result.agreed ? "" : result.reason);
  return result.utilities;
}

const close = (a: number, b: number, scale: number, tol = 1e-9) =>
  Math.abs(a - b) <= tol * Math.max(1, Math.abs(scale));

/** Random parties: disagreement values, weights and a total that leaves a positive surplus. */
const parties = (min = 2, max = 6) =>
  fc.integer({ min, max }).chain((n) =>
    fc.record({
      disagreement: fc.array(fc.double({ min: -1000, max: 1000, noNaN: true }), { minLength: n, maxLength: n }),
      weights: fc.array(fc.double({ min: 0.05, max: 20, noNaN: true }), { minLength: n, maxLength: n }),
      surplus: fc.double({ min: 0.01, max: 1e6, noNaN: true }),
    }),
  );

/** Random bounds and coalitions around a known interior point, so an agreement always exists. */
const constrained = (n: number) =>
  fc
    .record({
      disagreement: fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: n, maxLength: n }),
      weights: fc.array(fc.double({ min: 0.1, max: 10, noNaN: true }), { minLength: n, maxLength: n }),
      gains: fc.array(fc.double({ min: 0.5, max: 50, noNaN: true }), { minLength: n, maxLength: n }),
      bounds: fc.array(
        fc.record({
          lo: fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
          hi: fc.option(fc.double({ min: 1, max: 3, noNaN: true })),
        }),
        { minLength: n, maxLength: n },
      ),
      coalitions: fc.array(
        fc.record({
          members: fc.subarray([...Array(n).keys()], { minLength: 1 }),
          tight: fc.double({ min: 0, max: 1.3, noNaN: true }),
        }),
        { maxLength: 4 },
      ),
    })
    .map(({ disagreement, weights, gains, bounds, coalitions }): BargainInput => {
      // A reference division u⁰ = d + gains; bounds scale it, coalitions demand up to 1.3 × their share
      // of it (so some bind, some do not), capped so that u⁰ itself stays feasible or nearly so.
      const u0 = disagreement.map((d, i) => d + gains[i]);
      const total = u0.reduce((s, v) => s + v, 0);
      return {
        total,
        disagreement,
        weights,
        bounds: bounds.map((b, i) => ({
          min: b.lo === null ? undefined : disagreement[i] + gains[i] * b.lo,
          max: b.hi === null ? undefined : disagreement[i] + gains[i] * b.hi,
        })),
        coalitions: coalitions.map((c) => ({
          members: c.members,
          atLeast: c.members.reduce((s, i) => s + disagreement[i] + gains[i] * Math.min(c.tight, 1), 0),
        })),
      };
    });

function objective(input: BargainInput, u: number[]): number {
  const w = input.weights ?? u.map(() => 1);
  return u.reduce((s, ui, i) => s + w[i] * Math.log(ui - input.disagreement[i]), 0);
}

function feasible(input: BargainInput, u: number[], tol: number): boolean {
  const scale = Math.max(1, Math.abs(input.total));
  if (Math.abs(u.reduce((s, v) => s + v, 0) - input.total) > tol * scale) return false;
  for (let i = 0; i < u.length; i++) {
    const b = input.bounds?.[i];
    if (b?.min !== undefined && u[i] < b.min - tol * scale) return false;
    if (b?.max !== undefined && u[i] > b.max + tol * scale) return false;
    if (!(u[i] > input.disagreement[i])) return false;
  }
  for (const c of input.coalitions ?? []) {
    if (c.members.reduce((s, i) => s + u[i], 0) < c.atLeast - tol * scale) return false;
  }
  return true;
}

/** KKT at u: feasible, and the gradient is ν·1 minus a non-negative combination of the active rows. */
function assertKkt(input: BargainInput, u: number[]): void {
  assert.ok(feasible(input, u, 1e-9));
  const n = u.length;
  const scale = Math.max(1, Math.abs(input.total));
  const g = u.map((ui, i) => input.weights![i] / (ui - input.disagreement[i]));
  // Active rows a·u ≥ b: minimum bounds (+eᵢ), maximum bounds (−eᵢ), coalitions (+1 on members).
  const active: number[][] = [];
  input.bounds!.forEach((b, i) => {
    const e = (s: number) => Array.from({ length: n }, (_, k) => (k === i ? s : 0));
    if (b.min !== undefined && Math.abs(u[i] - b.min) <= 1e-8 * scale) active.push(e(1));
    if (b.max !== undefined && Math.abs(u[i] - b.max) <= 1e-8 * scale) active.push(e(-1));
  });
  for (const c of input.coalitions!) {
    if (Math.abs(c.members.reduce((s, i) => s + u[i], 0) - c.atLeast) <= 1e-8 * scale) {
      active.push(Array.from({ length: n }, (_, k) => (c.members.includes(k) ? 1 : 0)));
    }
  }
  // Stationarity: g = ν·1 − Σ μⱼ aⱼ with μ ≥ 0 (projected gradient descent on the multipliers).
  const mu = active.map(() => 0);
  let nu = 0;
  const residual = () => g.map((gi, i) => gi - nu + active.reduce((s, a, j) => s + mu[j] * a[i], 0));
  for (let step = 0; step < 4000; step++) {
    const r = residual();
    nu += r.reduce((s, v) => s + v, 0) / n;
    const r2 = residual();
    active.forEach((a, j) => {
      const dot = a.reduce((s, ai, i) => s + ai * r2[i], 0);
      const norm = a.reduce((s, ai) => s + ai * ai, 0);
      mu[j] = Math.max(0, mu[j] - dot / norm / (active.length + 1));
    });
  }
  const gNorm = Math.hypot(...g);
  assert.ok(
    Math.hypot(...residual()) <= 1e-5 * gNorm,
    `stationarity residual ${Math.hypot(...residual())} vs ${gNorm}`,
  );
}

describe("nashBargain without constraints", () => {
  it("splits the surplus in proportion to the weights (closed form)", () => {
    assert.deepEqual(nashBargain({ total: 10, disagreement: [1, 3], weights: [1, 3] }), {
      agreed: true,
      utilities: [2.5, 7.5],
    });
    fc.assert(
      fc.property(parties(), ({ disagreement, weights, surplus }) => {
        const total = disagreement.reduce((s, v) => s + v, 0) + surplus;
        const u = solve({ total, disagreement, weights });
        const weightSum = weights.reduce((s, v) => s + v, 0);
        u.forEach((ui, i) => assert.ok(close(ui, disagreement[i] + (weights[i] / weightSum) * surplus, total, 1e-9)));
      }),
      RUNS,
    );
  });

  it("is Pareto efficient and individually rational", () => {
    fc.assert(
      fc.property(parties(), ({ disagreement, weights, surplus }) => {
        const total = disagreement.reduce((s, v) => s + v, 0) + surplus;
        const u = solve({ total, disagreement, weights });
        assert.ok(
          close(
            u.reduce((s, v) => s + v, 0),
            total,
            total + surplus,
            1e-12,
          ),
        );
        u.forEach((ui, i) => assert.ok(ui > disagreement[i]));
      }),
      RUNS,
    );
  });

  it("treats symmetric parties alike and follows a relabelling of the parties", () => {
    fc.assert(
      fc.property(parties(), fc.double({ min: -50, max: 50, noNaN: true }), ({ weights, surplus }, d) => {
        const n = weights.length;
        const u = solve({ total: n * d + surplus, disagreement: Array(n).fill(d) });
        u.forEach((ui) => assert.ok(close(ui, u[0], surplus, 1e-12)));
      }),
      RUNS,
    );
    fc.assert(
      fc.property(
        constrained(4),
        fc.constantFrom<number[]>([1, 0, 3, 2], [3, 2, 1, 0], [2, 3, 0, 1]),
        (input, perm) => {
          const u = solve(input);
          const inverse = perm.map((_, i) => perm.indexOf(i));
          const permuted = solve({
            total: input.total,
            disagreement: perm.map((i) => input.disagreement[i]),
            weights: perm.map((i) => input.weights![i]),
            bounds: perm.map((i) => input.bounds![i]),
            coalitions: input.coalitions!.map((c) => ({
              members: c.members.map((i) => inverse[i]),
              atLeast: c.atLeast,
            })),
          });
          perm.forEach((i, k) => assert.ok(close(permuted[k], u[i], input.total, 1e-7)));
        },
      ),
      { numRuns: 100, seed: 7 },
    );
  });

  it("rejects a total that does not exceed the disagreement values", () => {
    const result = nashBargain({ total: 5, disagreement: [2, 3] });
    assert.equal(result.agreed, false);
    assert.match(result.agreed ? "" : result.reason, /does not exceed/);
  });
});

describe("nashBargain with bounds and coalitions", () => {
  it("is invariant to positive affine rescaling of utilities", () => {
    fc.assert(
      fc.property(
        constrained(4),
        fc.double({ min: 0.01, max: 100, noNaN: true }),
        fc.array(fc.double({ min: -1000, max: 1000, noNaN: true }), { minLength: 4, maxLength: 4 }),
        (input, a, b) => {
          const u = solve(input);
          const map = (v: number, i: number) => a * v + b[i];
          const scaled = solve({
            total: a * input.total + b.reduce((s, v) => s + v, 0),
            disagreement: input.disagreement.map(map),
            weights: input.weights,
            bounds: input.bounds!.map((bd, i) => ({
              min: bd.min === undefined ? undefined : map(bd.min, i),
              max: bd.max === undefined ? undefined : map(bd.max, i),
            })),
            coalitions: input.coalitions!.map((c) => ({
              members: c.members,
              atLeast: a * c.atLeast + c.members.reduce((s, i) => s + b[i], 0),
            })),
          });
          const scale = Math.abs(a) * Math.max(...u.map((v, i) => Math.abs(v - input.disagreement[i]))) + 1;
          u.forEach((ui, i) =>
            assert.ok(Math.abs(scaled[i] - map(ui, i)) <= 1e-6 * scale * 1000, `${scaled[i]} vs ${map(ui, i)}`),
          );
        },
      ),
      { numRuns: 150, seed: 11 },
    );
  });

  it("ignores a constraint that is slack at the solution (independence of irrelevant alternatives)", () => {
    fc.assert(
      fc.property(
        constrained(5),
        fc.subarray([0, 1, 2, 3, 4], { minLength: 1 }),
        fc.double({ min: 1e-3, max: 10, noNaN: true }),
        (input, members, slack) => {
          const u = solve(input);
          const held = members.reduce((s, i) => s + u[i], 0);
          const gap = slack * Math.max(1e-3, ...members.map((i) => u[i] - input.disagreement[i]));
          const withCoalition = solve({
            ...input,
            coalitions: [...input.coalitions!, { members, atLeast: held - gap }],
          });
          const bounds = input.bounds!.map((b, i) =>
            i === members[0]
              ? { min: Math.max(b.min ?? -Infinity, u[i] - gap), max: Math.min(b.max ?? Infinity, u[i] + gap) }
              : b,
          );
          const withBound = solve({ ...input, bounds });
          u.forEach((ui, i) => {
            assert.ok(close(withCoalition[i], ui, input.total, 1e-7));
            assert.ok(close(withBound[i], ui, input.total, 1e-7));
          });
        },
      ),
      { numRuns: 150, seed: 13 },
    );
  });

  it("keeps gain ratios equal to weight ratios among parties no bound or coalition pins", () => {
    fc.assert(
      fc.property(constrained(5), (input) => {
        const u = solve(input);
        const scale = Math.max(1, Math.abs(input.total));
        const pinned = (i: number) => {
          const b = input.bounds![i];
          const atBound = [b.min, b.max].some((v) => v !== undefined && Math.abs(u[i] - v) <= 1e-7 * scale);
          const inTightCoalition = input.coalitions!.some(
            (c) =>
              c.members.includes(i) &&
              c.members.length < u.length &&
              Math.abs(c.members.reduce((s, k) => s + u[k], 0) - c.atLeast) <= 1e-7 * scale,
          );
          return atBound || inTightCoalition;
        };
        const free = u.map((_, i) => i).filter((i) => !pinned(i));
        for (const i of free) {
          for (const j of free) {
            const ratio = (u[i] - input.disagreement[i]) / (u[j] - input.disagreement[j]);
            assert.ok(
              Math.abs(ratio - input.weights![i] / input.weights![j]) <= 1e-6 * (input.weights![i] / input.weights![j]),
            );
          }
        }
      }),
      { numRuns: 200, seed: 17 },
    );
  });

  it("meets the KKT conditions: feasible, and the gradient is a non-negative combination of active constraints", () => {
    fc.assert(
      fc.property(constrained(5), (input) => {
        assertKkt(input, solve(input));
      }),
      { numRuns: 120, seed: 19 },
    );
  });

  it("agrees with a brute-force search over a fine grid (three parties)", () => {
    fc.assert(
      fc.property(constrained(3), (input) => {
        const u = solve(input);
        const best = objective(input, u);
        const d = input.disagreement;
        const surplus = input.total - d.reduce((s, v) => s + v, 0);
        // Grid over the gains of parties 0 and 1; party 2 takes the rest.
        let gridBest = -Infinity;
        let argBest: number[] = [];
        const steps = 300;
        for (let a = 1; a < steps; a++) {
          for (let b = 1; a + b < steps; b++) {
            const v = [d[0] + (surplus * a) / steps, d[1] + (surplus * b) / steps, 0];
            v[2] = input.total - v[0] - v[1];
            if (!feasible(input, v, 1e-12)) continue;
            const f = objective(input, v);
            if (f > gridBest) {
              gridBest = f;
              argBest = v;
            }
          }
        }
        if (argBest.length === 0) return; // the feasible set is thinner than the grid
        assert.ok(best >= gridBest - 1e-9, `solver ${best} < grid ${gridBest}`);
        // Strict concavity: the grid's best point lies near the solver's.
        argBest.forEach((v, i) => assert.ok(Math.abs(v - u[i]) <= (surplus * 6) / steps + 1e-9));
      }),
      { numRuns: 60, seed: 23 },
    );
  });

  it("gives the same answer through the active-set solver as through water-filling (1e-6)", () => {
    fc.assert(
      fc.property(constrained(6), (input) => {
        const direct = solve({ ...input, coalitions: [] });
        // Minimum bounds restated as one-party coalitions force the general solver.
        const general = solve({
          ...input,
          bounds: input.bounds!.map((b) => ({ max: b.max })),
          coalitions: input.bounds!.flatMap((b, i) => (b.min === undefined ? [] : [{ members: [i], atLeast: b.min }])),
        });
        const general2 = solve({ ...input, coalitions: [{ members: [0], atLeast: -1e12 }] });
        direct.forEach((v, i) => {
          assert.ok(close(general[i], v, input.total, 1e-6));
          assert.ok(close(general2[i], v, input.total, 1e-6));
        });
      }),
      { numRuns: 150, seed: 29 },
    );
  });

  it("says why when no division gives every party more than its disagreement value", () => {
    const minimums = nashBargain({ total: 10, disagreement: [0, 0], bounds: [{ min: 6 }, { min: 5 }] });
    assert.equal(minimums.agreed, false);
    const coalition = nashBargain({
      total: 10,
      disagreement: [0, 0, 0],
      coalitions: [{ members: [0, 1], atLeast: 10 }],
    });
    assert.equal(coalition.agreed, false);
    assert.match(coalition.agreed ? "" : coalition.reason, /no division/);
    const empty = nashBargain({ total: 10, disagreement: [0, 0], bounds: [{ min: 3, max: 2 }, {}] });
    assert.match(empty.agreed ? "" : empty.reason, /party 0/);
    const capped = nashBargain({ total: 10, disagreement: [0, 0], bounds: [{ max: 3 }, { max: 3 }] });
    assert.equal(capped.agreed, false);
    // Minimums that exactly exhaust the total leave one division, strictly above disagreement.
    assert.deepEqual(nashBargain({ total: 10, disagreement: [0, 0], bounds: [{ min: 6 }, { min: 4 }] }), {
      agreed: true,
      utilities: [6, 4],
    });
    const pinned = nashBargain({ total: 10, disagreement: [0, 0], bounds: [{ min: 6, max: 6 }, {}] });
    assert.deepEqual(pinned, { agreed: true, utilities: [6, 4] });
  });

  it("refuses malformed input with the field named", () => {
    assert.throws(() => nashBargain({ total: Number.NaN, disagreement: [0] }), /total/);
    assert.throws(() => nashBargain({ total: 1, disagreement: [] }), /disagreement/);
    assert.throws(() => nashBargain({ total: 1, disagreement: [0, 0], weights: [1, 0] }), /weights\[1\]/);
    assert.throws(() => nashBargain({ total: 1, disagreement: [0, 0], weights: [1] }), /weights/);
    assert.throws(() => nashBargain({ total: 1, disagreement: [0, 0], bounds: [{}] }), /bounds/);
    assert.throws(
      () => nashBargain({ total: 1, disagreement: [0, 0], coalitions: [{ members: [2], atLeast: 0 }] }),
      /coalitions\[0\]/,
    );
    assert.throws(
      () => nashBargain({ total: 1, disagreement: [0, 0], coalitions: [{ members: [0, 0], atLeast: 0 }] }),
      /twice/,
    );
  });

  it("solves large-scale values whose binding coalitions leave gains 1e-5 of the largest (regression)", () => {
    // Caps on parties 2 and 3 stated as coalitions of the others; this once stalled the active-set method.
    const base = { total: 8207377867, disagreement: [0, 2778300000, 33310990, 356400], weights: [1, 1, 0.5, 0.5] };
    const input: BargainInput = {
      ...base,
      bounds: [{}, { min: 4340999082 }, { min: 35738310 }, { min: 412800 }],
      coalitions: [
        { members: [0, 1, 3], atLeast: 8171345018 },
        { members: [0, 1, 2], atLeast: 8206792267 },
      ],
    };
    const u = solve(input);
    const capped = solve({
      ...base,
      bounds: [{}, { min: 4340999082 }, { min: 35738310, max: 36032849 }, { min: 412800, max: 585600 }],
    });
    assert.deepEqual(capped, [2696229709, 5474529709, 36032849, 585600]);
    u.forEach((ui, i) =>
      assert.ok(Math.abs(ui - capped[i]) <= 1e-6 * Math.abs(capped[i]), `party ${i}: ${ui} vs ${capped[i]}`),
    );
    assertKkt(input, u);
  });

  it("gives the same answer for caps stated as coalitions of the other parties, at scales 1e6..1e10", () => {
    const large = fc.integer({ min: 3, max: 6 }).chain((n) =>
      fc.record({
        disagreement: fc.array(fc.double({ min: 0, max: 1e10, noNaN: true }), { minLength: n, maxLength: n }),
        weights: fc.array(fc.double({ min: 0.1, max: 10, noNaN: true }), { minLength: n, maxLength: n }),
        gains: fc.array(fc.double({ min: 1e6, max: 1e10, noNaN: true }), { minLength: n, maxLength: n }),
        // Fraction of the reference gain a cap allows (tiny ones leave gains far below the others); null: uncapped.
        caps: fc.array(fc.option(fc.double({ min: 1e-5, max: 1.5, noNaN: true })), { minLength: n, maxLength: n }),
        floors: fc.array(fc.option(fc.double({ min: 0, max: 1, noNaN: true })), { minLength: n, maxLength: n }),
      }),
    );
    fc.assert(
      fc.property(large, ({ disagreement, weights, gains, caps, floors }) => {
        caps[0] = null; // someone must absorb what the caps leave over
        const total = disagreement.reduce((s, d, i) => s + d + gains[i], 0);
        const max = caps.map((c, i) => (c === null ? undefined : disagreement[i] + gains[i] * c));
        // Floors below both the reference point and the cap, so the reference point stays feasible.
        const min = floors.map((f, i) =>
          f === null ? undefined : disagreement[i] + gains[i] * f * Math.min(1, caps[i] ?? 1),
        );
        const byBounds = solve({
          total,
          disagreement,
          weights,
          bounds: min.map((lo, i) => ({ min: lo, max: max[i] })),
        });
        const coalitionInput: BargainInput = {
          total,
          disagreement,
          weights,
          bounds: min.map((lo) => ({ min: lo })),
          coalitions: max.flatMap((cap, i) =>
            cap === undefined
              ? []
              : [{ members: disagreement.map((_, k) => k).filter((k) => k !== i), atLeast: total - cap }],
          ),
        };
        const byCoalitions = solve(coalitionInput);
        byBounds.forEach((v, i) =>
          assert.ok(
            Math.abs(byCoalitions[i] - v) <= 1e-6 * Math.max(Math.abs(v), 1e-3 * total),
            `party ${i}: ${byCoalitions[i]} vs ${v}`,
          ),
        );
        // Parties held near their disagreement value must still gain accurately relative to their own gain.
        byBounds.forEach((v, i) => {
          const gain = v - disagreement[i];
          assert.ok(
            Math.abs(byCoalitions[i] - disagreement[i] - gain) <= 1e-6 * gain + 1e-12 * total,
            `party ${i} gain`,
          );
        });
      }),
      { numRuns: 200, seed: 31 },
    );
  });
});
