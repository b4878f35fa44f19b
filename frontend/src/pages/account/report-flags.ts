// Whether a usage report is flagged, decided exactly as the market decides it (contracts/libraries/
// DealMath.sol reportFlags, docs/carbon-accounting.md "Flagged reports"): the indexer does not keep
// the `UsageFlagged` event yet, so the account page derives it from the deal's terms, its report and
// the bid's minimum green share. A flagged report never finalises unchallenged: `finalize` reverts,
// the buyer may confirm only after the challenge period, and any party may take it to the arbiter.

/** How far whConsumed may stray from the declared energy, in bps (Market.ENERGY_TOLERANCE_BPS). */
export const ENERGY_TOLERANCE_BPS = 2_500n;
const BPS = 10_000n;

/** What the rule reads: the deal's terms as the indexer serves them (decimal strings) and its report. */
export type FlagInput = {
  vcuHours: string;
  energyNeededWh: string;
  /** Σ of the energy lots' Wh. */
  greenWh: string;
  usageReport: { vcuDelivered: string; whConsumed: string } | null;
};

export type ReportFlags = {
  /** |whConsumed − expectedWh| > expectedWh × 25 %. */
  outsideProfile: boolean;
  /**
   * The retired green share (greenWh / whConsumed) is below the bid's minimum; only possible when
   * more than the declared energy was consumed. null: it might be, but the bid's minimum is not known yet.
   */
  belowGreenMinimum: boolean | null;
  /** energyNeededWh × vcuDelivered / vcuHours, rounded down. */
  expectedWh: bigint;
  whConsumed: bigint;
  /** outsideProfile || belowGreenMinimum; null while that cannot be told yet. */
  flagged: boolean | null;
};

/** Whether the bid's minimum green share is needed to judge the report (consumption above the declared energy). */
export function needsGreenMinimum(deal: FlagInput): boolean {
  return deal.usageReport !== null && BigInt(deal.usageReport.whConsumed) > BigInt(deal.energyNeededWh);
}

/**
 * The flags of a deal's report, or null before there is a report.
 * @param minGreenBps the bid's minimum green share; undefined while not (yet) known.
 * @example
 * reportFlags({ vcuHours: "40", energyNeededWh: "100000", greenWh: "60000",
 *   usageReport: { vcuDelivered: "40", whConsumed: "130000" } }, 6000)
 * // → outsideProfile: true (130 kWh is 30 % above 100 kWh), belowGreenMinimum: true (60/130 < 60 %)
 */
export function reportFlags(deal: FlagInput, minGreenBps: number | undefined): ReportFlags | null {
  if (deal.usageReport === null) return null;
  const vcuHours = BigInt(deal.vcuHours);
  const energyNeededWh = BigInt(deal.energyNeededWh);
  const whConsumed = BigInt(deal.usageReport.whConsumed);
  const expectedWh = vcuHours === 0n ? 0n : (energyNeededWh * BigInt(deal.usageReport.vcuDelivered)) / vcuHours;
  const deviation = whConsumed > expectedWh ? whConsumed - expectedWh : expectedWh - whConsumed;
  const outsideProfile = deviation > (expectedWh * ENERGY_TOLERANCE_BPS) / BPS;
  let belowGreenMinimum: boolean | null = false;
  if (whConsumed > energyNeededWh) {
    belowGreenMinimum =
      minGreenBps === undefined ? null : (BigInt(deal.greenWh) * BPS) / whConsumed < BigInt(minGreenBps);
  }
  const flagged = outsideProfile || belowGreenMinimum === true ? true : belowGreenMinimum === null ? null : false;
  return { outsideProfile, belowGreenMinimum, expectedWh, whConsumed, flagged };
}
