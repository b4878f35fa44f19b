// The matcher's environment: defaults, exactly one key source, and errors that never echo a key.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { loadMatcherConfig, MatcherConfigError } from "../../../backend/matcher/config.ts";

const KEY = `0x${"ab".repeat(32)}`;

describe("loadMatcherConfig", () => {
  it("takes the key from MATCHER_PRIVATE_KEY with sensible defaults", () => {
    const c = loadMatcherConfig({ MATCHER_PRIVATE_KEY: KEY });
    assert.deepEqual(c.key, { kind: "private-key", privateKey: KEY });
    assert.equal(c.rpcUrl, "http://127.0.0.1:8545");
    assert.equal(c.intervalMs, 15_000);
    assert.equal(c.simulation, "auto");
    assert.equal(c.confirmations, 0n);
    assert.equal(c.watch, true);
    assert.equal(c.indexerUrl, undefined);
  });

  it("takes an encrypted keystore with its password", () => {
    const c = loadMatcherConfig({
      MATCHER_KEYSTORE: "/run/secrets/matcher.json",
      MATCHER_KEYSTORE_PASSWORD: "pw",
      MATCHER_INTERVAL_MS: "500",
    });
    assert.deepEqual(c.key, { kind: "keystore", file: "/run/secrets/matcher.json", password: "pw" });
    assert.equal(c.intervalMs, 500);
  });

  it("wants exactly one key source, and a password with a keystore", () => {
    assert.throws(() => loadMatcherConfig({}), /exactly one of MATCHER_PRIVATE_KEY or MATCHER_KEYSTORE/);
    assert.throws(
      () =>
        loadMatcherConfig({ MATCHER_PRIVATE_KEY: KEY, MATCHER_KEYSTORE: "k.json", MATCHER_KEYSTORE_PASSWORD: "pw" }),
      /exactly one/,
    );
    assert.throws(() => loadMatcherConfig({ MATCHER_KEYSTORE: "k.json" }), /MATCHER_KEYSTORE_PASSWORD: required/);
  });

  it("names each bad variable without echoing its value", () => {
    const secret = `0x${"cd".repeat(31)}`; // one byte short
    assert.throws(
      () =>
        loadMatcherConfig({
          MATCHER_PRIVATE_KEY: secret,
          MATCHER_INTERVAL_MS: "fast",
          RPC_URL: "ftp://x",
          MATCHER_SIMULATION: "guess",
        }),
      (err: unknown) => {
        assert.ok(err instanceof MatcherConfigError);
        for (const name of ["MATCHER_PRIVATE_KEY", "MATCHER_INTERVAL_MS", "RPC_URL", "MATCHER_SIMULATION"])
          assert.match(err.message, new RegExp(name));
        assert.doesNotMatch(err.message, /cdcdcd/);
        return true;
      },
    );
  });
});
