// A flagged usage report on the deal card: why the market flagged it, and what each party can do
// now that it cannot finalise unchallenged (docs/market-rules.md, docs/carbon-accounting.md).
import { useTranslation } from "react-i18next";

import { formatEnergy, formatTime } from "../../lib/format.ts";
import { useLocale } from "../../lib/locale.ts";
import type { AccountDeal } from "./queries.ts";
import type { ReportFlags } from "./report-flags.ts";

export function FlaggedReport({ deal, flags }: { deal: AccountDeal; flags: ReportFlags }) {
  const { t } = useTranslation("account");
  const locale = useLocale();
  const energy = (wh: bigint) => {
    const { text, unit } = formatEnergy(wh, locale);
    return `${text} ${unit}`;
  };
  return (
    <section className="flagged" aria-label={t("flagged.title")}>
      <h4 className="flagged__title">{t("flagged.title")}</h4>
      <ul className="plain-list">
        {flags.outsideProfile && (
          <li>
            {t("flagged.outsideProfile", { consumed: energy(flags.whConsumed), expected: energy(flags.expectedWh) })}
          </li>
        )}
        {flags.belowGreenMinimum && <li>{t("flagged.belowGreenMinimum")}</li>}
      </ul>
      <p className="hint">
        {deal.status === "DISPUTED"
          ? t("flagged.nextDisputed")
          : t("flagged.nextReported", {
              time: deal.challengeEnd === null ? "—" : formatTime(deal.challengeEnd, locale),
            })}
      </p>
    </section>
  );
}
