import { REGIONS } from "../../../protocol/units.ts";
import type { Locale } from "./format.ts";

/** A region code in the page's language ("华东", "East China"); unknown codes as "#7". */
export function regionName(code: number | null | undefined, locale: Locale): string {
  if (code === null || code === undefined) return "—";
  const region = REGIONS.find((r) => r.code === code);
  return region ? region.label[locale === "zh-CN" ? "zh" : "en"] : `#${code}`;
}
