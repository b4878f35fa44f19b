// Places a provenance graph on a grid: one row per stage, in the chain's own order, so the picture
// reads top to bottom from the device to the credits retired and fits a phone's width; a batch that
// feeds many deals fans out sideways. Pure, so the arrangement is the same everywhere and testable;
// the cards' heights are left to their content, and the links are drawn between the measured cards.

import { PROVENANCE_STAGES, type ProvenanceStage } from "../../../../protocol/provenance.ts";

export const STAGES = PROVENANCE_STAGES;
export type Stage = ProvenanceStage;

export type LayoutInput = {
  steps: readonly { key: string; stage: Stage }[];
  links: readonly { from: string; to: string }[];
  missing: readonly Stage[];
};

/**
 * `row` is the stage's row among those drawn, `column` the node's place in its row. The grid has
 * two tracks per column of the widest row, so a row of fewer cards is centred by starting it
 * `gridColumn` tracks in (1-based, spanning two).
 */
export type PlacedNode = {
  key: string;
  stage: Stage;
  row: number;
  column: number;
  gridColumn: number;
  missing: boolean;
};
export type PlacedLink = { from: string; to: string; pending: boolean };
export type Layout = { columns: number; rows: number; nodes: PlacedNode[]; links: PlacedLink[] };

/** Key of the placeholder drawn for a stage with no step yet. */
export const missingKey = (stage: Stage) => `${stage}:missing`;

/**
 * Rows are stages; within a row, nodes are ordered by the mean column of their parents (one pass
 * from the top), which keeps the links of a fan-out from crossing.
 */
export function layoutProvenance(input: LayoutInput): Layout {
  const rows = STAGES.map((stage) => ({
    stage,
    keys: input.steps.filter((s) => s.stage === stage).map((s) => s.key),
  }));
  for (const row of rows)
    if (row.keys.length === 0 && input.missing.includes(row.stage)) row.keys.push(missingKey(row.stage));
  const used = rows.filter((r) => r.keys.length > 0);

  const parents = new Map<string, string[]>();
  for (const l of input.links) parents.set(l.to, [...(parents.get(l.to) ?? []), l.from]);
  const column = new Map<string, number>();
  for (const row of used) {
    const weight = (key: string) => {
      const cols = (parents.get(key) ?? []).map((p) => column.get(p)).filter((c): c is number => c !== undefined);
      return cols.length === 0 ? Number.POSITIVE_INFINITY : cols.reduce((a, b) => a + b, 0) / cols.length;
    };
    const order = row.keys.map((key, i) => ({ key, i, w: weight(key) })).sort((a, b) => a.w - b.w || a.i - b.i);
    row.keys = order.map((o) => o.key);
    // Centre columns (widest row = 0, 1, …) so the next row's weights compare across rows of any width.
    row.keys.forEach((key, i) => column.set(key, i - (row.keys.length - 1) / 2));
  }

  const columns = Math.max(1, ...used.map((r) => r.keys.length));
  const nodes: PlacedNode[] = used.flatMap((row, r) =>
    row.keys.map((key, c) => ({
      key,
      stage: row.stage,
      row: r,
      column: c,
      gridColumn: columns - row.keys.length + 2 * c + 1,
      missing: key === missingKey(row.stage),
    })),
  );

  const placed = new Set(nodes.map((n) => n.key));
  const links: PlacedLink[] = input.links
    .filter((l) => placed.has(l.from) && placed.has(l.to))
    .map((l) => ({ from: l.from, to: l.to, pending: false }));
  // A missing stage hangs under the row above it, dashed, to show where the chain stops.
  for (const n of nodes.filter((n) => n.missing)) {
    for (const a of nodes.filter((m) => m.row === n.row - 1)) links.push({ from: a.key, to: n.key, pending: true });
  }
  return { columns, rows: used.length, nodes, links };
}

export type Box = { left: number; top: number; width: number; height: number };

/** A vertical S-curve from the bottom centre of `a` to the top centre of `b`, and its midpoint for a label. */
export function linkPath(a: Box, b: Box): { path: string; mid: { x: number; y: number } } {
  const x1 = a.left + a.width / 2;
  const y1 = a.top + a.height;
  const x2 = b.left + b.width / 2;
  const y2 = b.top;
  const mid = (y1 + y2) / 2;
  return { path: `M${x1},${y1} C${x1},${mid} ${x2},${mid} ${x2},${y2}`, mid: { x: (x1 + x2) / 2, y: mid } };
}
