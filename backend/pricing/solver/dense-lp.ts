// A dense two-phase simplex for the tiny LPs of the bargaining solver (a handful of parties and
// coalition rows). It must be synchronous and dependency-free because `nashBargain` is; HiGHS is
// asynchronous to load and reserved for clearing. Bland's rule makes degenerate pivots terminate.

export type LpRow = { coefficients: number[]; sense: "<=" | ">=" | "="; rhs: number };
export type LpProblem = { objective: number[]; rows: LpRow[] }; // maximise objective·z, z ≥ 0
export type LpSolution =
  | { status: "optimal"; z: number[]; value: number }
  | { status: "infeasible" }
  | { status: "unbounded" };

const EPS = 1e-11;

/** Maximises `objective·z` subject to `rows` and `z ≥ 0`. */
export function solveDenseLp(problem: LpProblem): LpSolution {
  const n = problem.objective.length;
  const rows = problem.rows.map((r) =>
    r.rhs < 0
      ? {
          coefficients: r.coefficients.map((c) => -c),
          sense: r.sense === "<=" ? ">=" : r.sense === ">=" ? "<=" : "=",
          rhs: -r.rhs,
        }
      : r,
  );
  const m = rows.length;
  const slackCount = rows.filter((r) => r.sense !== "=").length;
  const artificialCount = rows.filter((r) => r.sense !== "<=").length;
  const width = n + slackCount + artificialCount; // columns before the right-hand side
  const tableau: Float64Array[] = [];
  const basis = new Int32Array(m);
  let slack = n;
  let artificial = n + slackCount;
  for (let i = 0; i < m; i++) {
    const row = new Float64Array(width + 1);
    const r = rows[i];
    for (let j = 0; j < n; j++) row[j] = r.coefficients[j] ?? 0;
    row[width] = r.rhs;
    if (r.sense === "<=") {
      row[slack] = 1;
      basis[i] = slack++;
    } else {
      if (r.sense === ">=") row[slack++] = -1;
      row[artificial] = 1;
      basis[i] = artificial++;
    }
    tableau.push(row);
  }
  const firstArtificial = n + slackCount;

  if (artificialCount > 0) {
    const phase1 = new Float64Array(width);
    for (let j = firstArtificial; j < width; j++) phase1[j] = -1;
    const outcome = optimise(tableau, basis, phase1, width, width);
    if (outcome === "unbounded") return { status: "infeasible" }; // cannot happen: phase 1 is bounded
    const infeasibility = tableau.reduce((s, row, i) => s + (basis[i] >= firstArtificial ? row[width] : 0), 0);
    if (infeasibility > 1e-9 * (1 + Math.max(...rows.map((r) => Math.abs(r.rhs))))) return { status: "infeasible" };
    // Drive artificials out of the basis so phase 2 never moves them.
    for (let i = 0; i < m; i++) {
      if (basis[i] < firstArtificial) continue;
      let entering = -1;
      for (let j = 0; j < firstArtificial; j++) if (Math.abs(tableau[i][j]) > EPS) entering = j;
      if (entering >= 0) pivot(tableau, basis, i, entering, width);
    }
  }

  const objective = new Float64Array(width);
  for (let j = 0; j < n; j++) objective[j] = problem.objective[j];
  const outcome = optimise(tableau, basis, objective, width, firstArtificial);
  if (outcome === "unbounded") return { status: "unbounded" };
  const z = new Array<number>(n).fill(0);
  for (let i = 0; i < m; i++) if (basis[i] < n) z[basis[i]] = tableau[i][width];
  return { status: "optimal", z, value: z.reduce((s, v, j) => s + v * problem.objective[j], 0) };
}

function optimise(
  tableau: Float64Array[],
  basis: Int32Array,
  objective: Float64Array,
  width: number,
  allowed: number, // columns ≥ allowed may not enter
): "optimal" | "unbounded" {
  const m = tableau.length;
  for (let iteration = 0; iteration < 50_000; iteration++) {
    // Bland: the lowest-index column with a positive reduced profit enters.
    let entering = -1;
    for (let j = 0; j < allowed && entering < 0; j++) {
      let reduced = objective[j];
      for (let i = 0; i < m; i++) reduced -= objective[basis[i]] * tableau[i][j];
      if (reduced > EPS) entering = j;
    }
    if (entering < 0) return "optimal";
    let leaving = -1;
    let best = Infinity;
    for (let i = 0; i < m; i++) {
      const a = tableau[i][entering];
      if (a <= EPS) continue;
      const ratio = tableau[i][width] / a;
      if (ratio < best - EPS || (Math.abs(ratio - best) <= EPS && basis[i] < basis[leaving])) {
        best = ratio;
        leaving = i;
      }
    }
    if (leaving < 0) return "unbounded";
    pivot(tableau, basis, leaving, entering, width);
  }
  throw new Error("dense simplex did not terminate");
}

function pivot(tableau: Float64Array[], basis: Int32Array, r: number, c: number, width: number): void {
  const row = tableau[r];
  const p = row[c];
  for (let j = 0; j <= width; j++) row[j] /= p;
  for (let i = 0; i < tableau.length; i++) {
    if (i === r) continue;
    const f = tableau[i][c];
    if (f === 0) continue;
    const other = tableau[i];
    for (let j = 0; j <= width; j++) other[j] -= f * row[j];
  }
  basis[r] = c;
}
