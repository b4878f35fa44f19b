// The stack's one origin: the web market, and every service a page or a script talks to behind it,
// so a browser needs no CORS and an operator exposes one port.
//
//   /             web market (frontend/dist, index.html for the page's own routes)
//   /api/…        backend API            /graphql   indexer GraphQL (subscriptions over SSE)
//   /rpc          chain JSON-RPC, allowlisted (stack/rpc-allowlist.ts) and bounded (stack/rpc-limits.ts)
//   /config.json  what the page needs to know (protocol/stack-config.ts)
//   /health       the whole stack's state, 200 only when every part is up
import { existsSync } from "node:fs";
import {
  Agent,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type RequestListener,
  request,
  type ServerResponse,
} from "node:http";
import path from "node:path";

import express, { type ErrorRequestHandler, type Request, type Response } from "express";
import helmet from "helmet";

import type { StackConfig } from "../protocol/stack-config.ts";
import { rpcCall } from "./chain/rpc.ts";
import { hostName, servedHostNames } from "./host-check.ts";
import { checkRpcBody, type JsonRpcErrorResponse } from "./rpc-allowlist.ts";
import { ClientBudget, limitCalls, needsHead, RPC_LIMITS, type RpcLimits } from "./rpc-limits.ts";
import { isStreamRequest, StreamGate } from "./stream-gate.ts";

export type StackAppOptions = {
  /** frontend/dist: the web market's build. */
  distDir: string;
  targets: { api: string; indexer: string; rpc: string };
  /** What a proxy error should say about the part behind it ("the indexer is restarting"). */
  describe: (part: "api" | "indexer" | "chain") => string;
  /** The browser's configuration; undefined until the deployment is known. */
  config: () => StackConfig | undefined;
  health: () => Promise<{ healthy: boolean; body: unknown }>;
  /** Host names (no port) the origin answers to (stack/host-check.ts); loopback names when not given. */
  servedHosts?: ReadonlySet<string>;
  /** Largest /rpc body (a raw transaction deploying a contract can be large). */
  rpcBodyLimit?: string;
  rpcLimits?: RpcLimits;
  rpcBudget?: ClientBudget;
  /** Longest a forwarded /rpc request may wait for the chain. */
  rpcTimeoutMs?: number;
  /** Why /rpc is closed right now (the node is being restarted), or undefined when it is open. */
  rpcClosed?: () => string | undefined;
  /**
   * Resolves once every block the node has mined so far is durably recorded (the local chain's
   * journal). A transaction's hash is answered only after that, so an acknowledged transaction
   * survives a crash of the stack. Rejects when it cannot be recorded.
   */
  durable?: () => Promise<void>;
  streams?: StreamGate;
  /**
   * The API's routes served inside this process (stack/origin-api.ts), or undefined while they are not
   * built: then, and always for /api/metering, a request takes the hop to the API process.
   */
  api?: () => RequestListener | undefined;
};

