// The README's install promise: `npm install` names no dependency install script left unreviewed,
// because package.json's `allowScripts` covers every one the project expects, and leaves the
// committed package-lock.json as it is (it once gained 86 lines of EDR platform entries on a fresh clone).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { copyFile, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
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

  it("leaves the committed package-lock.json unchanged", async () => {
    // The lock npm would write for this package.json, from the lock and npm's cache (no network, no
    // node_modules touched): a lock missing any platform's optional package gains it here.
    const dir = await mkdtemp(path.join(tmpdir(), "ccex-lock-"));
    try {
      for (const file of ["package.json", "package-lock.json"])
        await copyFile(path.join(root, file), path.join(dir, file));
      await promisify(execFile)(
        "npm",
        ["install", "--package-lock-only", "--ignore-scripts", "--offline", "--no-audit", "--no-fund"],
        { cwd: dir, timeout: 60_000 },
      );
      const [written, committed] = await Promise.all(
        [dir, root].map((d) => readFile(path.join(d, "package-lock.json"), "utf8")),
      );
      assert.ok(written === committed, "npm install rewrites package-lock.json: commit the lock it writes");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
