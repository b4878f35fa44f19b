// The deal's power series as a line (mean per bucket) inside its min–max band, over chain time. Drag
// across the chart to zoom: the page then asks the service for that stretch alone, downsampled again,
// so a zoom shows detail down to the meter's own seconds.
import { useMemo } from "react";
import { useTranslation } from "react-i18next";
import type uPlot from "uplot";

import { timeScale } from "../../components/charts/time-scale.ts";
import { chartColor, UPlotChart } from "../../components/charts/UPlotChart.tsx";
import type { CurvePoint, CurveRange } from "./api.ts";

type Props = {
  points: CurvePoint[];
  formatWatts: (watts: number) => string;
  summary: string;
  onZoom: (range: CurveRange) => void;
};

export function LoadCurve({ points, formatWatts, summary, onZoom }: Props) {
  const { t } = useTranslation("metering");
  const time = useTranslation().t("chart.time");
  const options = useMemo<Omit<uPlot.Options, "width" | "height">>(
    () => ({
      scales: { x: timeScale },
      cursor: { drag: { x: true, y: false, setScale: false } },
      // A drag selects a stretch; the page fetches it and the new data sets the scale.
      hooks: {
        setSelect: [
          (u: uPlot) => {
            if (u.select.width < 2) return;
            const from = u.posToVal(u.select.left, "x");
            const to = u.posToVal(u.select.left + u.select.width, "x");
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            onZoom({ from, to });
          },
        ],
      },
      axes: [
        { stroke: chartColor("muted"), grid: { stroke: chartColor("grid") } },
        {
          stroke: chartColor("muted"),
          grid: { stroke: chartColor("grid") },
          values: (_u, ticks) => ticks.map(formatWatts),
          size: 72,
        },
      ],
      series: [
        { label: time },
        { label: t("curve.max"), stroke: chartColor("grid"), width: 1, points: { show: false } },
        {
          label: t("curve.mean"),
          stroke: chartColor("accent"),
          width: 2,
          points: { show: false },
          value: (_u: uPlot, v: number | null) => (v == null ? "—" : formatWatts(v)),
        },
        { label: t("curve.min"), stroke: chartColor("grid"), width: 1, points: { show: false } },
      ],
      bands: [{ series: [1, 3], fill: "rgba(127,127,127,0.15)" }],
    }),
    [formatWatts, onZoom, t, time],
  );
  const data = useMemo(
    () =>
      [
        points.map((p) => p.t),
        points.map((p) => p.max),
        points.map((p) => p.w),
        points.map((p) => p.min),
      ] as uPlot.AlignedData,
    [points],
  );
  return <UPlotChart options={options} data={data} summary={summary} height={220} />;
}
