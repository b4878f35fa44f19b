import { useMemo } from "react";
import { useTranslation } from "react-i18next";
import uPlot from "uplot";

import { timeScale } from "./time-scale.ts";
import { chartColor, UPlotChart } from "./UPlotChart.tsx";

type Props = {
  /** Unix seconds of each bucket's start. */
  x: number[];
  values: number[];
  label: string;
  formatY?: (value: number) => string;
  summary: string;
  height?: number;
  color?: string;
};

/** Bucketed totals over time (volume per day, kWh retired per week). */
export function BarChart({ x, values, label, formatY, summary, height, color }: Props) {
  const time = useTranslation().t("chart.time");
  const options = useMemo<Omit<uPlot.Options, "width" | "height">>(
    () => ({
      scales: { x: timeScale },
      axes: [
        { stroke: chartColor("muted"), grid: { show: false } },
        {
          stroke: chartColor("muted"),
          grid: { stroke: chartColor("grid") },
          values: formatY ? (_u, ticks) => ticks.map(formatY) : undefined,
          size: 64,
        },
      ],
      series: [
        { label: time },
        {
          label,
          fill: color ?? chartColor("accent"),
          stroke: color ?? chartColor("accent"),
          paths: uPlot.paths.bars!({ size: [0.7, 48] }),
          points: { show: false },
          value: formatY ? (_u: uPlot, v: number | null) => (v == null ? "—" : formatY(v)) : undefined,
        },
      ],
    }),
    [label, formatY, color, time],
  );
  const data = useMemo(() => [x, values] as uPlot.AlignedData, [x, values]);
  return <UPlotChart options={options} data={data} summary={summary} height={height} />;
}
