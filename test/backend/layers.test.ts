// The backend's folders depend one way (docs/architecture.md): the processes (api, matcher, keeper)
// build on the shared parts (book, proposals, pricing, chain), which build on protocol/ only. A
// cycle or a sideways import between the processes fails here, not in a reader's head.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";

const ROOT = path.resolve(import.meta.dirname, "..", "..");
const BACKEND = path.join(ROOT, "backend");

/** What each backend folder may import besides itself and protocol/. */
const ALLOWED: Record<string, readonly string[]> = {
  api: ["book", "proposals", "pricing", "metering", "service"],
  matcher: ["book", "proposals", "pricing", "chain", "service"],
  keeper: ["chain", "service"],
  book: ["chain"],
  proposals: ["pricing"],
  pricing: [],
  chain: [],
  service: ["chain"],
  metering: ["chain"],
  // backend/main.ts and backend/config.ts: the API server's process.
  ".": ["api", "book", "proposals", "chain", "metering", "service"],
};

/** Files outside backend/ and protocol/ a backend folder may use: the metering store keeps its samples
 * in the same database family as the indexer, through the indexer's driver and migration runner. */
const SHARED: Record<string, readonly string[]> = {
  metering: ["indexer/db/driver.ts", "indexer/db/migrate.ts"],
};

async function sources(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith(".ts")).map((e) => path.join(e.parentPath, e.name));
}

async function relativeImports(file: string): Promise<string[]> {
  const text = await readFile(file, "utf8");
  const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)].map((m) => m[1]);
  return specs.map((s) => path.resolve(path.dirname(file), s));
}

const folderOf = (file: string) => {
  const rel = path.relative(BACKEND, file);
  return rel.includes(path.sep) ? rel.split(path.sep)[0] : ".";
};

describe("backend layering", () => {
  it("imports run one way: processes → book, proposals, pricing, chain → protocol", async () => {
    const wrong: string[] = [];
    for (const file of await sources(BACKEND)) {
      const from = folderOf(file);
      for (const target of await relativeImports(file)) {
        const rel = path.relative(ROOT, target);
        if (rel.startsWith(`protocol${path.sep}`)) continue;
        if ((SHARED[from] ?? []).includes(rel)) continue;
        if (!rel.startsWith(`backend${path.sep}`)) {
          wrong.push(`${path.relative(ROOT, file)} → ${rel} (outside backend/ and protocol/)`);
          continue;
        }
        const to = folderOf(target);
        if (to !== from && !(ALLOWED[from] ?? []).includes(to)) wrong.push(`${path.relative(ROOT, file)} → ${rel}`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  it("protocol/ imports nothing from the backend", async () => {
    const wrong: string[] = [];
    for (const file of await sources(path.join(ROOT, "protocol"))) {
      for (const target of await relativeImports(file)) {
        if (!path.relative(ROOT, target).startsWith(`protocol${path.sep}`)) wrong.push(path.relative(ROOT, file));
      }
    }
    assert.deepEqual(wrong, []);
  });

  it("the API, the matcher and the pricing surface load no HiGHS solver", async () => {
    // Records every module the import resolves, in a fresh process so nothing is cached.
    const probe = `
      import { registerHooks } from "node:module";
      const seen = [];
      registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); seen.push(r.url); return r; } });
      for (const url of process.argv.slice(1)) await import(url);
      console.log(JSON.stringify(seen));`;
    const entries = ["backend/pricing/index.ts", "backend/api/app.ts", "backend/matcher/matcher.ts"].map(
      (f) => pathToFileURL(path.join(ROOT, f)).href,
    );
    const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", probe, ...entries]);
    const loaded: string[] = JSON.parse(stdout);
    assert.ok(
      loaded.some((u) => u.endsWith("/backend/pricing/schedule/fast.ts")),
      "the probe saw the fast scheduler",
    );
    assert.deepEqual(
      loaded.filter((u) => u.includes("/highs/") || u.endsWith("/exact.ts")),
      [],
    );
  });
});
