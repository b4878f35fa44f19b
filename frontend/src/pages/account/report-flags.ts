// Whether a usage report is flagged, as the market flagged it (`UsageFlagged`, served by the indexer
// on the deal; docs/carbon-accounting.md "Flagged reports"). A flagged report never finalises
// unchallenged: `finalize` reverts, the buyer may confirm only after the challenge period, and any
// party may take it to the arbiter.
import type { AccountDeal } from "./queries.ts";

export type ReportFlags = {
  /** |whConsumed − expectedWh| > expectedWh × 25 %. */
  outsideProfile: boolean;
  /** The time-matched green share (certificate Wh of each hour up to its metered Wh) fell below the bid's minimum. */
  belowGreenMinimum: boolean;
  /** Wh the deal's profile expected for the VCU-hours delivered (set by the market when it flags). */
  expectedWh: bigint;
  whConsumed: bigint;
  flagged: boolean;
};

const STILL_OPEN = new Set(["REPORTED", "DISPUTED"]);

/** The flags of a deal's report while the deal is open (reported or disputed); null otherwise. */
export function reportFlags(deal: AccountDeal): ReportFlags | null {
  if (deal.usageReport === null || !STILL_OPEN.has(deal.status)) return null;
  return {
    outsideProfile: deal.flaggedOutsideProfile,
    belowGreenMinimum: deal.flaggedBelowGreenMinimum,
    expectedWh: BigInt(deal.expectedWh ?? 0),
    whConsumed: BigInt(deal.usageReport.whConsumed),
    flagged: deal.flagged,
  };
}
