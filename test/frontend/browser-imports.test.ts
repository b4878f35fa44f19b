// The web bundle must not pull Node-only modules: Vite would externalise them (a build warning and a
// module that throws in the browser). Walks every project file the web market reaches by relative
// imports, from its entry, and checks what each one imports.
import { existsSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import path from "node:path";
import { describe, expect, it } from "vitest";

import { repoFile } from "./paths.ts";

const root = repoFile();
const entry = repoFile("frontend/src/main.tsx");

const specifiers = /(?:\bfrom\s*|\bimport\s*\(?\s*)["']([^"']+)["']/g;
const nodeBuiltins = new Set(builtinModules);

function resolveRelative(importer: string, specifier: string): string | undefined {
  const target = path.resolve(path.dirname(importer), specifier);
  for (const candidate of [target, `${target}.ts`, `${target}.tsx`, path.join(target, "index.ts")]) {
    if (existsSync(candidate) && /\.(ts|tsx)$/.test(candidate)) return candidate;
  }
  return undefined;
}

/** Every project .ts/.tsx file the web market imports, with the bare specifiers each one names. */
function browserGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (graph.has(file)) continue;
    const bare: string[] = [];
    graph.set(file, bare);
    for (const [, specifier] of readFileSync(file, "utf8").matchAll(specifiers)) {
      if (specifier.startsWith(".")) {
        const next = resolveRelative(file, specifier);
        if (next !== undefined) pending.push(next);
      } else bare.push(specifier);
    }
  }
  return graph;
}

describe("the web bundle's imports", () => {
  const graph = browserGraph();

  it("reaches the shared protocol files the pages use", () => {
    const files = [...graph.keys()].map((f) => path.relative(root, f));
    expect(files).toContain("protocol/stack-config.ts");
    expect(files).toContain("protocol/deployment-schema.ts");
    expect(files).toContain("protocol/units.ts");
  });

  it("imports no Node built-in module from any file it reaches", () => {
    const offenders = [...graph].flatMap(([file, bare]) =>
      bare
        .filter((s) => s.startsWith("node:") || nodeBuiltins.has(s.split("/")[0] as string))
        .map((s) => `${path.relative(root, file)} imports ${s}`),
    );
    expect(offenders).toEqual([]);
  });

  it("leaves the Node file reader of deployments out", () => {
    expect(graph.has(path.join(root, "protocol/deployment.ts"))).toBe(false);
  });

  it("resolves no asset against import.meta.url, which Vite cannot find at build time", () => {
    const offenders = [...graph.keys()].filter((f) => /new URL\([^)]*import\.meta\.url/.test(readFileSync(f, "utf8")));
    expect(offenders.map((f) => path.relative(root, f))).toEqual([]);
  });
});
