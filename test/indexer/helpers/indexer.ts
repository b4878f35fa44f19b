// The indexer under test, in this process (fast) with its own database, and a GraphQL client.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pino } from "pino";
import type { IndexerConfig } from "../../../indexer/config.ts";
import { reusePgliteInit } from "../../../indexer/db/driver.ts";
import { type Indexer, startIndexer } from "../../../indexer/main.ts";
import { ROOT } from "./chain.ts";

const PGLITE_VERSION = JSON.parse(
  readFileSync(path.join(ROOT, "node_modules", "@electric-sql", "pglite", "package.json"), "utf8"),
).version;

import { dumpIndex } from "../../../indexer/db/dump.ts";
import type { Deployment, Node } from "./chain.ts";

// One empty cluster for every test process, kept beside the other temporary files.
reusePgliteInit(path.join(tmpdir(), `ccex-pglite-template-${PGLITE_VERSION}.tar`));

export type Running = Indexer & {
  dataDir: string | null;
  gql<T = any>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /** Waits until the index has caught up with the node's head (and the head has not moved). */
  synced(): Promise<number>;
  dump(): ReturnType<typeof dumpIndex>;
  stop(): Promise<void>;
};

export function tempDir(label: string): string {
  return mkdtempSync(path.join(tmpdir(), `ccex-${label}-`));
}

export function indexerConfig(
  node: Node,
  deployment: Deployment,
  o: Partial<IndexerConfig> & { dataDir?: string } = {},
): IndexerConfig {
  return {
    rpcUrl: node.url,
    wsUrl: `ws://127.0.0.1:${node.port}`,
    // As the indexer runs by default (INDEXER_DB_THREAD): PGlite on its own thread.
    database: o.database ?? { kind: "pglite", dataDir: o.dataDir, thread: true },
    deploymentFile: deployment.file,
    confirmations: 0,
    reorgDepth: 64,
    maxBlockRange: 2_000,
    targetLogsPerStep: 5_000,
    pollIntervalMs: 100,
    followEveryMs: 0,
    role: "all",
    host: "127.0.0.1",
    port: 0,
    graphiql: false,
    logLevel: "silent",
    ...o,
  };
}

export async function runIndexer(
  node: Node,
  deployment: Deployment,
  o: Partial<IndexerConfig> & { dataDir?: string } = {},
): Promise<Running> {
  const config = indexerConfig(node, deployment, o);
  const indexer = await startIndexer(config, pino({ level: process.env.INDEXER_TEST_LOG ?? "silent" }));
  const dataDir = config.database.kind === "pglite" ? (config.database.dataDir ?? null) : null;
  const gql = async (query: string, variables?: Record<string, unknown>) => {
    const res = await fetch(`${indexer.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data?: any; errors?: unknown[] };
    if (body.errors) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
    return body.data;
  };
  return {
    ...indexer,
    dataDir,
    gql,
    async synced() {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const head = Number(
          (
            (await (
              await fetch(node.url, {
                method: "POST",
                headers: { "content-type": "application/json" },
                body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_blockNumber", params: [] }),
              })
            ).json()) as { result: string }
          ).result,
        );
        const s = indexer.engine!.status();
        if (s.phase === "failed") throw new Error(`indexer failed: ${JSON.stringify(s.lastError)}`);
        if (s.indexedBlock === head) return head;
        if (Date.now() > deadline) throw new Error(`indexer stuck at ${s.indexedBlock}, head ${head}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    dump: () => dumpIndex(indexer.db),
    async stop() {
      await indexer.close();
      if (dataDir && !o.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
