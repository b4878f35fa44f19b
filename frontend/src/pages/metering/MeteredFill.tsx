// The compute supplier's shortcut in the usage report form: each job hour's energy and the metering
// root come from the series its meter sent (GET /api/metering/<id>/report), not from typing. A series
// with gaps gives no report, and the form says so with the gaps the service named.
import { useMutation } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";

import { hoursOf } from "../../../../protocol/hours.ts";
import { SECONDS_PER_HOUR } from "../../../../protocol/units.ts";
import { useStackConfig } from "../../lib/config.tsx";
import { fetchMeteredReport, type MeteredHour, MeteringProblem, whToKwhText } from "./api.ts";

export type MeteredFigures = { kwhPerHour: string; meteringRoot: `0x${string}` };

/** The metered Wh of each of the job's hours, in order; an hour the meter did not report counts 0. */
export function whPerJobHour(hours: readonly MeteredHour[], deal: { start: number; durationHours: number }): number[] {
  const byStart = new Map(hours.map((h) => [h.start, h.wh]));
  return hoursOf(deal.start, deal.start + deal.durationHours * SECONDS_PER_HOUR).map(
    (start) => byStart.get(start) ?? 0,
  );
}

/** The same as kWh text, as the report form takes it. */
export function kwhPerJobHour(hours: readonly MeteredHour[], deal: { start: number; durationHours: number }): string[] {
  return whPerJobHour(hours, deal).map(whToKwhText);
}

export function MeteredFill({
  deal,
  onFill,
}: {
  deal: { id: string; start: number; durationHours: number };
  onFill: (figures: MeteredFigures) => void;
}) {
  const { t } = useTranslation("metering");
  const config = useStackConfig();
  const read = useMutation({
    mutationFn: () => fetchMeteredReport(config.apiUrl, deal.id),
    onSuccess: (report) =>
      onFill({ kwhPerHour: kwhPerJobHour(report.hours, deal).join(" "), meteringRoot: report.root }),
  });
  const error = read.error;
  const message =
    error instanceof MeteringProblem && error.type === "series-incomplete"
      ? t("fill.incomplete", { detail: error.message })
      : error instanceof MeteringProblem && error.status === 404
        ? t("fill.none", { id: deal.id })
        : error
          ? t("fill.unavailable", { detail: error.message })
          : null;
  return (
    <div className="row">
      <button type="button" className="button" onClick={() => read.mutate()} disabled={read.isPending}>
        {t("fill.button")}
      </button>
      <span role="status" className={message ? "state state--error" : "hint"}>
        {read.isPending
          ? t("fill.loading")
          : (message ??
            (read.data
              ? t("fill.filled", {
                  samples: read.data.samples,
                  kwh: whToKwhText(read.data.totalWh),
                  root: read.data.root,
                })
              : ""))}
      </span>
    </div>
  );
}
