// A deal's series turned into what its usage report carries, and the check anyone can run of an
// on-chain report against the series. docs/metering.md, "Verifying a report".
import type { OnChainReport } from "./deal-source.ts";
import { type Energy, integrate } from "./energy.ts";
import { type Hex, SeriesTree } from "./merkle.ts";
import type { MeteredWindow, Sample } from "./series.ts";

/** What the usage report should carry, with the hourly Wh behind its total. */
export type MeteringReport = Energy & {
  dealId: bigint;
  /** meteringRoot: the Merkle root of the series (merkle.ts). */
  root: Hex;
  samples: number;
  /** True when the series has no gap above the bridged limit: only then can a report be made from it. */
  complete: boolean;
};

/**
 * @example
 * const report = buildReport(7n, { windowStart, windowEnd }, series);
 * if (report.complete) reportUsage(…, usageReportOf(report, vcuPerHour))
 */
export function buildReport(dealId: bigint, window: MeteredWindow, series: readonly Sample[]): MeteringReport {
  return reportOf(dealId, window, series, SeriesTree.of(dealId, series));
}

export function reportOf(
  dealId: bigint,
  window: MeteredWindow,
  series: readonly Sample[],
  tree: SeriesTree,
): MeteringReport {
  const energy = integrate(series, window);
  return { dealId, ...energy, root: tree.root, samples: series.length, complete: energy.gaps.length === 0 };
}

/**
 * The usage report (IMarket.UsageReport) a complete series backs: the metered Wh of each job hour and
 * the series' root, with the VCU the supplier delivered in each hour (metering measures energy, not VCU).
 */
export function usageReportOf(report: MeteringReport, vcuPerHour: readonly number[]): OnChainReport {
  if (vcuPerHour.length !== report.hours.length) {
    throw new RangeError(`${vcuPerHour.length} VCU entries for a ${report.hours.length}-hour job`);
  }
  return { vcuPerHour: [...vcuPerHour], whPerHour: report.hours.map((h) => BigInt(h.wh)), meteringRoot: report.root };
}

/** Whether the on-chain hourly Wh are exactly the recomputed ones, hour for hour. */
export function hoursMatch(report: MeteringReport, onChain: OnChainReport): boolean {
  return (
    onChain.whPerHour.length === report.hours.length &&
    report.hours.every((h, i) => BigInt(h.wh) === onChain.whPerHour[i])
  );
}

export type Verification = {
  /** The series backs the report: same root and the same Wh in every hour. */
  matches: boolean;
  rootMatches: boolean;
  whMatches: boolean;
  recomputed: MeteringReport;
  onChain: OnChainReport;
};

/**
 * Recomputes the hourly Wh and the root from `series` and compares them with the on-chain report.
 *
 * @example
 * const { matches } = verifyReport(7n, window, series, { vcuPerHour, whPerHour, meteringRoot });
 */
export function verifyReport(
  dealId: bigint,
  window: MeteredWindow,
  series: readonly Sample[],
  onChain: OnChainReport,
): Verification {
  const recomputed = buildReport(dealId, window, series);
  const rootMatches = recomputed.root === onChain.meteringRoot.toLowerCase();
  const whMatches = hoursMatch(recomputed, onChain);
  return { matches: rootMatches && whMatches, rootMatches, whMatches, recomputed, onChain };
}