const RESERVED = /^\/(api|graphql|rpc|health|config\.json)(\/|$)/;
/** Headers a proxy writes about the client; a client's own are never believed. */
const FORWARDED = ["forwarded", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-port"];
/** The metering store has one writer, the API process: its routes always take the hop. */
const METERING = /^\/api\/metering([/?]|$)/;
const INVALID_REQUEST = -32600;
const INTERNAL_ERROR = -32603;

/** The client as the origin sees it: the peer of the TCP connection, never a header it sent. */
function clientOf(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? "unknown";
}

export function createStackApp(options: StackAppOptions): RequestListener {
  const app = express();
  app.disable("x-powered-by");
  const served = options.servedHosts ?? servedHostNames("127.0.0.1", []);

  app.get("/health", async (_req, res) => {
    const { healthy, body } = await options.health();
    res
      .status(healthy ? 200 : 503)
      .set("cache-control", "no-store")
      .json(body);
  });

  app.get("/config.json", (_req, res) => {
    const config = options.config();
    if (config === undefined) {
      res.status(503).set("retry-after", "2").json({ error: "the stack is starting: the deployment is not known yet" });
      return;
    }
    res.set("cache-control", "no-store").json(config);
  });

  const unreachable = (part: "api" | "indexer") => (res: ServerResponse) => {
    if (res.headersSent || res.destroyed) {
      res.destroy();
      return;
    }
    res.writeHead(503, { "content-type": "application/json", "retry-after": "2" });
    res.end(JSON.stringify({ error: `${options.describe(part)}; try again shortly` }));
  };

  // The hop to the API and the indexer is a plain pipe over kept-alive sockets (docs/architecture.md,
  // "The origin's hop"): enough sockets that 64 concurrent clients never wait for one.
  const api = forwarder(options.targets.api, new Agent({ keepAlive: true, maxSockets: 64 }), unreachable("api"));
  // Subscriptions (server-sent events) stream as they come with no timeout, over sockets of their
  // own: the query sockets stay free however many streams are open.
  const streams = options.streams ?? new StreamGate();
  const streamForwarder = forwarder(
    options.targets.indexer,
    new Agent({ keepAlive: false, maxSockets: streams.limits.total + 8 }),
    unreachable("indexer"),
  );
  const query = forwarder(
    options.targets.indexer,
    new Agent({ keepAlive: true, maxSockets: 64 }),
    unreachable("indexer"),
  );
  app.all("/rpc", (req, res, next) => {
    if (req.method !== "POST") {
      res.status(405).set("allow", "POST").json({ error: "/rpc takes JSON-RPC calls by POST" });
      return;
    }
    next();
  });
  const limits = options.rpcLimits ?? RPC_LIMITS;
  const budget = options.rpcBudget ?? new ClientBudget();
  const timeoutMs = options.rpcTimeoutMs ?? 10_000;
  app.post("/rpc", express.json({ limit: options.rpcBodyLimit ?? "1mb" }), async (req: Request, res: Response) => {
    if (req.body === undefined) {
      res.status(415).json(rpcError(null, INVALID_REQUEST, "send JSON-RPC as content-type application/json"));
      return;
    }
    const refused = checkRpcBody(req.body);
    if (refused !== undefined) {
      res.json(refused);
      return;
    }
    const closed = options.rpcClosed?.();
    if (closed !== undefined) {
      res
        .status(503)
        .set("retry-after", "5")
        .json(rpcError(null, INTERNAL_ERROR, closed));
      return;
    }
    const client = clientOf(req);
    const calls = Array.isArray(req.body) ? req.body.length : 1;
    const admitted = budget.admit(client, calls);
    if (!admitted.admitted) {
      res
        .status(429)
        .set("retry-after", String(Math.max(1, Math.ceil(admitted.retryAfterMs / 1000))))
        .json(rpcError(null, -32005, `too many requests: ${admitted.why}`));
      return;
    }
    // Charged with the time the chain took, not the wait for the journal after it.
    let nodeMs = 0;
    try {
      await forwardRpc(req.body, res, (ms) => (nodeMs += ms));
    } finally {
      budget.settle(client, nodeMs);
    }
  });

  async function forwardRpc(body: unknown, res: Response, charge: (nodeMs: number) => void): Promise<void> {
    const started = Date.now();
    let head = 0;
    if (needsHead(body)) {
      try {
        head = Number(await rpcCall(options.targets.rpc, "eth_blockNumber", [], timeoutMs));
      } catch {
        res
          .status(503)
          .set("retry-after", "2")
          .json({ error: `${options.describe("chain")}; try again shortly` });
        return;
      }
    }
    const limited = limitCalls(body, head, limits);
    if ("refused" in limited) {
      res.json(limited.refused);
      return;
    }
    let upstream: globalThis.Response;
    try {
      upstream = await fetch(options.targets.rpc, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(limited.forward),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      charge(Date.now() - started);
      if ((error as Error).name === "TimeoutError") {
        res
          .status(504)
          .json(rpcError(null, INTERNAL_ERROR, `the chain did not answer within ${timeoutMs / 1000} s; try again`));
      } else {
        res
          .status(503)
          .set("retry-after", "2")
          .json({ error: `${options.describe("chain")}; try again shortly` });
      }
      return;
    }
    const text = await upstream.text();
    charge(Date.now() - started);
    const sends = (Array.isArray(limited.forward) ? limited.forward : [limited.forward])
      .filter((c) => (c as { method?: unknown }).method === "eth_sendRawTransaction")
      .map((c) => idOf((c as { id?: unknown }).id));
    let answer = text;
    if (sends.length > 0 && options.durable !== undefined)
      answer = await holdUntilDurable(text, new Set(sends), options.durable);
    res
      .status(upstream.status)
      .type(upstream.headers.get("content-type") ?? "application/json")
      .send(answer);
  }

  const rpcErrors: ErrorRequestHandler = (
    error: { type?: string; status?: number; message: string },
    _req,
    res,
    next,
  ) => {
    if (error.type === "entity.parse.failed") {
      res.status(400).json(rpcError(null, -32700, `the body is not JSON: ${error.message}`));
    } else if (error.type === "entity.too.large") {
      res.status(413).json(rpcError(null, INVALID_REQUEST, `the body is larger than ${options.rpcBodyLimit ?? "1mb"}`));
    } else if (typeof error.status === "number" && error.status >= 400 && error.status < 500) {
      // Any other unreadable body (a wrong charset, a cut-off upload) is the client's problem too.
      res.status(error.status).json(rpcError(null, INVALID_REQUEST, `the body cannot be read: ${error.message}`));
    } else next(error);
  };
  app.use("/rpc", rpcErrors);

  // The page is same-origin only: everything it loads or calls comes from here.
  const web = express.Router();
  web.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", "data:", "blob:"],
          fontSrc: ["'self'", "data:"],
          connectSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          frameAncestors: ["'none'"],
          formAction: ["'self'"],
        },
      },
    }),
  );
  // Vite names assets by content hash, so they never change under the same name.
  web.use("/assets", express.static(path.join(options.distDir, "assets"), { immutable: true, maxAge: "1y" }));
  web.use(express.static(options.distDir, { index: false, maxAge: 0 }));
  web.use((req, res, next) => {
    if ((req.method !== "GET" && req.method !== "HEAD") || RESERVED.test(req.path)) return next();
    // A path with a file extension is a missing file, not one of the page's routes.
    if (path.extname(req.path) !== "") return next();
    const index = path.join(options.distDir, "index.html");
    if (!existsSync(index)) {
      res
        .status(503)
        .type("html")
        .send(
          "<!doctype html><title>CCEX</title><p>The web market is not built yet: run <code>npm run build</code>, then reload.</p>",
        );
      return;
    }
    res.set("cache-control", "no-cache").sendFile(index);
  });
  app.use(web);

  app.use((req, res) => {
    res.status(404).json({ error: `nothing at ${req.method} ${req.path}` });
  });

  // Every request passes the host check first; /api and /graphql then go straight to the API served
  // in this process or to their forwarder, without the origin's Express: they are on every page's
  // data path (docs/architecture.md, "The origin's hop"). Everything else is Express's.
  return (req, res) => {
    const name = hostName(req.headers.host);
    if (name === undefined || !served.has(name)) {
      json(res, 421, {
        error: `this stack does not serve the host name ${JSON.stringify(name ?? "")}; an operator adds names with ALLOWED_HOSTS`,
      });
      return;
    }
    const url = req.url ?? "/";
    const service = url.startsWith("/api") ? "/api" : url.startsWith("/graphql") ? "/graphql" : undefined;
    // "/apis" or "/graphqlx" are the page's (missing) routes, not the services'.
    const boundary = service === undefined ? undefined : url.charAt(service.length);
    if (service === undefined || (boundary !== "" && boundary !== "/" && boundary !== "?")) {
      app(req, res);
      return;
    }
    if (service === "/api") {
      const inProcess = METERING.test(url) ? undefined : options.api?.();
      if (inProcess === undefined) return api(req, res);
      // The client is the connection's peer here (the API's trust proxy is off): what a client claims
      // about itself in these headers is dropped so no handler or log ever reads it.
      for (const header of FORWARDED) if (header in req.headers) delete req.headers[header];
      return inProcess(req, res);
    }
    if (!isStreamRequest(req.headers.accept)) return query(req, res);
    const slot = streams.enter(clientOf(req));
    if ("refused" in slot) {
      json(res, slot.status, { error: slot.refused }, { "retry-after": "10" });
      return;
    }
    res.once("close", slot.release);
    streamForwarder(req, res);
  };
}

