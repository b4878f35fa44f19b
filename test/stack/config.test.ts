import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";

import { ACCOUNT_PLAN, devAccount } from "../../protocol/accounts.ts";
import { loadSettings, ROOT, SettingsError } from "../../stack/config.ts";

const KEY = `0x${"ab".repeat(32)}`;

function problem(env: NodeJS.ProcessEnv): string {
  try {
    loadSettings(env);
  } catch (error) {
    assert.ok(error instanceof SettingsError);
    assert.doesNotMatch(error.message, /\n/, "one line");
    return error.message;
  }
  assert.fail("the settings were accepted");
}

describe("stack settings", () => {
  it("defaults to a local chain with the demo on, loopback, ports 8080 and 8545, the dev keys", () => {
    const s = loadSettings({});
    assert.equal(s.host, "127.0.0.1");
    assert.equal(s.port, 8080);
    assert.deepEqual(s.chain, { kind: "local", nodePort: 8545 });
    assert.equal(s.demo, true);
    assert.equal(s.dataDir, path.join(ROOT, ".data", "stack"));
    assert.deepEqual(s.matcherKey, { privateKey: devAccount(ACCOUNT_PLAN.matcher).privateKey });
    assert.equal(s.keeperKey, devAccount(ACCOUNT_PLAN.keeper).privateKey);
    assert.equal(s.indexerPort, 0);
    assert.equal(s.apiPort, 0);
    assert.equal(s.databaseUrl, undefined);
    assert.equal(s.explorerTxUrl, null);
  });

  it("treats an empty variable as unset", () => {
    assert.equal(loadSettings({ PORT: "", DEMO: "" }).port, 8080);
  });

  it("names the variable of an invalid value, never echoing it", () => {
    assert.match(problem({ PORT: "80a" }), /^invalid configuration: PORT: expected a port number$/);
    assert.match(problem({ PORT: "70000" }), /PORT: expected a port number up to 65535/);
    assert.match(problem({ DEMO: "yes" }), /DEMO: expected on or off/);
    assert.match(problem({ RPC_URL: "localhost:8545" }), /RPC_URL: expected an http\(s\) URL/);
    assert.match(problem({ DATABASE_URL: "mysql://x" }), /DATABASE_URL: expected a postgres/);
    assert.match(problem({ LOG_LEVEL: "loud" }), /LOG_LEVEL/);
    const secret = "0x1234";
    const message = problem({ MATCHER_PRIVATE_KEY: secret });
    assert.match(message, /MATCHER_PRIVATE_KEY: expected 0x followed by 64 hex digits/);
    assert.ok(!message.includes(secret));
    assert.match(
      problem({ EXPLORER_TX_URL: "https://scan.example/tx/" }),
      /EXPLORER_TX_URL: expected an http\(s\) URL containing \{hash\}/,
    );
  });

  it("lists every problem on the one line", () => {
    assert.match(problem({ PORT: "x", NODE_PORT: "y" }), /PORT: .*; NODE_PORT: /);
  });

  it("refuses two parts on one port", () => {
    assert.match(problem({ PORT: "9000", NODE_PORT: "9000" }), /NODE_PORT: same port as PORT \(9000\)/);
    assert.match(problem({ INDEXER_PORT: "9001", API_PORT: "9001" }), /API_PORT: same port as INDEXER_PORT/);
  });

  it("an existing chain needs a deployment and the matcher's key, and has no demo by default", () => {
    assert.match(
      problem({ RPC_URL: "https://rpc.example", MATCHER_PRIVATE_KEY: KEY }),
      /DEPLOYMENT: required with RPC_URL/,
    );
    assert.match(
      problem({ RPC_URL: "https://rpc.example", DEPLOYMENT: "d.json" }),
      /MATCHER_PRIVATE_KEY: with RPC_URL set exactly one/,
    );
    assert.match(
      problem({ RPC_URL: "https://rpc.example", DEPLOYMENT: "d.json", MATCHER_PRIVATE_KEY: KEY, DEMO: "on" }),
      /DEMO: the demo market needs the local chain/,
    );
    const s = loadSettings({
      RPC_URL: "https://rpc.example/v2/k",
      DEPLOYMENT: "d.json",
      MATCHER_PRIVATE_KEY: KEY,
      DATABASE_URL: "postgres://u:p@db/ccex",
    });
    assert.deepEqual(s.chain, {
      kind: "remote",
      rpcUrl: "https://rpc.example/v2/k",
      deploymentFile: path.resolve("d.json"),
    });
    assert.equal(s.demo, false);
    assert.equal(s.keeperKey, undefined, "no dev key on a real chain");
    assert.deepEqual(s.matcherKey, { privateKey: KEY });
    assert.equal(s.databaseUrl, "postgres://u:p@db/ccex");
  });

  it("takes a keystore with its password instead of a key", () => {
    assert.match(problem({ MATCHER_KEYSTORE: "k.json" }), /MATCHER_KEYSTORE_PASSWORD: required with MATCHER_KEYSTORE/);
    const s = loadSettings({
      RPC_URL: "http://10.0.0.2:8545",
      DEPLOYMENT: "d.json",
      MATCHER_KEYSTORE: "k.json",
      MATCHER_KEYSTORE_PASSWORD: "pw",
    });
    assert.deepEqual(s.matcherKey, { keystore: path.resolve("k.json"), password: "pw" });
  });

  it("a deployment file belongs to an existing chain only", () => {
    assert.match(problem({ DEPLOYMENT: "d.json" }), /DEPLOYMENT: only with RPC_URL/);
  });

  it("refuses a non-loopback HOST with the local chain's dev keys unless EXPOSE_DEV_KEYS=on", () => {
    assert.match(problem({ HOST: "0.0.0.0" }), /HOST: .*public dev keys.*EXPOSE_DEV_KEYS=on/);
    assert.match(problem({ HOST: "192.168.1.20", EXPOSE_DEV_KEYS: "yes" }), /EXPOSE_DEV_KEYS: expected on or off/);
    assert.equal(loadSettings({ HOST: "0.0.0.0", EXPOSE_DEV_KEYS: "on" }).exposeDevKeys, true);
    assert.equal(loadSettings({ HOST: "::1" }).exposeDevKeys, false, "loopback needs no opt-in");
    const remote = loadSettings({
      HOST: "0.0.0.0",
      RPC_URL: "http://127.0.0.1:8545",
      DEPLOYMENT: "d.json",
      MATCHER_PRIVATE_KEY: KEY,
    });
    assert.equal(remote.exposeDevKeys, false, "an existing chain serves no dev keys");
  });

  it("reads extra host names for the origin from ALLOWED_HOSTS", () => {
    assert.deepEqual(loadSettings({ ALLOWED_HOSTS: "ccex.example,[::1]" }).allowedHosts, ["ccex.example", "[::1]"]);
    assert.match(problem({ ALLOWED_HOSTS: "a b" }), /ALLOWED_HOSTS: expected host names separated by commas/);
  });
});
