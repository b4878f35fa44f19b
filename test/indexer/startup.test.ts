// The indexer process's start-up failures: one line naming the cause, exit code 1, no stack trace.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import { ROOT } from "../helpers/local-chain.ts";

describe("the indexer's start-up", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "ccex-indexer-start-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("names an unusable database folder instead of ending in a stack trace", async () => {
    const file = path.join(dir, "a-file");
    await writeFile(file, "");
    const child = spawn(process.execPath, [path.join(ROOT, "indexer", "main.ts")], {
      cwd: ROOT,
      env: {
        ...process.env,
        INDEXER_DATA_DIR: path.join(file, "db"),
        RPC_URL: "http://127.0.0.1:9",
        INDEXER_PORT: "0",
        LOG_LEVEL: "silent",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise((resolve) => child.once("exit", resolve));
    assert.equal(code, 1);
    assert.match(
      stderr,
      /^indexer: cannot start: the database folder .*a-file\/db cannot be used: a part of the path is a file, not a folder \(ENOTDIR\)\n$/,
    );
    assert.doesNotMatch(stderr, /Node\.js v|at /);
  });
});
