// The backend's HTTP server: `npm run backend`. Settings come from the environment (backend/config.ts);
// it binds to loopback unless HOST says otherwise and drains in-flight requests on SIGTERM/SIGINT.
import type { AddressInfo } from "node:net";

import { pino } from "pino";

import { endOnClientError } from "../protocol/client-errors.ts";
import { readDeployment } from "../protocol/deployment.ts";
import { createApp } from "./api/app.ts";
import { quoteService } from "./api/quote-pool.ts";
import { openBookSource } from "./book/open-book.ts";
import { createChainClients } from "./chain/create-clients.ts";
import { ConfigError, loadConfig, type ServerConfig } from "./config.ts";
import { ChainDealSource } from "./metering/deal-source.ts";
import { MeteringStore } from "./metering/store.ts";
import { JsonFileProposalStore } from "./proposals/proposal-file.ts";
import { InMemoryProposalStore } from "./proposals/proposal-store.ts";

let config: ServerConfig;
try {
  config = loadConfig();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(err.message);
  process.exit(2);
}

const logger = pino({ level: config.logLevel });
const book = await openBookSource(config.book, logger);
logger.info({ book: config.book.from }, "book source");
// A separate matcher process publishes batches into its proposals file; without one, nothing is proposed.
const proposals =
  config.proposalsFile === undefined ? new InMemoryProposalStore() : new JsonFileProposalStore(config.proposalsFile);

// Metering needs the chain to know each deal's compute supplier; docs/metering.md.
async function meteringService(): Promise<{ store: MeteringStore; deals: ChainDealSource } | undefined> {
  if (config.metering === undefined || config.book.from !== "chain") return undefined;
  const deployment = await readDeployment(config.book.deployment);
  const { publicClient } = createChainClients({ chainId: deployment.chainId, rpcUrl: config.book.rpcUrl });
  const deals = new ChainDealSource({
    client: publicClient,
    domain: { chainId: deployment.chainId, market: deployment.contracts.Market as `0x${string}` },
    startBlock: BigInt(deployment.startBlock),
  });
  return { store: await MeteringStore.open(config.metering), deals };
}
const metering = await meteringService();
logger.info({ metering: config.metering?.kind ?? "off" }, "metering");

const quotes = quoteService({
  workers: config.quoteWorkers,
  platformFeeBps: config.platformFeeBps,
  pricing: undefined,
  logger,
});
logger.info({ quoteWorkers: config.quoteWorkers }, "quotes");

const app = createApp({
  book,
  proposals,
  logger,
  bodyLimit: config.bodyLimitBytes,
  rateLimit: config.rateLimit,
  trustProxy: config.trustProxyHops === 0 ? false : config.trustProxyHops,
  quotes,
  metering,
});

const server = endOnClientError(app.listen(config.port, config.host));
// Slow clients must not hold sockets forever (slowloris); a quote answers in milliseconds.
server.headersTimeout = 10_000;
server.requestTimeout = 30_000;
server.keepAliveTimeout = 5_000;

server.on("listening", () => {
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(":") ? `[${address}]` : address;
  logger.info({ url: `http://${host}:${port}` }, "listening");
});
server.on("error", (err) => {
  logger.fatal({ err }, "server failed");
  process.exit(1);
});

let stopping = false;
function shutdown(signal: NodeJS.Signals): void {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "shutting down");
  server.close(async () => {
    // Every connection is closed, so no quote is in flight: the pool's workers just end.
    await quotes.close();
    await metering?.store.close();
    logger.info("stopped");
    logger.flush();
  });
  server.closeIdleConnections();
  // Requests still running after the grace period are cut so the process always ends.
  setTimeout(() => server.closeAllConnections(), config.shutdownGraceMs).unref();
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
