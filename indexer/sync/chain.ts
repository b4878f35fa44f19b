// What the sync loop asks of the node: the head, block headers and raw logs. Requests go over HTTP
// with JSON-RPC batching (hundreds of headers in one round trip); new heads arrive over a WebSocket
// subscription when the node offers one.
import { createPublicClient, http, type PublicClient, webSocket } from "viem";
import { IndexerError } from "../errors.ts";

export type BlockHeader = { number: number; hash: string; parentHash: string; timestamp: number };

export type RawLog = {
  address: string;
  topics: string[];
  data: string;
  blockNumber: number;
  blockHash: string;
  transactionHash: string;
  transactionIndex: number;
  logIndex: number;
};

export type Chain = {
  chainId(): Promise<number>;
  head(): Promise<number>;
  header(number: number): Promise<BlockHeader | null>;
  headers(numbers: readonly number[]): Promise<Map<number, BlockHeader>>;
  logs(
    filter: { addresses: readonly string[] } & ({ fromBlock: number; toBlock: number } | { blockHash: string }),
  ): Promise<RawLog[]>;
  /** Calls `onHead` for every new head; returns a stop function, or null without a subscription. */
  subscribeHeads(onHead: (number: number) => void, onError: (error: Error) => void): Promise<(() => void) | null>;
  close(): Promise<void>;
};

export type ChainOptions = {
  rpcUrl: string;
  wsUrl?: string | null;
  timeoutMs?: number;
  /** Largest eth_getLogs answer read (default 64 MiB); a larger one is refused and the range halved. */
  maxLogsResponseBytes?: number;
};

/**
 * A step's logs arrive in one answer: 5,000 market logs take about 6 MB of JSON (deal terms are
 * long), more than viem's default cap of 10 MiB once a range runs dense. The engine aims its ranges
 * at a log count, not a byte count, so the cap is set well above what it asks for.
 */
const MAX_LOGS_RESPONSE_BYTES = 64 * 1024 * 1024;

type RpcBlock = { number: string; hash: string; parentHash: string; timestamp: string } | null;
type RpcLog = Record<keyof RawLog, string> & { topics: string[] };

const hex = (n: number) => `0x${n.toString(16)}`;

function toHeader(b: NonNullable<RpcBlock>): BlockHeader {
  return { number: Number(b.number), hash: b.hash, parentHash: b.parentHash, timestamp: Number(b.timestamp) };
}

/**
 * Connects to a node.
 * @example const chain = createChain({ rpcUrl: "http://127.0.0.1:8545" });
 */
export function createChain(options: ChainOptions): Chain {
  const client: PublicClient = createPublicClient({
    transport: http(options.rpcUrl, {
      batch: { batchSize: 200, wait: 0 },
      timeout: options.timeoutMs ?? 30_000,
      retryCount: 2,
    }),
  });
  // Logs go one range per HTTP request: batched with the ranges fetched ahead, their answers would
  // share one response body and one size cap, and a refusal would fail (and refetch) all of them.
  const logClient: PublicClient = createPublicClient({
    transport: http(options.rpcUrl, {
      timeout: options.timeoutMs ?? 30_000,
      retryCount: 2,
      maxResponseBodySize: options.maxLogsResponseBytes ?? MAX_LOGS_RESPONSE_BYTES,
    }),
  });
  let ws: PublicClient | null = null;

  // Raw requests skip viem's per-field formatting: the loop only needs a few fields, as numbers.
  const request = <T>(method: string, params: unknown[]) =>
    client.request({ method: method as "eth_chainId", params: params as never }) as Promise<T>;

  return {
    async chainId() {
      return Number(await request<string>("eth_chainId", []));
    },
    async head() {
      return Number(await request<string>("eth_blockNumber", []));
    },
    async header(number) {
      const b = await request<RpcBlock>("eth_getBlockByNumber", [hex(number), false]);
      return b ? toHeader(b) : null;
    },
    async headers(numbers) {
      const blocks = await Promise.all(numbers.map((n) => request<RpcBlock>("eth_getBlockByNumber", [hex(n), false])));
      const out = new Map<number, BlockHeader>();
      blocks.forEach((b, i) => {
        if (!b) throw new IndexerError("BLOCK_NOT_FOUND", `node has no block ${numbers[i]}`, { retryable: true });
        out.set(numbers[i], toHeader(b));
      });
      return out;
    },
    async logs(filter) {
      const range =
        "blockHash" in filter
          ? { blockHash: filter.blockHash }
          : { fromBlock: hex(filter.fromBlock), toBlock: hex(filter.toBlock) };
      const raw = (await logClient.request({
        method: "eth_getLogs",
        params: [{ address: filter.addresses, ...range }] as never,
      })) as unknown as RpcLog[];
      return raw.map((l) => ({
        address: l.address.toLowerCase(),
        topics: l.topics,
        data: l.data,
        blockNumber: Number(l.blockNumber),
        blockHash: l.blockHash,
        transactionHash: l.transactionHash,
        transactionIndex: Number(l.transactionIndex),
        logIndex: Number(l.logIndex),
      }));
    },
    async subscribeHeads(onHead, onError) {
      if (!options.wsUrl) return null;
      try {
        ws = createPublicClient({ transport: webSocket(options.wsUrl, { retryCount: 0, timeout: 5_000 }) });
        const { unsubscribe } = await ws.transport.subscribe({
          params: ["newHeads"],
          onData: (data: { result?: { number?: string } }) => {
            if (data.result?.number) onHead(Number(data.result.number));
          },
          onError,
        });
        return () => void unsubscribe().catch(() => undefined);
      } catch {
        // No WebSocket endpoint (or no eth_subscribe): the loop polls instead.
        await closeWs();
        return null;
      }
    },
    async close() {
      await closeWs();
    },
  };

  async function closeWs() {
    if (!ws) return;
    const socket = await (ws.transport as { getRpcClient?: () => Promise<{ close(): void }> }).getRpcClient?.();
    socket?.close();
    ws = null;
  }
}
