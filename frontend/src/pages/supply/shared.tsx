// Pieces the supply tabs share: the checked form, the error summary, inline transaction status, the own-offers
// table with its cancel action, and the region and time pickers.
import { type ChangeEvent, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";

import { REGIONS } from "../../../../protocol/units.ts";
import { Amount, type AmountKind } from "../../components/Amount.tsx";
import { HourInput } from "../../components/HourInput.tsx";
import { StatusBadge } from "../../components/StatusBadge.tsx";
import { type Column, Table } from "../../components/Table.tsx";
import { TxLink } from "../../components/TxLink.tsx";
import { useChain } from "../../lib/chain.ts";
import { formatEnergy, formatTime } from "../../lib/format.ts";
import { useGql } from "../../lib/graphql.ts";
import { useLocale } from "../../lib/locale.ts";
import { regionName } from "../../lib/regions.ts";
import type { TxEntry } from "../../lib/tx/index.tsx";
import { useTx } from "../../lib/tx/index.tsx";
import { useWallet } from "../../lib/wallet/index.tsx";
import type { Errors, FieldError } from "./forms.ts";
import { OWN_ORDERS, type OwnOrder } from "./queries.ts";

/**
 * A form checked before signing: its fields, the check's verdict (recomputed when the fields or
 * `deps` change), and the errors shown once the person has tried to submit. `attempt()` shows them
 * and returns the params only when the form is valid; `settle()` hides them again after a send.
 */
export function useCheckedForm<
  F extends Record<string, string>,
  R extends { errors: Errors<Extract<keyof F, string>>; params: unknown },
>(initial: F | (() => F), validate: (form: F) => R, deps: readonly unknown[]) {
  const [checked, setChecked] = useState(false);
  const [form, setForm] = useState<F>(initial);
  // `validate` closes over exactly `deps`, so the verdict is recomputed when they change.
  // biome-ignore lint/correctness/useExhaustiveDependencies: `validate` closes over exactly `deps`
  const result = useMemo(() => validate(form), [form, ...deps]);
  const set = (key: keyof F) => (e: ChangeEvent<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>) =>
    setForm((f) => ({ ...f, [key]: e.target.value }));
  const attempt = (): R["params"] | null => {
    setChecked(true);
    return result.params ?? null;
  };
  const shown: Errors<Extract<keyof F, string>> = checked ? result.errors : {};
  return { form, set, setForm, result, checked, shown, attempt, settle: () => setChecked(false) };
}

/** The sentence for one field error; energy limits are shown in energy units, times in local time. */
export function useFieldMessage() {
  const { t } = useTranslation("supply");
  const locale = useLocale();
  return (error: FieldError | undefined): string | null => {
    if (!error) return null;
    const values = { ...error.values };
    if (typeof values.maxWh === "string")
      values.maxWh = Object.values(formatEnergy(BigInt(values.maxWh), locale, 3)).join(" ");
    if (typeof values.time === "number") values.time = formatTime(values.time, locale);
    return t(`errors.${error.key}`, values);
  };
}

/** The wrong fields in a list, each named as its label says (`labels` where that differs from `fields.<name>`). */
export function ErrorSummary<F extends string>({
  errors,
  shown,
  labels = {},
}: {
  errors: Errors<F>;
  shown: boolean;
  labels?: Partial<Record<F, string>>;
}) {
  const { t } = useTranslation("supply");
  const message = useFieldMessage();
  const entries = Object.entries(errors) as [F, FieldError][];
  if (!shown || entries.length === 0) return null;
  return (
    <div className="form-errors" role="alert">
      <p>{t("fixFields", { count: entries.length })}</p>
      <ul>
        {entries.map(([field, e]) => (
          <li key={field}>
            {t("fieldError", { field: labels[field] ?? t(`fields.${field as string}`), message: message(e) })}
          </li>
        ))}
      </ul>
    </div>
  );
}

export function TxLine({ entry }: { entry: TxEntry | null }) {
  const { t } = useTranslation();
  if (!entry) return null;
  return (
    <p className={`tx-status tx-status--${entry.status}`} role="status">
      {entry.label}: {t(`tx.status.${entry.status}`)}
      {entry.error && ` — ${entry.error}`} {entry.hash && <TxLink hash={entry.hash} />}
    </p>
  );
}

export function RegionOptions() {
  const locale = useLocale();
  return REGIONS.map((r) => (
    <option key={r.code} value={r.code}>
      {regionName(r.code, locale)}
    </option>
  ));
}

const CANCEL: Record<OwnOrder["kind"], "cancelComputeOffer" | "cancelEnergyOffer" | "cancelBandwidthOffer"> = {
  COMPUTE_OFFER: "cancelComputeOffer",
  ENERGY_OFFER: "cancelEnergyOffer",
  BANDWIDTH_OFFER: "cancelBandwidthOffer",
};

const QUANTITY: Record<OwnOrder["kind"], { kind: AmountKind; per: string }> = {
  COMPUTE_OFFER: { kind: "vcuHours", per: "/ VCU·h" },
  ENERGY_OFFER: { kind: "energy", per: "/ kWh" },
  BANDWIDTH_OFFER: { kind: "mbps", per: "/ Mbps·h" },
};

/** The connected supplier's offers of one kind, newest first, with cancel for open ones. */
export function OwnOffers({ kind, title }: { kind: OwnOrder["kind"]; title: string }) {
  const { t } = useTranslation("supply");
  const locale = useLocale();
  const { account } = useWallet();
  const { contracts } = useChain();
  const tx = useTx();
  const orders = useGql(
    ["supply", "own", kind],
    OWN_ORDERS,
    { owner: account ?? "", kind },
    { enabled: account !== null },
  );
  const q = QUANTITY[kind];
  const columns: Column<OwnOrder>[] = [
    { key: "id", header: t("offers.id"), render: (o) => `#${o.id}` },
    {
      key: "what",
      header: t("offers.what"),
      render: (o) =>
        o.kind === "BANDWIDTH_OFFER"
          ? `${regionName(o.fromRegion, locale)} ↔ ${regionName(o.toRegion, locale)} · ${o.latencyMs} ms`
          : o.kind === "ENERGY_OFFER"
            ? `${t("offers.device", { id: o.deviceId })} · ${o.source ? t(`common:source.${o.source}`) : ""} · ${regionName(o.region, locale)}`
            : `${o.hardwareClass ? t(`common:hardware.${o.hardwareClass}`) : ""} · ${regionName(o.region, locale)}`,
    },
    // Energy offers name their hours; compute and bandwidth offers a window.
    kind === "ENERGY_OFFER"
      ? {
          key: "hours",
          header: t("offers.hours"),
          render: (o) =>
            o.periodStart && o.periodEnd
              ? `${formatTime(o.periodStart, locale)} – ${formatTime(o.periodEnd, locale)}`
              : t("offers.expires", { time: formatTime(o.expiry, locale) }),
        }
      : {
          key: "window",
          header: t("offers.window"),
          render: (o) =>
            o.windowStart
              ? `${formatTime(o.windowStart, locale)} – ${formatTime(o.windowEnd!, locale)}`
              : t("offers.expires", { time: formatTime(o.expiry, locale) }),
        },
    {
      key: "price",
      header: t("offers.reserve"),
      numeric: true,
      render: (o) => <Amount value={o.price} kind="token" per={q.per} />,
    },
    {
      key: "quantity",
      header: t("offers.quantity"),
      numeric: true,
      render: (o) => <Amount value={o.quantity} kind={q.kind} />,
    },
    {
      key: "remaining",
      header: t("offers.remaining"),
      numeric: true,
      render: (o) => <Amount value={o.remaining} kind={q.kind} />,
    },
    { key: "status", header: t("offers.status"), render: (o) => <StatusBadge status={o.status} /> },
    {
      key: "actions",
      header: <span className="visually-hidden">{t("offers.actions")}</span>,
      render: (o) =>
        (o.status === "OPEN" || o.status === "EXPIRED") && BigInt(o.remaining) > 0n ? (
          <button
            type="button"
            className="button--danger"
            disabled={tx.busy}
            onClick={() =>
              void tx.run(t("offers.cancelTx", { id: o.id }), {
                ...contracts.market,
                functionName: CANCEL[kind],
                args: [BigInt(o.id)],
              })
            }
          >
            {t("offers.cancel")}
            <span className="visually-hidden"> #{o.id}</span>
          </button>
        ) : null,
    },
  ];
  if (!account) return null;
  return (
    <section>
      <h3>{title}</h3>
      <Table
        caption={title}
        hideCaption
        columns={columns}
        rows={orders.data?.orders.nodes.filter((o): o is OwnOrder => o.kind !== "BID")}
        rowKey={(o) => o.id}
        loading={orders.isPending}
        error={orders.error}
        empty={t("offers.none")}
      />
      <TxLine entry={tx.entry} />
    </section>
  );
}

type WindowForm = { windowStart: string; windowEnd: string };

/** An offer's window of whole hours: its first hour and the hour it ends (compute and bandwidth offers). */
export function OfferWindow<F extends WindowForm>({
  form,
  setForm,
  errors,
}: {
  form: F;
  setForm: (update: (f: F) => F) => void;
  errors: { windowStart: string | null; windowEnd: string | null };
}) {
  const { t } = useTranslation("supply");
  return (
    <>
      <HourInput
        label={t("fields.windowStart")}
        error={errors.windowStart}
        value={form.windowStart}
        onChange={(v) => setForm((f) => ({ ...f, windowStart: v }))}
      />
      <HourInput
        label={t("fields.windowEnd")}
        error={errors.windowEnd}
        value={form.windowEnd}
        onChange={(v) => setForm((f) => ({ ...f, windowEnd: v }))}
      />
    </>
  );
}