function json(res: ServerResponse, status: number, body: unknown, headers: OutgoingHttpHeaders = {}): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  res.end(JSON.stringify(body));
}

export type ChainGatewayOptions = {
  /** The local node. */
  target: string;
  durable: () => Promise<void>;
  /** Why the chain is closed now (the node is being rebuilt), or undefined. */
  closed: () => string | undefined;
};

/**
 * The stack's own services (matcher, keeper, demo) send their transactions through this loopback
 * gateway rather than to the node: every call is forwarded as it is (they are trusted and need the
 * node's test methods), but a sent transaction (or a block mined on request) is answered only once
 * its block is journaled, as on the public /rpc. So nothing any client was told is on chain can vanish in a crash.
 *
 * It carries every call the demo's seeder makes while it writes the history (several per
 * transaction), so it is a plain node:http handler over one kept-alive socket pool: a body is parsed
 * only when it sends a transaction.
 */
export function createChainGateway(options: ChainGatewayOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { hostname, port, pathname } = new URL(options.target);
  const agent = new Agent({ keepAlive: true, maxSockets: 32 });
  const answer = (res: ServerResponse, status: number, body: string, headers: OutgoingHttpHeaders = {}) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(body);
  };
  return (req, res) => {
    if (req.method !== "POST") {
      answer(res, 405, JSON.stringify({ error: "the chain gateway takes JSON-RPC calls by POST" }), { allow: "POST" });
      return;
    }
    const closed = options.closed();
    if (closed !== undefined) {
      req.resume();
      answer(res, 503, JSON.stringify(rpcError(null, INTERNAL_ERROR, closed)), { "retry-after": "5" });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > GATEWAY_BODY_LIMIT) {
        answer(
          res,
          413,
          JSON.stringify(rpcError(null, INVALID_REQUEST, `the body is larger than ${GATEWAY_BODY_LIMIT} bytes`)),
        );
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const upstream = request(
        {
          hostname,
          port,
          path: pathname,
          method: "POST",
          agent,
          headers: { "content-type": "application/json", "content-length": body.length },
        },
        (reply) => {
          const parts: Buffer[] = [];
          reply.on("data", (chunk: Buffer) => parts.push(chunk));
          reply.on("end", async () => {
            let text = Buffer.concat(parts).toString("utf8");
            const sends = sentIds(body);
            if (sends.size > 0) text = await holdUntilDurable(text, sends, options.durable);
            answer(res, reply.statusCode ?? 502, text, {
              "content-type": reply.headers["content-type"] ?? "application/json",
            });
          });
          reply.once("error", () => res.destroy());
        },
      );
      upstream.once("error", (error) =>
        answer(
          res,
          503,
          JSON.stringify(rpcError(null, INTERNAL_ERROR, `the chain node does not answer (${error.message})`)),
        ),
      );
      upstream.end(body);
    });
  };
}

