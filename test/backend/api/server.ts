// Starts an API app on an ephemeral loopback port for one test file and stops it afterwards.

import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

import { type AppDeps, createApp } from "../../../backend/api/app.ts";
import { InMemoryBookSource } from "../../../backend/book/book-source.ts";
import { InMemoryProposalStore } from "../../../backend/proposals/proposal-store.ts";

export type TestServer = {
  url: string;
  book: InMemoryBookSource;
  proposals: InMemoryProposalStore;
  close(): Promise<void>;
};

export async function startTestServer(overrides: Partial<AppDeps> = {}): Promise<TestServer> {
  const book = new InMemoryBookSource();
  const proposals = new InMemoryProposalStore();
  const app = createApp({ book, proposals, rateLimit: false, defaultMetrics: false, ...overrides });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    book,
    proposals,
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

/** A parsed problem+json response, asserting the media type on the way. */
export async function problemOf(
  res: Response,
): Promise<Record<string, unknown> & { errors?: { in: string; field: string; message: string }[] }> {
  const type = res.headers.get("content-type") ?? "";
  if (!type.startsWith("application/problem+json"))
    throw new Error(`expected problem+json, got ${type} (status ${res.status})`);
  return (await res.json()) as Record<string, unknown>;
}

export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}
