// The metered series of a deal drawn out: its facts, the load curve and the hourly energy beside the
// certificate batches generated in each hour. Loaded lazily by DealMetering.tsx.
import { useCallback, useMemo } from "react";
import { useTranslation } from "react-i18next";

import "./metering.css";
import { Amount } from "../../components/Amount.tsx";
import { BarChart } from "../../components/charts/BarChart.tsx";
import { formatPower, formatTime } from "../../lib/format.ts";
import { useLocale } from "../../lib/locale.ts";
import { type CertificateBatch, type CurveRange, certificatesByHour, type MeteredSeries } from "./api.ts";
import { LoadCurve } from "./LoadCurve.tsx";

export default function MeteredDetail({
  series: m,
  batches,
  range,
  onZoom,
  onReset,
}: {
  series: MeteredSeries;
  batches: CertificateBatch[];
  range: CurveRange | null;
  onZoom: (r: CurveRange) => void;
  onReset: () => void;
}) {
  const { t } = useTranslation("metering");
  const common = useTranslation().t;
  const locale = useLocale();
  const formatWatts = useCallback(
    (w: number) => {
      const { text, unit } = formatPower(BigInt(Math.round(w)), locale, 1);
      return `${text} ${unit}`;
    },
    [locale],
  );
  const hours = useMemo(() => certificatesByHour(m.hours, batches), [m.hours, batches]);
  const hourX = useMemo(() => m.hours.map((h) => h.start), [m.hours]);
  const hourKwh = useMemo(() => m.hours.map((h) => h.wh / 1_000), [m.hours]);
  const shown = range ?? { from: m.windowStart, to: m.windowEnd };
  return (
    <div className="stack">
      <dl className="metering-facts">
        <dt>{t("facts.samples")}</dt>
        <dd>{m.samples.toLocaleString(locale)}</dd>
        <dt>{t("facts.metered")}</dt>
        <dd>
          <Amount value={BigInt(m.totalWh)} kind="energy" />
        </dd>
        <dt>{t("facts.onChain")}</dt>
        <dd>{m.onChain === null ? "—" : <Amount value={m.onChain.whConsumed} kind="energy" />}</dd>
        <dt>{t("facts.root")}</dt>
        <dd className="mono" title={m.root}>
          {m.root}
        </dd>
      </dl>
      {m.matchesOnChain === false && m.onChain !== null && (
        <p className="state state--error" role="alert">
          {t("match.differs", { root: m.onChain.meteringHash })}
        </p>
      )}
      {m.gaps.length > 0 && (
        <p className="hint" role="status">
          {t("gaps", {
            count: m.gaps.length,
            list: m.gaps
              .map((g) => `${formatTime(g.from, locale)} – ${formatTime(g.to, locale)}`)
              .join(t("listSeparator")),
          })}
        </p>
      )}
      <h3>{t("curve.title")}</h3>
      <p className="hint">
        {t("curve.hint", {
          from: formatTime(shown.from, locale),
          to: formatTime(shown.to, locale),
          bucket: m.downsampled?.bucketSeconds ?? 1,
        })}{" "}
        {range !== null && (
          <button type="button" className="link-button" onClick={onReset}>
            {t("curve.reset")}
          </button>
        )}
      </p>
      <LoadCurve
        points={m.series}
        formatWatts={formatWatts}
        onZoom={onZoom}
        summary={t("curve.summary", { count: m.series.length })}
      />
      <h3>{t("hours.title")}</h3>
      <BarChart
        x={hourX}
        values={hourKwh}
        label={t("hours.energy")}
        formatY={(v) => `${v.toLocaleString(locale, { maximumFractionDigits: 1 })} kWh`}
        summary={t("hours.summary", { count: m.hours.length })}
      />
      <table className="table" aria-label={t("hours.table")}>
        <thead>
          <tr>
            <th scope="col">{t("hours.hour")}</th>
            <th scope="col">{t("hours.energy")}</th>
            <th scope="col">{t("hours.certificates")}</th>
          </tr>
        </thead>
        <tbody>
          {hours.map(({ hour, batches: covering }) => (
            <tr key={hour.start}>
              <td>{formatTime(hour.start, locale)}</td>
              <td>
                <Amount value={BigInt(hour.wh)} kind="energy" />
              </td>
              <td>
                {covering.length === 0
                  ? t("hours.uncovered")
                  : covering
                      .map((b) => t("hours.batch", { id: b.id, source: common(`source.${b.source}`) }))
                      .join(t("listSeparator"))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
