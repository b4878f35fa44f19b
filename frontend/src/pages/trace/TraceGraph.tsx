// The provenance chain drawn as connected cards: layout.ts places them (a row per stage), an SVG
// behind them draws the links with the Wh or gCO2e that flowed along each, and every card says in
// words what fed it, so the chain reads the same without the picture.
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { TxLink } from "../../components/TxLink.tsx";
import { formatCarbon, formatEnergy, formatTime } from "../../lib/format.ts";
import { useLocale } from "../../lib/locale.ts";
import { layoutProvenance, NODE } from "./layout.ts";
import type { Provenance, ProvenanceLink, ProvenanceStep } from "./queries.ts";
import { traceHref } from "./queries.ts";
import { StepFacts } from "./StepFacts.tsx";

export function TraceGraph({ provenance }: { provenance: Provenance }) {
  const { t } = useTranslation("trace");
  const locale = useLocale();
  const layout = layoutProvenance(provenance);
  const steps = new Map(provenance.steps.map((s) => [s.key, s]));
  const linkOf = new Map(provenance.links.map((l) => [`${l.from}>${l.to}`, l]));

  const quantity = (l: ProvenanceLink | undefined) => {
    if (!l?.quantity) return null;
    const { text, unit } = l.unit === "gCO2e" ? formatCarbon(BigInt(l.quantity), locale) : formatEnergy(BigInt(l.quantity), locale);
    return `${text} ${unit}`;
  };
  const name = (key: string) => {
    const s = steps.get(key);
    return s ? t("node.name", { stage: t(`stages.${s.stage}`), id: s.entityId }) : key;
  };

  return (
    <div className="trace-graph" style={{ width: layout.width, height: layout.height }}>
      <svg className="trace-graph__links" width={layout.width} height={layout.height} aria-hidden="true">
        {layout.links.map((l) => {
          const data = linkOf.get(`${l.from}>${l.to}`);
          const label = quantity(data);
          const pending = l.to.endsWith(":missing");
          return (
            <g key={`${l.from}>${l.to}`} className={pending ? "trace-link trace-link--pending" : "trace-link"} data-from={l.from} data-to={l.to}>
              <path d={l.path} />
              {label && (
                <text x={l.mid.x} y={l.mid.y} textAnchor="middle" dominantBaseline="middle">
                  {label}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <ol className="trace-graph__nodes" aria-label={t("graph.label")}>
        {layout.nodes.map((n) => {
          const style = { left: n.x, top: n.y, width: NODE.width, minHeight: NODE.height };
          if (n.missing) {
            return (
              <li key={n.key} className="trace-node trace-node--missing" style={style}>
                <h3 className="trace-node__stage">{t(`stages.${n.stage}`)}</h3>
                <p className="muted">{t(`missing.${n.stage}`)}</p>
              </li>
            );
          }
          const step = steps.get(n.key) as ProvenanceStep;
          const inputs = provenance.links.filter((l) => l.to === n.key);
          const href = traceHref(step.stage, step.entityId);
          const subject = provenance.subject === step.key;
          return (
            <li key={n.key} className={`trace-node trace-node--${step.stage.toLowerCase()} ${subject ? "trace-node--subject" : ""}`} style={style} data-key={step.key}>
              <h3 className="trace-node__stage">
                {href && !subject ? <Link to={href}>{name(step.key)}</Link> : name(step.key)}
              </h3>
              <StepFacts step={step} />
              {inputs.length > 0 && (
                <p className="trace-node__from">
                  {t("node.from")}{" "}
                  {inputs.map((l, i) => (
                    <span key={l.from}>
                      {i > 0 && ", "}
                      {name(l.from)}
                      {quantity(l) && ` (${quantity(l)})`}
                    </span>
                  ))}
                </p>
              )}
              <p className="trace-node__at">
                <time dateTime={new Date(step.at.time * 1000).toISOString()}>{formatTime(step.at.time, locale)}</time> · <TxLink hash={step.at.txHash} />
              </p>
            </li>
          );
        })}
      </ol>
    </div>
  );
}
