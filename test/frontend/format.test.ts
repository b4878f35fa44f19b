import { describe, expect, it } from "vitest";

import {
  formatBps,
  formatCarbon,
  formatEnergy,
  formatToken,
  parseDecimal,
  parseInteger,
  parseKwhToWh,
  parsePercentToBps,
  parseToken,
  toDecimalString,
} from "../../frontend/src/lib/format.ts";

describe("formatting", () => {
  it("writes token base units as exact token amounts with grouping in both locales", () => {
    expect(formatToken(1_234_567_890_123n, "en")).toBe("1,234,567.890123");
    expect(formatToken(1_234_567_890_123n, "zh-CN")).toBe("1,234,567.890123");
    expect(formatToken(1n, "en")).toBe("0.000001");
    expect(formatToken(1_500_000n, "en", 2)).toBe("1.5");
  });

  it("keeps amounts beyond 2^53 exact", () => {
    const big = 2n ** 80n + 1n; // 1208925819614629174706177 base units
    expect(formatToken(big, "en")).toBe("1,208,925,819,614,629,174.706177");
    expect(toDecimalString(-1_000_001n, 6)).toBe("-1.000001");
  });

  it("shows energy in the largest unit that is at least one", () => {
    expect(formatEnergy(999n, "en")).toEqual({ text: "999", unit: "Wh" });
    expect(formatEnergy(12_500n, "en")).toEqual({ text: "12.5", unit: "kWh" });
    expect(formatEnergy(3_210_000n, "zh-CN")).toEqual({ text: "3.21", unit: "MWh" });
  });

  it("shows carbon in g, kg or t CO2e", () => {
    expect(formatCarbon(610n, "en")).toEqual({ text: "610", unit: "gCO₂e" });
    expect(formatCarbon(61_000n, "en")).toEqual({ text: "61", unit: "kgCO₂e" });
    expect(formatCarbon(2_500_000n, "en")).toEqual({ text: "2.5", unit: "tCO₂e" });
  });

  it("writes basis points as percent", () => {
    expect(formatBps(6250, "en")).toBe("62.5%");
    expect(formatBps(10_000, "zh-CN")).toBe("100%");
  });
});

describe("parsing what people type", () => {
  it("reads token amounts to base units without float rounding", () => {
    expect(parseToken("0.1")).toEqual({ ok: true, value: 100_000n });
    expect(parseToken("1,234.5")).toEqual({ ok: true, value: 1_234_500_000n });
    // 0.1 + 0.2 style inputs stay exact, and so do amounts beyond 2^53.
    expect(parseToken("9007199254.740993")).toEqual({ ok: true, value: 9_007_199_254_740_993n });
    expect(parseToken(".5")).toEqual({ ok: true, value: 500_000n });
    expect(parseToken("2.")).toEqual({ ok: true, value: 2_000_000n });
  });

  it("reads full-width digits and the ideographic full stop typed by Chinese input methods", () => {
    expect(parseToken("１２。５")).toEqual({ ok: true, value: 12_500_000n });
    expect(parseInteger("１，０００")).toEqual({ ok: true, value: 1000n });
  });

  it("names what is wrong with an input", () => {
    expect(parseToken("")).toEqual({ ok: false, error: "empty" });
    expect(parseToken("abc")).toEqual({ ok: false, error: "invalid" });
    expect(parseToken("1,5")).toEqual({ ok: false, error: "invalid" });
    expect(parseToken("-3")).toEqual({ ok: false, error: "negative" });
    expect(parseToken("0.0000001")).toEqual({ ok: false, error: "tooManyDecimals" });
    expect(parseInteger("1.5")).toEqual({ ok: false, error: "tooManyDecimals" });
    expect(parseInteger("1.0")).toEqual({ ok: true, value: 1n });
  });

  it("converts percent to bps and kWh to Wh exactly", () => {
    expect(parsePercentToBps("62.5")).toEqual({ ok: true, value: 6250n });
    expect(parsePercentToBps("100")).toEqual({ ok: true, value: 10_000n });
    expect(parseKwhToWh("1.234")).toEqual({ ok: true, value: 1234n });
    expect(parseDecimal("1.2345", 3)).toEqual({ ok: false, error: "tooManyDecimals" });
  });
});
