import { useMemo } from "react";
import { useTranslation } from "react-i18next";
import type uPlot from "uplot";

import { timeScale } from "./time-scale.ts";
import { chartColor, UPlotChart } from "./UPlotChart.tsx";

export type LineSeries = { label: string; values: (number | null)[]; color?: string };

type Props = {
  /** Unix seconds. */
  x: number[];
  series: LineSeries[];
  /** Formats y-axis ticks and the legend's values. */
  formatY?: (value: number) => string;
  summary: string;
  height?: number;
};

/** Time series (prices, volumes, shares) over chain time. */
export function LineChart({ x, series, formatY, summary, height }: Props) {
  const time = useTranslation().t("chart.time");
  // biome-ignore lint/correctness/useExhaustiveDependencies: the options depend on the series' labels and colours, not on their values
  const options = useMemo<Omit<uPlot.Options, "width" | "height">>(
    () => ({
      scales: { x: timeScale },
      axes: [
        { stroke: chartColor("muted"), grid: { stroke: chartColor("grid") } },
        {
          stroke: chartColor("muted"),
          grid: { stroke: chartColor("grid") },
          values: formatY ? (_u, ticks) => ticks.map(formatY) : undefined,
          size: 64,
        },
      ],
      series: [
        { label: time },
        ...series.map((s) => ({
          label: s.label,
          stroke: s.color ?? chartColor("accent"),
          width: 2,
          // A price holds between trades: quiet buckets join the line rather than break it.
          spanGaps: true,
          value: formatY ? (_u: uPlot, v: number | null) => (v == null ? "—" : formatY(v)) : undefined,
        })),
      ],
    }),
    // The series' labels and colours shape the chart; their values are data.
    [series.map((s) => `${s.label}|${s.color}`).join(","), formatY, time],
  );
  const data = useMemo(() => [x, ...series.map((s) => s.values)] as uPlot.AlignedData, [x, series]);
  return <UPlotChart options={options} data={data} summary={summary} height={height} />;
}
