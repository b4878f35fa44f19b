// One deal as its parties follow it: what was bought, the lifecycle so far (each step with its time
// and transaction), the deadlines still ahead, and what this account may do about it now.
import { useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { Address } from "../../components/Address.tsx";
import { Amount } from "../../components/Amount.tsx";
import { HourlyMatch } from "../../components/HourlyMatch.tsx";
import { StatusBadge } from "../../components/StatusBadge.tsx";
import { TxLink } from "../../components/TxLink.tsx";
import { formatDuration, formatTime } from "../../lib/format.ts";
import { useLocale } from "../../lib/locale.ts";
import { agreedPrice } from "./agreed-price.ts";
import { DealActions } from "./DealActions.tsx";
import { dealAgenda, dealRoles, type Viewer } from "./eligibility.ts";
import { FlaggedReport } from "./FlaggedReport.tsx";
import type { AccountDeal } from "./queries.ts";
import type { ReportFlags } from "./report-flags.ts";

type Deadline = { key: "windowEnd" | "reportDeadline" | "challengeEnd" | "arbitrationDeadline"; at: number };

/** The deadlines that still matter in the deal's current status. */
function deadlines(deal: AccountDeal): Deadline[] {
  switch (deal.status) {
    case "ACTIVE":
      return [
        { key: "windowEnd", at: deal.windowEnd },
        { key: "reportDeadline", at: deal.reportDeadline },
      ];
    case "REPORTED":
      return deal.challengeEnd === null ? [] : [{ key: "challengeEnd", at: deal.challengeEnd }];
    case "DISPUTED":
      return deal.arbitrationDeadline === null ? [] : [{ key: "arbitrationDeadline", at: deal.arbitrationDeadline }];
    default:
      return [];
  }
}

/** A finalised or cancelled deal: one line (id, status, quantity, price) that opens into its card. */
export function PastDeal({ deal, viewer, now }: { deal: AccountDeal; viewer: Viewer; now: number | null }) {
  const { t } = useTranslation("account");
  const locale = useLocale();
  // The card (timeline, actions) is built only when opened: an account with hundreds of past deals
  // stays one short list.
  const [open, setOpen] = useState(false);
  const price = agreedPrice(deal);
  return (
    <details className="deal-past" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>
        <span className="deal-past__id">{t("deal.title", { id: deal.id })}</span>
        <StatusBadge status={deal.status} />
        <span>
          <Amount value={deal.vcuHours} kind="vcuHours" />
          {deal.hardwareClass && (
            <span className="muted">
              {" "}
              · {t(`common:hardware.${deal.hardwareClass}`, { defaultValue: deal.hardwareClass })}
            </span>
          )}
        </span>
        <span className="deal-past__price">
          <Amount value={price.total} kind="token" />
        </span>
        <time className="muted" dateTime={new Date(deal.opened.time * 1000).toISOString()}>
          {formatTime(deal.opened.time, locale)}
        </time>
      </summary>
      {open && <DealCard deal={deal} viewer={viewer} now={now} />}
    </details>
  );
}

export function DealCard({
  deal,
  viewer,
  now,
  flags = null,
}: {
  deal: AccountDeal;
  viewer: Viewer;
  now: number | null;
  /** The report's flags while the deal is still open (report-flags.ts); null otherwise. */
  flags?: ReportFlags | null;
}) {
  const { t } = useTranslation("account");
  const locale = useLocale();
  const headingId = useId();
  const roles = dealRoles(deal, viewer.account);
  const agenda = now === null ? null : dealAgenda(deal, viewer, now, flags?.flagged ?? null);
  const price = agreedPrice(deal);

  return (
    <article className="deal-card" aria-labelledby={headingId}>
      <header className="deal-card__head">
        <h3 id={headingId}>{t("deal.title", { id: deal.id })}</h3>
        <StatusBadge status={deal.status} />
        {flags?.flagged && <span className="badge badge--warn">{t("flagged.badge")}</span>}
        {roles.map((r) => (
          <span key={r} className="badge badge--muted">
            {t(`roles.${r}`)}
          </span>
        ))}
        <Link className="deal-card__trace" to={`/trace/deal/${deal.id}`}>
          {t("deal.trace")}
        </Link>
      </header>

      <dl className="facts">
        <div>
          <dt>{t("deal.compute")}</dt>
          <dd>
            {t("deal.job", { vcu: deal.vcu, hours: deal.durationHours })}{" "}
            <span className="muted">
              (<Amount value={deal.vcuHours} kind="vcuHours" />)
            </span>
            {deal.hardwareClass && (
              <span className="muted">
                {" "}
                · {t(`common:hardware.${deal.hardwareClass}`, { defaultValue: deal.hardwareClass })}
              </span>
            )}
          </dd>
        </div>
        <div>
          <dt>{t("deal.hours")}</dt>
          <dd>
            {formatTime(deal.windowStart, locale)} – {formatTime(deal.windowEnd, locale)}
          </dd>
        </div>
        <div>
          <dt>{t("deal.green")}</dt>
          <dd>
            <Amount value={deal.greenShareBps} kind="bps" />{" "}
            <span className="muted">
              (<Amount value={deal.greenWh} kind="energy" /> / <Amount value={deal.energyNeededWh} kind="energy" />)
            </span>
          </dd>
        </div>
        <div>
          <dt>{t("deal.origin")}</dt>
          <dd>{t(`common:origin.${deal.certificateOrigin}`, { defaultValue: deal.certificateOrigin })}</dd>
        </div>
        <div>
          <dt>{t("deal.price")}</dt>
          <dd>
            <Amount value={price.total} kind="token" />{" "}
            <span className="muted">
              (<Amount value={price.perVcuHour} kind="token" per="/ VCU·h" /> {t("deal.allIn")})
            </span>
          </dd>
        </div>
        <div>
          <dt>{t("deal.escrow")}</dt>
          <dd>
            <Amount value={deal.escrow} kind="token" />
          </dd>
        </div>
        {deal.vcuDelivered !== null && (
          <div>
            <dt>{t("deal.delivered")}</dt>
            <dd>
              <Amount value={deal.vcuDelivered} kind="vcuHours" /> · <Amount value={deal.whConsumed} kind="energy" />
            </dd>
          </div>
        )}
        {deal.refund !== null && (
          <div>
            <dt>{t("deal.refund")}</dt>
            <dd>
              <Amount value={deal.refund} kind="token" />
            </dd>
          </div>
        )}
        {deal.credits !== null && (
          <div>
            <dt>{t("deal.credits")}</dt>
            <dd>
              <Amount value={deal.credits} kind="carbon" />
            </dd>
          </div>
        )}
        <div>
          <dt>{t("deal.parties")}</dt>
          {/* One party a line: a narrow column then breaks between parties, never inside one. */}
          <dd className="facts__parties">
            <span>
              {t("roles.buyer")} <Address address={deal.buyer} />
            </span>
            <span>
              {t("roles.computeSupplier")} <Address address={deal.computeSupplier} />
            </span>
          </dd>
        </div>
      </dl>

      <HourlyMatch hours={deal.hours} caption={t("deal.hourly")} />

      <ol className="timeline" aria-label={t("deal.timeline")}>
        {deal.steps.map((step) => (
          <li key={`${step.action}-${step.at.txHash}`} className={`timeline__step timeline__step--${step.action}`}>
            <span className="timeline__what">{t(`steps.${step.action}`, { defaultValue: step.action })}</span>
            <time dateTime={new Date(step.at.time * 1000).toISOString()}>{formatTime(step.at.time, locale)}</time>
            {step.actor && <Address address={step.actor} />}
            <TxLink hash={step.at.txHash} />
            {!step.at.final && <span className="badge badge--warn">{t("deal.notFinal")}</span>}
          </li>
        ))}
        {deadlines(deal).map((d) => (
          <li
            key={d.key}
            className={`timeline__step timeline__step--ahead ${now !== null && now >= d.at ? "timeline__step--passed" : ""}`}
          >
            <span className="timeline__what">{t(`deadlines.${d.key}`)}</span>
            <time dateTime={new Date(d.at * 1000).toISOString()}>{formatTime(d.at, locale)}</time>
            {now !== null && (
              <span className="muted">
                {now < d.at ? t("deadlines.in", { left: formatDuration(d.at - now, locale) }) : t("deadlines.passed")}
              </span>
            )}
          </li>
        ))}
      </ol>
      {flags?.flagged && <FlaggedReport deal={deal} flags={flags} />}
      {deal.status === "DISPUTED" && deal.disputeReason && (
        <p className="hint">
          {t("deal.disputeReason")} <q>{deal.disputeReason}</q>
        </p>
      )}
      {agenda && now !== null ? (
        <DealActions deal={deal} agenda={agenda} now={now} flagged={flags?.flagged === true} />
      ) : (
        <p className="hint" role="status">
          {t("deal.noClock")}
        </p>
      )}
    </article>
  );
}
