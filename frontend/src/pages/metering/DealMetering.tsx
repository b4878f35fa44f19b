// A deal's metered energy on its trace page (docs/metering.md): whether the series the compute
// site's meter sent matches the usage report on chain, the load curve (zoomable, downsampled by the
// service), and the energy of each hour beside the certificate batches whose generation covered it.
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { lazy, Suspense, useCallback, useState } from "react";
import { useTranslation } from "react-i18next";

import { Card } from "../../components/Card.tsx";
import { QueryState } from "../../components/Table.tsx";
import { useStackConfig } from "../../lib/config.tsx";
import {
  type CertificateBatch,
  type CurveRange,
  fetchMeteredSeries,
  type MeteredSeries,
  MeteringProblem,
} from "./api.ts";

// The charts (uPlot) load only when there is a series to draw: a deal's trace without one stays light.
const MeteredDetail = lazy(() => import("./MeteredDetail.tsx"));

type Props = { dealId: string; batches: CertificateBatch[] };

export function DealMetering({ dealId, batches }: Props) {
  const { t } = useTranslation("metering");
  const config = useStackConfig();
  const [range, setRange] = useState<CurveRange | null>(null);
  const query = useQuery({
    queryKey: ["metering", dealId, range],
    queryFn: () => fetchMeteredSeries(config.apiUrl, dealId, range),
    placeholderData: keepPreviousData,
  });
  const onZoom = useCallback((r: CurveRange) => setRange(r), []);

  if (query.error instanceof MeteringProblem && query.error.status === 404) {
    return (
      <Card title={t("title")}>
        <p className="hint">{t("noService")}</p>
      </Card>
    );
  }
  if (!query.data)
    return (
      <Card title={t("title")}>
        <QueryState loading={query.isPending} error={query.error} />
      </Card>
    );
  const m = query.data;
  return (
    <Card title={t("title")} actions={<MatchBadge series={m} />}>
      {m.samples === 0 ? (
        <p className="hint">{t("empty")}</p>
      ) : (
        <Suspense fallback={<QueryState loading={true} error={null} />}>
          <MeteredDetail series={m} batches={batches} range={range} onZoom={onZoom} onReset={() => setRange(null)} />
        </Suspense>
      )}
    </Card>
  );
}

function MatchBadge({ series }: { series: MeteredSeries }) {
  const { t } = useTranslation("metering");
  if (series.matchesOnChain === null) return <span className="badge badge--info">{t("match.unreported")}</span>;
  return series.matchesOnChain ? (
    <span className="badge badge--ok">{t("match.yes")}</span>
  ) : (
    <span className="badge badge--danger">{t("match.no")}</span>
  );
}
