// The keeper's environment: defaults, and a one-line error naming the bad variable (exit 2 from main).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, it } from "node:test";

import { KeeperConfigError, loadKeeperConfig } from "../../../backend/keeper/config.ts";

const KEY = `0x${"11".repeat(32)}`;
const MAIN = path.resolve(import.meta.dirname, "..", "..", "..", "backend", "keeper", "main.ts");

describe("keeper config", () => {
  it("takes defaults and reads DEPLOYMENT as a chain id or a file", () => {
    const config = loadKeeperConfig({ KEEPER_PRIVATE_KEY: KEY, DEPLOYMENT: "31337" });
    assert.equal(config.rpcUrl, "http://127.0.0.1:8545");
    assert.equal(config.intervalMs, 5_000);
    assert.equal(config.deployment, 31337);
    assert.equal(loadKeeperConfig({ KEEPER_PRIVATE_KEY: KEY, DEPLOYMENT: "/srv/d.json" }).deployment, "/srv/d.json");
    assert.equal(loadKeeperConfig({ KEEPER_PRIVATE_KEY: KEY }).deployment, undefined);
    assert.equal(config.statusFile, undefined);
    assert.equal(
      loadKeeperConfig({ KEEPER_PRIVATE_KEY: KEY, KEEPER_STATUS_FILE: "/srv/keeper.json" }).statusFile,
      "/srv/keeper.json",
    );
  });

  it("names each bad variable and never echoes the key", () => {
    assert.throws(
      () => loadKeeperConfig({}),
      (e: Error) => e instanceof KeeperConfigError && /KEEPER_PRIVATE_KEY/.test(e.message),
    );
    assert.throws(
      () => loadKeeperConfig({ KEEPER_PRIVATE_KEY: "0xsecret", KEEPER_INTERVAL_MS: "soon" }),
      (e: Error) =>
        /KEEPER_PRIVATE_KEY/.test(e.message) && /KEEPER_INTERVAL_MS/.test(e.message) && !e.message.includes("secret"),
    );
    assert.throws(() => loadKeeperConfig({ KEEPER_PRIVATE_KEY: KEY, RPC_URL: "ftp://x" }), /RPC_URL/);
  });

  it("stops the process with exit 2 and one line on stderr", () => {
    const run = spawnSync(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH, KEEPER_INTERVAL_MS: "5" },
      encoding: "utf8",
    });
    assert.equal(run.status, 2);
    const lines = run.stderr.trim().split("\n");
    assert.equal(lines.length, 1);
    assert.match(lines[0], /KEEPER_PRIVATE_KEY/);
    assert.match(lines[0], /KEEPER_INTERVAL_MS/);
  });
});
