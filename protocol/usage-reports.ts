// Sending the usage reports of many due deals together, for every client that reports (the supplier's
// tools in backend/metering, the web market's Account page): one `multicall` transaction per batch,
// which shares the transaction's 21,000 gas and the warm storage across the reports
// (docs/security.md, "Gas"). `multicall` is all-or-nothing — one reverting report would sink every
// report of its batch — so each report is dry-run alone first, and one that would revert is left out
// and named, never sent; the others go through. How a call is dry-run and sent is the caller's
// (a node client and a key, or a wallet); the order of things is here, once.

import type { ContractFunctionArgs, Hex } from "viem";
import { encodeFunctionData } from "viem";

import { marketAbi } from "./generated/abis.ts";

/** A deal's terms as `reportUsage` takes them back (the DealOpened event's terms). */
export type ReportedTerms = ContractFunctionArgs<typeof marketAbi, "nonpayable", "reportUsage">[1];
/** The report `reportUsage` takes: one entry per job hour and the metering root. */
export type ReportedUsage = ContractFunctionArgs<typeof marketAbi, "nonpayable", "reportUsage">[2];

/** One deal's report, as its compute supplier sends it. */
export type DueReport = { dealId: bigint; terms: ReportedTerms; report: ReportedUsage };

/** Most reports per transaction (gas grows with each; 20 is about 0.7 M gas). */
export const USAGE_REPORTS_PER_BATCH = 20;

export type RefusedReport = { dealId: bigint; reason: string };

/** What a batch's transaction came to: mined with its status, under its hash. */
export type BatchOutcome = { status: "success" | "reverted"; transactionHash: Hex };

export type BatchUsageReportsParameters<R extends BatchOutcome> = {
  reports: readonly DueReport[];
  /**
   * Runs one encoded `reportUsage` call as the batch will (through `multicall`, as the supplier):
   * undefined when it would succeed, else why not (the market's error name when known). A failure
   * that is no revert (the node is down) is thrown, and nothing is sent.
   */
  dryRun: (call: Hex, dealId: bigint) => Promise<string | undefined>;
  /** Sends a batch of encoded market calls as one transaction and resolves once it is mined. */
  send: (calls: readonly Hex[]) => Promise<R>;
  maxBatch?: number;
};

export type BatchUsageReportsReturnType<R extends BatchOutcome> = {
  /** Deals whose report is on chain, in the order sent. */
  reported: bigint[];
  /** Reports left out because they would revert, or whose batch reverted. */
  refused: RefusedReport[];
  /** One outcome (receipt) per transaction sent. */
  receipts: R[];
};

/**
 * Dry-runs each report alone, then sends the ones that would succeed in batches of `maxBatch`, each
 * batch one transaction.
 *
 * @example
 * const { reported, refused } = await batchUsageReports({ reports, dryRun, send });
 */
export async function batchUsageReports<R extends BatchOutcome>(
  p: BatchUsageReportsParameters<R>,
): Promise<BatchUsageReportsReturnType<R>> {
  const maxBatch = p.maxBatch ?? USAGE_REPORTS_PER_BATCH;
  const refused: RefusedReport[] = [];
  const sendable: { dealId: bigint; data: Hex }[] = [];
  for (const { dealId, terms, report } of p.reports) {
    const data = encodeFunctionData({ abi: marketAbi, functionName: "reportUsage", args: [dealId, terms, report] });
    const reason = await p.dryRun(data, dealId);
    if (reason === undefined) sendable.push({ dealId, data });
    else refused.push({ dealId, reason });
  }
  const reported: bigint[] = [];
  const receipts: R[] = [];
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
