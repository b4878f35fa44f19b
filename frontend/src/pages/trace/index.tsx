// /trace/:kind/:id — the whole provenance chain of a deal, a certificate batch or a retirement,
// from the device that generated the power to the credits retired. The URL is the subject, so a
// trace can be shared and reloaded; /trace alone offers the lookup.
import "./trace.css";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate, useParams } from "react-router";

import { Card } from "../../components/Card.tsx";
import { Field } from "../../components/Field.tsx";
import { HourlyMatch } from "../../components/HourlyMatch.tsx";
import { QueryState } from "../../components/Table.tsx";
import { useGql, type VariablesOf } from "../../lib/graphql.ts";
import { DealMetering } from "../metering/DealMetering.tsx";
import { PROVENANCE_QUERY, provenanceVariables, TRACE_KINDS, type TraceKind } from "./queries.ts";
import { TraceGraph } from "./TraceGraph.tsx";

export default function TracePage() {
  const { t } = useTranslation("trace");
  const { kind = "", id = "" } = useParams();
  const variables = kind || id ? provenanceVariables(kind, id) : null;

  return (
    <div className="stack trace-page">
      <h1>{t("title")}</h1>
      <p className="lead">{t("lead")}</p>
      <TraceSearch kind={(TRACE_KINDS as readonly string[]).includes(kind) ? (kind as TraceKind) : "deal"} id={id} />
      {(kind || id) && variables === null && (
        <p className="state state--error" role="alert">
          {t("search.invalid", { kind, id })}
        </p>
      )}
      {variables && <Trace variables={variables} />}
    </div>
  );
}

function Trace({ variables }: { variables: VariablesOf<typeof PROVENANCE_QUERY> }) {
  const { t } = useTranslation("trace");
  const query = useGql(["provenance"], PROVENANCE_QUERY, variables);
  const notFound = query.error?.errors.some((e) => e.extensions?.code === "NOT_FOUND");
  if (notFound)
    return (
      <p className="state state--error" role="alert">
        {t("notFound")}
      </p>
    );
  if (!query.data) return <QueryState loading={query.isPending} error={query.error} />;
  const p = query.data.provenance;
  const card = (
    <Card
      title={t("chain", { subject: t(`subjects.${Object.keys(variables)[0]}`, { id: Object.values(variables)[0] }) })}
      actions={
        <span className={`badge ${p.complete ? "badge--ok" : "badge--warn"}`}>
          {p.complete ? t("complete") : t("incomplete")}
        </span>
      }
    >
      {!p.complete && (
        <p className="hint">
          {t("missingList", { stages: p.missing.map((s) => t(`stages.${s}`)).join(t("listSeparator")) })}
        </p>
      )}
      <TraceGraph provenance={p} />
    </Card>
  );
  if (!("dealId" in variables) || typeof variables.dealId !== "string") return card;
  // A deal's page also shows the energy its compute site metered, beside the certificates that covered it.
  const batches = p.steps.flatMap((s) => (s.batch ? [s.batch] : []));
  const deal = p.steps.find((s) => s.deal?.id === variables.dealId)?.deal;
  return (
    <>
      {card}
      {deal && (
        <Card title={t("hourly.title", { id: deal.id })}>
          <p className="hint">
            {t("hourly.intro", {
              vcu: deal.vcu,
              hours: deal.durationHours,
              origin: t(`common:origin.${deal.certificateOrigin}`, { defaultValue: deal.certificateOrigin }),
            })}
          </p>
          <HourlyMatch hours={deal.hours} caption={t("hourly.caption", { id: deal.id })} />
        </Card>
      )}
      <DealMetering dealId={variables.dealId} batches={batches} />
    </>
  );
}

function TraceSearch({ kind: initialKind, id: initialId }: { kind: TraceKind; id: string }) {
  const { t } = useTranslation("trace");
  const navigate = useNavigate();
  const [kind, setKind] = useState<TraceKind>(initialKind);
  const [id, setId] = useState(initialId);
  const [error, setError] = useState<string | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const trimmed = id.trim();
    if (provenanceVariables(kind, trimmed) === null) return setError(t(`search.hint.${kind}`));
    setError(null);
    void navigate(`/trace/${kind}/${encodeURIComponent(trimmed)}`);
  };
  return (
    <form className="form form--row" role="search" aria-label={t("search.label")} onSubmit={submit} noValidate>
      <Field label={t("search.kind")}>
        {(p) => (
          <select {...p} value={kind} onChange={(e) => setKind(e.target.value as TraceKind)}>
            {TRACE_KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`search.kinds.${k}`)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label={t("search.id")} hint={error ? undefined : t(`search.hint.${kind}`)} error={error}>
        {(p) => <input {...p} value={id} onChange={(e) => setId(e.target.value)} spellCheck={false} />}
      </Field>
      <button type="submit" className="button button--primary">
        {t("search.submit")}
      </button>
    </form>
  );
}
