// The compute supplier's shortcut in the usage report form: the energy and the metering hash come
// from the series its meter sent (GET /api/metering/<id>/report), not from typing. A series with
// gaps gives no report, and the form says so with the gaps the service named.
import { useMutation } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";

import { useStackConfig } from "../../lib/config.tsx";
import { fetchMeteredReport, MeteringProblem, whToKwhText } from "./api.ts";

export type MeteredFigures = { kwhConsumed: string; meteringHash: `0x${string}` };

export function MeteredFill({ dealId, onFill }: { dealId: string; onFill: (figures: MeteredFigures) => void }) {
  const { t } = useTranslation("metering");
  const config = useStackConfig();
  const read = useMutation({
    mutationFn: () => fetchMeteredReport(config.apiUrl, dealId),
    onSuccess: (report) => onFill({ kwhConsumed: whToKwhText(report.totalWh), meteringHash: report.root }),
  });
  const error = read.error;
  const message =
    error instanceof MeteringProblem && error.type === "series-incomplete"
      ? t("fill.incomplete", { detail: error.message })
      : error instanceof MeteringProblem && error.status === 404
        ? t("fill.none", { id: dealId })
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
