// Weighted Nash bargaining (docs/pricing.md, "Nash bargaining"): the division u of a value V among
// parties that maximises Σ wᵢ·ln(uᵢ − dᵢ) subject to Σ uᵢ = V, per-party bounds and coalition (core)
// constraints.
//
// Work happens in gains xᵢ = (uᵢ − dᵢ)/S with S = V − Σ dᵢ, so the budget is Σ xᵢ = 1 and the
// accuracy is relative to the surplus. Three regimes:
//   • no constraint: the closed form xᵢ = wᵢ/Σw;
//   • bounds only: the exact KKT point xᵢ = clamp(wᵢ/λ, loᵢ, hiᵢ), with λ found on the sorted
//     breakpoints of that piecewise-hyperbolic sum (water-filling), no iteration;
//   • coalitions: a phase-1 LP (max-min gain) proves or refutes that some division gives everyone
//     strictly more than dᵢ and yields a feasible start; a primal active-set method with Newton
//     steps on the working set's null space then converges quadratically to the unique optimum
//     (the objective is strictly concave in x > 0).

import { addIfIndependent, solveDense } from "./solver/dense-linear.ts";
import { type LpRow, solveDenseLp } from "./solver/dense-lp.ts";

export type BargainInput = {
  total: number; // value V to divide among the parties
  disagreement: number[]; // d_i, one per party
  weights?: number[]; // bargaining power w_i > 0, default 1 each
  bounds?: { min?: number; max?: number }[]; // per-party bounds on u_i
  coalitions?: { members: number[]; atLeast: number }[]; // Σ_{i∈S} u_i ≥ v(S) (core constraints)
};

export type BargainResult = { agreed: true; utilities: number[] } | { agreed: false; reason: string };

/**
 * Splits `total` among the parties by the weighted Nash bargaining solution.
 *
 * Malformed input (wrong lengths, non-finite numbers, non-positive weights, bad coalition members)
 * throws a `RangeError` naming the field; an input whose constraints leave no division that gives
 * every party strictly more than its disagreement value returns `agreed: false` with the reason.
 *
 * @example
 * nashBargain({ total: 10, disagreement: [1, 3], weights: [1, 3] });
 * // → { agreed: true, utilities: [2.5, 7.5] }   (gains 1.5 : 4.5 = 1 : 3)
 */
export function nashBargain(input: BargainInput): BargainResult {
  const n = validate(input);
  const d = input.disagreement;
  const w = input.weights ?? new Array<number>(n).fill(1);
  // Loops rather than reduce/map/spread: a quote bargains a few times per bundle (same sums, same order).
  let dSum = 0;
  let scale = Math.max(Math.abs(input.total), 1e-300);
  for (let i = 0; i < n; i++) {
    dSum += d[i];
    scale = Math.max(scale, Math.abs(d[i]));
  }
  const surplus = input.total - dSum;
  if (!(surplus > 1e-13 * scale)) {
    return { agreed: false, reason: `total ${input.total} does not exceed the sum of disagreement values ${dSum}` };
  }

  const lo = new Array<number>(n).fill(-Infinity);
  const hi = new Array<number>(n).fill(Infinity);
  for (let i = 0; i < n; i++) {
    const b = input.bounds?.[i];
    if (b?.min !== undefined) lo[i] = (b.min - d[i]) / surplus;
    if (b?.max !== undefined) hi[i] = (b.max - d[i]) / surplus;
    if (lo[i] > hi[i]) return { agreed: false, reason: `party ${i}: min ${b?.min} exceeds max ${b?.max}` };
    if (!(hi[i] > 0))
      return { agreed: false, reason: `party ${i}: max ${b?.max} does not exceed its disagreement value ${d[i]}` };
  }

  const coalitionRows: { members: number[]; need: number }[] = [];
  for (const c of input.coalitions ?? []) {
    const need = (c.atLeast - c.members.reduce((s, i) => s + d[i], 0)) / surplus;
    if (need > 0) coalitionRows.push({ members: c.members, need }); // else implied by every gain > 0
  }

  const gains = coalitionRows.length === 0 ? waterFill(w, lo, hi) : activeSet(w, lo, hi, coalitionRows);
  if (typeof gains === "string") return { agreed: false, reason: gains };
  // gains is a new array: turned into utilities in place.
  for (let i = 0; i < n; i++) gains[i] = d[i] + surplus * gains[i];
  return { agreed: true, utilities: gains };
}

