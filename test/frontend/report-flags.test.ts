// The account page's copy of the market's flag rule (contracts/libraries/DealMath.sol reportFlags),
// at the boundaries where the contract's integer comparisons flip: the energy may stray up to and
// including 25 % of the declared energy pro rata to delivery (rounded down), and above the declared
// energy the retired green share ⌊greenWh × 10,000 / whConsumed⌋ must stay at the bid's minimum.
import { describe, expect, it } from "vitest";

import { needsGreenMinimum, reportFlags } from "../../frontend/src/pages/account/report-flags.ts";

/** A deal of 40 VCU-hours declaring 100 kWh, 60 kWh of it certified green. */
const deal = (vcuDelivered: string, whConsumed: string) => ({
  vcuHours: "40",
  energyNeededWh: "100000",
  greenWh: "60000",
  usageReport: { vcuDelivered, whConsumed },
});
const flagged = (vcu: string, wh: string, minGreenBps?: number) => reportFlags(deal(vcu, wh), minGreenBps)?.flagged;

describe("flagged usage reports", () => {
  it("has no flags before there is a report", () => {
    expect(reportFlags({ ...deal("40", "0"), usageReport: null }, 6_000)).toBeNull();
  });

  it("accepts energy up to 25 % below the declared energy and flags it one Wh further", () => {
    expect(reportFlags(deal("40", "75000"), 6_000)).toMatchObject({ outsideProfile: false, flagged: false });
    expect(reportFlags(deal("40", "74999"), 6_000)).toMatchObject({
      outsideProfile: true,
      belowGreenMinimum: false,
      expectedWh: 100_000n,
      whConsumed: 74_999n,
      flagged: true,
    });
    expect(flagged("40", "0", 6_000)).toBe(true);
  });

  it("accepts energy up to 25 % above the declared energy and flags it one Wh further", () => {
    // 60 kWh of 125 kWh is 48 % green: inside the profile, and a bid asking 48 % is still met.
    expect(reportFlags(deal("40", "125000"), 4_800)).toMatchObject({
      outsideProfile: false,
      belowGreenMinimum: false,
      flagged: false,
    });
    expect(reportFlags(deal("40", "125001"), 0)).toMatchObject({ outsideProfile: true, flagged: true });
  });

  it("flags a report inside the profile whose retired green share falls below the bid's minimum", () => {
    expect(reportFlags(deal("40", "125000"), 4_801)).toMatchObject({
      outsideProfile: false,
      belowGreenMinimum: true,
      flagged: true,
    });
    // 60 kWh of 100.001 kWh rounds down to 5,999 bps, one short of a 60 % minimum.
    expect(reportFlags(deal("40", "100001"), 6_000)).toMatchObject({ belowGreenMinimum: true, flagged: true });
    // At or below the declared energy every lot retires pro rata: the share settlement checked holds.
    expect(reportFlags(deal("40", "100000"), 10_000)).toMatchObject({ belowGreenMinimum: false, flagged: false });
  });

  it("measures the profile pro rata to the VCU-hours delivered, rounding down as the contract does", () => {
    expect(reportFlags(deal("20", "50000"), 6_000)).toMatchObject({ expectedWh: 50_000n, flagged: false });
    expect(flagged("20", "100000", 0)).toBe(true);
    expect(flagged("0", "0", 6_000)).toBe(false);
    expect(flagged("0", "1", 6_000)).toBe(true);
    // 100 Wh over 3 VCU-hours, 1 delivered: expected ⌊33.3⌋ = 33 Wh, tolerance ⌊8.25⌋ = 8 Wh.
    const small = (wh: string) =>
      reportFlags(
        { vcuHours: "3", energyNeededWh: "100", greenWh: "0", usageReport: { vcuDelivered: "1", whConsumed: wh } },
        0,
      );
    expect(small("41")).toMatchObject({ expectedWh: 33n, outsideProfile: false });
    expect(small("42")?.outsideProfile).toBe(true);
    expect(small("25")?.outsideProfile).toBe(false);
    expect(small("24")?.outsideProfile).toBe(true);
  });

  it("cannot tell the green share without the bid's minimum, unless the profile already flags the report", () => {
    expect(needsGreenMinimum(deal("40", "110000"))).toBe(true);
    expect(needsGreenMinimum(deal("40", "100000"))).toBe(false);
    expect(reportFlags(deal("40", "110000"), undefined)).toMatchObject({ belowGreenMinimum: null, flagged: null });
    expect(reportFlags(deal("40", "200000"), undefined)).toMatchObject({ outsideProfile: true, flagged: true });
    expect(reportFlags(deal("40", "90000"), undefined)).toMatchObject({ belowGreenMinimum: false, flagged: false });
  });
});
