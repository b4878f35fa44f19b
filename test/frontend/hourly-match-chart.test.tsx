// The quote's and the deal's hourly chart labels its hours as the market trades them and the pages
// write them: whole UTC hours on a 24-hour clock, not uPlot's default of the browser's zone and "2pm".
import { render } from "@testing-library/react";
import type uPlot from "uplot";
import { describe, expect, it, vi } from "vitest";

import { HourlyMatchChart } from "../../frontend/src/components/charts/HourlyMatchChart.tsx";

type ChartOptions = Omit<uPlot.Options, "width" | "height">;
const drawn: { options?: ChartOptions } = {};
vi.mock("../../frontend/src/components/charts/UPlotChart.tsx", () => ({
  UPlotChart: ({ options, summary }: { options: ChartOptions; summary: string }) => {
    drawn.options = options;
    return <div role="img" aria-label={summary} />;
  },
  chartColor: () => "#888",
}));
vi.mock("uplot", () => ({
  default: {
    paths: { bars: () => () => null },
    tzDate: (date: Date, zone: string) => ({ date, zone }),
  },
}));

// 2026-12-06 11:00 UTC, then 12:00 … 13:00, 23:00 and the next day's 00:00.
const ELEVEN = Date.UTC(2026, 11, 6, 11) / 1000;
const hours = [0, 1, 2].map((i) => ({ start: ELEVEN + i * 3_600, needWh: 37_500n, greenWh: 20_000n }));

function chartOptions(): ChartOptions {
  drawn.options = undefined;
  render(<HourlyMatchChart hours={hours} summary="3 hours" />);
  const options = drawn.options as ChartOptions | undefined;
  if (options === undefined) throw new Error("the chart drew nothing");
  return options;
}

describe("hourly chart", () => {
  it("labels its hour axis on a 24-hour clock in UTC, the date on the first tick and each new day", () => {
    const axis = chartOptions().axes![0];
    const values = axis.values as (u: uPlot, splits: number[]) => string[];
    const splits = [ELEVEN + 2 * 3_600, ELEVEN + 12 * 3_600, ELEVEN + 13 * 3_600];
    expect(values({} as uPlot, splits)).toEqual(["13:00\nDec 6", "23:00", "00:00\nDec 7"]);
    expect(axis.incrs).toContain(3_600);
    expect((axis.incrs as number[]).every((step) => step % 3_600 === 0)).toBe(true);
  });

  it("ticks on UTC hours, whatever the browser's zone", () => {
    const tzDate = chartOptions().tzDate!;
    expect(tzDate(ELEVEN)).toEqual({ date: new Date(ELEVEN * 1000), zone: "Etc/UTC" });
  });

  it("names the hour a bar stands for in the legend, in UTC on a 24-hour clock", () => {
    const legend = chartOptions().series[0].value as (u: uPlot, v: number | null) => string;
    // The bar sits in the middle of its hour; the legend names the hour it starts.
    expect(legend({} as uPlot, ELEVEN + 2 * 3_600 + 1_800)).toBe("Dec 6, 2026, 13:00 UTC");
    expect(legend({} as uPlot, null)).toBe("—");
  });
});
