// Region codes as people know them (protocol/units.ts REGIONS); a deployment may add codes the
// demo's list does not name, which then show as their number.

import { REGIONS } from "../../../../protocol/units.ts";
import type { Locale } from "../../lib/format.ts";

export function regionName(code: number | null | undefined, locale: Locale): string {
  if (code === null || code === undefined) return "—";
  const region = REGIONS.find((r) => r.code === code);
  if (!region) return `#${code}`;
  return locale === "zh-CN" ? region.label.zh : region.label.en;
}
