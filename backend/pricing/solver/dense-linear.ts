// Small dense linear algebra for the bargaining solver's Newton steps (systems of a few rows).

/** Solves `K y = r` by Gaussian elimination with partial pivoting; undefined when K is singular. */
export function solveDense(K: number[][], r: number[]): number[] | undefined {
  const n = r.length;
  const a = K.map((row, i) => [...row, r[i]]);
  let scale = 0;
  for (const row of K) for (const v of row) scale = Math.max(scale, Math.abs(v));
  for (let col = 0; col < n; col++) {
    let pivotRow = col;
    for (let i = col + 1; i < n; i++) if (Math.abs(a[i][col]) > Math.abs(a[pivotRow][col])) pivotRow = i;
    if (Math.abs(a[pivotRow][col]) <= 1e-14 * scale) return undefined;
    [a[col], a[pivotRow]] = [a[pivotRow], a[col]];
    for (let i = col + 1; i < n; i++) {
      const f = a[i][col] / a[col][col];
      if (f === 0) continue;
      for (let j = col; j <= n; j++) a[i][j] -= f * a[col][j];
    }
  }
  const y = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let s = a[i][n];
    for (let j = i + 1; j < n; j++) s -= a[i][j] * y[j];
    y[i] = s / a[i][i];
  }
  return y;
}

/**
 * Whether `v` is linearly independent of `basis`, whose rows are kept orthonormal (Gram–Schmidt);
 * when it is, its normalised residual is appended to `basis`.
 */
export function addIfIndependent(basis: number[][], v: number[], tolerance = 1e-9): boolean {
  const residual = [...v];
  for (const q of basis) {
    const dot = q.reduce((s, qi, i) => s + qi * residual[i], 0);
    for (let i = 0; i < residual.length; i++) residual[i] -= dot * q[i];
  }
  const norm = Math.hypot(...residual);
  const vNorm = Math.hypot(...v);
  if (norm <= tolerance * Math.max(1, vNorm)) return false;
  basis.push(residual.map((x) => x / norm));
  return true;
}