function validate(input: BargainInput): number {
  // Field names are built only for the message of a failure: a quote bargains thousands of times a second.
  const finite = (v: unknown, field: () => string) => {
    if (typeof v !== "number" || !Number.isFinite(v)) throw new RangeError(`${field()} must be a finite number`);
  };
  finite(input.total, () => "total");
  if (!Array.isArray(input.disagreement) || input.disagreement.length === 0) {
    throw new RangeError("disagreement must list at least one party");
  }
  const n = input.disagreement.length;
  for (let i = 0; i < n; i++) finite(input.disagreement[i], () => `disagreement[${i}]`);
  if (input.weights !== undefined) {
    if (input.weights.length !== n) throw new RangeError(`weights must have ${n} entries`);
    for (let i = 0; i < n; i++) {
      const v = input.weights[i];
      finite(v, () => `weights[${i}]`);
      if (v <= 0) throw new RangeError(`weights[${i}] must be positive`);
    }
  }
  if (input.bounds !== undefined) {
    if (input.bounds.length !== n) throw new RangeError(`bounds must have ${n} entries`);
    for (let i = 0; i < n; i++) {
      const b = input.bounds[i];
      if (b?.min !== undefined) finite(b.min, () => `bounds[${i}].min`);
      if (b?.max !== undefined) finite(b.max, () => `bounds[${i}].max`);
    }
  }
  input.coalitions?.forEach((c, k) => {
    finite(c.atLeast, () => `coalitions[${k}].atLeast`);
    if (!Array.isArray(c.members) || c.members.length === 0) {
      throw new RangeError(`coalitions[${k}].members must name at least one party`);
    }
    const seen = new Set<number>();
    for (const i of c.members) {
      if (!Number.isInteger(i) || i < 0 || i >= n)
        throw new RangeError(`coalitions[${k}].members: ${i} is not a party`);
      if (seen.has(i)) throw new RangeError(`coalitions[${k}].members: party ${i} listed twice`);
      seen.add(i);
    }
  });
  return n;
}

const NO_ROOM =
  "the bounds and coalition constraints leave no division that gives every party more than its disagreement value";

/** waterFill's breakpoints, reused from call to call (filled and sorted within one call). */
let breakpoints = new Float64Array(16);

/** Exact solution with bounds only: xᵢ = clamp(wᵢ/λ, loᵢ, hiᵢ) with Σ xᵢ = 1. */
function waterFill(w: number[], lo: number[], hi: number[]): number[] | string {
  const n = w.length;
  let floorSum = 0;
  for (let i = 0; i < n; i++) floorSum += Math.max(lo[i], 0);
  if (floorSum >= 1 - 1e-12) {
    // Only the minimums themselves remain, and only if each lies strictly above its disagreement value.
    if (floorSum <= 1 + 1e-12 && lo.every((l) => l > 0)) return lo.map((l) => l / floorSum);
    return NO_ROOM;
  }
  let hiSum = 0;
  for (let i = 0; i < n; i++) hiSum += hi[i];
  if (hiSum < 1 - 1e-12) return "the maximums cannot absorb the whole total";

  // Σ over the parties at a bound, and the weight of the free ones, at λ (set by `at`).
  let fixed = 0;
  let freeWeight = 0;
  const at = (lambda: number) => {
    fixed = 0;
    freeWeight = 0;
    for (let i = 0; i < n; i++) {
      const x = w[i] / lambda;
      if (x <= lo[i]) fixed += lo[i];
      else if (x >= hi[i]) fixed += hi[i];
      else freeWeight += w[i];
    }
  };
  // Σ clamp(wᵢ/λ) falls as λ rises; between breakpoints each party is either free or at a bound.
  // Sorted natively (ascending, as by a − b): a breakpoint listed twice is met twice with the same sum,
  // which changes nothing, so no set is needed.
  if (breakpoints.length < 2 * n) breakpoints = new Float64Array(4 * n);
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (lo[i] > 0) breakpoints[count++] = w[i] / lo[i];
    if (Number.isFinite(hi[i])) breakpoints[count++] = w[i] / hi[i];
  }
  const sorted = breakpoints.subarray(0, count).sort();
  let left = 0;
  let right = Infinity;
  for (let k = 0; k < count; k++) {
    const b = sorted[k];
    at(b);
    if (fixed + freeWeight / b > 1) left = b;
    else {
      right = b;
      break;
    }
  }
  const probe = right === Infinity ? (left === 0 ? 1 : 2 * left) : left === 0 ? right / 2 : (left + right) / 2;
  at(probe);
  // With no free party the sum is flat on the segment, so it meets 1 at its right end.
  const lambda = freeWeight === 0 ? right : freeWeight / (1 - fixed);
  const x: number[] = [];
  for (let i = 0; i < n; i++) x.push(Math.min(hi[i], Math.max(lo[i], w[i] / lambda)));
  return x;
}

