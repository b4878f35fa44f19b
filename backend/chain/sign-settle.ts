// Builds and signs a `settle` transaction without sending it, so its hash and nonce can be recorded
// before it leaves the process: whatever happens next, the matcher knows what it may have sent.
import { type Address, encodeFunctionData, type Hex, keccak256, type LocalAccount, type PublicClient } from "viem";

import { marketAbi } from "../../protocol/generated/abis.ts";
import type { Match } from "../../protocol/orders.ts";
import { NO_RETRY, type RetryPolicy, withRetry } from "./retry.ts";

export type SignSettleParameters = {
  market: Address;
  account: LocalAccount;
  matches: readonly Match[];
  /** Gas limit headroom over the node's estimate, in percent. */
  gasHeadroomPercent?: number;
  retry?: RetryPolicy;
};
export type SignSettleReturnType = { txHash: Hex; nonce: number; rawTransaction: Hex };

/**
 * Uses the account's pending nonce and the node's gas and fee estimates (estimating reverts if the
 * whole batch would).
 *
 * @example
 * const signed = await signSettle(publicClient, { market, account, matches })
 * await store.add({ ...signed, matchKeys })
 * await broadcastTransaction(publicClient, signed)
 */
export async function signSettle(
  client: PublicClient,
  parameters: SignSettleParameters,
): Promise<SignSettleReturnType> {
  const { market, account, matches, gasHeadroomPercent = 20, retry = NO_RETRY } = parameters;
  const data = encodeFunctionData({ abi: marketAbi, functionName: "settle", args: [matches] });
  const request = await withRetry(
    async () => {
      const nonce = await client.getTransactionCount({ address: account.address, blockTag: "pending" });
      const prepared = await client.prepareTransactionRequest({
        account,
        to: market,
        data,
        nonce,
        chain: client.chain,
      });
      return { ...prepared, gas: (prepared.gas * BigInt(100 + gasHeadroomPercent)) / 100n };
    },
    { ...retry, label: "prepare settle" },
  );
  const rawTransaction = await account.signTransaction(request as Parameters<LocalAccount["signTransaction"]>[0]);
  return { txHash: keccak256(rawTransaction), nonce: request.nonce, rawTransaction };
}
