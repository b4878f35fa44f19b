// Reads from the indexer's GraphQL (indexer/graphql/schema.graphql) and keeps them live: the
// indexer's `status` subscription (server-sent events) fires after every indexed block and re-org,
// and each firing marks every live query stale so react-query refetches those on screen. When the
// event stream is down, the chain's block number (polled over /rpc) drives the same refresh.
// The queries themselves are typed documents (graphql-documents.ts).
import {
  type QueryKey,
  type UseQueryOptions,
  type UseQueryResult,
  useQueries,
  useQuery,
  useQueryClient,
} from "@tanstack/react-query";
import { useEffect, useSyncExternalStore } from "react";
import { chainFromConfig } from "./chain.ts";
import { absoluteUrl, useStackConfig } from "./config.tsx";
import { graphql, type Query, queryText, type ResultOf } from "./graphql-documents.ts";

export { graphql, type Query, queryText, type ResultOf, type VariablesOf } from "./graphql-documents.ts";

/** Why a GraphQL read failed: the network, an HTTP status, or errors the server reported. */
export class GqlError extends Error {
  name = "GqlError";
  readonly kind: "network" | "http" | "graphql";
  readonly status?: number;
  readonly errors: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
  constructor(kind: GqlError["kind"], message: string, details: { status?: number; errors?: GqlError["errors"] } = {}) {
    super(message);
    this.kind = kind;
    this.status = details.status;
    this.errors = details.errors ?? [];
  }
}

const endpoint = { url: "/graphql" };

/** Where gql() sends queries; the app sets it from /config.json before the first query. */
function setGraphqlUrl(url: string): void {
  endpoint.url = url;
}

/**
 * Runs one GraphQL query against the indexer.
 * @example
 * const BEST_BID = graphql(`query BestBid($r: Resource!) { orderBook(resource: $r) { bestBid } }`);
 * const { orderBook } = await gql(BEST_BID, { r: "COMPUTE" });
 * @throws {GqlError}
 */
export async function gql<T, V>(
  document: Query<T, V>,
  variables: V,
  options: { signal?: AbortSignal } = {},
): Promise<T> {
  const query = queryText(document);
  let response: Response;
  try {
    response = await fetch(absoluteUrl(endpoint.url), {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/graphql-response+json, application/json" },
      body: JSON.stringify({ query, variables }),
      signal: options.signal,
    });
  } catch (error) {
    if ((error as Error).name === "AbortError") throw error;
    throw new GqlError("network", `the indexer did not answer: ${(error as Error).message}`);
  }
  let body: { data?: T | null; errors?: GqlError["errors"] } | undefined;
  try {
    body = await response.json();
  } catch {
    throw new GqlError("http", `the indexer answered ${response.status} without JSON`, { status: response.status });
  }
  if (body?.errors?.length) {
    throw new GqlError("graphql", body.errors.map((e) => e.message).join("; "), {
      status: response.status,
      errors: body.errors,
    });
  }
  if (!response.ok || body?.data == null) {
    throw new GqlError("http", `the indexer answered ${response.status}`, { status: response.status });
  }
  return body.data;
}

type GqlOptions<T> = Omit<UseQueryOptions<T, GqlError>, "queryKey" | "queryFn"> & {
  /** false: do not refetch on new blocks. */ live?: boolean;
};

/** A GraphQL query on react-query, refetched after every new block unless `live: false`. */
export function useGql<T, V>(
  key: QueryKey,
  document: Query<T, V>,
  variables: V,
  options: GqlOptions<T> = {},
): UseQueryResult<T, GqlError> {
  const { live = true, ...rest } = options;
  return useQuery<T, GqlError>({
    queryKey: ["gql", ...key, variables],
    queryFn: ({ signal }) => gql(document, variables, { signal }),
    meta: { live },
    ...rest,
  });
}

/** The same query once per variables (e.g. one price series per hardware class), each cached on its own. */
export function useGqlEach<T, V>(
  key: QueryKey,
  document: Query<T, V>,
  variables: readonly V[],
  options: GqlOptions<T> = {},
): UseQueryResult<T, GqlError>[] {
  const { live = true, ...rest } = options;
  return useQueries({
    queries: variables.map((v) => ({
      queryKey: ["gql", ...key, v],
      queryFn: ({ signal }: { signal: AbortSignal }) => gql(document, v, { signal }),
      meta: { live },
      ...rest,
    })),
  }) as UseQueryResult<T, GqlError>[];
}

// ─── live updates ────────────────────────────────────────────────────────────────────────

export type LiveState = { via: "indexer" | "chain" | "connecting"; block: number | null };

let liveState: LiveState = { via: "connecting", block: null };
const listeners = new Set<() => void>();
function setLive(next: LiveState) {
  if (next.via === liveState.via && next.block === liveState.block) return;
  liveState = next;
  for (const l of listeners) l();
}

/** How the page hears about new blocks, and the latest one it heard of. */
export function useLiveState(): LiveState {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => liveState,
  );
}

const STATUS_SUBSCRIPTION = graphql(`subscription LiveStatus { status { indexedBlock } }`);

/** Mounted once (in the app shell): follows new blocks and refreshes the live queries. */
export function useLiveUpdates(): void {
  const config = useStackConfig();
  const queryClient = useQueryClient();
  useEffect(() => {
    setGraphqlUrl(config.graphqlUrl);
    let lastBlock = -1;
    const onBlock = (block: number, via: LiveState["via"]) => {
      setLive({ via, block });
      if (block === lastBlock) return;
      lastBlock = block;
      void queryClient.invalidateQueries({ predicate: (q) => q.meta?.live !== false });
    };

    // Fallback: poll the chain while the event stream is not connected.
    let unwatch: (() => void) | null = null;
    const startPolling = () => {
      unwatch ??= chainFromConfig(config).publicClient.watchBlockNumber({
        emitOnBegin: true,
        onBlockNumber: (n) => onBlock(Number(n), "chain"),
        onError: () => setLive({ via: "connecting", block: liveState.block }),
      });
    };
    const stopPolling = () => {
      unwatch?.();
      unwatch = null;
    };

    let source: EventSource | null = null;
    if (typeof EventSource === "function") {
      const url = new URL(absoluteUrl(config.graphqlUrl));
      url.searchParams.set("query", queryText(STATUS_SUBSCRIPTION));
      source = new EventSource(url);
      source.addEventListener("next", (event) => {
        stopPolling();
        const block = (
          JSON.parse((event as MessageEvent<string>).data) as { data?: ResultOf<typeof STATUS_SUBSCRIPTION> }
        ).data?.status.indexedBlock;
        if (typeof block === "number") onBlock(block, "indexer");
      });
      // EventSource reconnects by itself; until it does, the chain keeps the page fresh.
      source.addEventListener("error", startPolling);
    } else {
      startPolling();
    }
    return () => {
      source?.close();
      stopPolling();
    };
  }, [config, queryClient]);
}
