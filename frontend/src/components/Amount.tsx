// A quantity with its unit, formatted for the page's language; the exact base-unit value is in
// the title so nothing rounded away is hidden from someone who needs it.
import {
  formatBps,
  formatCarbon,
  formatCredits,
  formatEnergy,
  formatMbps,
  formatMbpsHours,
  formatToken,
  formatVcuHours,
} from "../lib/format.ts";
import { useLocale } from "../lib/locale.ts";
import { useTokenSymbol } from "../lib/token.ts";

export type AmountKind = "token" | "energy" | "vcuHours" | "mbps" | "mbpsHours" | "carbon" | "credits" | "bps";

type Props = {
  value: bigint | string | number | null | undefined;
  kind: AmountKind;
  /** Token amounts: fraction digits shown (all 6 by default). */
  digits?: number;
  /** Appended to the unit, e.g. "/ VCU·h" for a price. */
  per?: string;
};

export function Amount({ value, kind, digits, per }: Props) {
  const locale = useLocale();
  const symbol = useTokenSymbol();
  if (value === null || value === undefined || value === "") return <span className="amount amount--none">—</span>;
  const n = typeof value === "bigint" ? value : BigInt(value);
  let text: string;
  let unit: string;
  switch (kind) {
    case "token":
      ({ text, unit } = { text: formatToken(n, locale, digits), unit: symbol });
      break;
    case "energy":
      ({ text, unit } = formatEnergy(n, locale, digits ?? 2));
      break;
    case "vcuHours":
      ({ text, unit } = formatVcuHours(n, locale));
      break;
    case "mbps":
      ({ text, unit } = formatMbps(n, locale));
      break;
    case "mbpsHours":
      ({ text, unit } = formatMbpsHours(n, locale));
      break;
    case "carbon":
      ({ text, unit } = formatCarbon(n, locale, digits ?? 2));
      break;
    case "credits":
      ({ text, unit } = { text: formatCredits(n, locale), unit: "kgCO₂e" });
      break;
    case "bps":
      ({ text, unit } = { text: formatBps(n, locale), unit: "" });
      break;
  }
  return (
    <span className="amount" title={`${n.toString()} (${kind})`}>
      <span className="amount__num">{text}</span>
      {(unit || per) && <span className="amount__unit">{[unit, per].filter(Boolean).join(" ")}</span>}
    </span>
  );
}
