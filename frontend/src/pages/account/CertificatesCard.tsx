// Green certificates this account holds, per batch, and their retirement: retiring burns the Wh
// for a beneficiary with a stated purpose, which is what makes a green claim count once.
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { Amount } from "../../components/Amount.tsx";
import { Card } from "../../components/Card.tsx";
import { Field } from "../../components/Field.tsx";
import { type Column, Table } from "../../components/Table.tsx";
import { useChain } from "../../lib/chain.ts";
import { formatTime } from "../../lib/format.ts";
import { useLocale } from "../../lib/locale.ts";
import { useTx } from "../../lib/tx/index.tsx";
import type { CertificateHolding } from "./queries.ts";
import { regionName } from "./regions.ts";
import { allocateRetirement, checkCertificateRetirement, type RetireInput } from "./retire.ts";
import { TxStatus } from "./TxStatus.tsx";

type Props = { holdings: CertificateHolding[] | undefined; account: string; loading: boolean; error: Error | null };

export function CertificatesCard({ holdings, account, loading, error }: Props) {
  const { t } = useTranslation("account");
  const locale = useLocale();
  const [retiring, setRetiring] = useState<string | null>(null);
  const held = holdings?.filter((h) => BigInt(h.wh) > 0n);

  const columns: Column<CertificateHolding>[] = [
    {
      key: "batch",
      header: t("certificates.batch"),
      render: (h) => <Link to={`/trace/batch/${h.batchId}`}>{t("certificates.batchId", { id: h.batchId })}</Link>,
    },
    {
      key: "source",
      header: t("certificates.source"),
      render: (h) =>
        h.batch
          ? `${t(`common:source.${h.batch.source}`, { defaultValue: h.batch.source })} · ${regionName(h.batch.region, locale)}`
          : "—",
    },
    {
      key: "period",
      header: t("certificates.period"),
      render: (h) =>
        h.batch ? `${formatTime(h.batch.periodStart, locale)} – ${formatTime(h.batch.periodEnd, locale)}` : "—",
    },
    {
      key: "wh",
      header: t("certificates.held"),
      numeric: true,
      render: (h) => <Amount value={h.wh} kind="energy" digits={3} />,
    },
    {
      key: "retire",
      header: <span className="visually-hidden">{t("certificates.actions")}</span>,
      render: (h) => (
        <button
          type="button"
          className="button button--small"
          aria-expanded={retiring === h.batchId}
          aria-label={t("certificates.retireLabel", { id: h.batchId })}
          onClick={() => setRetiring(retiring === h.batchId ? null : h.batchId)}
        >
          {t("certificates.retire")}
        </button>
      ),
    },
  ];

  const selected = held?.find((h) => h.batchId === retiring);
  return (
    <Card title={t("certificates.title")}>
      <Table
        caption={t("certificates.title")}
        hideCaption
        columns={columns}
        rows={held}
        rowKey={(h) => h.batchId}
        loading={loading}
        error={error}
        empty={t("certificates.empty")}
        reflow
      />
      {selected && (
        <RetireCertificatesForm
          key={selected.batchId}
          holding={selected}
          account={account}
          onDone={() => setRetiring(null)}
        />
      )}
    </Card>
  );
}

function RetireCertificatesForm({
  holding,
  account,
  onDone,
}: {
  holding: CertificateHolding;
  account: string;
  onDone: () => void;
}) {
  const { t } = useTranslation("account");
  const { contracts, publicClient } = useChain();
  const tx = useTx();
  const [input, setInput] = useState<RetireInput>({ amount: "", beneficiary: account, reason: "" });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const set = (key: keyof RetireInput) => (e: { target: { value: string } }) =>
    setInput((i) => ({ ...i, [key]: e.target.value }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const check = checkCertificateRetirement(input, BigInt(holding.wh));
    if (!check.ok) {
      setErrors(Object.fromEntries(Object.entries(check.errors).map(([k, code]) => [k, t(`forms.errors.${code}`)])));
      return;
    }
    setErrors({});
    // Each hour of the issue is its own certificate id: retire from the earliest hours this account holds.
    const ids = (holding.batch?.hours ?? []).map((h) => BigInt(h.certificateId));
    const held = await publicClient.readContract({
      ...contracts.certificates,
      functionName: "balanceOfBatch",
      args: [ids.map(() => account as `0x${string}`), ids],
    });
    const parts = allocateRetirement(
      ids.map((certificateId, i) => ({ certificateId, held: held[i] })),
      check.amount,
    );
    if (!parts) {
      setErrors({ amount: t("forms.errors.aboveHeld") });
      return;
    }
    for (const part of parts) {
      const receipt = await tx.run(t("certificates.retireTx", { id: holding.batchId }), {
        ...contracts.certificates,
        functionName: "retire",
        args: [part.certificateId, part.wh, check.beneficiary, check.reason],
      });
      if (!receipt) return;
    }
    onDone();
  };

  return (
    <form
      className="form form--inline"
      aria-label={t("certificates.formTitle", { id: holding.batchId })}
      onSubmit={submit}
      noValidate
    >
      <h3>{t("certificates.formTitle", { id: holding.batchId })}</h3>
      <Field
        label={t("certificates.amount")}
        unit="kWh"
        hint={
          <>
            {t("forms.held")} <Amount value={holding.wh} kind="energy" digits={3} />
          </>
        }
        error={errors.amount}
      >
        {(p) => <input {...p} inputMode="decimal" value={input.amount} onChange={set("amount")} />}
      </Field>
      <Field label={t("forms.beneficiary")} hint={t("forms.beneficiaryHint")} error={errors.beneficiary}>
        {(p) => (
          <input {...p} className="mono" spellCheck={false} value={input.beneficiary} onChange={set("beneficiary")} />
        )}
      </Field>
      <Field label={t("certificates.purpose")} hint={t("certificates.purposeHint")} error={errors.reason}>
        {(p) => <input {...p} value={input.reason} onChange={set("reason")} />}
      </Field>
      <button type="submit" className="button button--primary" disabled={tx.busy}>
        {t("certificates.submit")}
      </button>
      <TxStatus entry={tx.entry} />
    </form>
  );
}
