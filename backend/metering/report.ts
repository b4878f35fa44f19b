// A deal's series turned into what its usage report carries, and the check anyone can run of an
// on-chain report against the series. docs/metering.md, "Verifying a report".
import type { OnChainReport } from "./deal-source.ts";
import { type Energy, integrate } from "./energy.ts";
import { type Hex, SeriesTree } from "./merkle.ts";
import type { MeteredWindow, Sample } from "./series.ts";

/** What the usage report should carry, with the hourly Wh behind its total. */
export type MeteringReport = Energy & {
  dealId: bigint;
  /** meteringHash: the Merkle root of the series (merkle.ts). */
  root: Hex;
  samples: number;
  /** True when the series has no gap above the bridged limit: only then can a report be made from it. */
  complete: boolean;
};

/**
 * @example
 * const report = buildReport(7n, { windowStart, windowEnd }, series);
 * if (report.complete) reportUsage(…, { whConsumed: report.totalWh, meteringHash: report.root })
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

export type Verification = {
  /** The series backs the report: same root and same Wh. */
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
 * const { matches } = verifyReport(7n, window, series, { vcuDelivered, whConsumed, meteringHash });
 */
export function verifyReport(
  dealId: bigint,
  window: MeteredWindow,
  series: readonly Sample[],
  onChain: OnChainReport,
): Verification {
  const recomputed = buildReport(dealId, window, series);
  const rootMatches = recomputed.root === onChain.meteringHash.toLowerCase();
  const whMatches = BigInt(recomputed.totalWh) === onChain.whConsumed;
  return { matches: rootMatches && whMatches, rootMatches, whMatches, recomputed, onChain };
}
