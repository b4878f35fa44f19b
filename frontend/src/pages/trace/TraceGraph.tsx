// The provenance chain drawn as connected cards: layout.ts places them on a grid (a row per
// stage), an SVG behind them draws the links between the cards as measured, with the Wh or gCO2e
// that flowed along each, and every card says in words what fed it, so the chain reads the same
// without the picture.
import { useCallback, useLayoutEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { TxLink } from "../../components/TxLink.tsx";
import { formatCarbon, formatEnergy, formatTime } from "../../lib/format.ts";
import { useLocale } from "../../lib/locale.ts";
import { type Box, layoutProvenance, linkPath } from "./layout.ts";
import type { Provenance, ProvenanceLink, ProvenanceStep } from "./queries.ts";
import { traceHref } from "./queries.ts";
import { StepFacts } from "./StepFacts.tsx";

export function TraceGraph({ provenance }: { provenance: Provenance }) {
  const { t } = useTranslation("trace");
  const locale = useLocale();
  const layout = layoutProvenance(provenance);
  const shape = layout.nodes.map((n) => n.key).join("|");
  const boxes = useMeasuredBoxes(shape);
  const scroller = useRef<HTMLDivElement>(null);
  // A fan-out wider than a phone scrolls sideways: start in the middle, where the single cards are.
  // biome-ignore lint/correctness/useExhaustiveDependencies: `shape` is the trigger: re-centre when the set of cards changes
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el) el.scrollLeft = (el.scrollWidth - el.clientWidth) / 2;
  }, [shape]);
  const steps = new Map(provenance.steps.map((s) => [s.key, s]));
  const rowOf = new Map(layout.nodes.map((n) => [n.key, n.row]));
  const linkOf = new Map(provenance.links.map((l) => [`${l.from}>${l.to}`, l]));

  const quantity = (l: ProvenanceLink | undefined) => {
    if (!l?.quantity) return null;
    const { text, unit } =
      l.unit === "gCO2e" ? formatCarbon(BigInt(l.quantity), locale) : formatEnergy(BigInt(l.quantity), locale);
    return `${text} ${unit}`;
  };
  const name = (key: string) => {
    const s = steps.get(key);
    return s ? t("node.name", { stage: t(`stages.${s.stage}`), id: s.entityId }) : key;
  };

  return (
    <div className="trace-scroll" ref={scroller}>
      <div className="trace-graph" ref={boxes.container} style={{ ["--trace-columns" as string]: layout.columns * 2 }}>
        <svg className="trace-graph__links" width={boxes.size.width} height={boxes.size.height} aria-hidden="true">
          {layout.links.map((l) => {
            const a = boxes.of.get(l.from);
            const b = boxes.of.get(l.to);
            // A link that skips rows runs behind the cards between; its quantity is said on the card it feeds.
            const skips = Math.abs((rowOf.get(l.to) ?? 0) - (rowOf.get(l.from) ?? 0)) > 1;
            const label = skips ? null : quantity(linkOf.get(`${l.from}>${l.to}`));
            const drawn = a && b ? linkPath(a, b) : null;
            return (
              <g
                key={`${l.from}>${l.to}`}
                className={l.pending ? "trace-link trace-link--pending" : "trace-link"}
                data-from={l.from}
                data-to={l.to}
              >
                {drawn && <path d={drawn.path} />}
                {drawn && label && (
                  <text x={drawn.mid.x} y={drawn.mid.y} textAnchor="middle" dominantBaseline="middle">
                    {label}
                  </text>
                )}
              </g>
            );
          })}
        </svg>
        <ol className="trace-graph__nodes" aria-label={t("graph.label")}>
          {layout.nodes.map((n) => {
            const style = { gridRow: n.row + 1, gridColumn: `${n.gridColumn} / span 2` };
            if (n.missing) {
              return (
                <li
                  key={n.key}
                  className="trace-node trace-node--missing"
                  style={style}
                  data-key={n.key}
                  ref={boxes.node}
                >
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
              <li
                key={n.key}
                className={`trace-node trace-node--${step.stage.toLowerCase()} ${subject ? "trace-node--subject" : ""}`}
                style={style}
                data-key={step.key}
                ref={boxes.node}
              >
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
                  <time dateTime={new Date(step.at.time * 1000).toISOString()}>{formatTime(step.at.time, locale)}</time>{" "}
                  · <TxLink hash={step.at.txHash} />
                </p>
              </li>
            );
          })}
        </ol>
      </div>
    </div>
  );
}

/**
 * Where each card (by its data-key) sits inside the graph, measured after layout and again when
 * the graph resizes (fonts arriving, a narrower window), so the links follow the cards' real size.
 */
function useMeasuredBoxes(shape: string) {
  const container = useRef<HTMLDivElement>(null);
  const nodes = useRef(new Set<HTMLElement>());
  const [measured, setMeasured] = useState<{ of: Map<string, Box>; size: { width: number; height: number } }>({
    of: new Map(),
    size: { width: 0, height: 0 },
  });
  const node = useCallback((el: HTMLElement | null) => {
    if (el) nodes.current.add(el);
  }, []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `shape` is the trigger: the boxes are measured again when the set of cards changes
  useLayoutEffect(() => {
    const root = container.current;
    if (!root) return;
    const measure = () => {
      const of = new Map<string, Box>();
      for (const el of nodes.current) {
        if (!el.isConnected) nodes.current.delete(el);
        else
          of.set(el.dataset.key!, {
            left: el.offsetLeft,
            top: el.offsetTop,
            width: el.offsetWidth,
            height: el.offsetHeight,
          });
      }
      setMeasured({ of, size: { width: root.scrollWidth, height: root.scrollHeight } });
    };
    measure();
    if (typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(measure);
    observer.observe(root);
    return () => observer.disconnect();
  }, [shape]);
  return { container, node, ...measured };
}
