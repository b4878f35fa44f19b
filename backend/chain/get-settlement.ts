// Looks up a settle transaction once, without waiting: how a restarted matcher learns whether the
// transaction it recorded before stopping was mined.
import { type Address, type Hex, type PublicClient, TransactionReceiptNotFoundError } from "viem";

import { NO_RETRY, type RetryPolicy, withRetry } from "./retry.ts";
import { decodeSettlement, type Settlement } from "./wait-for-settlement.ts";

export type GetSettlementParameters = { txHash: Hex; market: Address; count: number; retry?: RetryPolicy };
/** undefined: no receipt (yet). */
export type GetSettlementReturnType = Settlement | undefined;

/**
 * @example
 * const settlement = await getSettlement(publicClient, { txHash, market, count: submission.matchKeys.length })
 */
export async function getSettlement(
  client: PublicClient,
  parameters: GetSettlementParameters,
): Promise<GetSettlementReturnType> {
  const { txHash, market, count, retry = NO_RETRY } = parameters;
  const receipt = await withRetry(
    async () => {
      try {
        return await client.getTransactionReceipt({ hash: txHash });
      } catch (err) {
        if (err instanceof TransactionReceiptNotFoundError) return undefined;
        throw err;
      }
    },
    { ...retry, label: `look up settle ${txHash}` },
  );
  return receipt === undefined ? undefined : decodeSettlement(receipt, market, count);
}