type Row = { a: number[]; b: number }; // a·x ≥ b

/** Moves x onto a·x = b for every given row (least change), undoing drift from rounding. */
function project(x: number[], active: Row[]): void {
  const residual = active.map((r) => r.b - r.a.reduce((s, ai, i) => s + ai * x[i], 0));
  const gram = active.map((r) => active.map((q) => r.a.reduce((s, ai, i) => s + ai * q.a[i], 0)));
  const y = solveDense(gram, residual);
  if (y === undefined) return;
  for (let i = 0; i < x.length; i++) x[i] += active.reduce((s, r, k) => s + r.a[i] * y[k], 0);
}

/** Primal active-set method with Newton steps for max Σ wᵢ ln xᵢ s.t. Σx = 1, rows. */
function activeSet(
  w: number[],
  lo: number[],
  hi: number[],
  coalitions: { members: number[]; need: number }[],
): number[] | string {
  const n = w.length;
  const rows: Row[] = [];
  const unit = (i: number, sign: number) => Array.from({ length: n }, (_, j) => (j === i ? sign : 0));
  for (let i = 0; i < n; i++) {
    if (lo[i] > 0) rows.push({ a: unit(i, 1), b: lo[i] });
    if (Number.isFinite(hi[i])) rows.push({ a: unit(i, -1), b: -hi[i] });
  }
  for (const c of coalitions) {
    const a = new Array<number>(n).fill(0);
    for (const i of c.members) a[i] = 1;
    rows.push({ a, b: c.need });
  }

  // Phase 1: the largest t such that every gain is ≥ t. Agreement needs t > 0.
  const lpRows: LpRow[] = [];
  for (let i = 0; i < n; i++) lpRows.push({ coefficients: [...unit(i, 1), -1], sense: ">=", rhs: 0 });
  lpRows.push({ coefficients: [...new Array<number>(n).fill(1), 0], sense: "=", rhs: 1 });
  for (const r of rows) lpRows.push({ coefficients: [...r.a, 0], sense: ">=", rhs: r.b });
  const phase1 = solveDenseLp({ objective: [...new Array<number>(n).fill(0), 1], rows: lpRows });
  if (phase1.status !== "optimal" || phase1.z[n] <= 1e-10) return NO_ROOM;
  const x = phase1.z.slice(0, n);

  const slackOf = (r: Row) => r.a.reduce((s, ai, i) => s + ai * x[i], 0) - r.b;
  const working: number[] = [];
  const basis: number[][] = [];
  addIfIndependent(basis, new Array<number>(n).fill(1));
  rows.forEach((r, j) => {
    if (Math.abs(slackOf(r)) <= 1e-12 && addIfIndependent(basis, r.a)) working.push(j);
  });

  const weightSum = w.reduce((s, v) => s + v, 0);
  const objective = (y: number[]) => y.reduce((s, yi, i) => s + w[i] * Math.log(yi), 0);
  // The row just released: the next Newton step leaves it (its multiplier had the wrong sign), so
  // letting it block that step, on a rate that only rounding makes negative, would cycle forever.
  let released = -1;
  for (let iteration = 0; iteration < 1000; iteration++) {
    const g = x.map((xi, i) => w[i] / xi);
    const M = [new Array<number>(n).fill(1), ...working.map((j) => rows[j].a)];
    // Newton step on the working set's null space Z (orthonormal, from the 0/±1 rows themselves):
    // p = Z (Zᵀ H Z)⁻¹ Zᵀ g with H = diag(w/x²). Eliminating through the multipliers instead, with
    // K = M H⁻¹ Mᵀ, loses every digit once some gains are 1e-5 of others (rows of K become nearly
    // equal), and the iteration then stalls short of its own stopping test.
    const rowBasis: number[][] = [];
    for (const row of M) addIfIndependent(rowBasis, row);
    const Z: number[][] = [];
    for (let i = 0; i < n && rowBasis.length + Z.length < n; i++) {
      const e = unit(i, 1);
      // Project out the row space first so that only null-space directions can enter Z.
      for (const q of rowBasis) {
        const dot = q[i];
        for (let k = 0; k < n; k++) e[k] -= dot * q[k];
      }
      addIfIndependent(Z, e, 1e-6);
    }
    // Exact entries of Z are ratios of small integers (the rows are 0/±1), so anything near 0 is
    // rounding. Left in, it multiplies gradients wᵢ/xᵢ of 1e10 for tiny gains and swamps the true
    // reduced gradient, stopping the method short of the optimum.
    for (const z of Z) for (let i = 0; i < n; i++) if (Math.abs(z[i]) < 1e-12) z[i] = 0;
    let p = x.map(() => 0);
    if (Z.length > 0) {
      const reducedHessian = Z.map((zi) =>
        Z.map((zk) => zi.reduce((s, v, i) => s + v * (w[i] / (x[i] * x[i])) * zk[i], 0)),
      );
      const reducedGradient = Z.map((zi) => zi.reduce((s, v, i) => s + v * g[i], 0));
      const t = solveDense(reducedHessian, reducedGradient);
      if (t !== undefined) p = x.map((_, i) => Z.reduce((s, zk, k) => s + zk[i] * t[k], 0));
    }
    // Multipliers of g = Mᵀλ by least squares; M's rows are 0/±1 and independent, so MMᵀ is well conditioned.
    const lambda =
      solveDense(
        M.map((mi) => M.map((mk) => mi.reduce((s, v, i) => s + v * mk[i], 0))),
        M.map((mi) => mi.reduce((s, v, i) => s + v * g[i], 0)),
      ) ?? M.map(() => 0);
    const dInv = x.map((xi, i) => (xi * xi) / w[i]);
    const relativeStep = Math.max(...p.map((pi, i) => Math.abs(pi) / x[i]));

    // Newton converges quadratically: once a step is this small the next would be below rounding,
    // and x is at the optimum of the working set to far better than 1e-6.
    if (relativeStep < 1e-9) {
      // Stationary on the working set: release the constraint whose multiplier has the wrong sign.
      let release = -1;
      // Multipliers carry the rounding of g, which is wᵢ/xᵢ and so huge for tiny gains.
      let worst = Math.max(1e-10 * weightSum, 1e-13 * Math.max(...g));
      for (let k = 1; k < M.length; k++) {
        if (lambda[k] > worst) {
          worst = lambda[k];
          release = k - 1;
        }
      }
      if (release < 0) return x;
      released = working[release];
      working.splice(release, 1);
      continue;
    }

    let blockStep = Infinity;
    let blocking = -1;
    const stepNorm = Math.hypot(...p);
    const span: number[][] = [];
    for (const row of M) addIfIndependent(span, row);
    rows.forEach((r, j) => {
      if (working.includes(j) || j === released) return;
      const rate = r.a.reduce((s, ai, i) => s + ai * p[i], 0);
      // A row (nearly) in the span of the working set does not move along p: it cannot block, and
      // adding it would make the working set singular.
      if (rate >= -1e-12 * stepNorm * Math.hypot(...r.a) || !addIfIndependent([...span], r.a)) return;
      const room = Math.max(0, slackOf(r)) / -rate;
      if (room < blockStep) {
        blockStep = room;
        blocking = j;
      }
    });
    // Damped Newton along p (backtracking from the full step, kept inside the logarithm's domain),
    // then cut short where a constraint blocks. The objective is concave along p and rises at 0, so
    // any shorter step than an accepted one also improves it.
    let alpha = 1;
    for (let i = 0; i < n; i++) if (p[i] < 0) alpha = Math.min(alpha, (0.99 * x[i]) / -p[i]);
    const decrement = p.reduce((s, pi, i) => s + (pi * pi) / dInv[i], 0);
    const base = objective(x);
    // Near the optimum the gain is below the objective's rounding, so Armijo would stall: the full
    // Newton step is safe there (quadratic convergence).
    if (decrement > 1e-12 * weightSum) {
      while (alpha > 1e-16 && objective(x.map((xi, i) => xi + alpha * p[i])) < base + 1e-4 * alpha * decrement)
        alpha /= 2;
    }
    const blocked = blockStep <= alpha;
    if (blocked) alpha = blockStep;
    for (let i = 0; i < n; i++) x[i] += alpha * p[i];
    released = -1;
    if (blocked) working.push(blocking);
    project(x, [{ a: new Array<number>(n).fill(1), b: 1 }, ...working.map((j) => rows[j])]);
  }
  throw new Error("nashBargain: active-set method did not converge");
}
