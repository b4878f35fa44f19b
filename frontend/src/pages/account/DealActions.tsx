// The deal actions open to this account now (eligibility.ts decides which), as buttons and the
// small forms some need, plus when the others open. Every action sends the deal's terms (and its
// report, once there is one) back as calldata, exactly as the indexer kept them.
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";

import { Field } from "../../components/Field.tsx";
import { useChain } from "../../lib/chain.ts";
import { formatDuration, formatTime, parsePercentToBps } from "../../lib/format.ts";
import { useLocale } from "../../lib/locale.ts";
import { useTx } from "../../lib/tx/index.tsx";
import { whToKwhText } from "../metering/api.ts";
import { MeteredFill } from "../metering/MeteredFill.tsx";
import { dealTermsArg, usageReportArg } from "./deal-calldata.ts";
import type { DealActionKind, DealAgenda } from "./eligibility.ts";
import type { AccountDeal } from "./queries.ts";
import { TxStatus } from "./TxStatus.tsx";
import { checkUsageReport, type UsageReport, type UsageReportInput } from "./usage-report.ts";

/** `flagged`: the report is flagged, so a dispute takes it to the arbiter (report-flags.ts). */
type Props = { deal: AccountDeal; agenda: DealAgenda; now: number; flagged: boolean };

export function DealActions({ deal, agenda, now, flagged }: Props) {
  const { t } = useTranslation("account");
  const locale = useLocale();
  const { contracts } = useChain();
  const tx = useTx();
  const [form, setForm] = useState<"dispute" | "resolve" | null>(null);

  const send = (kind: DealActionKind, extra: readonly unknown[] = []) => {
    const terms = dealTermsArg(deal.terms);
    const report = deal.usageReport ? [usageReportArg(deal.usageReport)] : [];
    const args = kind === "cancelNoShow" ? [BigInt(deal.id), terms] : [BigInt(deal.id), terms, ...report, ...extra];
    return tx.run(t(`actions.${kind}.tx`, { id: deal.id }), { ...contracts.market, functionName: kind, args });
  };

  if (agenda.actions.length === 0 && agenda.upcoming.length === 0) return null;
  const has = (kind: DealActionKind) => agenda.actions.find((a) => a.kind === kind);
  const report = has("reportUsage");
  const dispute = has("disputeUsage");
  const buttons = (["confirmUsage", "finalize", "cancelNoShow", "finalizeLapsedDispute"] as const).filter((k) =>
    has(k),
  );

  return (
    <div className="deal-actions">
      <h4 className="deal-actions__title">{t("actions.title")}</h4>
      {report && (
        <ReportUsageForm deal={deal} until={report.until} busy={tx.busy} onSubmit={(r) => send("reportUsage", [r])} />
      )}
      {(buttons.length > 0 || dispute || has("resolveDispute")) && (
        <div className="button-row">
          {buttons.map((kind) => (
            <button
              key={kind}
              type="button"
              className={kind === "confirmUsage" ? "button button--primary" : "button"}
              disabled={tx.busy}
              onClick={() => void send(kind)}
            >
              {t(`actions.${kind}.button`)}
            </button>
          ))}
          {dispute && (
            <button
              type="button"
              className="button button--danger"
              aria-expanded={form === "dispute"}
              disabled={tx.busy}
              onClick={() => setForm(form === "dispute" ? null : "dispute")}
            >
              {t(flagged ? "actions.disputeUsage.toArbiter" : "actions.disputeUsage.button")}
            </button>
          )}
          {has("resolveDispute") && (
            <button
              type="button"
              className="button button--primary"
              aria-expanded={form === "resolve"}
              disabled={tx.busy}
              onClick={() => setForm(form === "resolve" ? null : "resolve")}
            >
              {t("actions.resolveDispute.button")}
            </button>
          )}
        </div>
      )}
      {dispute?.until != null && (
        <p className="hint">
          {t("actions.disputeUsage.until", {
            time: formatTime(dispute.until, locale),
            left: formatDuration(dispute.until - now, locale),
          })}
        </p>
      )}
      {form === "dispute" && dispute && (
        <DisputeForm
          flagged={flagged}
          busy={tx.busy}
          onSubmit={async (reason) => (await send("disputeUsage", [reason])) && setForm(null)}
        />
      )}
      {form === "resolve" && (
        <ResolveForm
          deal={deal}
          busy={tx.busy}
          onSubmit={async (bps) => (await send("resolveDispute", [bps])) && setForm(null)}
        />
      )}
      {agenda.upcoming.map((u) => (
        <p key={u.kind} className="hint">
          {t(`actions.${u.kind}.opens`, {
            time: formatTime(u.from, locale),
            left: formatDuration(u.from - now, locale),
          })}
        </p>
      ))}
      <TxStatus entry={tx.entry} />
    </div>
  );
}

