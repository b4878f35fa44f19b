// `npm start`: the whole exchange on one machine behind one URL. Settings come from the environment
// (stack/config.ts); bad ones stop it before anything starts, with one line naming the variable
// (exit code 2 for an invalid value, 1 for a check that failed, such as a port in use).
// Ctrl-C stops every part in order and exits 0; a second Ctrl-C kills them at once.
import { createServer, type Server } from "node:http";
import path from "node:path";

import { demoAccounts } from "../protocol/accounts.ts";
import { endOnClientError } from "../protocol/client-errors.ts";
import type { Deployment } from "../protocol/deployment.ts";
import { loadSettings, ROOT, SettingsError, type StackSettings } from "./config.ts";
import { servedHostNames } from "./host-check.ts";
import { createOriginApi, OriginApi, originApiConfig, originApiLogger } from "./origin-api.ts";
import { freePort } from "./ports.ts";
import {
  checkDatabase,
  checkDataDir,
  checkPortFree,
  checkRemoteChain,
  PreflightError,
  portProblem,
} from "./preflight.ts";
import { StartAborted } from "./readiness.ts";
import { createChainGateway, createStackApp } from "./server.ts";
import { Stack } from "./stack.ts";
import { StreamGate } from "./stream-gate.ts";

const say = (line: string) => process.stdout.write(`${line}\n`);
const startedAt = Date.now();

let settings: StackSettings;
try {
  settings = loadSettings();
} catch (error) {
  if (!(error instanceof SettingsError)) throw error;
  console.error(`ccex: ${error.message}`);
  process.exit(2);
}

let server: Server | undefined;
function refuse(message: string): never {
  console.error(`ccex: ${message}`);
  server?.close();
  process.exit(1);
}

// --- pre-flight: nothing is started or written until every check has passed
let deployment: Deployment | undefined;
try {
  checkDataDir(settings.dataDir);
  if (settings.chain.kind === "local") await checkPortFree("NODE_PORT", "127.0.0.1", settings.chain.nodePort);
  await checkPortFree("INDEXER_PORT", "127.0.0.1", settings.indexerPort);
  await checkPortFree("API_PORT", "127.0.0.1", settings.apiPort);
  if (settings.chain.kind === "remote")
    deployment = await checkRemoteChain(settings.chain.rpcUrl, settings.chain.deploymentFile);
  if (settings.databaseUrl !== undefined) await checkDatabase(settings.databaseUrl);
} catch (error) {
  if (!(error instanceof PreflightError)) throw error;
  refuse(error.message);
}

