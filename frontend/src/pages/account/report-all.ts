// "Report all due deals": the compute supplier's usage reports of every deal whose report window is
// open, each from the series its meter sent (GET /api/metering/<id>/report: each job hour's Wh and the
// metering root; the deal's VCU delivered in every hour), sent as the supplier's tools send them
// (protocol/usage-reports.ts): each dry-run alone, one that would revert left out and named, the rest
// in one `multicall` per 20. A deal whose meter gave no report (gaps, nothing sent) is named too.

import type { Hex } from "viem";
import {
  type BatchOutcome,
  batchUsageReports,
  type DueReport,
  type RefusedReport,
} from "../../../../protocol/usage-reports.ts";

import type { MeteredReport } from "../metering/api.ts";
import { whPerJobHour } from "../metering/MeteredFill.tsx";
import { dealTermsArg } from "./deal-calldata.ts";
import { dealAgenda, type Viewer } from "./eligibility.ts";
import type { AccountDeal } from "./queries.ts";

/** The deals whose usage report `viewer` may send now. */
export function dueForReport(deals: readonly AccountDeal[], viewer: Viewer, now: number): AccountDeal[] {
  return deals.filter((d) => dealAgenda(d, viewer, now, null).actions.some((a) => a.kind === "reportUsage"));
}

/** A deal's report from its metered series: every job hour's Wh (0 for an hour the meter did not report). */
export function meteredUsageReport(deal: AccountDeal, metered: MeteredReport): DueReport {
  const wh = whPerJobHour(metered.hours, deal);
  return {
    dealId: BigInt(deal.id),
    terms: dealTermsArg(deal.terms),
    report: { vcuPerHour: wh.map(() => deal.vcu), whPerHour: wh.map(BigInt), meteringRoot: metered.root },
  };
}

export type ReportAllParameters<R extends BatchOutcome> = {
  deals: readonly AccountDeal[];
  /** The deal's metered report; throws with the reason when there is none. */
  readMetered: (dealId: string) => Promise<MeteredReport>;
  dryRun: (call: Hex, dealId: bigint) => Promise<string | undefined>;
  send: (calls: readonly Hex[]) => Promise<R>;
};

export type ReportAllResult = { reported: bigint[]; refused: RefusedReport[] };

/**
 * Reads each due deal's metered report, then sends the reports in batches (protocol/usage-reports.ts).
 * @example
 * const { reported, refused } = await reportAllDue({ deals, readMetered, dryRun, send });
 */
export async function reportAllDue<R extends BatchOutcome>(p: ReportAllParameters<R>): Promise<ReportAllResult> {
  const reports: DueReport[] = [];
  const unmetered: RefusedReport[] = [];
  for (const deal of p.deals) {
    try {
      reports.push(meteredUsageReport(deal, await p.readMetered(deal.id)));
    } catch (error) {
      unmetered.push({ dealId: BigInt(deal.id), reason: error instanceof Error ? error.message : String(error) });
    }
  }
  const { reported, refused } = await batchUsageReports({ reports, dryRun: p.dryRun, send: p.send });
  return { reported, refused: [...unmetered, ...refused] };
}