/** Largest body the gateway takes (a deployment's raw transactions can be large). */
const GATEWAY_BODY_LIMIT = 16 * 1024 * 1024;

/**
 * Calls whose answer waits until the node's blocks are journaled: a sent transaction (mined at once
 * while the node automines) and a block mined on request (the demo's seed pools its transactions and
 * mines them together).
 */
const HELD_METHODS = ["eth_sendRawTransaction", "evm_mine"];

/** The ids of the calls in a JSON-RPC body that send a transaction or mine; the body is parsed only when it may hold one. */
function sentIds(body: Buffer): Set<string | number | null> {
  const ids = new Set<string | number | null>();
  if (!HELD_METHODS.some((method) => body.includes(method))) return ids;
  let calls: unknown;
  try {
    calls = JSON.parse(body.toString("utf8"));
  } catch {
    // The node refuses it too: nothing was sent.
    return ids;
  }
  for (const call of Array.isArray(calls) ? calls : [calls])
    if (HELD_METHODS.includes((call as { method?: unknown })?.method as string))
      ids.add(idOf((call as { id?: unknown }).id));
  return ids;
}

/** Hop-by-hop headers (RFC 9110 §7.6.1): they describe one connection and are not passed on. */
const HOP_BY_HOP = ["connection", "keep-alive", "proxy-connection", "te", "trailer", "upgrade"];

