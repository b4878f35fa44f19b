// The compute supplier's usage report form, checked before signing against the same limit the
// market applies (contracts/Market.sol reportUsage: delivered ≤ the deal's VCU-hours) plus the
// shapes the ABI needs. Energy is typed in kWh, as people read meters, and becomes exact Wh.
import { type ParseError, parseInteger, parseKwhToWh } from "../../lib/format.ts";

export type UsageReportInput = { vcuDelivered: string; kwhConsumed: string; meteringHash: string };

/** Error codes, one i18n key each in the `account` namespace (`report.errors.<code>`). */
export type UsageReportError = ParseError | "exceedsDeal" | "notHash";

export type UsageReportCheck =
  | { ok: true; report: { vcuDelivered: bigint; whConsumed: bigint; meteringHash: `0x${string}` } }
  | { ok: false; errors: Partial<Record<keyof UsageReportInput, UsageReportError>> };

/** Checks a report for a deal of `vcuHours` VCU-hours. */
export function checkUsageReport(input: UsageReportInput, deal: { vcuHours: string }): UsageReportCheck {
  const errors: Partial<Record<keyof UsageReportInput, UsageReportError>> = {};

  const vcu = parseInteger(input.vcuDelivered);
  if (!vcu.ok) errors.vcuDelivered = vcu.error;
  else if (vcu.value > BigInt(deal.vcuHours)) errors.vcuDelivered = "exceedsDeal";

  const wh = parseKwhToWh(input.kwhConsumed);
  if (!wh.ok) errors.kwhConsumed = wh.error;

  const hash = input.meteringHash.trim();
  if (hash === "") errors.meteringHash = "empty";
  else if (!/^0x[0-9a-fA-F]{64}$/.test(hash)) errors.meteringHash = "notHash";

  if (!vcu.ok || !wh.ok || Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    report: { vcuDelivered: vcu.value, whConsumed: wh.value, meteringHash: hash.toLowerCase() as `0x${string}` },
  };
}
