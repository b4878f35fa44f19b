// The supervised services (indexer, API, demo market, matcher, keeper): what each runs and the
// environment it gets. Children get only the settings meant for them, never the stack's own.
import path from "node:path";

import type { StackSettings } from "./config.ts";
import { PGLITE_TEMPLATE } from "./pglite-template.ts";
import type { ChildSpec } from "./processes.ts";

/** Once caught up, the stack's indexer takes at most one step per this many ms (indexer/sync/engine.ts). */
export const INDEXER_FOLLOW_EVERY_MS = 500;

/** The stack's own secrets and settings: children get only what is meant for them. */
const NOT_INHERITED = [
  "HOST",
  "PORT",
  "RPC_URL",
  "DEPLOYMENT",
  "DATABASE_URL",
  "DATA_DIR",
  "NODE_PORT",
  "INDEXER_PORT",
  "API_PORT",
  "DEMO",
  "MATCHER_PRIVATE_KEY",
  "MATCHER_KEYSTORE",
  "MATCHER_KEYSTORE_PASSWORD",
  "KEEPER_PRIVATE_KEY",
  "DEPLOYER_PRIVATE_KEY",
  "SETTLEMENT_TOKEN",
  "BOOK_FILE",
  "EXPLORER_TX_URL",
  "CHAIN_NAME",
  "CCEX_STACK_INITIAL_DATE",
  "EXPOSE_DEV_KEYS",
  "ALLOWED_HOSTS",
];

export type Service = "indexer" | "api" | "demo" | "matcher" | "keeper";

export const LABEL: Record<Service, string> = {
  indexer: "indexer",
  api: "API",
  demo: "demo market",
  matcher: "matcher",
  keeper: "keeper",
};

/** `gateway`: the loopback port through which the stack's own services send to the local node (0 on an existing chain). */
export type Ports = { node: number; indexer: number; api: number; gateway: number };

/** Where the stack's parts are, as the services need to know them. */
export type ServiceSite = {
  settings: StackSettings;
  ports: Ports;
  rpcUrl: string;
  indexerUrl: string;
  apiUrl: string;
  deploymentFile: string;
  logFile: (name: string) => string;
};

/** Where the keeper writes its last round (flagged reports, open deals) for /health. */
export function keeperStatusFile(settings: Pick<StackSettings, "dataDir">): string {
  return path.join(settings.dataDir, "keeper", "status.json");
}

/** The parent's environment without the stack's own settings, at the stack's log level. */
export function baseEnv(settings: Pick<StackSettings, "logLevel">): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of NOT_INHERITED) delete env[name];
  env.LOG_LEVEL = settings.logLevel;
  return env;
}

/**
 * What the stack runs for `service`.
 * @param onDemoLine each line the demo market writes (its progress, and when it has seeded the market)
 */
export function serviceSpec(service: Service, site: ServiceSite, onDemoLine: (line: string) => void): ChildSpec {
  const { settings } = site;
  const base = baseEnv(settings);
  const chain = { RPC_URL: site.rpcUrl, DEPLOYMENT: site.deploymentFile };
  // Services that send transactions go through the gateway: their sends are answered once journaled.
  const sender = {
    ...chain,
    ...(site.ports.gateway !== 0 ? { RPC_URL: `http://127.0.0.1:${site.ports.gateway}` } : {}),
  };
  const proposals = path.join(settings.dataDir, "matcher", "proposals.json");
  const common = { name: service, logFile: site.logFile(service), restart: true, stopTimeoutMs: 10_000 };
  switch (service) {
    case "indexer":
      return {
        ...common,
        script: "indexer/main.ts",
        env: {
          ...base,
          RPC_URL: site.rpcUrl,
          ...(settings.chain.kind === "local" ? { INDEXER_WS_URL: `ws://127.0.0.1:${site.ports.node}` } : {}),
          ...(settings.databaseUrl !== undefined
            ? { DATABASE_URL: settings.databaseUrl }
            : { INDEXER_DATA_DIR: path.join(settings.dataDir, "indexer"), PGLITE_TEMPLATE }),
          INDEXER_DEPLOYMENT: site.deploymentFile,
          INDEXER_ROLE: "all",
          // The demo's seed mines about a dozen blocks a second: taken in steps at most this far apart,
          // a few blocks to a step instead of one each (docs/operations.md, "Start-up").
          INDEXER_FOLLOW_EVERY_MS: String(INDEXER_FOLLOW_EVERY_MS),
          INDEXER_HOST: "127.0.0.1",
          INDEXER_PORT: String(site.ports.indexer),
        },
      };
    case "api":
      return {
        ...common,
        script: "backend/main.ts",
        env: {
          ...base,
          ...chain,
          HOST: "127.0.0.1",
          PORT: String(site.ports.api),
          PROPOSALS_FILE: proposals,
          // The metering service's series (docs/metering.md): beside the indexer's database.
          ...(settings.databaseUrl !== undefined
            ? { DATABASE_URL: settings.databaseUrl }
            : { METERING_DATA_DIR: path.join(settings.dataDir, "metering"), PGLITE_TEMPLATE }),
          // Behind the stack's proxy: the visitor's address is in X-Forwarded-For.
          TRUST_PROXY_HOPS: "1",
          // The demo's compute sites meter straight to this process (about 1,000 requests while it
          // seeds): as one loopback client they would wait out the per-client limit. Visitors come
          // through the origin, which names them in X-Forwarded-For, and stay limited.
          RATE_LIMIT_EXEMPT_LOCAL: "on",
        },
      };
    case "demo":
      return {
        ...common,
        script: "stack/demo/main.ts",
        env: {
          ...base,
          ...sender,
          // Its reads (about half its calls while it seeds) go to the node itself, past the gateway.
          ...(site.ports.gateway !== 0 ? { READ_RPC_URL: site.rpcUrl } : {}),
          DATA_DIR: path.join(settings.dataDir, "demo"),
          API_URL: site.apiUrl,
        },
        onLine: onDemoLine,
      };
    case "matcher":
      return {
        ...common,
        script: "backend/matcher/main.ts",
        env: {
          ...base,
          ...sender,
          ...("privateKey" in settings.matcherKey
            ? { MATCHER_PRIVATE_KEY: settings.matcherKey.privateKey }
            : {
                MATCHER_KEYSTORE: settings.matcherKey.keystore,
                MATCHER_KEYSTORE_PASSWORD: settings.matcherKey.password,
              }),
          MATCHER_INTERVAL_MS: String(settings.matcherIntervalMs),
          MATCHER_DATA_DIR: path.join(settings.dataDir, "matcher"),
          MATCHER_PROPOSALS_FILE: proposals,
          INDEXER_URL: `${site.indexerUrl}/graphql`,
        },
      };
    case "keeper":
      return {
        ...common,
        script: "backend/keeper/main.ts",
        env: {
          ...base,
          ...sender,
          KEEPER_PRIVATE_KEY: settings.keeperKey!,
          KEEPER_STATUS_FILE: keeperStatusFile(settings),
        },
      };
  }
}