/**
 * Forwards a request to `target` (path, method, headers and body as they came, the X-Forwarded-*
 * headers written from the connection) and streams the answer back as it arrives, without the
 * service's CORS permissions: every page is served from this origin, so no other site may read an
 * answer, whatever a service behind would allow.
 */
function forwarder(
  target: string,
  agent: Agent,
  unreachable: (res: ServerResponse) => void,
): (req: IncomingMessage, res: ServerResponse) => void {
  const { hostname, port } = new URL(target);
  return (req, res) => {
    const headers: OutgoingHttpHeaders = { ...req.headers };
    for (const name of HOP_BY_HOP) delete headers[name];
    // The services behind trust these headers (the API's rate limit is per client address), so they
    // are written here from the connection and whatever the client sent is dropped.
    headers["x-forwarded-for"] = clientOf(req);
    headers["x-forwarded-host"] = req.headers.host;
    headers["x-forwarded-proto"] = "http";
    headers["x-forwarded-port"] = String(req.socket.localPort ?? "");
    delete headers.forwarded;
    const upstream = request({ hostname, port, method: req.method, path: req.url, headers, agent }, (answer) => {
      const out: OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(answer.headers))
        if (!name.startsWith("access-control-") && !HOP_BY_HOP.includes(name)) out[name] = value;
      res.writeHead(answer.statusCode ?? 502, out);
      answer.pipe(res);
      answer.once("error", () => res.destroy());
    });
    upstream.once("error", () => unreachable(res));
    // A visitor who hangs up (a closed subscription) ends the request behind it too.
    res.once("close", () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  };
}

function rpcError(id: string | number | null, code: number, message: string): JsonRpcErrorResponse {
  return { jsonrpc: "2.0", id, error: { code, message } };
}

/**
 * The node's answer to a request that sent transactions, given back once their blocks are journaled.
 * If they cannot be, each sent transaction's hash is replaced by an error saying so: a client must not
 * take for settled what a crash of the stack could still undo.
 */
async function holdUntilDurable(
  text: string,
  sendIds: Set<string | number | null>,
  durable: () => Promise<void>,
): Promise<string> {
  try {
    await durable();
    return text;
  } catch (error) {
    let answer: unknown;
    try {
      answer = JSON.parse(text);
    } catch {
      return text;
    }
    const message = `the transaction reached the chain but the stack could not record it (${(error as Error).message}); it may be lost if the stack stops now: check its receipt before relying on it`;
    const rewrite = (a: { id?: unknown; result?: unknown }) =>
      a?.result !== undefined && sendIds.has(idOf(a.id)) ? rpcError(idOf(a.id), INTERNAL_ERROR, message) : a;
    return JSON.stringify(Array.isArray(answer) ? answer.map(rewrite) : rewrite(answer as never));
  }
}

function idOf(id: unknown): string | number | null {
  return typeof id === "string" || typeof id === "number" ? id : null;
}
