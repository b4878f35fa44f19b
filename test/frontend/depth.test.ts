import { describe, expect, it } from "vitest";

import { depthSeries } from "../../frontend/src/components/charts/depth-series.ts";

describe("depth series", () => {
  it("accumulates bids leftwards and asks rightwards, each running on flat past its last level", () => {
    const [xs, bids, asks] = depthSeries(
      [
        { price: 9, quantity: 2 },
        { price: 8, quantity: 3 },
      ],
      [
        { price: 10, quantity: 4 },
        { price: 12, quantity: 1 },
      ],
    );
    // span 4 → margin 0.4 on each side
    expect(xs).toEqual([7.6, 8, 9, 10, 12, 12.4]);
    expect(bids).toEqual([5, 5, 2, null, null, null]);
    expect(asks).toEqual([null, null, null, 4, 5, 5]);
  });

  it("draws a single ask level as a step (two points), not one invisible point", () => {
    const [xs, bids, asks] = depthSeries([], [{ price: 1.5, quantity: 90 }]);
    expect(xs).toEqual([1.5, 1.65]);
    expect(asks).toEqual([90, 90]);
    expect(bids).toEqual([null, null]);
  });

  it("is empty for an empty book", () => {
    expect(depthSeries([], [])).toEqual([[], [], []]);
  });
});
