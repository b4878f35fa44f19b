// `npm start`'s prestart (stack/build.ts): a step runs when its inputs changed or its output is
// missing, and is skipped otherwise; files the step writes into its own inputs do not count. Steps due
// run side by side, and one whose inputs another step rewrote meanwhile runs once more.
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
  const rejects = (pattern: RegExp) => assert.rejects(build(), pattern);
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
    assert.deepEqual(await build(), { built: ["page"], upToDate: [] });
    assert.deepEqual(await build(), { built: [], upToDate: ["page"] });
    assert.equal(await runs(), 1);
  });

  it("builds again when an input's content changes, a file is added, or the output is gone", async () => {
    await writeFile(path.join(root, "src", "pages", "a.tsx"), "export const a = 2;\n");
    assert.deepEqual((await build()).built, ["page"]);
    await writeFile(path.join(root, "src", "pages", "b.tsx"), "export const b = 1;\n");
    assert.deepEqual((await build()).built, ["page"]);
    await rm(path.join(root, "dist"), { recursive: true });
    assert.deepEqual((await build()).built, ["page"]);
    assert.deepEqual((await build()).built, []);
    assert.equal(await runs(), 4);
  });

  it("ignores a change to a file the step generates, and builds anyway when forced", async () => {
    await writeFile(path.join(root, "src", "generated.txt"), "edited by hand");
    assert.deepEqual((await build()).built, []);
    assert.deepEqual((await build(true)).built, ["page"]);
  });

  it("names the failed command and builds again next time (no stamp for a failed build)", async () => {
    await writeFile(path.join(root, "config.json"), '{"broken":true}\n');
    await rejects(/building the page failed: node make\.ts/);
    const before = await runs();
    await rejects(/building the page failed/);
    assert.equal(await runs(), before + 1, "the failed step ran again");
    await writeFile(path.join(root, "config.json"), "{}\n");
    assert.deepEqual((await build()).built, ["page"]);
  });

  it("runs the steps due side by side, and a step again when another rewrote its inputs meanwhile", async () => {
    // The contracts' step writes the ABIs the page's step imports; each waits until the other has
    // started, which one after the other would never happen.
    await mkdir(path.join(root, "contracts"), { recursive: true });
    await mkdir(path.join(root, "web", "src"), { recursive: true });
    await writeFile(path.join(root, "contracts", "Market.sol"), "contract Market {}\n");
    await writeFile(path.join(root, "web", "src", "abis.ts"), "export const abi = 1;\n");
    const rendezvous = (
      me: string,
      other: string,
      body: string,
    ) => `import { existsSync, readFileSync, writeFileSync } from "node:fs";
writeFileSync("${me}.started", "");
const until = Date.now() + 20_000;
while (!existsSync("${other}.started")) {
  if (Date.now() > until) { console.error("${me}: ${other} never started alongside"); process.exit(4); }
  await new Promise((resolve) => setTimeout(resolve, 20));
}
${body}
`;
    await writeFile(
      path.join(root, "compile.ts"),
      rendezvous(
        "compile",
        "bundle",
        `const abi = readFileSync("contracts/Market.sol", "utf8").includes("pay") ? 2 : 1;
writeFileSync("web/src/abis.ts", \`export const abi = \${abi};\\n\`);
writeFileSync("abi.json", String(abi));`,
      ),
    );
    await writeFile(
      path.join(root, "bundle.ts"),
      rendezvous(
        "bundle",
        "compile",
        `writeFileSync("bundles.txt", String(Number(existsSync("bundles.txt") ? readFileSync("bundles.txt", "utf8") : "0") + 1));
writeFileSync("index.html", readFileSync("web/src/abis.ts", "utf8"));`,
      ),
    );
    const steps: BuildStep[] = [
      { name: "contracts", inputs: ["contracts"], outputs: ["abi.json"], commands: [["compile.ts"]] },
      { name: "web", inputs: ["web"], outputs: ["index.html"], commands: [["bundle.ts"]] },
    ];
    const lines: string[] = [];
    const twoSteps = () => buildChanged({ root, steps, stampFile, say: (line) => lines.push(line) });
    const bundles = async () => Number(await readFile(path.join(root, "bundles.txt"), "utf8"));

    // The ABIs come out as committed: the page is bundled once, beside the contracts.
    assert.deepEqual(await twoSteps(), { built: ["contracts", "web"], upToDate: [] });
    assert.equal(await bundles(), 1);
    assert.ok(!lines.some((line) => line.includes("again")), lines.join("\n"));

    // A contract change alters the ABIs: the page, up to date before, is bundled after the contracts.
    await writeFile(path.join(root, "contracts", "Market.sol"), "contract Market { function pay() external {} }\n");
    assert.deepEqual(await twoSteps(), { built: ["contracts", "web"], upToDate: [] });
    assert.equal(await bundles(), 2);
    assert.equal(await readFile(path.join(root, "index.html"), "utf8"), "export const abi = 2;\n");

    // Both changed: they run side by side, and the page, bundled meanwhile from the old ABIs, once more.
    await writeFile(path.join(root, "contracts", "Market.sol"), "contract Market {}\n");
    await writeFile(path.join(root, "web", "src", "page.ts"), "export const page = 1;\n");
    assert.deepEqual(await twoSteps(), { built: ["contracts", "web"], upToDate: [] });
    assert.equal(await bundles(), 4);
    assert.ok(lines.includes("..  building the web again: its inputs changed while it was built"), lines.join("\n"));
    assert.equal(await readFile(path.join(root, "index.html"), "utf8"), "export const abi = 1;\n");
    assert.deepEqual(await twoSteps(), { built: [], upToDate: ["contracts", "web"] });
  });
});
