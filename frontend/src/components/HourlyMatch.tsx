// A job's hourly matching in words, a chart and a table: for each hour, the energy needed, the green
// certificates of that same hour and, once reported and finalised, the metered and retired Wh. Used
// by the quote (Buy), the deal card (Account) and the deal's trace.
import { lazy, Suspense } from "react";
import { useTranslation } from "react-i18next";

import { formatBps, formatTime } from "../lib/format.ts";
import { hourlyCoverage, type MatchHour } from "../lib/hourly-match.ts";
import { useLocale } from "../lib/locale.ts";
import { Amount } from "./Amount.tsx";
import { type Column, Table } from "./Table.tsx";

// uPlot loads only when a page has hours to draw, so the pages that show them stay light until then.
const HourlyMatchChart = lazy(() =>
  import("./charts/HourlyMatchChart.tsx").then((m) => ({ default: m.HourlyMatchChart })),
);

type Props = { hours: readonly MatchHour[]; caption: string };

export function HourlyMatch({ hours, caption }: Props) {
  const { t } = useTranslation();
  const locale = useLocale();
  if (hours.length === 0) return null;
  const coverage = hourlyCoverage(hours);
  const reported = hours.some((h) => h.meteredWh !== null && h.meteredWh !== undefined);
  const settled = hours.some((h) => h.retiredWh !== null && h.retiredWh !== undefined);
  const summary = t(coverage.metered ? "hourly.summaryMetered" : "hourly.summary", {
    count: hours.length,
    from: formatTime(hours[0].start, locale, "UTC"),
    share: formatBps(coverage.shareBps, locale),
    full: coverage.fullHours,
  });
  const energy = (pick: (h: MatchHour) => string | bigint | null | undefined) => (h: MatchHour) => {
    const v = pick(h);
    return v === null || v === undefined ? "—" : <Amount value={v} kind="energy" digits={3} />;
  };
  const columns: Column<MatchHour>[] = [
    { key: "hour", header: t("hourly.hour"), render: (h) => formatTime(h.start, locale, "UTC") },
    { key: "need", header: t("hourly.need"), numeric: true, render: energy((h) => h.needWh) },
    { key: "green", header: t("hourly.green"), numeric: true, render: energy((h) => h.greenWh) },
  ];
  if (reported)
    columns.push({ key: "metered", header: t("hourly.metered"), numeric: true, render: energy((h) => h.meteredWh) });
  if (settled)
    columns.push({ key: "retired", header: t("hourly.retired"), numeric: true, render: energy((h) => h.retiredWh) });
  return (
    <figure className="hourly-match">
      <figcaption>
        <strong>{caption}</strong> <span className="hourly-match__summary">{summary}</span>
      </figcaption>
      <Suspense fallback={<div className="chart" role="img" aria-label={summary} />}>
        <HourlyMatchChart hours={hours} summary={summary} />
      </Suspense>
      <details>
        <summary>{t("hourly.table")}</summary>
        <Table
          caption={caption}
          hideCaption
          reflow
          columns={columns}
          rows={[...hours]}
          rowKey={(h) => String(h.start)}
        />
      </details>
    </figure>
  );
}
