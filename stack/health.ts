// What GET /health reports: each part's state, and whether the stack as a whole is healthy. The
// stack gathers what it sees (stack/stack.ts); `healthReport` turns that into the public answer.
import type { KeeperStatus } from "../backend/keeper/status-file.ts";
import type { Deployment } from "../protocol/deployment.ts";
import type { StackSettings } from "./config.ts";
import type { ChildState } from "./processes.ts";
import type { Service } from "./services.ts";

export type PartName = "chain" | "deployment" | "indexer" | "api" | "demo" | "matcher" | "keeper" | "web";

/** The indexer's own GET /health answer. */
export type IndexerHealth = {
  ok: boolean;
  ready: boolean;
  phase: string;
  headBlock: number | null;
  indexedBlock: number | null;
  blocksBehind: number | null;
};

/** A supervised process as /health sees it. */
export type ProcessView = { state: ChildState; restarts: number };

/** Everything /health is made of, as the stack saw it just now. */
export type HealthObservations = {
  settings: Pick<StackSettings, "chain" | "keeperKey" | "demo">;
  /** The chain's head block, or null when it did not answer. */
  head: number | null;
  /** Set while the local node is being rebuilt from the journal. */
  nodeRestarting: boolean;
  /** The local node's process; undefined on an existing chain or before the node is launched. */
  node: ProcessView | undefined;
  journaledBlock: number | null;
  deployment: Deployment | undefined;
  /** The indexer's own report, or undefined when it did not answer. */
  indexer: IndexerHealth | undefined;
  /** Whether the API's /health answered ok. */
  api: boolean;
  /** Whether /graphql answers through the public origin; undefined before the origin listens. */
  graphql: boolean | undefined;
  subscriptions: { open: number; limit: number } | undefined;
  /** The supervised services started so far. */
  services: Partial<Record<Service, ProcessView>>;
  demoSeeded: boolean;
  /** The keeper's last round (its status file), or undefined before its first. */
  keeper: KeeperStatus | undefined;
  webBuilt: boolean;
  stopping: boolean;
  started: boolean;
};

/** Each part's state; healthy when every part that runs is up. No pids or paths: /health is public. */
export function healthReport(seen: HealthObservations): { healthy: boolean; body: unknown } {
  const { settings, head } = seen;
  const parts: Record<PartName, Record<string, unknown> & { state: string }> = {} as never;
  const local = seen.node !== undefined;
  parts.chain = {
    state: seen.nodeRestarting
      ? "restarting"
      : head !== null
        ? "up"
        : // A node process that runs but does not answer is busy or hung, not gone.
          local && seen.node!.state === "running"
          ? "not answering"
          : "down",
    kind: settings.chain.kind,
    head,
    ...(local ? { journaledBlock: seen.journaledBlock } : {}),
  };
  parts.deployment =
    seen.deployment === undefined
      ? { state: "starting" }
      : { state: "up", chainId: seen.deployment.chainId, market: seen.deployment.contracts.Market };
  const { indexer, graphql } = seen;
  const indexerUp = indexer?.ok === true && indexer.ready;
  const processState = (service: Service, answering: boolean): { state: string; restarts: number } => {
    const child = seen.services[service];
    if (child === undefined) return { state: "starting", restarts: 0 };
    const state = child.state === "running" ? (answering ? "up" : "starting") : child.state;
    return { state, restarts: child.restarts };
  };
  parts.indexer = {
    ...processState("indexer", indexerUp && graphql !== false),
    phase: indexer?.phase ?? null,
    indexedBlock: indexer?.indexedBlock ?? null,
    blocksBehind: indexer?.blocksBehind ?? null,
    ...(seen.subscriptions !== undefined ? { subscriptions: seen.subscriptions } : {}),
    ...(indexerUp && graphql === false ? { problem: "/graphql does not answer through the origin" } : {}),
  };
  parts.api = processState("api", seen.api);
  parts.matcher = processState("matcher", true);
  // Flagged reports wait for their parties, not for the keeper: shown, but no reason to be unhealthy.
  parts.keeper =
    settings.keeperKey === undefined
      ? { state: "off" }
      : {
          ...processState("keeper", true),
          ...(seen.keeper !== undefined
            ? {
                openDeals: seen.keeper.openDeals,
                flaggedReports: seen.keeper.flaggedReports.map(({ dealId, reason }) => ({ dealId, reason })),
              }
            : {}),
        };
  parts.demo = settings.demo ? { ...processState("demo", seen.demoSeeded), seeded: seen.demoSeeded } : { state: "off" };
  parts.web = seen.webBuilt
    ? { state: "up" }
    : { state: "down", problem: "the web market is not built: run npm run build" };
  const healthy = Object.values(parts).every((p) => p.state === "up" || p.state === "off");
  const status = seen.stopping ? "stopping" : healthy ? "ok" : seen.started ? "degraded" : "starting";
  return { healthy: healthy && !seen.stopping, body: { status, parts } };
}

/** The indexer's GET /health, or undefined when it does not answer. */
export async function indexerHealth(indexerUrl: string): Promise<IndexerHealth | undefined> {
  try {
    const response = await fetch(`${indexerUrl}/health`, { signal: AbortSignal.timeout(2_000) });
    return (await response.json()) as never;
  } catch {
    return undefined;
  }
}

/** A query through the public origin (undefined before it listens): the path a page takes to the indexer. */
export async function graphqlThroughOrigin(originUrl: string | undefined): Promise<boolean | undefined> {
  if (originUrl === undefined) return undefined;
  try {
    const response = await fetch(`${originUrl}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"query":"{ __typename }"}',
      signal: AbortSignal.timeout(2_000),
    });
    return response.ok;
  } catch {
    return false;
  }
}
