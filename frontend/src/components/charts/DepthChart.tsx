import { useMemo } from "react";
import uPlot from "uplot";

import { type DepthLevel, depthSeries } from "./depth-series.ts";
import { chartColor, UPlotChart } from "./UPlotChart.tsx";

type Props = {
  bids: DepthLevel[];
  asks: DepthLevel[];
  bidLabel: string;
  askLabel: string;
  /** The price axis' name in the legend. */
  priceLabel: string;
  formatPrice: (value: number) => string;
  formatQuantity: (value: number) => string;
  summary: string;
  height?: number;
};

export function DepthChart({
  bids,
  asks,
  bidLabel,
  askLabel,
  priceLabel,
  formatPrice,
  formatQuantity,
  summary,
  height = 220,
}: Props) {
  const options = useMemo<Omit<uPlot.Options, "width" | "height">>(() => {
    const stepped = uPlot.paths.stepped!({ align: 1 });
    const side = (label: string, color: string): uPlot.Series => ({
      label,
      stroke: color,
      fill: `${color}33`,
      width: 2,
      paths: stepped,
      spanGaps: false,
      points: { show: false },
      value: (_u, v) => (v == null ? "—" : formatQuantity(v)),
    });
    return {
      scales: { x: { time: false } },
      axes: [
        {
          stroke: chartColor("muted"),
          grid: { stroke: chartColor("grid") },
          values: (_u, ticks) => ticks.map(formatPrice),
        },
        {
          stroke: chartColor("muted"),
          grid: { stroke: chartColor("grid") },
          values: (_u, ticks) => ticks.map(formatQuantity),
          size: 64,
        },
      ],
      series: [
        { label: priceLabel, value: (_u, v) => (v == null ? "—" : formatPrice(v)) },
        side(bidLabel, chartColor("bid")),
        side(askLabel, chartColor("ask")),
      ],
    };
  }, [bidLabel, askLabel, priceLabel, formatPrice, formatQuantity]);
  const data = useMemo(() => depthSeries(bids, asks) as uPlot.AlignedData, [bids, asks]);
  return <UPlotChart options={options} data={data} summary={summary} height={height} />;
}
