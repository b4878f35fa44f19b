// HiGHS (WebAssembly) behind a small sparse-model builder: the exact scheduler (exact.ts) states its
// mixed-integer program row by row here and reads back the solution, HiGHS's proven bound and
// whether the optimum was reached within the time limit.

import loadHighs from "highs";

// The package ships one declaration file for its CommonJS and ES builds; under NodeNext the
// compiler reads it as CommonJS, while Node loads the ES build whose default export is the loader.
const highs = await (loadHighs as unknown as typeof loadHighs.default)();

/** Builds a sparse model row by row. */
export class ModelBuilder {
  readonly colCost: number[] = [];
  readonly colLower: number[] = [];
  readonly colUpper: number[] = [];
  readonly integer: number[] = [];
  readonly rowLower: number[] = [];
  readonly rowUpper: number[] = [];
  readonly starts: number[] = [0];
  readonly indices: number[] = [];
  readonly values: number[] = [];

  column(cost: number, lower: number, upper: number, integer: boolean): number {
    this.colCost.push(cost);
    this.colLower.push(lower);
    this.colUpper.push(upper);
    this.integer.push(integer ? 1 : 0);
    return this.colCost.length - 1;
  }

  /** Adds a row and returns its index (-1 for an empty row, which is not added). */
  row(entries: readonly [number, number][], lower: number, upper: number): number {
    if (entries.length === 0) return -1;
    for (const [col, value] of entries) {
      this.indices.push(col);
      this.values.push(value);
    }
    this.starts.push(this.indices.length);
    this.rowLower.push(lower);
    this.rowUpper.push(upper);
    return this.rowUpper.length - 1;
  }

  /** Solves the model; `colCost` replaces the objective (same columns) without rebuilding it. */
  solve(timeLimitSeconds: number, integral: boolean, mipGap = 1e-6, colCost: readonly number[] = this.colCost) {
    const numCols = this.colCost.length;
    const numRows = this.rowLower.length;
    const model = highs.createModel({
      numCols,
      numRows,
      sense: highs.constants.objectiveSense.maximize,
      colCost,
      colLower: this.colLower,
      colUpper: this.colUpper,
      rowLower: this.rowLower,
      rowUpper: this.rowUpper,
      matrix: { format: "csr", numRows, numCols, starts: this.starts, indices: this.indices, values: this.values },
      ...(integral
        ? {
            integrality: this.integer.map((i) =>
              i === 1 ? highs.constants.variableType.integer : highs.constants.variableType.continuous,
            ),
          }
        : {}),
    });
    try {
      model.options.set({ output_flag: false, time_limit: timeLimitSeconds, mip_rel_gap: mipGap });
      model.run();
      const status = model.getModelStatus();
      const optimal = status === highs.constants.modelStatus.optimal;
      const hasSolution = Number(model.info.get("primal_solution_status")) === 2;
      const solution = hasSolution ? model.getSolution() : undefined;
      const bound = integral ? Number(model.info.get("mip_dual_bound")) : model.getObjectiveValue();
      return {
        optimal,
        values: hasSolution ? solution?.colValue : undefined,
        rowValues: hasSolution ? solution?.rowValue : undefined,
        rowDuals: hasSolution && !integral ? solution?.rowDual : undefined,
        objective: hasSolution ? model.getObjectiveValue() : undefined,
        bound: optimal && !integral ? model.getObjectiveValue() : bound,
      };
    } finally {
      model.dispose();
    }
  }
}
