// The compute supplier's tools send the usage reports of all its due deals together: one `multicall`
// transaction per batch, which shares the transaction's 21,000 gas and the warm storage across the
// reports (docs/security.md, "Gas"). `multicall` is all-or-nothing — one reverting report would sink
// every report of its batch — so each report is dry-run alone first, and one that would revert is
// left out and named, never sent; the others go through.

import type { Address, ContractFunctionArgs, Hex, PublicClient, TransactionReceipt } from "viem";
import { encodeFunctionData } from "viem";

import { marketAbi } from "../../protocol/generated/abis.ts";
import { ContractRevertError, toChainError } from "../chain/errors.ts";
import type { OnChainReport } from "./deal-source.ts";

/** A deal's terms as `reportUsage` takes them back (the DealOpened event's terms). */
type ReportedTerms = ContractFunctionArgs<typeof marketAbi, "nonpayable", "reportUsage">[1];

/** One deal's report, as its compute supplier sends it. */
export type DueReport = { dealId: bigint; terms: ReportedTerms; report: OnChainReport };

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

export type RefusedReport = { dealId: bigint; reason: string };

export type SendUsageReportsReturnType = {
  /** Deals whose report is on chain, in the order sent. */
  reported: bigint[];
  /** Reports left out because they would revert (the market's error name), or whose batch reverted. */
  refused: RefusedReport[];
  /** One receipt per transaction sent. */
  receipts: TransactionReceipt[];
};

/**
 * Dry-runs each report alone, then sends the ones that would succeed in batches of `maxBatch`, each
 * batch one transaction. A node error (not a revert) during the dry run throws before anything is
 * sent.
 *
 * @example
 * const { reported, refused } = await sendUsageReports({ client, market, supplier, reports, send });
 * for (const { dealId, reason } of refused) logger.warn({ dealId, reason }, "report left out");
 */
export async function sendUsageReports(p: SendUsageReportsParameters): Promise<SendUsageReportsReturnType> {
  const maxBatch = p.maxBatch ?? 20;
  const refused: RefusedReport[] = [];
  const sendable: { dealId: bigint; data: Hex }[] = [];
  for (const { dealId, terms, report } of p.reports) {
    const data = encodeFunctionData({ abi: marketAbi, functionName: "reportUsage", args: [dealId, terms, report] });
    const reason = await dryRun(p, data, dealId);
    if (reason === undefined) sendable.push({ dealId, data });
    else refused.push({ dealId, reason });
  }
  const reported: bigint[] = [];
  const receipts: TransactionReceipt[] = [];
  for (let i = 0; i < sendable.length; i += maxBatch) {
    const batch = sendable.slice(i, i + maxBatch);
    const receipt = await p.send(batch.map((r) => r.data));
    receipts.push(receipt);
    // multicall is all-or-nothing: a batch mined as reverted (out of gas, state changed since the
    // dry run) reported none of its deals, and each is named rather than dropped from the answer.
    if (receipt.status === "success") reported.push(...batch.map((r) => r.dealId));
    else refused.push(...batch.map((r) => ({ dealId: r.dealId, reason: `batch ${receipt.transactionHash} reverted` })));
  }
  return { reported, refused, receipts };
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
