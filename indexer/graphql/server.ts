// The HTTP face of the indexer: `/graphql` (queries, and subscriptions over server-sent events) and
// `/health` (sync progress). Read only; bound to loopback unless configured otherwise.
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import path from "node:path";
import { costLimitPlugin } from "@escape.tech/graphql-armor-cost-limit";
import { maxAliasesPlugin } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthPlugin } from "@escape.tech/graphql-armor-max-depth";
import { GraphQLError } from "graphql";
import { createSchema, createYoga, type Plugin } from "graphql-yoga";
import type { Logger } from "pino";
import { endOnClientError } from "../../protocol/client-errors.ts";
import { type ApiContext, type ApiOptions, contextFactory, readView } from "./context.ts";
import { resolvers } from "./resolvers.ts";

export const typeDefs = readFileSync(path.join(import.meta.dirname, "schema.graphql"), "utf8");

export type ServerOptions = ApiOptions & {
  host: string;
  port: number;
  log: Logger;
  graphiql?: boolean;
  limits?: { maxDepth?: number; maxCost?: number; maxAliases?: number };
};

/** Gives every error a code: the client can branch on it without parsing messages. */
const errorCodes: Plugin = {
  onParse() {
    return ({ result, replaceParseResult }) => {
      if (result instanceof Error && !(result instanceof GraphQLError && result.extensions.code)) {
        replaceParseResult(
          new GraphQLError(result.message, { extensions: { code: "GRAPHQL_PARSE_FAILED", http: { status: 400 } } }),
        );
      }
    };
  },
  onValidate() {
    return ({ result, setResult }) => {
      if (result.length === 0) return;
      setResult(
        result.map((e) =>
          e.extensions.code
            ? e
            : new GraphQLError(e.message, {
                nodes: e.nodes,
                extensions: { code: /limit/i.test(e.message) ? "QUERY_TOO_COMPLEX" : "GRAPHQL_VALIDATION_FAILED" },
              }),
        ),
      );
    };
  },
};

/**
 * A subscription is a stream, and must say so in its Accept header (text/event-stream or
 * multipart/mixed): the stack's origin counts and routes streams by that header, so one sent as an
 * ordinary query would hold a query socket for as long as it stays open (docs/security.md).
 */
const streamsDeclared: Plugin<{ request?: Request }> = {
  onSubscribe({ args, setResultAndStopExecution }) {
    const accept = args.contextValue.request?.headers.get("accept") ?? "";
    if (/text\/event-stream|multipart\/mixed/i.test(accept)) return;
    setResultAndStopExecution({
      errors: [
        new GraphQLError("a subscription streams its answers: send it with Accept: text/event-stream", {
          extensions: { code: "BAD_REQUEST", http: { status: 400 } },
        }),
      ],
    });
  },
};

export function createGraphQL(options: ServerOptions) {
  const limits = { maxDepth: 10, maxCost: 20_000, maxAliases: 15, ...options.limits };
  return createYoga<Record<string, unknown>, ApiContext>({
    schema: createSchema({ typeDefs, resolvers: resolvers as never }),
    context: contextFactory(options),
    graphqlEndpoint: "/graphql",
    graphiql: options.graphiql ?? true,
    landingPage: false,
    // Unexpected errors reach the client as "Unexpected error." with no stack; the log keeps them.
    maskedErrors: {
      isDev: false,
      maskError: (error, message) => {
        const original = (error as GraphQLError).originalError ?? error;
        if (original instanceof GraphQLError && original.extensions.code) return original;
        // graphql-armor's limits throw plain GraphQLErrors during validation.
        if (original instanceof GraphQLError && !original.originalError) {
          const code = /limit/i.test(original.message) ? "QUERY_TOO_COMPLEX" : "GRAPHQL_VALIDATION_FAILED";
          return new GraphQLError(original.message, { extensions: { code } });
        }
        options.log.error({ err: original }, "GraphQL resolver failed");
        return new GraphQLError(message, { extensions: { code: "INTERNAL_SERVER_ERROR" } });
      },
    },
    logging: false,
    // Same-origin only: the web market reaches /graphql through the stack's origin, so no other site
    // gets an answer it may read (yoga's default reflects any Origin, with credentials).
    cors: false,
    plugins: [
      maxDepthPlugin({ n: limits.maxDepth, exposeLimits: true, flattenFragments: true }),
      costLimitPlugin({ maxCost: limits.maxCost, exposeLimits: true }),
      maxAliasesPlugin({ n: limits.maxAliases, exposeLimits: true }),
      errorCodes,
      streamsDeclared,
    ],
  });
}

export async function health(options: ApiOptions) {
  const view = await readView(options.db, options.confirmations);
  const sync = options.syncStatus?.() ?? null;
  const ok = sync ? sync.phase !== "failed" && sync.phase !== "stopped" : view.indexedBlock !== null;
  return {
    ok,
    ready: sync ? sync.phase === "live" : ok,
    phase: sync?.phase ?? "api-only",
    chainId: sync?.chainId ?? null,
    headBlock: sync?.headBlock ?? view.headBlock,
    indexedBlock: view.indexedBlock,
    finalizedBlock: view.finalizedBlock,
    blocksBehind: sync?.blocksBehind ?? null,
    eventsPerSecond: sync?.eventsPerSecond ?? 0,
    eventsIndexed: sync?.eventsIndexed ?? null,
    realtime: sync?.realtime ?? null,
    reorgs: sync?.reorgs ?? 0,
    lastError: sync?.lastError ?? null,
  };
}

/**
 * A GET's `variables` and `extensions` must be JSON objects. Yoga parses them with a bare
 * JSON.parse whose SyntaxError would surface as an internal error; this names the parameter instead.
 */
function malformedSearchParam(params: URLSearchParams): string | undefined {
  for (const name of ["variables", "extensions"]) {
    const text = params.get(name);
    if (text === null || text === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return `${name}: not JSON`;
    }
    if (value !== null && (typeof value !== "object" || Array.isArray(value))) return `${name}: expected a JSON object`;
  }
  return undefined;
}

/** Starts the HTTP server; resolves once it listens. */
export async function startServer(
  options: ServerOptions,
): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const yoga = createGraphQL(options);
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname === "/health") {
      try {
        const body = await health(options);
        res.writeHead(body.ok ? 200 : 503, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      } catch (error) {
        options.log.error({ err: error }, "health check failed");
        res.writeHead(503, { "content-type": "application/json" });
        res.end(JSON.stringify({ ok: false, error: "database unavailable" }));
      }
      return;
    }
    if (url.pathname === "/graphql") {
      const malformed = malformedSearchParam(url.searchParams);
      if (malformed !== undefined) {
        res.writeHead(400, { "content-type": "application/json" });
        res.end(JSON.stringify({ errors: [{ message: malformed, extensions: { code: "BAD_REQUEST" } }] }));
        return;
      }
      return yoga(req, res);
    }
    res.writeHead(404, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: "not found: use /graphql or /health" }));
  });
  endOnClientError(server);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : options.port;
  const url = `http://${options.host}:${port}`;
  options.log.info({ url: `${url}/graphql` }, "GraphQL server listening");
  return {
    server,
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
