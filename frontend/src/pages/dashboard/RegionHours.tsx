// A region's green power against its demand, hour by hour, from a day back to a day ahead (suppliers
// offer forecast energy a day ahead): what time-matching has to work with there. The figures are
// in the summary line too, since a canvas says nothing to assistive tech.
import { useState } from "react";
import { useTranslation } from "react-i18next";

import { REGIONS } from "../../../../protocol/units.ts";
import { Amount } from "../../components/Amount.tsx";
import { Card } from "../../components/Card.tsx";
import { HourlyMatchChart } from "../../components/charts/HourlyMatchChart.tsx";
import { formatTime } from "../../lib/format.ts";
import { useGql } from "../../lib/graphql.ts";
import { useLocale } from "../../lib/locale.ts";
import { regionName } from "../../lib/regions.ts";
import { REGION_HOURS_QUERY, type RegionHourRow } from "./queries.ts";

const HOUR = 3_600;

/** Totals of a region's hours, in Wh. */
export function regionTotals(rows: readonly RegionHourRow[]): { offered: bigint; sold: bigint; demand: bigint } {
  let offered = 0n;
  let sold = 0n;
  let demand = 0n;
  for (const r of rows) {
    offered += BigInt(r.greenOfferedWh);
    sold += BigInt(r.greenSoldWh);
    demand += BigInt(r.demandWh);
  }
  return { offered, sold, demand };
}

/** The region offering the most green Wh in `rows`, or undefined when none offers any. */
export function greenest(rows: readonly RegionHourRow[]): number | undefined {
  const offered = new Map<number, bigint>();
  for (const r of rows) offered.set(r.region, (offered.get(r.region) ?? 0n) + BigInt(r.greenOfferedWh));
  let best: number | undefined;
  for (const [region, wh] of [...offered].sort(([a], [b]) => a - b))
    if (wh > 0n && (best === undefined || wh > offered.get(best)!)) best = region;
  return best;
}

export function RegionHours({ now }: { now: number }) {
  const { t } = useTranslation("dashboard");
  const locale = useLocale();
  const [picked, setPicked] = useState<number | null>(null);
  const hour = Math.floor(now / HOUR) * HOUR;
  const from = hour - 24 * HOUR;
  const to = hour + 24 * HOUR;
  // Every region in one answer (at most 8 × 48 rows): switching regions needs no round trip.
  const query = useGql(
    ["region-hours", from],
    REGION_HOURS_QUERY,
    { from, to },
    { placeholderData: (previous) => previous },
  );
  const all = query.data?.regionHours ?? [];
  // Until the visitor picks one, the region with the most green power offered in these hours.
  const region = picked ?? greenest(all) ?? REGIONS[0].code;
  const rows = all.filter((r) => r.region === region);
  const totals = regionTotals(rows);
  const name = regionName(region, locale);
  const span = { from: formatTime(from, locale), to: formatTime(to, locale) };
  const empty = totals.offered === 0n && totals.demand === 0n;
  return (
    <Card
      title={t("regionHours.title")}
      actions={
        <label className="inline-field">
          <span>{t("regionHours.region")}</span>
          <select value={region} onChange={(e) => setPicked(Number(e.target.value))}>
            {REGIONS.map((r) => (
              <option key={r.code} value={r.code}>
                {regionName(r.code, locale)}
              </option>
            ))}
          </select>
        </label>
      }
    >
      <p className="muted">{t("regionHours.lead", span)}</p>
      {query.data === undefined ? null : empty ? (
        <p>{t("regionHours.empty", { region: name })}</p>
      ) : (
        <>
          <p>
            {t("regionHours.offered")} <Amount value={totals.offered} kind="energy" /> · {t("regionHours.sold")}{" "}
            <Amount value={totals.sold} kind="energy" /> · {t("regionHours.demand")}{" "}
            <Amount value={totals.demand} kind="energy" />
          </p>
          <HourlyMatchChart
            hours={rows.map((r) => ({ start: r.start, needWh: r.demandWh, greenWh: r.greenOfferedWh }))}
            summary={t("regionHours.summary", {
              region: name,
              ...span,
              offered: (Number(totals.offered) / 1000).toLocaleString(locale),
              sold: (Number(totals.sold) / 1000).toLocaleString(locale),
              demand: (Number(totals.demand) / 1000).toLocaleString(locale),
            })}
          />
        </>
      )}
    </Card>
  );
}
