// What a mined `settle` came to: for each match of the batch, the deal it opened or the reason the
// market skipped it, read from the receipt's DealOpened and MatchSkipped events.
import {
  type Address,
  type Hex,
  isAddressEqual,
  type PublicClient,
  parseEventLogs,
  type TransactionReceipt,
  WaitForTransactionReceiptTimeoutError,
} from "viem";

import { marketAbi } from "../../protocol/generated/abis.ts";
import { SKIP_REASONS, type SkipReason } from "../../protocol/orders.ts";
import { FatalChainError, toChainError } from "./errors.ts";
import { NO_RETRY, type RetryPolicy, withRetry } from "./retry.ts";

export type SettledMatch =
  | { outcome: "opened"; dealId: bigint; bidId: bigint }
  | { outcome: "skipped"; reason: SkipReason };

export type Settlement = {
  status: "success" | "reverted";
  blockNumber: bigint;
  /** One per match of the batch, in batch order; empty when the transaction reverted. */
  matches: SettledMatch[];
};

export type WaitForSettlementParameters = {
  txHash: Hex;
  market: Address;
  /** How many matches the batch held. */
  count: number;
  /** Give up waiting after this long (a retryable timeout); the transaction may still be mined later. */
  timeoutMs?: number;
  retry?: RetryPolicy;
};

/**
 * @example
 * const { matches } = await waitForSettlement(publicClient, { txHash, market, count: batch.length })
 */
export async function waitForSettlement(
  client: PublicClient,
  parameters: WaitForSettlementParameters,
): Promise<Settlement> {
  const { txHash, market, count, timeoutMs = 120_000, retry = NO_RETRY } = parameters;
  // Retries cover a failing node, not a slow chain: running out of time ends the wait at once.
  const waited = await withRetry(
    async () => {
      try {
        return await client.waitForTransactionReceipt({ hash: txHash, timeout: timeoutMs, retryCount: 0 });
      } catch (err) {
        if (err instanceof WaitForTransactionReceiptTimeoutError) return err;
        throw err;
      }
    },
    { ...retry, label: `wait for settle ${txHash}` },
  );
  if (waited instanceof WaitForTransactionReceiptTimeoutError) throw toChainError(waited, `wait for settle ${txHash}`);
  return decodeSettlement(waited, market, count);
}

/**
 * Pairs the receipt's events with the batch: MatchSkipped names its match's index, and the deals
 * opened by the other matches follow batch order.
 */
export function decodeSettlement(receipt: TransactionReceipt, market: Address, count: number): Settlement {
  if (receipt.status === "reverted") return { status: "reverted", blockNumber: receipt.blockNumber, matches: [] };
  const logs = parseEventLogs({
    abi: marketAbi,
    logs: receipt.logs.filter((log) => isAddressEqual(log.address, market)),
    eventName: ["DealOpened", "MatchSkipped"],
  });
  const skipped = new Map<number, SkipReason>();
  const opened: { dealId: bigint; bidId: bigint }[] = [];
  for (const log of logs) {
    if (log.eventName === "MatchSkipped") skipped.set(Number(log.args.index), SKIP_REASONS[log.args.reason]);
    else opened.push({ dealId: log.args.dealId, bidId: log.args.bidId });
  }
  if (opened.length + skipped.size !== count) {
    throw new FatalChainError("settle receipt does not match its batch", {
      details: `${count} matches, ${opened.length} deals opened, ${skipped.size} skipped in ${receipt.transactionHash}`,
    });
  }
  const matches: SettledMatch[] = [];
  for (let i = 0, next = 0; i < count; i++) {
    const reason = skipped.get(i);
    matches.push(reason === undefined ? { outcome: "opened", ...opened[next++] } : { outcome: "skipped", reason });
  }
  return { status: "success", blockNumber: receipt.blockNumber, matches };
}
