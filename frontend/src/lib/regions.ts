import { GRID_AREAS, gridAreaOf, REGIONS } from "../../../protocol/units.ts";
import type { Locale } from "./format.ts";

const lang = (locale: Locale) => (locale === "zh-CN" ? "zh" : "en");

/** A region code in the page's language ("京津冀", "Beijing–Tianjin–Hebei"); unknown codes as "#7". */
export function regionName(code: number | null | undefined, locale: Locale): string {
  if (code === null || code === undefined) return "—";
  const region = REGIONS.find((r) => r.code === code);
  return region ? region.label[lang(locale)] : `#${code}`;
}

/**
 * The regional grid a region sits in, in the page's language ("华北电网", "North China Grid"), or "—"
 * for a code that is not a region (protocol/units.ts GRID_AREAS; docs/carbon-accounting.md).
 */
export function gridAreaName(region: number | null | undefined, locale: Locale): string {
  const area = region === null || region === undefined ? undefined : gridAreaOf(region);
  const found = GRID_AREAS.find((a) => a.code === area);
  return found ? found.label[lang(locale)] : "—";
}
