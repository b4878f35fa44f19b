// The compute supplier's tools send the usage reports of all its due deals together, in batches
// (protocol/usage-reports.ts: dry-run each alone, leave out and name one that would revert, one
// `multicall` per batch), dry-run here through a node client as the supplier.

import type { Address, Hex, PublicClient, TransactionReceipt } from "viem";

import { marketAbi } from "../../protocol/generated/abis.ts";
import {
  type BatchUsageReportsReturnType,
  batchUsageReports,
  type DueReport,
  type RefusedReport,
} from "../../protocol/usage-reports.ts";
import { ContractRevertError, toChainError } from "../chain/errors.ts";

export type { DueReport, RefusedReport };

export type SendUsageReportsParameters = {
  client: PublicClient;
  market: Address;
  /** The deals' compute supplier: the reports are dry-run as its calls. */
  supplier: Address;
  reports: readonly DueReport[];
  /**
   * Sends a batch of encoded market calls as one transaction from the supplier (the market's
   * `multicall`, or the call alone when there is one) and resolves with its receipt once mined.
   */
  send: (calls: readonly Hex[]) => Promise<TransactionReceipt>;
  /** Most reports per transaction (gas grows with each; 20 is about 0.7 M gas). */
  maxBatch?: number;
};

export type SendUsageReportsReturnType = BatchUsageReportsReturnType<TransactionReceipt>;

/**
 * Dry-runs each report alone, then sends the ones that would succeed in batches of `maxBatch`, each
 * batch one transaction. A node error (not a revert) during the dry run throws before anything is
 * sent.
 *
 * @example
 * const { reported, refused } = await sendUsageReports({ client, market, supplier, reports, send });
 * for (const { dealId, reason } of refused) logger.warn({ dealId, reason }, "report left out");
 */
export function sendUsageReports(p: SendUsageReportsParameters): Promise<SendUsageReportsReturnType> {
  return batchUsageReports({
    reports: p.reports,
    send: p.send,
    maxBatch: p.maxBatch,
    dryRun: (data, dealId) => dryRun(p, data, dealId),
  });
}

/** undefined when the report would succeed alone, else why not (the market's error name when known). */
async function dryRun(p: SendUsageReportsParameters, data: Hex, dealId: bigint): Promise<string | undefined> {
  try {
    // Through `multicall`, which bubbles the inner revert with its custom error, as the batch will run it.
    await p.client.simulateContract({
      address: p.market,
      abi: marketAbi,
      functionName: "multicall",
      args: [[data]],
      account: p.supplier,
    });
    return undefined;
  } catch (err) {
    const error = toChainError(err, `dry-run the report of deal ${dealId}`);
    if (error instanceof ContractRevertError) return error.errorName ?? error.details ?? error.shortMessage;
    throw error;
  }
}
