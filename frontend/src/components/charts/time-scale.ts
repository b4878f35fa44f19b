import type uPlot from "uplot";

/**
 * A time axis that stays readable with one point: uPlot widens a zero-width range by orders of
 * magnitude (one trade drew an axis years wide), so a single instant gets an hour either side.
 */
export const timeScale: uPlot.Scale = {
  time: true,
  range: (_u, min, max) => (min === max ? [min - 3_600, max + 3_600] : [min, max]),
};
