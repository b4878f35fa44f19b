import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { loadSettings } from "../../stack/config.ts";
import { PGLITE_TEMPLATE } from "../../stack/pglite-template.ts";
import { baseEnv, type ServiceSite, serviceSpec } from "../../stack/services.ts";

const KEY = `0x${"ab".repeat(32)}`;

function site(env: NodeJS.ProcessEnv): ServiceSite {
  return {
    settings: loadSettings({ DATA_DIR: "/tmp/ccex-services-test", ...env }),
    ports: { node: 8545, indexer: 42001, api: 42002, gateway: 42003 },
    rpcUrl: "http://127.0.0.1:8545",
    indexerUrl: "http://127.0.0.1:42001",
    apiUrl: "http://127.0.0.1:42002",
    deploymentFile: "/tmp/ccex-services-test/deployment/31337.json",
    logFile: (name) => `/tmp/ccex-services-test/logs/${name}.log`,
  };
}
const ignore = () => {};

describe("the services' specs", () => {
  it("keeps the stack's own secrets and settings from every child", () => {
    const saved = { ...process.env };
    try {
      Object.assign(process.env, { MATCHER_PRIVATE_KEY: KEY, DEPLOYER_PRIVATE_KEY: KEY, PORT: "1", KEEP_ME: "yes" });
      const env = baseEnv({ logLevel: "warn" });
      assert.equal(env.MATCHER_PRIVATE_KEY, undefined);
      assert.equal(env.DEPLOYER_PRIVATE_KEY, undefined);
      assert.equal(env.PORT, undefined);
      assert.equal(env.KEEP_ME, "yes");
      assert.equal(env.LOG_LEVEL, "warn");
    } finally {
      process.env = saved;
    }
  });

  it("sends the writers' transactions through the gateway, while the indexer and API read the node", () => {
    const s = site({});
    for (const writer of ["demo", "matcher", "keeper"] as const)
      assert.equal(serviceSpec(writer, s, ignore).env.RPC_URL, "http://127.0.0.1:42003", writer);
    assert.equal(serviceSpec("api", s, ignore).env.RPC_URL, "http://127.0.0.1:8545");
    const indexer = serviceSpec("indexer", s, ignore).env;
    assert.equal(indexer.RPC_URL, "http://127.0.0.1:8545");
    assert.equal(indexer.INDEXER_WS_URL, "ws://127.0.0.1:8545");
    assert.equal(indexer.INDEXER_PORT, "42001");
    // The demo reads the node itself; the indexer takes a few blocks per step while the demo seeds.
    assert.equal(serviceSpec("demo", s, ignore).env.READ_RPC_URL, "http://127.0.0.1:8545");
    assert.equal(indexer.INDEXER_FOLLOW_EVERY_MS, "500");
    const noGateway = { ...s, ports: { ...s.ports, gateway: 0 } };
    assert.equal(serviceSpec("matcher", noGateway, ignore).env.RPC_URL, "http://127.0.0.1:8545");
    assert.equal(serviceSpec("demo", noGateway, ignore).env.READ_RPC_URL, undefined);
  });

  it("gives each key only to its service, and the matcher a keystore when it has one", () => {
    const s = site({ MATCHER_PRIVATE_KEY: KEY });
    assert.equal(serviceSpec("matcher", s, ignore).env.MATCHER_PRIVATE_KEY, KEY);
    assert.equal(serviceSpec("api", s, ignore).env.MATCHER_PRIVATE_KEY, undefined);
    assert.equal(serviceSpec("keeper", s, ignore).env.KEEPER_PRIVATE_KEY, s.settings.keeperKey);
    const keystore = site({ MATCHER_KEYSTORE: "/keys/matcher.json", MATCHER_KEYSTORE_PASSWORD: "pw" });
    const matcher = serviceSpec("matcher", keystore, ignore).env;
    assert.deepEqual(
      [matcher.MATCHER_PRIVATE_KEY, matcher.MATCHER_KEYSTORE, matcher.MATCHER_KEYSTORE_PASSWORD],
      [undefined, "/keys/matcher.json", "pw"],
    );
  });

  it("keeps the indexer's and the metering's data under DATA_DIR, or both in DATABASE_URL", () => {
    const files = site({});
    assert.equal(serviceSpec("indexer", files, ignore).env.INDEXER_DATA_DIR, "/tmp/ccex-services-test/indexer");
    assert.equal(serviceSpec("api", files, ignore).env.METERING_DATA_DIR, "/tmp/ccex-services-test/metering");
    const pg = site({ DATABASE_URL: "postgres://127.0.0.1/ccex" });
    assert.equal(serviceSpec("indexer", pg, ignore).env.DATABASE_URL, "postgres://127.0.0.1/ccex");
    assert.equal(serviceSpec("api", pg, ignore).env.DATABASE_URL, "postgres://127.0.0.1/ccex");
    assert.equal(serviceSpec("indexer", pg, ignore).env.INDEXER_DATA_DIR, undefined);
  });

  it("exempts the stack's own services from the API process's rate limit, visitors being named by the proxy", () => {
    const api = serviceSpec("api", site({}), ignore).env;
    assert.equal(api.RATE_LIMIT_EXEMPT_LOCAL, "on");
    assert.equal(api.TRUST_PROXY_HOPS, "1");
  });

  it("starts both PGlite databases from the build's empty cluster, and PostgreSQL without one", () => {
    const files = site({});
    assert.equal(serviceSpec("indexer", files, ignore).env.PGLITE_TEMPLATE, PGLITE_TEMPLATE);
    assert.equal(serviceSpec("api", files, ignore).env.PGLITE_TEMPLATE, PGLITE_TEMPLATE);
    assert.equal(serviceSpec("demo", files, ignore).env.PGLITE_TEMPLATE, undefined);
    const pg = site({ DATABASE_URL: "postgres://127.0.0.1/ccex" });
    assert.equal(serviceSpec("indexer", pg, ignore).env.PGLITE_TEMPLATE, undefined);
    assert.equal(serviceSpec("api", pg, ignore).env.PGLITE_TEMPLATE, undefined);
  });

  it("hands the demo market's lines to the stack", () => {
    const lines: string[] = [];
    const demo = serviceSpec("demo", site({}), (line) => lines.push(line));
    demo.onLine?.('{"event":"seeded"}');
    assert.deepEqual(lines, ['{"event":"seeded"}']);
    assert.equal(serviceSpec("indexer", site({}), ignore).onLine, undefined);
  });
});
