// A deal's series as the hourly usage report carries it (IMarket.UsageReport: VCU and metered Wh per
// job hour and the series' Merkle root), and the check of an on-chain report against the series.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { buildReport, hoursMatch, usageReportOf, verifyReport } from "../../../backend/metering/report.ts";
import type { Sample } from "../../../backend/metering/series.ts";

const H = 3_600;
const T = 500_000 * H;
const window = { windowStart: T, windowEnd: T + 2 * H };
// 3,600 W for the first hour, 7,200 W for the second, a sample every minute.
const series: Sample[] = Array.from({ length: 121 }, (_, i) => ({ t: T + 60 * i, w: i < 60 ? 3_600 : 7_200 }));

describe("usageReportOf", () => {
  it("carries each job hour's metered Wh and the series' root, with the VCU the supplier delivered", () => {
    const report = buildReport(7n, window, series);
    assert.equal(report.complete, true);
    const usage = usageReportOf(report, [10, 8]);
    assert.deepEqual(usage.vcuPerHour, [10, 8]);
    assert.deepEqual(
      usage.whPerHour,
      report.hours.map((h) => BigInt(h.wh)),
    );
    assert.equal(usage.whPerHour.length, 2);
    assert.ok(usage.whPerHour[1] > usage.whPerHour[0], "the second hour drew more");
    assert.equal(usage.meteringRoot, report.root);
    assert.throws(() => usageReportOf(report, [10]), /1 VCU entries for a 2-hour job/);
  });

  it("verifies an on-chain report hour by hour: the same total spread differently does not match", () => {
    const report = buildReport(7n, window, series);
    const onChain = usageReportOf(report, [10, 10]);
    assert.equal(verifyReport(7n, window, series, onChain).matches, true);
    const [a, b] = onChain.whPerHour;
    const shifted = { ...onChain, whPerHour: [a + 1n, b - 1n] };
    assert.equal(hoursMatch(report, shifted), false);
    const check = verifyReport(7n, window, series, shifted);
    assert.deepEqual([check.rootMatches, check.whMatches, check.matches], [true, false, false]);
    assert.equal(hoursMatch(report, { ...onChain, whPerHour: [a] }), false, "a missing hour never matches");
  });
});