/** The compute supplier's report: what was delivered, what the facility drew, and the meter's fingerprint. */
export function ReportUsageForm({
  deal,
  until,
  busy,
  onSubmit,
}: {
  deal: Pick<AccountDeal, "id" | "vcu" | "durationHours" | "start" | "hours">;
  until: number | null;
  busy: boolean;
  onSubmit: (report: UsageReport) => unknown;
}) {
  const { t } = useTranslation("account");
  const locale = useLocale();
  const [input, setInput] = useState<UsageReportInput>({
    vcuPerHour: Array.from({ length: deal.durationHours }, () => String(deal.vcu)).join(" "),
    kwhPerHour: "",
    meteringRoot: "",
  });
  const [errors, setErrors] = useState<Partial<Record<keyof UsageReportInput, string>>>({});
  const set = (key: keyof UsageReportInput) => (e: { target: { value: string } }) =>
    setInput((i) => ({ ...i, [key]: e.target.value }));
  const hours = { hours: deal.durationHours, from: formatTime(deal.start, locale) };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const check = checkUsageReport(input, deal);
    if (!check.ok) {
      setErrors(
        Object.fromEntries(
          Object.entries(check.errors).map(([k, code]) => [k, t(`report.errors.${code}`, { max: deal.vcu, ...hours })]),
        ),
      );
      return;
    }
    setErrors({});
    onSubmit(check.report);
  };

  const needKwh = deal.hours.map((h) => whToKwhText(BigInt(h.needWh))).join(" ");
  return (
    <form className="form form--inline" aria-label={t("report.title")} onSubmit={submit} noValidate>
      <p className="hint">
        {t("report.intro", hours)} {until !== null && t("report.until", { time: formatTime(until, locale) })}
      </p>
      <Field
        label={t("report.vcuPerHour")}
        unit="VCU"
        hint={t("report.vcuHint", { max: deal.vcu, ...hours })}
        error={errors.vcuPerHour}
      >
        {(p) => <textarea {...p} rows={2} className="num" value={input.vcuPerHour} onChange={set("vcuPerHour")} />}
      </Field>
      <Field
        label={t("report.kwhPerHour")}
        unit="kWh"
        hint={t("report.energyHint", { need: needKwh })}
        error={errors.kwhPerHour}
      >
        {(p) => <textarea {...p} rows={2} className="num" value={input.kwhPerHour} onChange={set("kwhPerHour")} />}
      </Field>
      <Field label={t("report.meteringRoot")} hint={t("report.rootHint")} error={errors.meteringRoot}>
        {(p) => (
          <input
            {...p}
            className="mono"
            spellCheck={false}
            placeholder="0x…"
            value={input.meteringRoot}
            onChange={set("meteringRoot")}
          />
        )}
      </Field>
      <MeteredFill deal={deal} onFill={(figures) => setInput((i) => ({ ...i, ...figures }))} />
      <button type="submit" className="button button--primary" disabled={busy}>
        {t("actions.reportUsage.button")}
      </button>
    </form>
  );
}

function DisputeForm({
  flagged,
  busy,
  onSubmit,
}: {
  flagged: boolean;
  busy: boolean;
  onSubmit: (reason: string) => unknown;
}) {
  const { t } = useTranslation("account");
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (reason.trim() === "") return setError(t("dispute.required"));
    setError(null);
    onSubmit(reason.trim());
  };
  return (
    <form className="form form--inline" aria-label={t("dispute.title")} onSubmit={submit} noValidate>
      <Field label={t("dispute.reason")} hint={t("dispute.hint")} error={error}>
        {(p) => <textarea {...p} rows={2} value={reason} onChange={(e) => setReason(e.target.value)} />}
      </Field>
      <button type="submit" className="button button--danger" disabled={busy}>
        {t(flagged ? "dispute.submitToArbiter" : "dispute.submit")}
      </button>
    </form>
  );
}

function ResolveForm({
  deal,
  busy,
  onSubmit,
}: {
  deal: AccountDeal;
  busy: boolean;
  onSubmit: (refundBps: number) => unknown;
}) {
  const { t } = useTranslation("account");
  const [percent, setPercent] = useState("0");
  const [error, setError] = useState<string | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const parsed = parsePercentToBps(percent);
    if (!parsed.ok) return setError(t(`resolve.errors.${parsed.error}`));
    if (parsed.value > 10_000n) return setError(t("resolve.errors.above100"));
    setError(null);
    onSubmit(Number(parsed.value));
  };
  return (
    <form className="form form--inline" aria-label={t("resolve.title")} onSubmit={submit} noValidate>
      {deal.disputeReason && <blockquote className="quote">{deal.disputeReason}</blockquote>}
      <Field label={t("resolve.refundShare")} unit="%" hint={t("resolve.hint")} error={error}>
        {(p) => <input {...p} inputMode="decimal" value={percent} onChange={(e) => setPercent(e.target.value)} />}
      </Field>
      <button type="submit" className="button button--primary" disabled={busy}>
        {t("resolve.submit")}
      </button>
    </form>
  );
}
