// Sends a signed transaction. Sending the same bytes again is harmless (same nonce, same hash), so
// this is also how a restarted matcher re-sends a transaction the node may have lost.
import { BaseError, type Hex, NonceTooLowError, type PublicClient } from "viem";

import { toChainError } from "./errors.ts";
import { NO_RETRY, type RetryPolicy, withRetry } from "./retry.ts";

const KNOWN = /known transaction|already known|already imported/i;

export type BroadcastTransactionParameters = { rawTransaction: Hex; retry?: RetryPolicy };
/**
 * sent: the node accepted it. nonce-used: the node already knows it, or its nonce went to a
 * transaction already included (ours or not: the receipt tells).
 */
export type BroadcastTransactionReturnType = "sent" | "nonce-used";

/**
 * @example
 * await broadcastTransaction(publicClient, { rawTransaction: submission.rawTransaction })
 */
export async function broadcastTransaction(
  client: PublicClient,
  { rawTransaction, retry = NO_RETRY }: BroadcastTransactionParameters,
): Promise<BroadcastTransactionReturnType> {
  return withRetry(
    async () => {
      try {
        await client.sendRawTransaction({ serializedTransaction: rawTransaction });
        return "sent";
      } catch (err) {
        // viem files geth's "already known" under nonce too low; Hardhat answers "Known transaction".
        // Either way there is nothing to re-send.
        if (err instanceof BaseError) {
          const known = err.walk(
            (e) => e instanceof NonceTooLowError || (e instanceof BaseError && KNOWN.test(e.details)),
          );
          if (known !== null) return "nonce-used";
        }
        throw toChainError(err, "broadcast settle");
      }
    },
    { ...retry, label: "broadcast settle" },
  );
}
