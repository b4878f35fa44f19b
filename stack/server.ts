// The stack's one origin: the web market, and every service a page or a script talks to behind it,
// so a browser needs no CORS and an operator exposes one port.
//
//   /             web market (frontend/dist, index.html for the page's own routes)
//   /api/…        backend API            /graphql   indexer GraphQL (subscriptions over SSE)
//   /rpc          chain JSON-RPC, allowlisted (stack/rpc-allowlist.ts)
//   /config.json  what the page needs to know (protocol/stack-config.ts)
//   /health       the whole stack's state, 200 only when every part is up
import { existsSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import path from "node:path";

import express, { type ErrorRequestHandler, type Request, type Response } from "express";
import helmet from "helmet";
import { createProxyMiddleware, fixRequestBody } from "http-proxy-middleware";

import type { StackConfig } from "../protocol/stack-config.ts";
import { checkRpcBody } from "./rpc-allowlist.ts";

export type StackAppOptions = {
  /** frontend/dist: the web market's build. */
  distDir: string;
  targets: { api: string; indexer: string; rpc: string };
  /** What a proxy error should say about the part behind it ("the indexer is restarting"). */
  describe: (part: "api" | "indexer" | "chain") => string;
  /** The browser's configuration; undefined until the deployment is known. */
  config: () => StackConfig | undefined;
  health: () => Promise<{ healthy: boolean; body: unknown }>;
  /** Largest /rpc body (a raw transaction deploying a contract can be large). */
  rpcBodyLimit?: string;
};

const RESERVED = /^\/(api|graphql|rpc|health|config\.json)(\/|$)/;

export function createStackApp(options: StackAppOptions): express.Express {
  const app = express();
  app.disable("x-powered-by");

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

  const unreachable =
    (part: "api" | "indexer" | "chain") => (_error: Error, _req: IncomingMessage, res: ServerResponse | Socket) => {
      if (!("writeHead" in res) || res.headersSent) {
        res.destroy();
        return;
      }
      res.writeHead(503, { "content-type": "application/json", "retry-after": "2" });
      res.end(JSON.stringify({ error: `${options.describe(part)}; try again shortly` }));
    };

  app.use(
    createProxyMiddleware({
      pathFilter: "/api",
      target: options.targets.api,
      // The API limits requests per client address; it sees the visitor's through X-Forwarded-For.
      xfwd: true,
      on: { error: unreachable("api") },
    }),
  );
  // Subscriptions are server-sent events: the proxy streams them as they come, with no timeout.
  app.use(
    createProxyMiddleware({
      pathFilter: "/graphql",
      target: options.targets.indexer,
      xfwd: true,
      on: { error: unreachable("indexer") },
    }),
  );

  app.all("/rpc", (req, res, next) => {
    if (req.method !== "POST") {
      res.status(405).set("allow", "POST").json({ error: "/rpc takes JSON-RPC calls by POST" });
      return;
    }
    next();
  });
  app.post("/rpc", express.json({ limit: options.rpcBodyLimit ?? "1mb" }), (req: Request, res: Response, next) => {
    if (req.body === undefined) {
      res.status(415).json({
        jsonrpc: "2.0",
        id: null,
        error: { code: -32600, message: "send JSON-RPC as content-type application/json" },
      });
      return;
    }
    const refused = checkRpcBody(req.body);
    if (refused !== undefined) {
      res.json(refused);
      return;
    }
    next();
  });
  app.post(
    "/rpc",
    createProxyMiddleware({
      target: options.targets.rpc,
      // The chain's URL is the whole target (a provider's URL often carries a key in its path).
      ignorePath: true,
      changeOrigin: true,
      on: { proxyReq: fixRequestBody, error: unreachable("chain") },
    }),
  );
  const rpcErrors: ErrorRequestHandler = (
    error: { type?: string; status?: number; message: string },
    _req,
    res,
    next,
  ) => {
    if (error.type === "entity.parse.failed") {
      res
        .status(400)
        .json({ jsonrpc: "2.0", id: null, error: { code: -32700, message: `the body is not JSON: ${error.message}` } });
    } else if (error.type === "entity.too.large") {
      res.status(413).json({
        jsonrpc: "2.0",
        id: null,
        error: { code: -32600, message: `the body is larger than ${options.rpcBodyLimit ?? "1mb"}` },
      });
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
  return app;
}
