import type uPlot from "uplot";
import { describe, expect, it } from "vitest";

import { timeScale } from "../../frontend/src/components/charts/time-scale.ts";

const range = timeScale.range as (u: uPlot, min: number, max: number, key: string) => [number, number];

describe("time axis", () => {
  it("gives a single instant an hour either side instead of uPlot's years-wide default", () => {
    expect(range({} as uPlot, 1_800_000_000, 1_800_000_000, "x")).toEqual([1_799_996_400, 1_800_003_600]);
  });

  it("keeps the data's own range otherwise", () => {
    expect(range({} as uPlot, 1_800_000_000, 1_800_086_400, "x")).toEqual([1_800_000_000, 1_800_086_400]);
  });
});
