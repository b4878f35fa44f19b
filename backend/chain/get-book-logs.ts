// The market's order and deal events over a block range, fetched in bounded chunks (hosted nodes cap
// the range of eth_getLogs) and decoded with the generated ABI, in chain order.
import type { Address, PublicClient } from "viem";

import { type BookLog, bookEvents } from "./book-state.ts";
import { NO_RETRY, type RetryPolicy, withRetry } from "./retry.ts";

export type GetBookLogsParameters = {
  market: Address;
  fromBlock: bigint;
  toBlock: bigint;
  /** Largest block range per eth_getLogs request. */
  maxBlockRange?: bigint;
  retry?: RetryPolicy;
};
export type GetBookLogsReturnType = BookLog[];

/**
 * @example
 * const logs = await getBookLogs(publicClient, { market, fromBlock: deployment.startBlock, toBlock: head })
 */
export async function getBookLogs(
  client: PublicClient,
  parameters: GetBookLogsParameters,
): Promise<GetBookLogsReturnType> {
  const { market, fromBlock, toBlock, maxBlockRange = 2_000n } = parameters;
  const retry = parameters.retry ?? NO_RETRY;
  const logs: BookLog[] = [];
  for (let from = fromBlock; from <= toBlock; from += maxBlockRange) {
    const to = from + maxBlockRange - 1n < toBlock ? from + maxBlockRange - 1n : toBlock;
    const chunk = await withRetry(
      () => client.getLogs({ address: market, events: bookEvents, fromBlock: from, toBlock: to, strict: true }),
      { ...retry, label: `read market events ${from}–${to}` },
    );
    logs.push(...chunk);
  }
  return logs;
}
