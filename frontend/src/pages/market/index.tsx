// The market: one order book at a time (compute per hardware class and region, green power per
// source and region, bandwidth per route), its depth, best bid/ask, recent deals and price
// history. The selection lives in the URL so a view can be shared; everything refreshes per block.
import { useCallback, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";

import { ENERGY_SOURCES, HARDWARE_CLASSES, REGIONS, TOKEN_DECIMALS } from "../../../../protocol/units.ts";
import { Amount, type AmountKind } from "../../components/Amount.tsx";
import { Card } from "../../components/Card.tsx";
import { DepthChart } from "../../components/charts/DepthChart.tsx";
import { LineChart } from "../../components/charts/LineChart.tsx";
import { classColor } from "../../components/charts/palette.ts";
import { type Column, QueryState, Table } from "../../components/Table.tsx";
import { Tabs } from "../../components/Tabs.tsx";
import { TxLink } from "../../components/TxLink.tsx";
import { formatDecimal, formatShortTime, formatTime, type Locale } from "../../lib/format.ts";
import { useGql, useGqlEach } from "../../lib/graphql.ts";
import { useLocale } from "../../lib/locale.ts";
import { regionName } from "../../lib/regions.ts";
import { useTokenSymbol } from "../../lib/token.ts";
import {
  type BookFilter,
  type Interval,
  ORDER_BOOK,
  PRICE_HISTORY,
  type PriceLevel,
  type Resource,
  TRADES,
  type Trade,
  tradeFilter,
} from "./queries.ts";

const RESOURCES: Resource[] = ["COMPUTE", "ENERGY", "BANDWIDTH"];
/** Price levels per side in the book tables; the depth chart draws every level fetched. */
const TABLE_LEVELS = 12;

/** How each book counts: its price is per `perUnit`, its book quantity is an `Amount` kind. */
const UNITS: Record<
  Resource,
  { perUnit: string; bookQuantity: AmountKind; tradeQuantity: AmountKind; chartQuantity: (q: bigint) => number }
> = {
  COMPUTE: { perUnit: "VCU·h", bookQuantity: "vcuHours", tradeQuantity: "vcuHours", chartQuantity: (q) => Number(q) },
  ENERGY: { perUnit: "kWh", bookQuantity: "energy", tradeQuantity: "energy", chartQuantity: (q) => Number(q) / 1000 },
  BANDWIDTH: { perUnit: "Mbps·h", bookQuantity: "mbps", tradeQuantity: "mbpsHours", chartQuantity: (q) => Number(q) },
};

/** Charts plot token units as floats; the tables keep the exact amounts. */
const toTokenNumber = (base: string | bigint) => Number(base) / 10 ** TOKEN_DECIMALS;

function readSelection(params: URLSearchParams): { resource: Resource; filter: BookFilter } {
  const resource = (RESOURCES.find((r) => r.toLowerCase() === params.get("r")) ?? "COMPUTE") as Resource;
  const int = (name: string) => {
    const v = params.get(name);
    return v !== null && /^\d+$/.test(v) ? Number(v) : undefined;
  };
  const filter: BookFilter = {};
  if (resource === "COMPUTE") {
    const hw = params.get("hw");
    if (hw && (HARDWARE_CLASSES as readonly string[]).includes(hw)) filter.hardwareClass = hw;
    filter.region = int("region");
  } else if (resource === "ENERGY") {
    const source = params.get("source");
    if (source && (ENERGY_SOURCES as readonly string[]).includes(source)) filter.source = source;
    filter.region = int("region");
  } else {
    const from = int("from");
    const to = int("to");
    if (from !== undefined && to !== undefined && from !== to) {
      filter.fromRegion = from;
      filter.toRegion = to;
    }
  }
  return { resource, filter };
}

export default function MarketPage() {
  const { t } = useTranslation("market");
  const [params, setParams] = useSearchParams();
  const { resource, filter } = readSelection(params);

  const select = useCallback(
    (patch: Record<string, string | undefined>) => {
      setParams(
        (current) => {
          const next = new URLSearchParams(current);
          for (const [k, v] of Object.entries(patch)) {
            if (v === undefined || v === "") next.delete(k);
            else next.set(k, v);
          }
          return next;
        },
        { replace: true },
      );
    },
    [setParams],
  );

  return (
    <>
      <div className="page-head">
        <h1>{t("title")}</h1>
        <p>{t("intro")}</p>
      </div>
      <Tabs
        label={t("resourceTabs")}
        tabs={RESOURCES.map((r) => ({ key: r, label: t(`common:resource.${r}`) }))}
        selected={resource}
        onSelect={(r) =>
          setParams(new URLSearchParams(r === "COMPUTE" ? {} : { r: r.toLowerCase() }), { replace: true })
        }
      >
        <div className="stack">
          <BookFilters resource={resource} filter={filter} select={select} />
          <BookView resource={resource} filter={filter} />
          <PriceHistory resource={resource} filter={filter} />
          <RecentTrades resource={resource} filter={filter} />
        </div>
      </Tabs>
    </>
  );
}

function BookFilters({
  resource,
  filter,
  select,
}: {
  resource: Resource;
  filter: BookFilter;
  select: (patch: Record<string, string | undefined>) => void;
}) {
  const { t } = useTranslation("market");
  const locale = useLocale();
  const regionOptions = REGIONS.map((r) => (
    <option key={r.code} value={r.code}>
      {regionName(r.code, locale)}
    </option>
  ));
  return (
    <form className="form__grid card" aria-label={t("filters")} onSubmit={(e) => e.preventDefault()}>
      {resource === "COMPUTE" && (
        <label className="field">
          <span className="field__label">{t("hardwareClass")}</span>
          <select value={filter.hardwareClass ?? ""} onChange={(e) => select({ hw: e.target.value })}>
            <option value="">{t("allClasses")}</option>
            {HARDWARE_CLASSES.map((hw) => (
              <option key={hw} value={hw}>
                {t(`common:hardware.${hw}`)}
              </option>
            ))}
          </select>
        </label>
      )}
      {resource === "ENERGY" && (
        <label className="field">
          <span className="field__label">{t("source")}</span>
          <select value={filter.source ?? ""} onChange={(e) => select({ source: e.target.value })}>
            <option value="">{t("allSources")}</option>
            {ENERGY_SOURCES.map((s) => (
              <option key={s} value={s}>
                {t(`common:source.${s}`)}
              </option>
            ))}
          </select>
        </label>
      )}
      {resource !== "BANDWIDTH" ? (
        <label className="field">
          <span className="field__label">{resource === "COMPUTE" ? t("computeRegion") : t("generationRegion")}</span>
          <select value={filter.region ?? ""} onChange={(e) => select({ region: e.target.value })}>
            <option value="">{t("allRegions")}</option>
            {regionOptions}
          </select>
        </label>
      ) : (
        <RouteFilter filter={filter} select={select} regionOptions={regionOptions} />
      )}
    </form>
  );
}

/** A route needs both ends; until both are chosen (and differ) the book shows every link. */
function RouteFilter({
  filter,
  select,
  regionOptions,
}: {
  filter: BookFilter;
  select: (patch: Record<string, string | undefined>) => void;
  regionOptions: React.ReactNode;
}) {
  const { t } = useTranslation("market");
  const [from, setFrom] = useState(filter.fromRegion?.toString() ?? "");
  const [to, setTo] = useState(filter.toRegion?.toString() ?? "");
  const apply = (f: string, tt: string) =>
    select(f && tt && f !== tt ? { from: f, to: tt } : { from: undefined, to: undefined });
  return (
    <>
      <label className="field">
        <span className="field__label">{t("routeFrom")}</span>
        <select
          value={from}
          onChange={(e) => {
            setFrom(e.target.value);
            apply(e.target.value, to);
          }}
        >
          <option value="">{t("anyRegion")}</option>
          {regionOptions}
        </select>
      </label>
      <label className="field">
        <span className="field__label">{t("routeTo")}</span>
        <select
          value={to}
          onChange={(e) => {
            setTo(e.target.value);
            apply(from, e.target.value);
          }}
        >
          <option value="">{t("anyRegion")}</option>
          {regionOptions}
        </select>
      </label>
      {from !== "" && from === to && <p className="field__error">{t("sameRegions")}</p>}
    </>
  );
}

function BookView({ resource, filter }: { resource: Resource; filter: BookFilter }) {
  const { t } = useTranslation("market");
  const locale = useLocale();
  const symbol = useTokenSymbol();
  const book = useGql(
    ["market", "book", resource],
    ORDER_BOOK,
    { resource, filter, depth: 30 },
    { placeholderData: (previous) => previous },
  );
  const data = book.data?.orderBook;
  const units = UNITS[resource];
  const per = `/ ${units.perUnit}`;
  const hasBids = resource === "COMPUTE";

  const levelColumns: Column<PriceLevel>[] = [
    {
      key: "price",
      // The cells carry the token's symbol; the header names only what the price is per, so it fits
      // one line in half a page (Bids and Asks side by side).
      header: t("pricePer", { unit: units.perUnit }),
      numeric: true,
      render: (l) => <Amount value={l.price} kind="token" />,
    },
    {
      key: "quantity",
      header: t("quantity"),
      numeric: true,
      render: (l) => <Amount value={l.quantity} kind={units.bookQuantity} />,
    },
    { key: "orders", header: t("orders"), numeric: true, render: (l) => l.orders },
  ];

  const depth = useMemo(() => {
    const level = (l: PriceLevel) => ({
      price: toTokenNumber(l.price),
      quantity: units.chartQuantity(BigInt(l.quantity)),
    });
    return { bids: (data?.bids ?? []).map(level), asks: (data?.asks ?? []).map(level) };
  }, [data, units]);
  // Bids and offers of different hardware classes never meet: a spread across them says nothing.
  const mixedClasses = resource === "COMPUTE" && filter.hardwareClass === undefined;
  const formatPrice = useCallback((v: number) => formatDecimal(v.toFixed(TOKEN_DECIMALS), locale, 2), [locale]);
  const formatQuantity = useCallback((v: number) => formatDecimal(v.toFixed(3), locale, 1), [locale]);

  return (
    <div className="stack">
      <Card title={t("summary")}>
        <dl className="stats">
          <div className="stat">
            <dt className="stat__label">{t("bestBid")}</dt>
            <dd className="stat__value">
              {hasBids ? <Amount value={data?.bestBid} kind="token" per={per} /> : t("noBidSide")}
            </dd>
          </div>
          <div className="stat">
            <dt className="stat__label">{t("bestAsk")}</dt>
            <dd className="stat__value">
              <Amount value={data?.bestAsk} kind="token" per={per} />
            </dd>
          </div>
          {hasBids && (
            <div className="stat">
              <dt className="stat__label">{t("spread")}</dt>
              <dd className={mixedClasses ? "stat__value stat__value--small" : "stat__value"}>
                {mixedClasses ? (
                  t("spreadNeedsClass")
                ) : data?.spread == null ? (
                  "—"
                ) : BigInt(data.spread) < 0n ? (
                  <span title={t("crossedHint")}>{t("crossed")}</span>
                ) : (
                  <Amount value={data.spread} kind="token" />
                )}
              </dd>
            </div>
          )}
          <div className="stat">
            <dt className="stat__label">{t("asOf")}</dt>
            <dd className="stat__value stat__value--small">
              {data ? t("block", { block: data.asOfBlock, time: formatTime(data.chainTime, locale) }) : "—"}
            </dd>
          </div>
        </dl>
        {!hasBids && <p className="field__hint">{t("asksOnlyHint")}</p>}
        {book.error && <QueryState loading={false} error={book.error} />}
      </Card>
      <div className="grid grid--2">
        <Card title={t("depth")}>
          {data && (data.bids.length > 0 || data.asks.length > 0) ? (
            <DepthChart
              bids={depth.bids}
              asks={depth.asks}
              bidLabel={t("bids")}
              askLabel={t("asks")}
              priceLabel={t("price", { unit: `${symbol} ${per}` })}
              formatPrice={formatPrice}
              formatQuantity={formatQuantity}
              summary={t("depthSummary", { bids: data.bids.length, asks: data.asks.length })}
            />
          ) : (
            <QueryState loading={book.isPending} error={book.error} empty={t("emptyBook")} />
          )}
        </Card>
        <Card title={t("book")}>
          <div className={hasBids ? "grid grid--book" : undefined}>
            {hasBids && (
              <Table
                caption={t("bids")}
                columns={levelColumns}
                rows={data?.bids.slice(0, TABLE_LEVELS)}
                rowKey={(l) => `b${l.price}`}
                loading={book.isPending}
                error={book.error}
                empty={t("noBids")}
              />
            )}
            <Table
              caption={t("asks")}
              columns={levelColumns}
              rows={data?.asks.slice(0, TABLE_LEVELS)}
              rowKey={(l) => `a${l.price}`}
              loading={book.isPending}
              error={book.error}
              empty={t("noAsks")}
            />
          </div>
        </Card>
      </div>
    </div>
  );
}

function PriceHistory({ resource, filter }: { resource: Resource; filter: BookFilter }) {
  const { t } = useTranslation("market");
  const locale = useLocale();
  const symbol = useTokenSymbol();
  const [interval, setInterval] = useState<Interval>("HOUR");
  // A CPU-hour and a GPU-hour are different goods: without a class chosen, compute gets one line
  // per hardware class rather than one line zigzagging between their prices.
  const perClass = resource === "COMPUTE" && filter.hardwareClass === undefined;
  const variables = { resource, interval, region: filter.region, source: filter.source };
  const history = useGql(
    ["market", "prices", resource],
    PRICE_HISTORY,
    { ...variables, hardwareClass: filter.hardwareClass },
    { enabled: !perClass, placeholderData: (previous) => previous },
  );
  const classHistories = useGqlEach(
    ["market", "prices", resource],
    PRICE_HISTORY,
    HARDWARE_CLASSES.map((hardwareClass) => ({ ...variables, hardwareClass })),
    { enabled: perClass, placeholderData: (previous) => previous },
  );
  const formatY = useCallback((v: number) => formatDecimal(v.toFixed(TOKEN_DECIMALS), locale, 2), [locale]);
  const chart = useMemo(() => {
    if (perClass) {
      const lines = HARDWARE_CLASSES.map((hw, i) => ({
        hw,
        candles: classHistories[i].data?.stats.priceHistory ?? [],
      })).filter((l) => l.candles.length > 0);
      const x = [...new Set(lines.flatMap((l) => l.candles.map((c) => c.start)))].sort((a, b) => a - b);
      const series = lines.map(({ hw, candles }) => {
        const at = new Map(candles.map((c) => [c.start, c]));
        return {
          label: t(`common:hardware.${hw}`),
          values: x.map((s) => (at.has(s) ? toTokenNumber(at.get(s)!.close) : null)),
          color: classColor(hw),
        };
      });
      const summary = t("classPriceSummary", {
        classes: lines
          .map((l) => `${t(`common:hardware.${l.hw}`)} ${formatY(toTokenNumber(l.candles.at(-1)!.close))}`)
          .join(", "),
        symbol,
      });
      return { x, series, summary };
    }
    const candles = history.data?.stats.priceHistory ?? [];
    const last = candles.at(-1);
    return {
      x: candles.map((c) => c.start),
      series: [
        { label: t("close"), values: candles.map((c) => toTokenNumber(c.close)) },
        { label: t("high"), values: candles.map((c) => toTokenNumber(c.high)), color: "#8aa39599" },
        { label: t("low"), values: candles.map((c) => toTokenNumber(c.low)), color: "#8aa39599" },
      ],
      summary: t("priceSummary", {
        count: candles.length,
        close: last ? formatY(toTokenNumber(last.close)) : "—",
        symbol,
      }),
    };
  }, [perClass, classHistories, history.data, t, formatY, symbol]);
  const pending = perClass ? classHistories.some((q) => q.isPending) : history.isPending;
  const error = perClass ? (classHistories.find((q) => q.error)?.error ?? null) : history.error;
  return (
    <Card
      title={t("priceHistory", { unit: `${symbol} / ${UNITS[resource].perUnit}` })}
      actions={
        <div className="segmented" role="group" aria-label={t("interval")}>
          {(["HOUR", "DAY", "WEEK"] as const).map((i) => (
            <button key={i} type="button" aria-pressed={interval === i} onClick={() => setInterval(i)}>
              {t(`intervals.${i}`)}
            </button>
          ))}
        </div>
      }
    >
      {chart.x.length > 0 ? (
        <LineChart x={chart.x} series={chart.series} formatY={formatY} summary={chart.summary} />
      ) : (
        <QueryState loading={pending} error={error} empty={t("noHistory")} />
      )}
    </Card>
  );
}

function tradePlace(trade: Trade, t: (k: string) => string, locale: Locale): string {
  if (trade.fromRegion != null && trade.toRegion != null)
    return `${regionName(trade.fromRegion, locale)} ↔ ${regionName(trade.toRegion, locale)}`;
  const what = trade.hardwareClass
    ? t(`common:hardware.${trade.hardwareClass}`)
    : trade.source
      ? t(`common:source.${trade.source}`)
      : "";
  return [what, regionName(trade.region, locale)].filter(Boolean).join(" · ");
}

function RecentTrades({ resource, filter }: { resource: Resource; filter: BookFilter }) {
  const { t } = useTranslation("market");
  const locale = useLocale();
  const trades = useGql(
    ["market", "trades", resource],
    TRADES,
    { filter: tradeFilter(resource, filter), first: 12 },
    { placeholderData: (previous) => previous },
  );
  const units = UNITS[resource];
  const columns: Column<Trade>[] = [
    {
      key: "time",
      header: t("time"),
      render: (tr) => (
        <time dateTime={new Date(tr.at.time * 1000).toISOString()} title={formatTime(tr.at.time, locale)}>
          {formatShortTime(tr.at.time, locale)}
        </time>
      ),
    },
    { key: "what", header: t("what"), render: (tr) => tradePlace(tr, t, locale) },
    {
      key: "price",
      header: t("pricePer", { unit: units.perUnit }),
      numeric: true,
      render: (tr) => <Amount value={tr.price} kind="token" />,
    },
    {
      key: "quantity",
      header: t("quantity"),
      numeric: true,
      render: (tr) => <Amount value={tr.quantity} kind={units.tradeQuantity} />,
    },
    {
      key: "deal",
      header: t("deal"),
      render: (tr) => (
        <span className="deal-links">
          <Link to={`/trace/deal/${tr.dealId}`}>{t("dealNumber", { id: tr.dealId })}</Link>
          <TxLink hash={tr.at.txHash} />
        </span>
      ),
    },
  ];
  return (
    <Card title={t("recentDeals")}>
      <Table
        caption={t("recentDeals")}
        hideCaption
        columns={columns}
        rows={trades.data?.trades.nodes}
        rowKey={(tr) => tr.id}
        loading={trades.isPending}
        error={trades.error}
        empty={t("noTrades")}
        reflow
      />
    </Card>
  );
}
