// The supplier's capacity as an hours × days calendar: a row per local day, a cell per hour, coloured
// by how much of the hour its offers have sold (free, partly used, full, or nothing offered). Each
// cell names its hour and figures for assistive tech and on hover; a week at a time.
import { useState } from "react";
import { useTranslation } from "react-i18next";

import { Card } from "../../components/Card.tsx";
import { useChainTime } from "../../lib/chain-time.ts";
import { formatEnergy, formatTime, parseLocalDateTime, toLocalDateTimeInput } from "../../lib/format.ts";
import { useGql } from "../../lib/graphql.ts";
import { useLocale } from "../../lib/locale.ts";
import { useWallet } from "../../lib/wallet/index.tsx";
import { type CalendarCell, calendarDays, cellLevel } from "./capacity-calendar.ts";
import { OWN_OFFER_HOURS, type OwnOrder } from "./queries.ts";

const DAYS = 7;
const HOUR_MARKS = [0, 6, 12, 18];

/** Local midnight of the day that holds unix time `t`. */
function localMidnight(t: number): number {
  return parseLocalDateTime(`${toLocalDateTimeInput(t).slice(0, 10)}T00:00`) ?? t;
}

export function CapacityCalendar({ kind }: { kind: OwnOrder["kind"] }) {
  const { t } = useTranslation("supply");
  const locale = useLocale();
  const { account } = useWallet();
  const now = useChainTime();
  const [week, setWeek] = useState(0);
  const firstDay = localMidnight(now + week * DAYS * 86_400);
  const to = firstDay + DAYS * 86_400;
  const offers = useGql(
    ["supply", "calendar", kind, firstDay],
    OWN_OFFER_HOURS,
    { owner: account ?? "", kind, from: firstDay, to },
    { enabled: account !== null },
  );
  if (!account) return null;
  const days = calendarDays(offers.data?.orders.nodes ?? [], firstDay, DAYS);
  const amount = (v: bigint) =>
    kind === "ENERGY_OFFER" ? Object.values(formatEnergy(v, locale, 3)).join(" ") : `${v.toString()} ${UNIT[kind]}`;
  const describe = (cell: CalendarCell) =>
    cell.capacity === 0n
      ? t("calendar.cellNone", { hour: formatTime(cell.start, locale) })
      : t("calendar.cell", {
          hour: formatTime(cell.start, locale),
          used: amount(cell.used),
          capacity: amount(cell.capacity),
          free: amount(cell.capacity - cell.used),
        });
  const dayLabel = (start: number) =>
    new Intl.DateTimeFormat(locale, { weekday: "short", month: "numeric", day: "numeric" }).format(start * 1000);
  return (
    <Card title={t("calendar.title")}>
      <p className="field__hint">{t(`calendar.intro.${kind}`)}</p>
      <div className="calendar__nav">
        <button type="button" onClick={() => setWeek((w) => w - 1)}>
          {t("calendar.earlier")}
        </button>
        <span>
          {formatTime(firstDay, locale)} – {formatTime(to, locale)}
        </span>
        <button type="button" onClick={() => setWeek((w) => w + 1)}>
          {t("calendar.later")}
        </button>
      </div>
      {offers.error && (
        <p className="state state--error" role="alert">
          {offers.error.message}
        </p>
      )}
      <div className="calendar-wrap">
        <table className="calendar" aria-busy={offers.isPending}>
          <caption className="visually-hidden">{t("calendar.title")}</caption>
          <thead>
            <tr>
              <th scope="col">
                <span className="visually-hidden">{t("calendar.day")}</span>
              </th>
              {days[0].cells.map((_, h) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: the 24 hours of a day never reorder
                <th key={h} scope="col" className="calendar__hour">
                  {HOUR_MARKS.includes(h) ? h : <span className="visually-hidden">{h}</span>}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {days.map((day) => (
              <tr key={day.start}>
                <th scope="row" className="calendar__day">
                  {dayLabel(day.start)}
                </th>
                {day.cells.map((cell) => (
                  <td
                    key={cell.start}
                    className={`calendar__cell calendar__cell--${cellLevel(cell)}`}
                    data-level={cellLevel(cell)}
                    title={describe(cell)}
                  >
                    <span className="visually-hidden">{describe(cell)}</span>
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ul className="calendar__legend">
        {(["free", "partly", "full", "none"] as const).map((level) => (
          <li key={level}>
            <span className={`calendar__swatch calendar__cell--${level}`} aria-hidden="true" />
            {t(`calendar.level.${level}`)}
          </li>
        ))}
      </ul>
    </Card>
  );
}

const UNIT: Record<OwnOrder["kind"], string> = { COMPUTE_OFFER: "VCU", BANDWIDTH_OFFER: "Mbps", ENERGY_OFFER: "Wh" };
