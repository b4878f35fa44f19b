// Worker thread that fetches and decodes backfill ranges (fetch-range.ts), so that decoding — a
// sizeable share of the work per event — runs beside the database writes instead of between them.
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import type { Abi } from "viem";
import { isRetryable } from "../errors.ts";
import { createChain } from "./chain.ts";
import { createDecoder, type ContractSpec } from "./decode.ts";
import { fetchRange, type FetchedRange, type RangeFetcher, type RangeRequest } from "./fetch-range.ts";
import { IndexerError } from "../errors.ts";

type Init = { rpcUrl: string; contracts: { name: string; address: string; abi: Abi }[] };
type Reply = { id: number; ok: FetchedRange } | { id: number; error: { code: string; name: string; message: string; retryable: boolean } };

/** Starts the worker; requests are answered in any order, matched by id. */
export function startFetchWorker(rpcUrl: string, contracts: readonly ContractSpec[]): RangeFetcher {
  const worker = new Worker(new URL(import.meta.url), { workerData: { rpcUrl, contracts: [...contracts] } satisfies Init });
  worker.unref();
  const pending = new Map<number, { resolve(r: FetchedRange): void; reject(e: Error): void }>();
  let next = 0;
  let dead: Error | null = null;
  worker.on("message", (reply: Reply) => {
    const p = pending.get(reply.id);
    pending.delete(reply.id);
    if (!p) return;
    if ("ok" in reply) p.resolve(reply.ok);
    else p.reject(Object.assign(new IndexerError(reply.error.code, reply.error.message, { retryable: reply.error.retryable }), { name: reply.error.name }));
  });
  const fail = (error: Error) => {
    dead = error;
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  worker.on("error", fail);
  worker.on("exit", (code) => fail(new IndexerError("FETCH_WORKER_EXITED", `fetch worker exited with ${code}`)));
  return {
    fetch(request: RangeRequest) {
      if (dead) return Promise.reject(dead);
      const id = next++;
      return new Promise<FetchedRange>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, request });
      });
    },
    async close() {
      worker.removeAllListeners("exit");
      await worker.terminate();
    },
  };
}

if (!isMainThread && parentPort) {
  const init = workerData as Init;
  const chain = createChain({ rpcUrl: init.rpcUrl });
  const decode = createDecoder(init.contracts);
  const addresses = init.contracts.map((c) => c.address.toLowerCase());
  const port = parentPort;
  port.on("message", async ({ id, request }: { id: number; request: RangeRequest }) => {
    try {
      port.postMessage({ id, ok: await fetchRange(chain, addresses, decode, request) } satisfies Reply);
    } catch (error) {
      const e = error as Error & { code?: string };
      port.postMessage({
        id,
        error: { code: typeof e.code === "string" ? e.code : (e.name ?? "ERROR"), name: e.name ?? "Error", message: e.message, retryable: isRetryable(error) },
      } satisfies Reply);
    }
  });
}
