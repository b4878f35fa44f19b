// `npm start`'s prestart (stack/build.ts): a step runs when its inputs changed or its output is
// missing, and is skipped otherwise; files the step writes into its own inputs do not count.
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import { type BuildStep, buildChanged } from "../../stack/build.ts";

describe("the prestart build", () => {
  let root: string;
  let stampFile: string;
  const step: BuildStep = {
    name: "page",
    inputs: ["src", "config.json"],
    outputs: ["dist/index.html"],
    ignore: ["src/generated.txt"],
    commands: [["make.ts"]],
  };
  const build = (force = false) => buildChanged({ root, steps: [step], stampFile, force });
  const runs = async () => Number(await readFile(path.join(root, "runs.txt"), "utf8").catch(() => "0"));

  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), "ccex-build-"));
    stampFile = path.join(root, "cache", "stamps.json");
    await mkdir(path.join(root, "src", "pages"), { recursive: true });
    await writeFile(path.join(root, "src", "pages", "a.tsx"), "export const a = 1;\n");
    await writeFile(path.join(root, "config.json"), "{}\n");
    // The build counts its runs and, like gql.tada, writes a file inside its own inputs.
    await writeFile(
      path.join(root, "make.ts"),
      `import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
const runs = Number((() => { try { return readFileSync("runs.txt", "utf8"); } catch { return "0"; } })()) + 1;
writeFileSync("runs.txt", String(runs));
writeFileSync("src/generated.txt", String(runs));
if (readFileSync("config.json", "utf8").includes("broken")) process.exit(3);
mkdirSync("dist", { recursive: true });
writeFileSync("dist/index.html", "<!doctype html>");
`,
    );
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("builds the first time, then skips while nothing changed", async () => {
    assert.deepEqual(build(), { built: ["page"], upToDate: [] });
    assert.deepEqual(build(), { built: [], upToDate: ["page"] });
    assert.equal(await runs(), 1);
  });

  it("builds again when an input's content changes, a file is added, or the output is gone", async () => {
    await writeFile(path.join(root, "src", "pages", "a.tsx"), "export const a = 2;\n");
    assert.deepEqual(build().built, ["page"]);
    await writeFile(path.join(root, "src", "pages", "b.tsx"), "export const b = 1;\n");
    assert.deepEqual(build().built, ["page"]);
    await rm(path.join(root, "dist"), { recursive: true });
    assert.deepEqual(build().built, ["page"]);
    assert.deepEqual(build().built, []);
    assert.equal(await runs(), 4);
  });

  it("ignores a change to a file the step generates, and builds anyway when forced", async () => {
    await writeFile(path.join(root, "src", "generated.txt"), "edited by hand");
    assert.deepEqual(build().built, []);
    assert.deepEqual(build(true).built, ["page"]);
  });

  it("names the failed command and builds again next time (no stamp for a failed build)", async () => {
    await writeFile(path.join(root, "config.json"), '{"broken":true}\n');
    assert.throws(() => build(), /building the page failed: node make\.ts/);
    const before = await runs();
    assert.throws(() => build(), /building the page failed/);
    assert.equal(await runs(), before + 1, "the failed step ran again");
    await writeFile(path.join(root, "config.json"), "{}\n");
    assert.deepEqual(build().built, ["page"]);
  });
});
