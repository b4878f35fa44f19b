// The compute supplier's usage report form, checked before signing against the limits the market
// applies (IMarket.reportUsage: one entry per job hour, each hour's VCU ≤ the deal's vcu) plus the
// shapes the ABI needs. Energy is typed in kWh per hour, as people read meters, and becomes exact Wh.
import { type ParseError, parseInteger, parseKwhToWh, splitAmounts } from "../../lib/format.ts";

/** One amount per job hour in each list (typed or pasted: spaces, commas or new lines between). */
export type UsageReportInput = { vcuPerHour: string; kwhPerHour: string; meteringRoot: string };

/** Error codes, one i18n key each in the `account` namespace (`report.errors.<code>`). */
export type UsageReportError = ParseError | "exceedsDeal" | "notHash" | "hourCount";

export type UsageReport = { vcuPerHour: number[]; whPerHour: bigint[]; meteringRoot: `0x${string}` };

export type UsageReportCheck =
  | { ok: true; report: UsageReport }
  | { ok: false; errors: Partial<Record<keyof UsageReportInput, UsageReportError>> };

/** Reads one amount per hour; the first wrong amount names the error. */
function perHour<T>(
  text: string,
  hours: number,
  read: (part: string) => { ok: true; value: T } | { ok: false; error: UsageReportError },
): { ok: true; values: T[] } | { ok: false; error: UsageReportError } {
  const parts = splitAmounts(text);
  if (parts.length === 0) return { ok: false, error: "empty" };
  if (parts.length !== hours) return { ok: false, error: "hourCount" };
  const values: T[] = [];
  for (const part of parts) {
    const r = read(part);
    if (!r.ok) return r;
    values.push(r.value);
  }
  return { ok: true, values };
}

/** Checks a report for a deal of `vcu` units over `durationHours` hours. */
export function checkUsageReport(
  input: UsageReportInput,
  deal: { vcu: number; durationHours: number },
): UsageReportCheck {
  const errors: Partial<Record<keyof UsageReportInput, UsageReportError>> = {};

  const vcu = perHour(input.vcuPerHour, deal.durationHours, (part) => {
    const v = parseInteger(part);
    if (!v.ok) return v;
    return v.value > BigInt(deal.vcu) ? { ok: false, error: "exceedsDeal" } : { ok: true, value: Number(v.value) };
  });
  if (!vcu.ok) errors.vcuPerHour = vcu.error;

  const wh = perHour(input.kwhPerHour, deal.durationHours, parseKwhToWh);
  if (!wh.ok) errors.kwhPerHour = wh.error;

  const root = input.meteringRoot.trim();
  if (root === "") errors.meteringRoot = "empty";
  else if (!/^0x[0-9a-fA-F]{64}$/.test(root)) errors.meteringRoot = "notHash";

  if (!vcu.ok || !wh.ok || Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    report: { vcuPerHour: vcu.values, whPerHour: wh.values, meteringRoot: root.toLowerCase() as `0x${string}` },
  };
}
