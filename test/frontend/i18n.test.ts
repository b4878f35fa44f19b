// Every text exists in both languages: same keys in every namespace, none empty, and the same
// {{placeholders}} (a translation that drops one would show a sentence with a hole).
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

import { repoFile } from "./paths.ts";

const root = repoFile("frontend/src/i18n");
const languages = ["en", "zh-CN"];

function flatten(value: unknown, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  if (typeof value === "string") out.set(prefix, value);
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value))
      for (const [kk, vv] of flatten(v, prefix ? `${prefix}.${k}` : k)) out.set(kk, vv);
  } else out.set(prefix, String(value));
  return out;
}

const load = (lang: string, ns: string) =>
  flatten(JSON.parse(readFileSync(path.join(root, lang, `${ns}.json`), "utf8")));
const placeholders = (text: string) => [...text.matchAll(/\{\{\s*(\w+)/g)].map((m) => m[1]).sort();

describe("translations", () => {
  const namespaces = new Set(
    languages.flatMap((lang) => readdirSync(path.join(root, lang)).map((f) => f.replace(/\.json$/, ""))),
  );

  it("has every namespace in both languages", () => {
    for (const lang of languages) {
      const own = readdirSync(path.join(root, lang)).map((f) => f.replace(/\.json$/, ""));
      expect(own.sort(), lang).toEqual([...namespaces].sort());
    }
    expect(namespaces.has("common")).toBe(true);
  });

  for (const ns of namespaces) {
    it(`has the same non-empty keys and placeholders in en and zh-CN for ${ns}`, () => {
      const en = load("en", ns);
      const zh = load("zh-CN", ns);
      expect([...zh.keys()].sort()).toEqual([...en.keys()].sort());
      for (const [key, text] of en) {
        expect(text.trim(), `en ${ns}:${key}`).not.toBe("");
        expect(zh.get(key)!.trim(), `zh-CN ${ns}:${key}`).not.toBe("");
        expect(placeholders(zh.get(key)!), `${ns}:${key}`).toEqual(placeholders(text));
      }
    });
  }
});