const stack = new Stack(
  settings,
  {
    node: settings.chain.kind === "local" ? settings.chain.nodePort : 0,
    indexer: settings.indexerPort || (await freePort()),
    api: settings.apiPort || (await freePort()),
    gateway: settings.chain.kind === "local" ? await freePort() : 0,
  },
  say,
);
if (stack.ports.gateway !== 0) {
  const gateway = endOnClientError(
    createServer(
      createChainGateway({ target: stack.rpcUrl, durable: () => stack.durable(), closed: () => stack.rpcClosed() }),
    ),
  );
  gateway.once("error", (error) => refuse(`the chain gateway cannot listen on 127.0.0.1: ${error.message}`));
  gateway.listen(stack.ports.gateway, "127.0.0.1");
  // It must not hold the process open after a stop.
  gateway.unref();
}
const streams = new StreamGate();
stack.streams = streams;
// The API's routes run in this process once the deployment is known (docs/architecture.md, "The
// origin's hop"), read from the same chain, deployment and proposals file as the API process's.
const originApi = new OriginApi(
  () =>
    stack.deploymentFile === undefined
      ? undefined
      : createOriginApi(
          originApiConfig({
            rpcUrl: stack.rpcUrl,
            deploymentFile: stack.deploymentFile,
            proposalsFile: path.join(settings.dataDir, "matcher", "proposals.json"),
            logLevel: settings.logLevel,
          }),
          originApiLogger(path.join(stack.logsDir, "origin-api.log"), settings.logLevel),
        ),
  (error) => say(`!!  the origin cannot serve the API itself (${error.message}); /api goes to the API process`),
);
const app = createStackApp({
  distDir: path.join(ROOT, "frontend", "dist"),
  targets: { api: stack.apiUrl, indexer: stack.indexerUrl, rpc: stack.rpcUrl },
  describe: (part) => stack.describe(part),
  config: () => stack.browserConfig(),
  health: () => stack.health(),
  servedHosts: servedHostNames(settings.host, settings.allowedHosts),
  streams,
  rpcClosed: () => stack.rpcClosed(),
  durable: settings.chain.kind === "local" ? () => stack.durable() : undefined,
  api: () => originApi.current(),
});
// The public port is taken first: while the rest starts, /health already answers (503, "starting").
server = endOnClientError(createServer(app));
await new Promise<void>((resolve) => {
  server!.once("error", (error: NodeJS.ErrnoException) =>
    refuse(portProblem("PORT", settings.host, settings.port, error)),
  );
  server!.listen(settings.port, settings.host, resolve);
});
server.headersTimeout = 10_000;
server.keepAliveTimeout = 5_000;
const { port } = server.address() as { port: number };
const host = settings.host.includes(":") ? `[${settings.host}]` : settings.host;
const url = `http://${host}:${port}`;
// The stack checks /graphql through its own origin; a wildcard bind answers on loopback too.
stack.originUrl = `http://${settings.host === "0.0.0.0" || settings.host === "::" ? "127.0.0.1" : host}:${port}`;
if (settings.exposeDevKeys)
  say(
    `!!  EXPOSE_DEV_KEYS=on: ${url} serves the local chain's dev keys (registrar, arbiter, matcher) to everyone who can reach it`,
  );

const where = path.relative(process.cwd(), settings.dataDir) || ".";
say(
  settings.chain.kind === "local"
    ? `CCEX stack: local chain, demo ${settings.demo ? "on" : "off"}, data in ${where}, logs in ${path.join(where, "logs")}`
    : `CCEX stack: chain ${deployment!.chainId} at ${new URL(settings.chain.rpcUrl).host}, data in ${where}, logs in ${path.join(where, "logs")}`,
);

// --- stopping: children in reverse order, the chain journal complete, then exit
let stopping: Promise<void> | undefined;
let lastSignalAt = 0;
async function shutdown(code: number): Promise<void> {
  say("..  stopping");
  server!.close();
  // Open event streams (GraphQL subscriptions) would hold the server open.
  server!.closeAllConnections();
  await stack.stop();
  await originApi.close();
  say(`CCEX stopped`);
  process.exit(code);
}
function onSignal(): void {
  const now = Date.now();
  // A terminal's Ctrl-C reaches the whole foreground group, and a script runner may pass it on
  // again: one press can arrive twice within milliseconds. Only a later signal is a second press.
  if (now - lastSignalAt < 1_000) return;
  lastSignalAt = now;
  if (stopping === undefined) {
    stopping = shutdown(0);
    return;
  }
  say("!!  stopping now: every process is killed (the journal keeps the blocks it has)");
  stack.kill();
  process.exit(130);
}
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);
stack.onFatal = (message) => {
  console.error(`ccex: ${message}`);
  stopping ??= shutdown(1);
};

try {
  await stack.start(deployment);
} catch (error) {
  // A stop request or a fatal crash is already being handled (and was reported); anything else is
  // a start-up failure of its own.
  if (stopping === undefined && !(error instanceof StartAborted)) {
    console.error(`ccex: cannot start: ${(error as Error).message}`);
    stopping = shutdown(1);
  }
  await stopping;
}

if (stopping === undefined) {
  try {
    await originApi.ready();
  } catch (error) {
    say(`!!  the origin cannot serve the API itself (${(error as Error).message}); /api goes to the API process`);
  }
  say(`ok  every part is up (${((Date.now() - startedAt) / 1000).toFixed(1)} s)`);
  // Scripts wait for this exact line and read the URL from it.
  say(`CCEX is ready at ${url}`);
  if (settings.chain.kind === "local") {
    say("demo accounts (dev keys, play money on this local chain only):");
    for (const account of demoAccounts()) say(`  ${account.role.padEnd(16)} ${account.address}`);
  }
}
