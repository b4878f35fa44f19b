// Carbon credits (1 credit = 1 kgCO2e): the balance, which deals it came from, and what a holder
// does with it — give it to someone else or retire it for a beneficiary with a reason.
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { Address } from "../../components/Address.tsx";
import { Amount } from "../../components/Amount.tsx";
import { Card } from "../../components/Card.tsx";
import { Field } from "../../components/Field.tsx";
import { TxLink } from "../../components/TxLink.tsx";
import { useChain } from "../../lib/chain.ts";
import { formatTime } from "../../lib/format.ts";
import { useLocale } from "../../lib/locale.ts";
import { useTx } from "../../lib/tx/index.tsx";
import type { AccountData } from "./queries.ts";
import { checkCreditRetirement, checkCreditTransfer } from "./retire.ts";
import { TxStatus } from "./TxStatus.tsx";

type Props = { data: AccountData["account"] | undefined; account: string };

export function CreditsCard({ data, account }: Props) {
  const { t } = useTranslation("account");
  const locale = useLocale();
  const [form, setForm] = useState<"transfer" | "retire" | null>(null);
  const balance = data ? BigInt(data.creditBalance) : 0n;
  const toggle = (f: "transfer" | "retire") => setForm(form === f ? null : f);

  return (
    <Card title={t("credits.title")}>
      <dl className="figures">
        <div className="figure figure--main">
          <dt>{t("credits.balance")}</dt>
          <dd>
            <Amount value={data?.creditBalance} kind="credits" />
          </dd>
        </div>
      </dl>
      {data && data.creditLots.length > 0 && (
        <ul className="plain-list" aria-label={t("credits.lots")}>
          {data.creditLots.map((lot) => (
            <li key={lot.dealId}>
              <Link to={`/trace/deal/${lot.dealId}`}>{t("credits.fromDeal", { id: lot.dealId })}</Link>{" "}
              <Amount value={lot.amount} kind="credits" />
            </li>
          ))}
        </ul>
      )}
      <div className="button-row">
        <button
          type="button"
          className="button"
          disabled={balance === 0n}
          aria-expanded={form === "transfer"}
          onClick={() => toggle("transfer")}
        >
          {t("credits.transfer")}
        </button>
        <button
          type="button"
          className="button"
          disabled={balance === 0n}
          aria-expanded={form === "retire"}
          onClick={() => toggle("retire")}
        >
          {t("credits.retire")}
        </button>
        {balance === 0n && <span className="hint">{t("credits.none")}</span>}
      </div>
      {form === "transfer" && <TransferForm balance={balance} onDone={() => setForm(null)} />}
      {form === "retire" && <RetireCreditsForm balance={balance} account={account} onDone={() => setForm(null)} />}
      {data && data.creditRetirements.nodes.length > 0 && (
        <>
          <h3>{t("credits.retired")}</h3>
          <ul className="plain-list">
            {data.creditRetirements.nodes.map((r) => (
              <li key={r.id}>
                <Amount value={r.amount} kind="credits" /> · {t("credits.for")} <Address address={r.beneficiary} /> ·{" "}
                <q>{r.reason}</q> · {formatTime(r.at.time, locale)} <TxLink hash={r.at.txHash} />
              </li>
            ))}
          </ul>
        </>
      )}
    </Card>
  );
}

function TransferForm({ balance, onDone }: { balance: bigint; onDone: () => void }) {
  const { t } = useTranslation("account");
  const { contracts } = useChain();
  const tx = useTx();
  const [input, setInput] = useState({ amount: "", to: "" });
  const [errors, setErrors] = useState<Record<string, string | undefined>>({});
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const check = checkCreditTransfer(input, balance);
    if (!check.ok) {
      setErrors(
        Object.fromEntries(Object.entries(check.errors).map(([k, code]) => [k, code && t(`forms.errors.${code}`)])),
      );
      return;
    }
    setErrors({});
    const receipt = await tx.run(
      t("credits.transferTx"),
      { ...contracts.credits, functionName: "transfer", args: [check.to, check.amount] },
      { erc20: "credits" },
    );
    if (receipt) onDone();
  };
  return (
    <form className="form form--inline" aria-label={t("credits.transferTitle")} onSubmit={submit} noValidate>
      <CreditAmountField
        balance={balance}
        value={input.amount}
        error={errors.amount}
        onChange={(amount) => setInput({ ...input, amount })}
      />
      <Field label={t("credits.to")} error={errors.to}>
        {(p) => (
          <input
            {...p}
            className="mono"
            spellCheck={false}
            placeholder="0x…"
            value={input.to}
            onChange={(e) => setInput({ ...input, to: e.target.value })}
          />
        )}
      </Field>
      <button type="submit" className="button button--primary" disabled={tx.busy}>
        {t("credits.transferSubmit")}
      </button>
      <TxStatus entry={tx.entry} />
    </form>
  );
}

function RetireCreditsForm({ balance, account, onDone }: { balance: bigint; account: string; onDone: () => void }) {
  const { t } = useTranslation("account");
  const { contracts } = useChain();
  const tx = useTx();
  const [input, setInput] = useState({ amount: "", beneficiary: account, reason: "" });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const check = checkCreditRetirement(input, balance);
    if (!check.ok) {
      setErrors(Object.fromEntries(Object.entries(check.errors).map(([k, code]) => [k, t(`forms.errors.${code}`)])));
      return;
    }
    setErrors({});
    const receipt = await tx.run(
      t("credits.retireTx"),
      { ...contracts.credits, functionName: "retire", args: [check.amount, check.beneficiary, check.reason] },
      { erc20: "credits" },
    );
    if (receipt) onDone();
  };
  return (
    <form className="form form--inline" aria-label={t("credits.retireTitle")} onSubmit={submit} noValidate>
      <CreditAmountField
        balance={balance}
        value={input.amount}
        error={errors.amount}
        onChange={(amount) => setInput({ ...input, amount })}
      />
      <Field label={t("forms.beneficiary")} hint={t("forms.beneficiaryHint")} error={errors.beneficiary}>
        {(p) => (
          <input
            {...p}
            className="mono"
            spellCheck={false}
            value={input.beneficiary}
            onChange={(e) => setInput({ ...input, beneficiary: e.target.value })}
          />
        )}
      </Field>
      <Field label={t("credits.reason")} hint={t("credits.reasonHint")} error={errors.reason}>
        {(p) => <input {...p} value={input.reason} onChange={(e) => setInput({ ...input, reason: e.target.value })} />}
      </Field>
      <button type="submit" className="button button--primary" disabled={tx.busy}>
        {t("credits.retireSubmit")}
      </button>
      <TxStatus entry={tx.entry} />
    </form>
  );
}

/** The amount of credits to move, in kgCO2e, with the holder's balance beside it. */
function CreditAmountField({
  balance,
  value,
  error,
  onChange,
}: {
  balance: bigint;
  value: string;
  error: string | undefined;
  onChange: (amount: string) => void;
}) {
  const { t } = useTranslation("account");
  return (
    <Field
      label={t("credits.amount")}
      unit="kgCO₂e"
      hint={
        <>
          {t("forms.held")} <Amount value={balance} kind="credits" />
        </>
      }
      error={error}
    >
      {(p) => <input {...p} inputMode="decimal" value={value} onChange={(e) => onChange(e.target.value)} />}
    </Field>
  );
}
