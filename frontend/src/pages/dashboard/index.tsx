// /dashboard — the market at a glance: what traded, how green it was, how much certified energy
// was retired and how much CO2e that avoided, and how prices moved, over a window of chain time.
import "./dashboard.css";
import { useState } from "react";
import { useTranslation } from "react-i18next";

import { HARDWARE_CLASSES, type HardwareClass } from "../../../../protocol/units.ts";
import { Amount } from "../../components/Amount.tsx";
import { Card } from "../../components/Card.tsx";
import { BarChart } from "../../components/charts/BarChart.tsx";
import { LineChart } from "../../components/charts/LineChart.tsx";
import { classColor } from "../../components/charts/palette.ts";
import { chartColor } from "../../components/charts/UPlotChart.tsx";
import { QueryState } from "../../components/Table.tsx";
import { formatBps, formatCredits, formatDecimal, formatTime } from "../../lib/format.ts";
import { useGql, useGqlEach } from "../../lib/graphql.ts";
import { useLocale } from "../../lib/locale.ts";
import { useTokenSymbol } from "../../lib/token.ts";
import { useChainNow } from "../account/use-chain-now.ts";
import {
  candleVolume,
  fittingRange,
  headline,
  priceSeries,
  RESOURCE_UNITS,
  resourceSeries,
  windowStart,
} from "./figures.ts";
import {
  type Candle,
  CLASS_PRICES_QUERY,
  RANGES,
  type RangeId,
  RESOURCES,
  type Resource,
  SPAN_QUERY,
  STATS_QUERY,
  type StatsData,
} from "./queries.ts";
import { RegionHours } from "./RegionHours.tsx";

const BUCKET = { HOUR: 3_600, DAY: 86_400, WEEK: 604_800 } as const;

export default function DashboardPage() {
  const { t } = useTranslation("dashboard");
  const now = useChainNow();
  // Until the visitor picks a period, the page opens on the one that fits the market's history.
  const [picked, setPicked] = useState<RangeId | null>(null);
  const [resource, setResource] = useState<Resource>("COMPUTE");
  const [hardwareClass, setHardwareClass] = useState<HardwareClass | "">("");
  const span = useGql(["stats-span"], SPAN_QUERY, {}, { live: false });
  const rangeId = picked ?? (span.data ? fittingRange(span.data) : span.error ? "month" : null);
  const range = RANGES.find((r) => r.id === rangeId) ?? RANGES[2];
  const from = now === null ? null : windowStart(now, range.seconds, BUCKET[range.interval]);
  const ready = rangeId !== null && (now !== null || range.seconds === null);
  const query = useGql(
    ["stats"],
    STATS_QUERY,
    { from, interval: range.interval },
    { enabled: ready, placeholderData: (previous) => previous },
  );
  const classPrices = useGqlEach(
    ["stats-class-prices"],
    CLASS_PRICES_QUERY,
    HARDWARE_CLASSES.map((hw) => ({ from, interval: range.interval, hardwareClass: hw })),
    { enabled: ready && resource === "COMPUTE", placeholderData: (previous) => previous },
  );
  const computePrices = Object.fromEntries(
    HARDWARE_CLASSES.map((hw, i) => [hw, classPrices[i].data?.stats.priceHistory ?? []]),
  ) as Record<HardwareClass, Candle[]>;

  return (
    <div className="stack dashboard-page">
      <header className="page-head row dashboard-page__head">
        <h1>{t("title")}</h1>
        <div className="segmented" role="group" aria-label={t("range.label")}>
          {RANGES.map((r) => (
            <button
              key={r.id}
              type="button"
              className="button"
              aria-pressed={r.id === rangeId}
              onClick={() => setPicked(r.id)}
            >
              {t(`range.${r.id}`)}
            </button>
          ))}
        </div>
      </header>
      {query.data ? (
        <Dashboard
          data={query.data}
          axis={{ from, to: query.data.status.chainTime ?? now ?? 0, step: BUCKET[range.interval] }}
          resource={resource}
          onResource={setResource}
          hardwareClass={hardwareClass}
          onHardwareClass={setHardwareClass}
          computePrices={computePrices}
        />
      ) : (
        <QueryState loading={query.isPending} error={query.error} />
      )}
      {now !== null && <RegionHours now={now} />}
    </div>
  );
}

