// One backfill step's reads: the logs of a block range, the headers it needs, checked against each
// other, and decoded. (A worker thread for this was tried: on two shared cores the extra isolate
// cost more CPU than the overlap saved.)
import { IndexerError } from "../errors.ts";
import type { BlockHeader, Chain, RawLog } from "./chain.ts";
import type { DecodedEvent, Decoder } from "./decode.ts";

export type RangeRequest = {
  fromBlock: number;
  /** Last block the range may reach. */
  limit: number;
  /** Blocks to ask for at most; halved while the node's answer is too large. */
  range: number;
  /** Fetch every header and check they form one chain (blocks that may still be re-orged). */
  everyHeader: boolean;
};

export type FetchedRange = {
  from: BlockHeader;
  to: BlockHeader;
  headers: BlockHeader[];
  events: DecodedEvent[];
  logs: number;
  /** The range that worked, for sizing the next request. */
  range: number;
};

export async function fetchRange(
  chain: Chain,
  addresses: readonly string[],
  decode: Decoder,
  req: RangeRequest,
): Promise<FetchedRange> {
  const { fromBlock, everyHeader } = req;
  const toBlock = Math.min(req.limit, fromBlock + req.range - 1);
  const span = Array.from({ length: toBlock - fromBlock + 1 }, (_, i) => fromBlock + i);
  // The range's end headers do not depend on its logs: asked for beside them, one round trip fewer.
  const endsAsked = chain.headers(everyHeader ? span : fromBlock === toBlock ? [fromBlock] : [fromBlock, toBlock]);
  // If the logs fail, the headers' answer (or failure) is not wanted.
  endsAsked.catch(() => undefined);
  let logs: RawLog[];
  try {
    logs = await chain.logs({ addresses, fromBlock, toBlock });
  } catch (error) {
    // Too many logs for one response (the client's size cap, or a node's result limit): halve.
    if (toBlock > fromBlock && isTooLarge(error)) {
      return fetchRange(chain, addresses, decode, {
        ...req,
        range: Math.max(1, Math.floor((toBlock - fromBlock + 1) / 2)),
      });
    }
    throw error;
  }
  const ends = await endsAsked;
  const wanted = [...new Set(logs.map((l) => l.blockNumber))].filter((n) => !ends.has(n));
  const headers = new Map([...ends, ...(wanted.length ? await chain.headers(wanted) : [])]);
  const moved = () =>
    new IndexerError("CHAIN_MOVED", `blocks ${fromBlock}–${toBlock} changed while they were read`, { retryable: true });
  for (const l of logs) if (headers.get(l.blockNumber)?.hash !== l.blockHash) throw moved();
  // Near the head a re-org can land between two requests: there the headers must form one chain.
  if (everyHeader)
    for (const n of span.slice(1)) if (headers.get(n)!.parentHash !== headers.get(n - 1)!.hash) throw moved();
  const events: DecodedEvent[] = [];
  for (const log of logs) {
    const e = decode(log, headers.get(log.blockNumber)!.timestamp);
    if (e) events.push(e);
  }
  return {
    from: headers.get(fromBlock)!,
    to: headers.get(toBlock)!,
    headers: [...headers.values()],
    events,
    logs: logs.length,
    range: toBlock - fromBlock + 1,
  };
}

export function isTooLarge(error: unknown): boolean {
  const e = error as { name?: string; code?: number; message?: string; details?: string };
  return (
    e?.name === "ResponseBodyTooLargeError" ||
    e?.code === -32005 ||
    /too many|limit exceeded|response size|more than \d+ results|block range/i.test(
      `${e?.message ?? ""} ${e?.details ?? ""}`,
    )
  );
}
