// The start-up the keeper and the matcher share (docs/operations.md, "Processes"): settings from the
// environment (bad ones: one line, exit 2), a logger, a wait for the node rather than an exit when it
// is not up yet, the deployment checked against the node's chain, and a clean stop on SIGTERM/SIGINT
// (exit 0). Anything that makes the service unable to start is logged as fatal (exit 2).
import { type Logger, pino } from "pino";

import { type Deployment, readDeployment } from "../../protocol/deployment.ts";
import { ConfigError, type LogLevel } from "../../protocol/env.ts";
import { createChainClients } from "../chain/create-clients.ts";
import { type ChainError, errorFields, toChainError } from "../chain/errors.ts";
import { abortableSleep, backoffDelay, type RetryPolicy } from "../chain/retry.ts";

export type ServiceContext<C> = {
  config: C;
  logger: Logger;
  /** Logs why the service cannot start and exits 2. */
  fatal(err: unknown): never;
  /** How each RPC operation retries, every retry logged. */
  retry: RetryPolicy;
  /**
   * Waits until the node answers, then reads the deployment (a file, a chain id, or by default the
   * node's chain id) and checks both are the same chain.
   */
  connect(o: {
    rpcUrl: string;
    expectedChainId?: number;
    deployment: string | number | undefined;
  }): Promise<{ chainId: number; deployment: Deployment }>;
};

/** What `start` hands back: how to stop the service once it runs. */
export type RunningService = { stop(): Promise<void> };

export type RunServiceParameters<C extends { logLevel: LogLevel; rpcRetries: number }> = {
  /** The service's name in every log line (`service` field) and in messages. */
  name: string;
  loadConfig: () => C;
  start: (context: ServiceContext<C>) => Promise<RunningService>;
  /** What the service finishes on a stop signal, for the log line ("the transaction in flight"). */
  finishing: string;
  /** After a stop signal, exit anyway after this long (ms); without it, wait for `stop`. */
  stopTimeoutMs?: number;
};

/**
 * Runs a long-lived service process from its settings to its stop.
 *
 * @example
 * await runService({ name: "keeper", loadConfig: loadKeeperConfig, finishing: "the transaction in flight",
 *   start: async ({ config, connect }) => { ...; return { stop: () => keeper.stop() } } });
 */
export async function runService<C extends { logLevel: LogLevel; rpcRetries: number }>(
  p: RunServiceParameters<C>,
): Promise<void> {
  let config: C;
  try {
    config = p.loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    process.exit(2);
  }
  // Written synchronously: the service exits right after its last lines (stop, fatal), and an
  // asynchronous write still in flight at exit lands after the lines flushed behind it, or not at all.
  const logger = pino({ level: config.logLevel, base: { service: p.name } }, pino.destination({ dest: 1, sync: true }));
  // A promise nobody awaited must not take the service down with pending work; it is a bug to log.
  process.on("unhandledRejection", (reason) => logger.error({ err: reason }, "unhandled rejection"));

  const fatal = (err: unknown): never => {
    logger.fatal({ err: errorFields(toChainError(err, `start ${p.name}`)) }, "cannot start");
    logger.flush();
    process.exit(2);
  };

  let running: RunningService | undefined;
  let stopping = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, `stopping after ${p.finishing}`);
    if (p.stopTimeoutMs !== undefined) {
      setTimeout(() => {
        logger.warn(`${p.finishing} still running; exiting anyway`);
        logger.flush();
        process.exit(0);
      }, p.stopTimeoutMs).unref();
    }
    await running?.stop();
    logger.info("stopped");
    logger.flush();
    process.exit(0);
  };
  process.on("SIGTERM", (s) => void shutdown(s));
  process.on("SIGINT", (s) => void shutdown(s));

  const retry: RetryPolicy = {
    retries: config.rpcRetries,
    baseDelayMs: 250,
    maxDelayMs: 10_000,
    onRetry: (i: { label: string; attempt: number; delayMs: number; error: ChainError }) =>
      logger.warn({ op: i.label, attempt: i.attempt, delayMs: i.delayMs, err: errorFields(i.error) }, "retrying"),
  };

  const connect: ServiceContext<C>["connect"] = async ({ rpcUrl, expectedChainId, deployment }) => {
    // The node may not be up yet: wait for it rather than exit.
    const probe = createChainClients({ chainId: expectedChainId ?? 1, rpcUrl });
    let chainId: number | undefined;
    for (let attempt = 0; chainId === undefined; attempt++) {
      try {
        chainId = await probe.publicClient.getChainId();
      } catch (err) {
        const error = toChainError(err, "read chain id");
        if (!error.retryable) fatal(error);
        const delayMs = Math.max(500, backoffDelay(attempt, { baseDelayMs: 500, maxDelayMs: 30_000 }));
        logger.warn({ err: errorFields(error), delayMs }, "node not reachable yet");
        await abortableSleep(delayMs);
      }
    }
    if (expectedChainId !== undefined && expectedChainId !== chainId)
      fatal(new ConfigError(`CHAIN_ID is ${expectedChainId}, the node is chain ${chainId}`));
    const read = await readDeployment(deployment ?? chainId).catch(fatal);
    if (read.chainId !== chainId)
      fatal(new ConfigError(`DEPLOYMENT is for chain ${read.chainId}, the node is chain ${chainId}`));
    return { chainId, deployment: read };
  };

  running = await p.start({ config, logger, fatal, retry, connect });
}
