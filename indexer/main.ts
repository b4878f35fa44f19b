// The indexer process: follows the chain into the database and serves GraphQL.
//
//   npm run indexer                      PGlite under .data/indexer, node at RPC_URL
//   DATABASE_URL=postgres://… npm run indexer
//   INDEXER_ROLE=api DATABASE_URL=…      a stateless GraphQL replica next to one syncing process
//
// See indexer/config.ts for every setting.
import { type Logger, pino } from "pino";
import { ConfigError, defaultConfirmations, type IndexerConfig, loadConfig } from "./config.ts";
import { type Database, openDatabase } from "./db/driver.ts";
import { migrate } from "./db/migrate.ts";
import { loadContracts } from "./deployment.ts";
import { pollingFeed } from "./graphql/feed.ts";
import { startServer } from "./graphql/server.ts";
import { handlers } from "./handlers/index.ts";
import { type Chain, createChain } from "./sync/chain.ts";
import { SyncEngine } from "./sync/engine.ts";

export type Indexer = {
  db: Database;
  engine: SyncEngine | null;
  url: string | null;
  /** Settles when the sync loop stops; rejects if it failed for good. */
  done: Promise<void>;
  close(): Promise<void>;
};

export async function startIndexer(config: IndexerConfig, log: Logger): Promise<Indexer> {
  const db = await openDatabase(config.database);
  const closers: (() => Promise<void>)[] = [() => db.close()];
  try {
    const applied = await migrate(db);
    if (applied.length > 0) log.info({ applied }, "migrations applied");

    let engine: SyncEngine | null = null;
    let chain: Chain | null = null;
    let confirmations = config.confirmations ?? 0;
    let done: Promise<void> = Promise.resolve();
    if (config.role !== "api") {
      chain = createChain({ rpcUrl: config.rpcUrl, wsUrl: config.wsUrl });
      const c = chain;
      closers.unshift(() => c.close());
      const chainId = await chain.chainId();
      const deployment = await loadContracts(chainId, config.deploymentFile);
      confirmations = config.confirmations ?? defaultConfirmations(chainId);
      engine = new SyncEngine({
        db,
        chain,
        contracts: deployment.contracts,
        handlers,
        startBlock: deployment.startBlock,
        confirmations,
        reorgDepth: Math.max(config.reorgDepth ?? 64, confirmations),
        maxBlockRange: config.maxBlockRange,
        targetLogsPerStep: config.targetLogsPerStep,
        pollIntervalMs: config.pollIntervalMs,
        followEveryMs: config.followEveryMs,
        log: log.child({ part: "sync" }),
      });
      await engine.init();
      const e = engine;
      done = engine.run();
      // Whoever holds `done` sees the failure; it must not also count as an unhandled rejection.
      done.catch(() => undefined);
      closers.unshift(async () => {
        await e.stop();
        await done.catch(() => undefined);
      });
    }

    let url: string | null = null;
    if (config.role !== "sync") {
      const feed = engine ?? pollingFeed(db, 500);
      if (!engine) closers.unshift(async () => (feed as ReturnType<typeof pollingFeed>).stop());
      const server = await startServer({
        db,
        confirmations,
        syncStatus: engine ? () => engine!.status() : null,
        feed,
        host: config.host,
        port: config.port,
        graphiql: config.graphiql,
        log: log.child({ part: "graphql" }),
      });
      url = server.url;
      closers.unshift(() => server.close());
    }
    return {
      db,
      engine,
      url,
      done,
      async close() {
        for (const close of closers) await close().catch((error) => log.warn({ err: error }, "error while closing"));
      },
    };
  } catch (error) {
    for (const close of closers) await close().catch(() => undefined);
    throw error;
  }
}

async function main() {
  let config: IndexerConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const log = pino({ level: config.logLevel, base: { service: "indexer" } });
  let indexer: Indexer;
  try {
    indexer = await startIndexer(config, log);
  } catch (error) {
    // One line naming the cause (an unwritable data folder, a database that refuses us, a chain
    // that does not answer), not a stack trace ending in Node's version.
    log.fatal({ err: error }, "cannot start");
    console.error(`indexer: cannot start: ${startProblem(error, config)}`);
    process.exit(1);
  }
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, "shutting down");
    await indexer.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  indexer.done.catch(async (error) => {
    log.fatal({ err: error }, "sync failed; exiting");
    await indexer.close();
    process.exit(1);
  });
}

/** What went wrong at start-up, in words an operator can act on. */
export function startProblem(error: unknown, config: IndexerConfig): string {
  const e = error as NodeJS.ErrnoException;
  const where = config.database.kind === "pglite" ? config.database.dataDir : undefined;
  if (typeof e?.code === "string" && typeof e.syscall === "string") {
    const why: Record<string, string> = {
      EACCES: "permission denied",
      EPERM: "not permitted",
      ENOTDIR: "a part of the path is a file, not a folder",
      EROFS: "the file system is read-only",
      ENOSPC: "the disk is full",
    };
    return `the database folder ${e.path ?? where ?? ""} cannot be used: ${why[e.code] ?? e.message} (${e.code})`;
  }
  return e instanceof Error ? e.message : String(error);
}

if (import.meta.main) await main();
