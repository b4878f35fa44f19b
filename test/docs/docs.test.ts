// The product's documentation against the code: the published codes are protocol/units.ts's, every
// contract a deployment lists is explained, every link between documents leads somewhere, and no
// document points outside the repository.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";

import { deploymentSchema } from "../../protocol/deployment-schema.ts";
import { SKIP_REASONS } from "../../protocol/orders.ts";
import { ENERGY_SOURCES, HARDWARE_CLASSES, REGIONS } from "../../protocol/units.ts";

const root = path.resolve(import.meta.dirname, "../..");
const read = (file: string) => readFileSync(path.join(root, file), "utf8");

const documents = [
  "README.md",
  "frontend/README.md",
  "backend/api/README.md",
  ...readdirSync(path.join(root, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];

/** The body rows of the first Markdown table after `heading`, as trimmed cells without backticks. */
function tableAfter(markdown: string, heading: string): string[][] {
  const start = markdown.indexOf(`\n${heading}\n`);
  assert.ok(start >= 0, `heading ${heading} is missing`);
  const lines = markdown.slice(start).split("\n");
  const first = lines.findIndex((l) => l.startsWith("|"));
  const rows: string[][] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith("|")) break;
    rows.push(
      line
        .split("|")
        .slice(1, -1)
        .map((c) => c.trim().replaceAll("`", "")),
    );
  }
  return rows;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function slug(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .replaceAll(" ", "-");
}

describe("docs/reference.md", () => {
  const reference = read("docs/reference.md");

  it("lists every region of protocol/units.ts with its code, names and grid factor", () => {
    assert.deepEqual(
      tableAfter(reference, "## Regions"),
      REGIONS.map((r) => [String(r.code), r.name, r.label.en, r.label.zh, String(r.gridFactor)]),
    );
  });

  it("numbers hardware classes and energy sources as protocol/units.ts does", () => {
    assert.deepEqual(
      tableAfter(reference, "## Hardware classes"),
      HARDWARE_CLASSES.map((name, code) => [String(code), name]),
    );
    assert.deepEqual(
      tableAfter(reference, "## Energy sources"),
      ENERGY_SOURCES.map((name, code) => [String(code), name]),
    );
  });

  it("numbers every skip reason as protocol/orders.ts (and so IMarket.SkipReason) does", () => {
    const start = reference.indexOf("\n## Skip reasons\n");
    assert.ok(start >= 0, "heading ## Skip reasons is missing");
    const section = reference.slice(start + 1, reference.indexOf("\n## ", start + 1));
    const listed = [...section.matchAll(/(\d+) `(\w+)`/g)].map((m) => [Number(m[1]), m[2]]);
    assert.deepEqual(listed, SKIP_REASONS.map((name, code) => [code, name]).slice(1));
  });

  it("explains every contract a deployment file lists", () => {
    const explained = tableAfter(reference, "## Contracts").map((row) => row[0]);
    assert.deepEqual(explained.sort(), Object.keys(deploymentSchema.shape.contracts.shape).sort());
  });
});

describe("the documents", () => {
  it("link only to files and headings that exist", () => {
    const broken: string[] = [];
    for (const doc of documents) {
      const text = read(doc);
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target)) continue;
        const [file, anchor] = target.split("#");
        const resolved = file === "" ? doc : path.join(path.dirname(doc), file);
        if (!existsSync(path.join(root, resolved))) {
          broken.push(`${doc} → ${target} (no such file)`);
          continue;
        }
        if (anchor === undefined || !resolved.endsWith(".md")) continue;
        const headings = [...read(resolved).matchAll(/^#+ (.+)$/gm)].map((m) => slug(m[1]));
        if (!headings.includes(anchor)) broken.push(`${doc} → ${target} (no such heading)`);
      }
    }
    assert.deepEqual(broken, []);
  });

  it("cite the repository's docs, never the brief outside it", () => {
    const outside = documents.filter((doc) => /DESIGN\.md|\.\.\/shared\//.test(read(doc)));
    assert.deepEqual(outside, []);
  });
});
