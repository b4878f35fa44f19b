// Prints every emitted JavaScript chunk's gzipped size and the initial total (the entry chunk plus
// every chunk it imports statically: what a first visit must download before the page runs), and
// fails the build when that total exceeds the budget. Lazy route chunks are listed but not counted.
import { gzipSync } from "node:zlib";
import type { Plugin } from "vite";

export type BundleBudgetOptions = { maxInitialGzipBytes: number };

type JsChunk = { fileName: string; code: string; isEntry: boolean; imports: string[] };

/** Gzipped size of each chunk and which of them load initially. */
export function measureChunks(chunks: JsChunk[]): {
  rows: { fileName: string; bytes: number; gzip: number; initial: boolean }[];
  initialGzip: number;
} {
  const byName = new Map(chunks.map((c) => [c.fileName, c]));
  const initial = new Set<string>();
  const visit = (name: string) => {
    if (initial.has(name)) return;
    initial.add(name);
    for (const next of byName.get(name)?.imports ?? []) visit(next);
  };
  for (const c of chunks) if (c.isEntry) visit(c.fileName);
  const rows = chunks
    .map((c) => ({
      fileName: c.fileName,
      bytes: Buffer.byteLength(c.code),
      gzip: gzipSync(c.code, { level: 9 }).length,
      initial: initial.has(c.fileName),
    }))
    .sort((a, b) => Number(b.initial) - Number(a.initial) || b.gzip - a.gzip);
  const initialGzip = rows.filter((r) => r.initial).reduce((sum, r) => sum + r.gzip, 0);
  return { rows, initialGzip };
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} kB`;

export function bundleBudget(options: BundleBudgetOptions): Plugin {
  return {
    name: "ccex-bundle-budget",
    apply: "build",
    generateBundle(_output, bundle) {
      const chunks: JsChunk[] = [];
      for (const item of Object.values(bundle)) {
        if (item.type === "chunk")
          chunks.push({ fileName: item.fileName, code: item.code, isEntry: item.isEntry, imports: item.imports });
      }
      const { rows, initialGzip } = measureChunks(chunks);
      const width = Math.max(...rows.map((r) => r.fileName.length), 5);
      const lines = [
        "",
        `${"chunk".padEnd(width)}  ${"size".padStart(10)}  ${"gzip".padStart(10)}  load`,
        ...rows.map(
          (r) =>
            `${r.fileName.padEnd(width)}  ${kb(r.bytes).padStart(10)}  ${kb(r.gzip).padStart(10)}  ${r.initial ? "initial" : "lazy"}`,
        ),
        `${"initial JavaScript (gzip)".padEnd(width)}  ${"".padStart(10)}  ${kb(initialGzip).padStart(10)}  budget ${kb(options.maxInitialGzipBytes)}`,
        "",
      ];
      console.log(lines.join("\n"));
      if (initialGzip > options.maxInitialGzipBytes) {
        this.error(
          `initial JavaScript is ${kb(initialGzip)} gzipped, over the ${kb(options.maxInitialGzipBytes)} budget`,
        );
      }
    },
  };
}
