// A job's hours as bars: the energy it needs in each hour, the green certificates matched to that
// hour in front of it, and once reported the metered and retired Wh. The numbers are also in the
// table beside it (HourlyMatch), since a canvas says nothing to assistive tech.
import { useMemo } from "react";
import { useTranslation } from "react-i18next";
import uPlot from "uplot";

import type { MatchHour } from "../../lib/hourly-match.ts";
import { useLocale } from "../../lib/locale.ts";
import { timeScale, utcHourAxis, utcHourLegend } from "./time-scale.ts";
import { chartColor, UPlotChart } from "./UPlotChart.tsx";

const GREEN = "#009e73";
const RETIRED = "#005a43";

type Props = { hours: readonly MatchHour[]; summary: string; height?: number };

const kwh = (wh: string | bigint | null | undefined) => (wh === null || wh === undefined ? null : Number(wh) / 1000);

export function HourlyMatchChart({ hours, summary, height = 200 }: Props) {
  const { t } = useTranslation();
  const locale = useLocale();
  const reported = hours.some((h) => h.meteredWh !== null && h.meteredWh !== undefined);
  const settled = hours.some((h) => h.retiredWh !== null && h.retiredWh !== undefined);
  const options = useMemo<Omit<uPlot.Options, "width" | "height">>(() => {
    const value = (_u: uPlot, v: number | null) => (v == null ? "—" : `${v.toLocaleString()} kWh`);
    const series: uPlot.Series[] = [
      { label: t("chart.time"), value: utcHourLegend(locale) },
      {
        label: t("hourly.need"),
        fill: chartColor("grid"),
        stroke: chartColor("muted"),
        paths: uPlot.paths.bars!({ size: [0.8, 40] }),
        points: { show: false },
        value,
      },
      {
        label: t("hourly.green"),
        fill: `${GREEN}aa`,
        stroke: GREEN,
        paths: uPlot.paths.bars!({ size: [0.5, 24] }),
        points: { show: false },
        value,
      },
    ];
    if (reported)
      series.push({ label: t("hourly.metered"), stroke: chartColor("bid"), width: 2, points: { size: 5 }, value });
    if (settled)
      series.push({
        label: t("hourly.retired"),
        fill: RETIRED,
        stroke: RETIRED,
        paths: uPlot.paths.bars!({ size: [0.25, 10] }),
        points: { show: false },
        value,
      });
    return {
      // Ticks on the market's whole UTC hours, whatever the browser's zone (one half an hour off would
      // otherwise tick on the half hour).
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"),
      // Bars sit in the middle of their hour, with half an hour of room at either end.
      scales: {
        x: { ...timeScale, range: (_u, lo, hi) => [lo - 1_800, hi + 1_800] },
        y: { range: (_u, _lo, hi) => [0, hi > 0 ? hi * 1.1 : 1] },
      },
      axes: [
        { ...utcHourAxis(locale), stroke: chartColor("muted"), grid: { show: false } },
        { stroke: chartColor("muted"), grid: { stroke: chartColor("grid") }, size: 56, label: "kWh" },
      ],
      series,
    };
  }, [t, locale, reported, settled]);
  const data = useMemo(() => {
    const columns: (number | null)[][] = [
      hours.map((h) => h.start + 1_800),
      hours.map((h) => kwh(h.needWh)),
      hours.map((h) => kwh(h.greenWh)),
    ];
    if (reported) columns.push(hours.map((h) => kwh(h.meteredWh)));
    if (settled) columns.push(hours.map((h) => kwh(h.retiredWh)));
    return columns as uPlot.AlignedData;
  }, [hours, reported, settled]);
  return <UPlotChart options={options} data={data} summary={summary} height={height} />;
}