type Axis = { from: number | null; to: number; step: number };

function Dashboard({
  data,
  axis,
  resource,
  onResource,
  hardwareClass,
  onHardwareClass,
  computePrices,
}: {
  data: StatsData;
  axis: Axis;
  resource: Resource;
  onResource: (r: Resource) => void;
  hardwareClass: HardwareClass | "";
  onHardwareClass: (hw: HardwareClass | "") => void;
  /** Compute price history of each hardware class over the window. */
  computePrices: Record<HardwareClass, Candle[]>;
}) {
  const { t } = useTranslation("dashboard");
  const locale = useLocale();
  const symbol = useTokenSymbol();
  const h = headline(data.stats);
  const stats = data.stats;
  // Compute is one good per hardware class: with a class chosen its own candles give volume and
  // price; across classes the volume adds up but the prices stay one line per class.
  const series =
    resource === "ENERGY"
      ? resourceSeries(stats.energyVolume, stats.energyPrice, resource, axis)
      : resource === "BANDWIDTH"
        ? resourceSeries(stats.bandwidthVolume, stats.bandwidthPrice, resource, axis)
        : hardwareClass === ""
          ? resourceSeries(stats.computeVolume, [], resource, axis)
          : resourceSeries(candleVolume(computePrices[hardwareClass]), computePrices[hardwareClass], resource, axis);
  const classLines =
    resource === "COMPUTE" && hardwareClass === ""
      ? HARDWARE_CLASSES.filter((hw) => computePrices[hw].length > 0).map((hw) => ({
          label: t(`common:hardware.${hw}`),
          values: priceSeries(series.x, computePrices[hw], "close"),
          color: classColor(hw),
        }))
      : null;
  const unit = RESOURCE_UNITS[resource];
  const resourceName =
    resource === "COMPUTE" && hardwareClass !== ""
      ? `${t(`common:resource.${resource}`)} · ${t(`common:hardware.${hardwareClass}`)}`
      : t(`common:resource.${resource}`);
  const number = (v: number) => formatDecimal(String(v), locale, 2);
  const lastClose = (values: (number | null)[]) => number(values.filter((v): v is number => v !== null).at(-1) ?? 0);

  return (
    <>
      <dl className="figures figures--headline">
        <Figure
          label={t("figures.traded")}
          detail={t("figures.deals", { count: h.dealsOpened, finalized: h.dealsFinalized })}
        >
          <Amount value={h.tradedValue} kind="token" digits={2} />
        </Figure>
        <Figure label={t("figures.compute")}>
          <Amount value={h.vcuHours} kind="vcuHours" />
        </Figure>
        <Figure
          label={t("figures.greenShare")}
          detail={
            h.contractedGreenShareBps === null
              ? undefined
              : t("figures.contracted", { share: formatBps(h.contractedGreenShareBps, locale) })
          }
        >
          {h.greenShareBps === null ? (
            <span className="amount amount--none">{t("figures.noneYet")}</span>
          ) : (
            <Amount value={h.greenShareBps} kind="bps" />
          )}
        </Figure>
        <Figure label={t("figures.timeMatched")} detail={t("figures.timeMatchedDetail")}>
          {h.timeMatchedGreenBps === null ? (
            <span className="amount amount--none">{t("figures.noneYet")}</span>
          ) : (
            <Amount value={h.timeMatchedGreenBps} kind="bps" />
          )}
        </Figure>
        <Figure label={t("figures.retired")}>
          <Amount value={h.whRetired} kind="energy" />
        </Figure>
        <Figure
          label={t("figures.avoided")}
          detail={t("figures.creditsRetired", { amount: formatCredits(h.creditsRetired, locale) })}
        >
          <Amount value={h.gCo2eAvoided} kind="carbon" />
        </Figure>
      </dl>

      <Card
        title={t("charts.title", { resource: resourceName })}
        actions={
          <>
            <div className="segmented" role="group" aria-label={t("charts.resource")}>
              {RESOURCES.map((r) => (
                <button
                  key={r}
                  type="button"
                  className="button"
                  aria-pressed={r === resource}
                  onClick={() => onResource(r)}
                >
                  {t(`common:resource.${r}`)}
                </button>
              ))}
            </div>
            {resource === "COMPUTE" && (
              <label className="inline-field">
                <span>{t("charts.hardwareClass")}</span>
                <select value={hardwareClass} onChange={(e) => onHardwareClass(e.target.value as HardwareClass | "")}>
                  <option value="">{t("charts.allClasses")}</option>
                  {HARDWARE_CLASSES.map((hw) => (
                    <option key={hw} value={hw}>
                      {t(`common:hardware.${hw}`)}
                    </option>
                  ))}
                </select>
              </label>
            )}
          </>
        }
      >
        {series.x.length === 0 ? (
          <p className="state">{t("charts.empty", { resource: resourceName })}</p>
        ) : (
          <div className="chart-grid">
            <figure>
              <figcaption>{t("charts.volume", { unit: symbol })}</figcaption>
              <BarChart
                x={series.x}
                values={series.value}
                label={t("charts.value")}
                formatY={number}
                summary={t("charts.volumeSummary", {
                  resource: resourceName,
                  total: number(series.value.reduce((a, b) => a + b, 0)),
                  unit: symbol,
                  buckets: series.value.filter((v) => v > 0).length,
                })}
              />
            </figure>
            <figure>
              <figcaption>{t("charts.price", { unit: `${symbol} / ${unit.per}` })}</figcaption>
              {classLines ? (
                <LineChart
                  x={series.x}
                  series={classLines}
                  formatY={number}
                  summary={t("charts.classPriceSummary", {
                    classes: classLines.map((l) => `${l.label} ${lastClose(l.values)}`).join(", "),
                    unit: `${symbol} / ${unit.per}`,
                  })}
                />
              ) : (
                <LineChart
                  x={series.x}
                  series={[
                    { label: t("charts.close"), values: series.close },
                    { label: t("charts.high"), values: series.high, color: chartColor("muted") },
                    { label: t("charts.low"), values: series.low, color: chartColor("muted") },
                  ]}
                  formatY={number}
                  summary={t("charts.priceSummary", {
                    resource: resourceName,
                    last: lastClose(series.close),
                    unit: `${symbol} / ${unit.per}`,
                  })}
                />
              )}
            </figure>
            <details className="chart-table">
              <summary>{t("charts.asTable")}</summary>
              <div className="table-wrap">
                <table className="table">
                  <caption className="visually-hidden">{t("charts.title", { resource: resourceName })}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t("charts.bucket")}</th>
                      <th scope="col" className="num">
                        {t("charts.quantity", { unit: unit.quantity })}
                      </th>
                      <th scope="col" className="num">
                        {t("charts.value")} ({symbol})
                      </th>
                      {classLines === null && (
                        <th scope="col" className="num">
                          {t("charts.close")} ({symbol} / {unit.per})
                        </th>
                      )}
                    </tr>
                  </thead>
                  <tbody>
                    {series.x.map(
                      (start, i) =>
                        series.value[i] > 0 && (
                          <tr key={start}>
                            <td>{formatTime(start, locale)}</td>
                            <td className="num">{number(series.quantity[i])}</td>
                            <td className="num">{number(series.value[i])}</td>
                            {classLines === null && (
                              <td className="num">{series.close[i] === null ? "—" : number(series.close[i]!)}</td>
                            )}
                          </tr>
                        ),
                    )}
                  </tbody>
                </table>
              </div>
            </details>
          </div>
        )}
      </Card>
    </>
  );
}

function Figure({ label, detail, children }: { label: string; detail?: string; children: React.ReactNode }) {
  return (
    <div className="figure">
      <dt>{label}</dt>
      <dd className="figure__value">{children}</dd>
      {detail && <dd className="figure__detail">{detail}</dd>}
    </div>
  );
}
