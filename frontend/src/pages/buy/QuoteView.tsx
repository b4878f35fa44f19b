// A quote from the pricing API (POST /api/quote) in words: the hours the book would run the job in,
// how much of each hour's energy certificates of that same hour cover (and under which origin rule),
// the all-in price and how it splits into compute, energy, bandwidth and fee, and for each bundle how
// Nash bargaining shared its surplus between the buyer and the suppliers.
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";

import type { QuoteResponse } from "../../../../protocol/api.ts";
import { REGIONS } from "../../../../protocol/units.ts";
import { Amount } from "../../components/Amount.tsx";
import { HourlyMatch } from "../../components/HourlyMatch.tsx";
import { formatBps, formatDecimal, formatTime, formatToken } from "../../lib/format.ts";
import { useLocale } from "../../lib/locale.ts";
import { regionName } from "../../lib/regions.ts";
import { useTokenSymbol } from "../../lib/token.ts";

type Props = {
  quote: QuoteResponse;
  /** Offered when the limit is too low: fills the price field with the quoted minimum. */
  onUseMinimum?: (perVcuHour: bigint) => void;
};

type Bundle = QuoteResponse["bundles"][number];
type Party = Bundle["parties"][number];

export function QuoteView({ quote, onUseMinimum }: Props) {
  const { t } = useTranslation("buy");
  const locale = useLocale();
  const symbol = useTokenSymbol();
  // A no-break space: an amount never wraps away from its unit ("15.83216 / cUSD") in running text.
  const token = (v: string | bigint) => `${formatToken(BigInt(v), locale)}\u00a0${symbol}`.trim();
  const requested = quote.bid.vcu;
  const filled = quote.filledVcu;
  const job = {
    hours: quote.bid.durationHours,
    start: quote.start === null ? "—" : formatTime(quote.start, locale),
  };

  return (
    <section className="quote stack" aria-labelledby="quote-heading">
      <h2 id="quote-heading">{t("quote.heading")}</h2>
      {quote.outcome === "priced" && quote.price && (
        <>
          <p className="quote__lead">
            {filled < requested
              ? t("quote.pricedPartial", { filled, requested, ...job, price: token(quote.price.perVcuHour) })
              : t("quote.priced", { filled, ...job, price: token(quote.price.perVcuHour) })}
          </p>
          <dl className="stats">
            <Stat label={t("quote.perVcuHour")}>
              <Amount value={quote.price.perVcuHour} kind="token" per="/ VCU·h" />
            </Stat>
            <Stat label={t("quote.total")}>
              <Amount value={quote.price.total} kind="token" />
            </Stat>
            <Stat label={t("quote.compute")}>
              <Amount value={quote.price.computePerVcuHour} kind="token" per="/ VCU·h" />
            </Stat>
            <Stat label={t("quote.energy")}>
              {quote.price.energyPerKwh === null ? (
                t("quote.none")
              ) : (
                <Amount value={quote.price.energyPerKwh} kind="token" per="/ kWh" />
              )}
            </Stat>
            <Stat label={t("quote.bandwidth")}>
              {quote.price.bandwidthPerMbpsHour === null ? (
                t("quote.none")
              ) : (
                <Amount value={quote.price.bandwidthPerMbpsHour} kind="token" per="/ Mbps·h" />
              )}
            </Stat>
            <Stat label={t("quote.fee")}>
              <Amount value={quote.price.fee} kind="token" />
            </Stat>
            <Stat label={t("quote.greenShare")}>
              {quote.greenShareBps === null ? "—" : formatBps(quote.greenShareBps, locale)}
            </Stat>
          </dl>
          <p className="field__hint">{t("quote.estimate")}</p>
          <HourlyMatch hours={quote.hours} caption={t("quote.hours")} />
          <details className="quote__method" open>
            <summary>{t("nash.title")}</summary>
            <p>{t("nash.method")}</p>
          </details>
          {quote.bundles.map((bundle, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: one compute offer can serve several bundles; the list never reorders
            <BundleView key={`${bundle.computeOfferId}-${i}`} bundle={bundle} index={i + 1} token={token} />
          ))}
        </>
      )}
      {quote.outcome === "limit-too-low" && (
        <div className="quote__lead">
          <p>
            {t("quote.limitTooLow", {
              filled,
              ...job,
              minimum: quote.minimumLimitPerVcuHour ? token(quote.minimumLimitPerVcuHour) : "—",
              limit: token(quote.bid.limitPricePerVcuHour),
            })}
          </p>
          {quote.minimumLimitPerVcuHour && onUseMinimum && (
            <button type="button" onClick={() => onUseMinimum(BigInt(quote.minimumLimitPerVcuHour!))}>
              {t("quote.useMinimum", { minimum: token(quote.minimumLimitPerVcuHour) })}
            </button>
          )}
        </div>
      )}
      {quote.outcome === "infeasible" && <p className="quote__lead">{t("quote.infeasible")}</p>}
      <p className="quote__origin">
        <strong>{t("quote.origin", { rule: t(`origins.${quote.certificates.origin}`) })}</strong>{" "}
        {/* The pricing service states its reasons in English only. */}
        <span lang="en">{quote.certificates.explanation}</span>
      </p>
      {quote.reasons.length > 0 && (
        <div>
          <h3>{t("quote.reasons")}</h3>
          {/* The pricing service states its reasons in English only. */}
          <ul lang="en">
            {quote.reasons.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}

function Stat({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="stat">
      <dt className="stat__label">{label}</dt>
      <dd className="stat__value stat__value--small">{children}</dd>
    </div>
  );
}

function BundleView({
  bundle,
  index,
  token,
}: {
  bundle: Bundle;
  index: number;
  token: (v: string | bigint) => string;
}) {
  const { t } = useTranslation("buy");
  const locale = useLocale();
  const region = REGIONS.find((r) => r.name === bundle.region);
  const wh = bundle.energyLots.reduce((sum, lot) => sum + BigInt(lot.wh), 0n);
  return (
    <article className="card bundle" aria-labelledby={`bundle-${index}`}>
      <h3 id={`bundle-${index}`}>
        {t("nash.bundle", {
          index,
          offer: bundle.computeOfferId,
          region: region ? regionName(region.code, locale) : bundle.region,
          vcu: bundle.vcu,
          start: formatTime(bundle.start, locale),
        })}
      </h3>
      <p>
        {t("nash.surplus", {
          surplus: token(bundle.surplus),
          fee: token(bundle.fee),
          feeShare: formatBps(bundle.feeShareBps, locale),
        })}
        {wh > 0n &&
          ` ${t("nash.energyLots", { count: bundle.energyLots.length, wh: formatDecimal((Number(wh) / 1000).toString(), locale, 3) })}`}
        {bundle.bandwidthOfferId !== "0" && ` ${t("nash.link", { offer: bundle.bandwidthOfferId })}`}
      </p>
      <div className="table-wrap table-wrap--reflow">
        <table className="table table--reflow">
          <caption className="visually-hidden">{t("nash.partiesCaption", { index })}</caption>
          <thead>
            <tr>
              <th scope="col">{t("nash.party")}</th>
              {PARTY_COLUMNS.map((column) => (
                <th key={column} scope="col" className="num">
                  {t(`nash.${column}`)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {bundle.parties.map((p) => (
              <PartyRow key={`${p.role}-${p.orderId}`} party={p} />
            ))}
          </tbody>
        </table>
      </div>
      <ul className="bundle__words">
        {bundle.parties.map((p) => (
          <li key={`${p.role}-${p.orderId}`}>
            {partySentence(p, t, token, locale)}
            {isCapped(p) && (
              <>
                {" "}
                {t("nash.apiReason")} {/* The pricing service states its reasons in English only. */}
                <q lang="en">{capReason(p)}</q>
              </>
            )}
          </li>
        ))}
      </ul>
    </article>
  );
}

/** The party table's value columns, in order; each cell repeats its column's name for the phone's card layout. */
const PARTY_COLUMNS = ["reserve", "outsideOption", "weight", "payment", "share"] as const;

function PartyRow({ party }: { party: Party }) {
  const { t } = useTranslation("buy");
  const locale = useLocale();
  const values: Record<(typeof PARTY_COLUMNS)[number], React.ReactNode> = {
    reserve: <Amount value={party.reserve} kind="token" />,
    outsideOption: <Amount value={party.disagreement} kind="token" />,
    weight: formatDecimal(party.weight.toString(), locale, 3),
    payment: <Amount value={party.payment} kind="token" />,
    share: formatBps(party.surplusShareBps, locale),
  };
  return (
    <tr>
      <th scope="row">
        {t(`nash.roles.${party.role}`)}
        {party.orderId !== "0" && <span className="field__hint"> #{party.orderId}</span>}
      </th>
      {PARTY_COLUMNS.map((column) => (
        <td key={column} className="num" data-label={t(`nash.${column}`)}>
          {values[column]}
        </td>
      ))}
    </tr>
  );
}

/**
 * A supplier paid below its outside option: the core cap (docs/pricing.md, "Nash bargaining") held
 * it to what a replacement offer would cost, since the others could deal with that offer instead.
 */
export function isCapped(p: Party): boolean {
  return p.role !== "buyer" && BigInt(p.payment) < BigInt(p.disagreement);
}

/** The API's own words for the cap ("Capped at …: another offer … could serve the same part …"), else its whole explanation. */
function capReason(p: Party): string {
  return /Capped at .*$/s.exec(p.explanation)?.[0] ?? p.explanation;
}

function partySentence(
  p: Party,
  t: TFunction<"buy">,
  token: (v: string | bigint) => string,
  locale: "en" | "zh-CN",
): string {
  const values = {
    role: t(`nash.rolesInSentence.${p.role}`),
    payment: token(p.payment),
    reserve: token(p.reserve),
    outside: token(p.disagreement),
    share: formatBps(p.surplusShareBps, locale),
    weight: formatDecimal(p.weight.toString(), locale, 3),
  };
  if (p.role === "buyer") return t("nash.buyerSentence", values);
  return isCapped(p) ? t("nash.cappedSentence", values) : t("nash.supplierSentence", values);
}
