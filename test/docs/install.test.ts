// The README's install promise: `npm install` names no dependency install script left unreviewed,
// because package.json's `allowScripts` covers every one the project expects.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import path from "node:path";
import { describe, it } from "node:test";
import { promisify } from "node:util";

const root = path.resolve(import.meta.dirname, "../..");

describe("npm install", () => {
  it("leaves no dependency install script unreviewed", async () => {
    const { stdout } = await promisify(execFile)("npm", ["install-scripts", "ls", "--json"], {
      cwd: root,
      timeout: 60_000,
    });
    const { allowScripts } = JSON.parse(stdout) as { allowScripts: { name: string }[] };
    assert.deepEqual(
      allowScripts.map((p) => p.name),
      [],
      "review these packages' install scripts, then `npm install-scripts approve` or `deny` them",
    );
  });
});
