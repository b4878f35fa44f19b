// uPlot (small, fast canvas charts) in React: one chart per mount, resized with its container,
// data swapped in place on updates. Canvas is invisible to assistive tech, so every chart takes a
// text `summary` and the pages keep the numbers in tables too.
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

type Props = {
  options: Omit<uPlot.Options, "width" | "height">;
  data: uPlot.AlignedData;
  height?: number;
  summary: string;
};

export function UPlotChart({ options, data, height = 240, summary }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: the chart is built once per options and height; data updates go through setData below
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const chart = new uPlot({ ...options, width: el.clientWidth || 320, height }, data, el);
    plot.current = chart;
    const observer = new ResizeObserver(() => chart.setSize({ width: el.clientWidth || 320, height }));
    observer.observe(el);
    return () => {
      observer.disconnect();
      chart.destroy();
      plot.current = null;
    };
    // Options define the chart; data changes are applied below without rebuilding it.
  }, [options, height]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  return <div className="chart" ref={box} role="img" aria-label={summary} />;
}

/** The page's colours for charts, read from the stylesheet's custom properties. */
export function chartColor(name: "accent" | "bid" | "ask" | "muted" | "grid"): string {
  if (typeof document === "undefined") return "#888";
  return getComputedStyle(document.documentElement).getPropertyValue(`--chart-${name}`).trim() || "#888";
}
