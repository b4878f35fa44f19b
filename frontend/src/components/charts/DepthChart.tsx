import { useMemo } from "react";
import uPlot from "uplot";

import { chartColor, UPlotChart } from "./UPlotChart.tsx";

export type DepthLevel = { price: number; quantity: number };

/**
 * Cumulative depth on one price axis: bids (highest first) accumulate to the left, asks (lowest
 * first) to the right. Both sides share the x values, each null where the other side has a level.
 */
export function depthSeries(bids: DepthLevel[], asks: DepthLevel[]): [number[], (number | null)[], (number | null)[]] {
  const points = new Map<number, { bid: number | null; ask: number | null }>();
  let total = 0;
  for (const level of [...bids].sort((a, b) => b.price - a.price)) {
    total += level.quantity;
    points.set(level.price, { bid: total, ask: null });
  }
  total = 0;
  for (const level of [...asks].sort((a, b) => a.price - b.price)) {
    total += level.quantity;
    points.set(level.price, { bid: points.get(level.price)?.bid ?? null, ask: total });
  }
  const xs = [...points.keys()].sort((a, b) => a - b);
  return [xs, xs.map((x) => points.get(x)!.bid), xs.map((x) => points.get(x)!.ask)];
}

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

export function DepthChart({ bids, asks, bidLabel, askLabel, priceLabel, formatPrice, formatQuantity, summary, height = 220 }: Props) {
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
        { stroke: chartColor("muted"), grid: { stroke: chartColor("grid") }, values: (_u, ticks) => ticks.map(formatPrice) },
        { stroke: chartColor("muted"), grid: { stroke: chartColor("grid") }, values: (_u, ticks) => ticks.map(formatQuantity), size: 64 },
      ],
      series: [{ label: priceLabel, value: (_u, v) => (v == null ? "—" : formatPrice(v)) }, side(bidLabel, chartColor("bid")), side(askLabel, chartColor("ask"))],
    };
  }, [bidLabel, askLabel, priceLabel, formatPrice, formatQuantity]);
  const data = useMemo(() => depthSeries(bids, asks) as uPlot.AlignedData, [bids, asks]);
  return <UPlotChart options={options} data={data} summary={summary} height={height} />;
}
