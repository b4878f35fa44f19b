// Places a provenance graph on a grid: one row per stage, in the chain's own order, so the picture
// reads top to bottom from the device to the credits retired and fits a phone's width; a batch that
// feeds many deals fans out sideways. Pure, so the rendering is the same everywhere and testable.

export const STAGES = [
  "DEVICE",
  "CERTIFICATE_BATCH",
  "ENERGY_OFFER",
  "DEAL",
  "USAGE_REPORT",
  "RETIREMENT",
  "CREDIT_MINT",
  "CREDIT_RETIREMENT",
] as const;
export type Stage = (typeof STAGES)[number];

export type LayoutInput = {
  steps: readonly { key: string; stage: Stage }[];
  links: readonly { from: string; to: string }[];
  missing: readonly Stage[];
};

export type PlacedNode = { key: string; stage: Stage; row: number; column: number; x: number; y: number; missing: boolean };
export type PlacedLink = { from: string; to: string; path: string; /** Where a label on the link goes. */ mid: { x: number; y: number } };
export type Layout = { width: number; height: number; nodes: PlacedNode[]; links: PlacedLink[] };

export const NODE = { width: 232, height: 148, gapX: 24, gapY: 56 } as const;

/** Key of the placeholder drawn for a stage with no step yet. */
export const missingKey = (stage: Stage) => `${stage}:missing`;

/**
 * Rows are stages; within a row, nodes are ordered by the mean column of their parents (one pass
 * from the top), which keeps the links of a fan-out from crossing. Rows are centred on the widest.
 */
export function layoutProvenance(input: LayoutInput): Layout {
  const rows = STAGES.map((stage) => ({
    stage,
    keys: input.steps.filter((s) => s.stage === stage).map((s) => s.key),
  }));
  for (const row of rows) if (row.keys.length === 0 && input.missing.includes(row.stage)) row.keys.push(missingKey(row.stage));
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
    row.keys.forEach((key, i) => column.set(key, i));
  }

  const widest = Math.max(1, ...used.map((r) => r.keys.length));
  const width = widest * NODE.width + (widest - 1) * NODE.gapX;
  const nodes: PlacedNode[] = [];
  used.forEach((row, r) => {
    const rowWidth = row.keys.length * NODE.width + (row.keys.length - 1) * NODE.gapX;
    const left = (width - rowWidth) / 2;
    row.keys.forEach((key, c) => {
      nodes.push({
        key,
        stage: row.stage,
        row: r,
        column: c,
        x: left + c * (NODE.width + NODE.gapX),
        y: r * (NODE.height + NODE.gapY),
        missing: key === missingKey(row.stage),
      });
    });
  });

  const at = new Map(nodes.map((n) => [n.key, n]));
  const links: PlacedLink[] = [];
  for (const l of input.links) {
    const a = at.get(l.from);
    const b = at.get(l.to);
    if (!a || !b) continue;
    links.push({ from: l.from, to: l.to, ...curve(a, b) });
  }
  // A missing stage hangs under the row above it, dashed, to show where the chain stops.
  for (const n of nodes.filter((n) => n.missing)) {
    const above = nodes.filter((m) => m.row === n.row - 1);
    for (const a of above) links.push({ from: a.key, to: n.key, ...curve(a, n) });
  }
  const height = used.length * NODE.height + Math.max(0, used.length - 1) * NODE.gapY;
  return { width, height, nodes, links };
}

/** A vertical S-curve from the bottom centre of `a` to the top centre of `b`. */
function curve(a: PlacedNode, b: PlacedNode): Pick<PlacedLink, "path" | "mid"> {
  const x1 = a.x + NODE.width / 2;
  const y1 = a.y + NODE.height;
  const x2 = b.x + NODE.width / 2;
  const y2 = b.y;
  const mid = (y1 + y2) / 2;
  // A link that skips rows (a batch straight to its retirement) bends the same way, just longer.
  return { path: `M${x1},${y1} C${x1},${mid} ${x2},${mid} ${x2},${y2}`, mid: { x: (x1 + x2) / 2, y: mid } };
}
