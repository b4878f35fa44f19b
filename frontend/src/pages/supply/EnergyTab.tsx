// Green power, in the order it happens: register a generation device, have a registrar approve it,
// offer Wh of the device's hours for sale (forward: usually hours still ahead, from a forecast), and
// issue hourly certificates for metered generation once the hours have ended (each hour at most
// capacity × 1 h). Certificates never move at sale: at finalisation the market retires the sold Wh of
// each device-hour from the supplier's balance, so it needs the ERC-1155 approval once
// (docs/market-rules.md, "Certificates").
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";

import { ENERGY_SOURCES } from "../../../../protocol/units.ts";
import { Address } from "../../components/Address.tsx";
import { Amount } from "../../components/Amount.tsx";
import { Card } from "../../components/Card.tsx";
import { Field } from "../../components/Field.tsx";
import { StatusBadge } from "../../components/StatusBadge.tsx";
import { type Column, Table } from "../../components/Table.tsx";
import { useChain } from "../../lib/chain.ts";
import { useChainTime } from "../../lib/chain-time.ts";
import { formatEnergy, formatPower, formatTime, splitAmounts, toLocalDateTimeInput } from "../../lib/format.ts";
import { useGql } from "../../lib/graphql.ts";
import { useLocale } from "../../lib/locale.ts";
import { regionName } from "../../lib/regions.ts";
import { useTokenSymbol } from "../../lib/token.ts";
import { useTx } from "../../lib/tx/index.tsx";
import { useWallet } from "../../lib/wallet/index.tsx";
import { CapacityCalendar } from "./CapacityCalendar.tsx";
import {
  DAY_HOURS,
  type DeviceForm,
  type EnergyOfferForm,
  firstIssuableHour,
  type HourlyForm,
  type IssueForm,
  presetAmounts,
  SHAPE_PRESETS,
  validateDevice,
  validateEnergyOffer,
  validateIssue,
} from "./forms.ts";
import { HOLDINGS, type Holding, OWN_DEVICES, type OwnDevice, PENDING_DEVICES, type PendingDevice } from "./queries.ts";
import { ErrorSummary, OwnOffers, RegionOptions, TxLine, useCheckedForm, useFieldMessage } from "./shared.tsx";

export function EnergyTab() {
  const { t } = useTranslation("supply");
  const { account } = useWallet();
  const isRegistrar = useIsRegistrar();
  const [issuing, setIssuing] = useState<OwnDevice | null>(null);
  const [offering, setOffering] = useState<OwnDevice | null>(null);
  return (
    <div className="stack">
      <RegisterDevice />
      {account && (
        <Devices
          onIssue={(d) => {
            setOffering(null);
            setIssuing(d);
          }}
          onOffer={(d) => {
            setIssuing(null);
            setOffering(d);
          }}
        />
      )}
      {issuing && <IssueHours key={issuing.id} device={issuing} onDone={() => setIssuing(null)} />}
      {offering && <OfferHours key={offering.id} device={offering} onDone={() => setOffering(null)} />}
      {isRegistrar && <PendingDevices />}
      {account && <Certificates />}
      {account && (
        <Card>
          <OwnOffers kind="ENERGY_OFFER" title={t("energy.ownOffers")} />
        </Card>
      )}
      <CapacityCalendar kind="ENERGY_OFFER" />
    </div>
  );
}

/** Whether the connected account holds the registry's REGISTRAR_ROLE (asked of the contract). */
function useIsRegistrar(): boolean {
  const { publicClient, contracts } = useChain();
  const { account } = useWallet();
  const { data } = useQuery({
    queryKey: ["registrar", account],
    enabled: account !== null,
    meta: { live: false },
    queryFn: async () => {
      const role = await publicClient.readContract({ ...contracts.certificates, functionName: "REGISTRAR_ROLE" });
      return publicClient.readContract({ ...contracts.certificates, functionName: "hasRole", args: [role, account!] });
    },
  });
  return data === true;
}

function RegisterDevice() {
  const { t } = useTranslation("supply");
  const { contracts } = useChain();
  const wallet = useWallet();
  const now = useChainTime();
  const tx = useTx();
  const message = useFieldMessage();
  const {
    form,
    set,
    result: { errors },
    checked,
    shown,
    attempt,
    settle,
  } = useCheckedForm<DeviceForm, ReturnType<typeof validateDevice>>(
    {
      source: "solar",
      region: "",
      capacityKw: "",
      commissionedAt: toLocalDateTimeInput(now - 30 * 86_400),
      metadataUri: "",
    },
    (f) => validateDevice(f, now),
    [now],
  );
  const register = async () => {
    const params = attempt();
    if (!params) return;
    const ok = await tx.run(t("energy.registerTx"), {
      ...contracts.certificates,
      functionName: "registerDevice",
      args: [params.source, params.region, params.capacityW, params.commissionedAt, params.metadataUri],
    });
    if (ok) settle();
  };
  return (
    <Card title={t("energy.registerTitle")}>
      <p className="field__hint">{t("energy.registerIntro")}</p>
      <form
        className="form"
        aria-label={t("energy.registerTitle")}
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void register();
        }}
      >
        <ErrorSummary errors={errors} shown={checked} />
        <div className="form__grid">
          <Field label={t("fields.source")} error={message(shown.source)}>
            {(p) => (
              <select {...p} value={form.source} onChange={set("source")}>
                {ENERGY_SOURCES.map((s) => (
                  <option key={s} value={s}>
                    {t(`common:source.${s}`)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t("fields.region")} error={message(shown.region)}>
            {(p) => (
              <select {...p} value={form.region} onChange={set("region")}>
                <option value="">{t("choose")}</option>
                <RegionOptions />
              </select>
            )}
          </Field>
          <Field label={t("fields.capacityKw")} error={message(shown.capacityKw)} unit="kW">
            {(p) => (
              <input {...p} className="num" inputMode="decimal" value={form.capacityKw} onChange={set("capacityKw")} />
            )}
          </Field>
          <Field label={t("fields.commissionedAt")} error={message(shown.commissionedAt)}>
            {(p) => <input {...p} type="datetime-local" value={form.commissionedAt} onChange={set("commissionedAt")} />}
          </Field>
          <Field label={t("fields.metadataUri")} hint={t("hints.metadataUri")} error={null}>
            {(p) => <input {...p} type="url" value={form.metadataUri} onChange={set("metadataUri")} />}
          </Field>
        </div>
        <div className="form__actions">
          <button type="submit" className="button--primary" disabled={tx.busy || !wallet.account}>
            {t("energy.register")}
          </button>
        </div>
        <TxLine entry={tx.entry} />
      </form>
    </Card>
  );
}

function Devices({ onIssue, onOffer }: { onIssue: (device: OwnDevice) => void; onOffer: (device: OwnDevice) => void }) {
  const { t } = useTranslation("supply");
  const locale = useLocale();
  const { account } = useWallet();
  const devices = useGql(["supply", "devices"], OWN_DEVICES, { owner: account ?? "" }, { enabled: account !== null });
  const columns: Column<OwnDevice>[] = [
    { key: "id", header: t("devices.id"), render: (d) => `#${d.id}` },
    {
      key: "source",
      header: t("fields.source"),
      render: (d) => `${t(`common:source.${d.source}`)} · ${regionName(d.region, locale)}`,
    },
    {
      key: "capacity",
      header: t("devices.capacity"),
      numeric: true,
      render: (d) => Object.values(formatPower(BigInt(d.capacityW), locale)).join(" "),
    },
    {
      key: "issued",
      header: t("devices.issued"),
      numeric: true,
      render: (d) => <Amount value={d.issuedWh} kind="energy" />,
    },
    {
      key: "until",
      header: t("devices.issuedUntil"),
      render: (d) => (d.issuedUntil ? formatTime(d.issuedUntil, locale) : "—"),
    },
    { key: "status", header: t("devices.status"), render: (d) => <StatusBadge status={d.status} /> },
    {
      key: "actions",
      header: <span className="visually-hidden">{t("devices.actions")}</span>,
      render: (d) =>
        d.status === "APPROVED" ? (
          <span className="actions">
            <button type="button" onClick={() => onOffer(d)}>
              {t("devices.offer")}
              <span className="visually-hidden"> #{d.id}</span>
            </button>
            <button type="button" onClick={() => onIssue(d)}>
              {t("devices.issue")}
              <span className="visually-hidden"> #{d.id}</span>
            </button>
          </span>
        ) : d.status === "PENDING" ? (
          <span className="field__hint">{t("devices.awaiting")}</span>
        ) : null,
    },
  ];
  return (
    <Card title={t("devices.title")}>
      <Table
        caption={t("devices.title")}
        hideCaption
        columns={columns}
        rows={devices.data?.devices.nodes}
        rowKey={(d) => d.id}
        loading={devices.isPending}
        error={devices.error}
        empty={t("devices.none")}
      />
    </Card>
  );
}

/**
 * A day's hours of one device: the day, 24 amounts typed or pasted (a spreadsheet column), or a
 * solar or wind preset scaled to the device's capacity to start from.
 */
function HourlyAmounts({
  device,
  form,
  onChange,
  errors,
}: {
  device: OwnDevice;
  form: HourlyForm;
  onChange: (patch: Partial<HourlyForm>) => void;
  errors: { day: string | null; amounts: string | null };
}) {
  const { t } = useTranslation("supply");
  const locale = useLocale();
  const amounts = splitAmounts(form.amounts);
  const capacity = Object.values(formatEnergy(BigInt(device.capacityW), locale, 3)).join(" ");
  return (
    <div className="form__grid">
      <Field label={t("fields.day")} hint={t("hints.day")} error={errors.day}>
        {(p) => <input {...p} type="date" value={form.day} onChange={(e) => onChange({ day: e.target.value })} />}
      </Field>
      <Field
        label={t("fields.hourlyKwh")}
        hint={t("hints.hourlyKwh", { count: amounts.length, hours: DAY_HOURS, capacity })}
        error={errors.amounts}
        unit="kWh"
      >
        {(p) => (
          <textarea
            {...p}
            className="num hourly-amounts"
            rows={4}
            value={form.amounts}
            onChange={(e) => onChange({ amounts: e.target.value })}
          />
        )}
      </Field>
      <div className="form__actions" role="group" aria-label={t("presets.label")}>
        {SHAPE_PRESETS.map((preset) => (
          <button
            key={preset}
            type="button"
            onClick={() => onChange({ amounts: presetAmounts(preset, BigInt(device.capacityW)).join(" ") })}
          >
            {t(`presets.${preset}`)}
          </button>
        ))}
      </div>
    </div>
  );
}

/** The local date input value ("2026-12-06") of unix time `t`. */
function dayInput(t: number): string {
  return toLocalDateTimeInput(t).slice(0, 10);
}

function IssueHours({ device, onDone }: { device: OwnDevice; onDone: () => void }) {
  const { t } = useTranslation("supply");
  const locale = useLocale();
  const { contracts } = useChain();
  const now = useChainTime();
  const tx = useTx();
  const message = useFieldMessage();
  const first = firstIssuableHour(device);
  const { form, setForm, result, checked, shown, attempt } = useCheckedForm<
    IssueForm,
    ReturnType<typeof validateIssue>
  >({ day: dayInput(Math.min(first, now - 86_400)), amounts: "" }, (f) => validateIssue(f, device, now), [device, now]);
  const issue = async () => {
    const params = attempt();
    if (!params) return;
    const ok = await tx.run(t("issue.tx", { id: device.id }), {
      ...contracts.certificates,
      functionName: "issue",
      args: [params.deviceId, params.firstHour, params.whPerHour],
    });
    if (ok) onDone();
  };
  return (
    <Card title={t("issue.title", { id: device.id })}>
      <p className="field__hint">{t("issue.intro", { time: formatTime(first, locale) })}</p>
      <form
        className="form"
        aria-label={t("issue.title", { id: device.id })}
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void issue();
        }}
      >
        <ErrorSummary errors={result.errors} shown={checked} />
        <HourlyAmounts
          device={device}
          form={form}
          onChange={(patch) => setForm((f) => ({ ...f, ...patch }))}
          errors={{ day: message(shown.day), amounts: message(shown.amounts) }}
        />
        {result.params && (
          <p className="field__hint">
            {t("issue.summary", {
              hours: result.params.whPerHour.length,
              from: formatTime(result.params.firstHour, locale),
              total: totalKwh(result.params.whPerHour, locale),
            })}
          </p>
        )}
        <div className="form__actions">
          <button type="submit" className="button--primary" disabled={tx.busy}>
            {t("issue.submit")}
          </button>
          <button type="button" onClick={onDone}>
            {t("close")}
          </button>
        </div>
        <TxLine entry={tx.entry} />
      </form>
    </Card>
  );
}

function totalKwh(whPerHour: readonly bigint[], locale: ReturnType<typeof useLocale>): string {
  return Object.values(
    formatEnergy(
      whPerHour.reduce((a, b) => a + b, 0n),
      locale,
      3,
    ),
  ).join(" ");
}

function PendingDevices() {
  const { t } = useTranslation("supply");
  const locale = useLocale();
  const { contracts } = useChain();
  const tx = useTx();
  const pending = useGql(["supply", "pending"], PENDING_DEVICES, {});
  const columns: Column<PendingDevice>[] = [
    { key: "id", header: t("devices.id"), render: (d) => `#${d.id}` },
    { key: "owner", header: t("devices.owner"), render: (d) => <Address address={d.owner} /> },
    {
      key: "source",
      header: t("fields.source"),
      render: (d) => `${t(`common:source.${d.source}`)} · ${regionName(d.region, locale)}`,
    },
    {
      key: "capacity",
      header: t("devices.capacity"),
      numeric: true,
      render: (d) => Object.values(formatPower(BigInt(d.capacityW), locale)).join(" "),
    },
    { key: "commissioned", header: t("fields.commissionedAt"), render: (d) => formatTime(d.commissionedAt, locale) },
    {
      key: "approve",
      header: <span className="visually-hidden">{t("devices.actions")}</span>,
      render: (d) => (
        <button
          type="button"
          disabled={tx.busy}
          onClick={() =>
            void tx.run(t("registrar.approveTx", { id: d.id }), {
              ...contracts.certificates,
              functionName: "approveDevice",
              args: [BigInt(d.id)],
            })
          }
        >
          {t("registrar.approve")}
          <span className="visually-hidden"> #{d.id}</span>
        </button>
      ),
    },
  ];
  return (
    <Card title={t("registrar.title")}>
      <p className="field__hint">{t("registrar.intro")}</p>
      <Table
        caption={t("registrar.title")}
        hideCaption
        columns={columns}
        rows={pending.data?.devices.nodes}
        rowKey={(d) => d.id}
        loading={pending.isPending}
        error={pending.error}
        empty={t("registrar.none")}
      />
      <TxLine entry={tx.entry} />
    </Card>
  );
}

function Certificates() {
  const { t } = useTranslation("supply");
  const locale = useLocale();
  const { account } = useWallet();
  const holdings = useGql(["supply", "holdings"], HOLDINGS, { address: account ?? "" }, { enabled: account !== null });
  const rows = holdings.data?.account.certificates.filter((h) => BigInt(h.wh) > 0n);
  const columns: Column<Holding>[] = [
    { key: "batch", header: t("certificates.batch"), render: (h) => `#${h.batchId}` },
    {
      key: "source",
      header: t("fields.source"),
      render: (h) =>
        h.batch ? `${t(`common:source.${h.batch.source}`)} · ${regionName(h.batch.region, locale)}` : "—",
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
  ];
  return (
    <Card title={t("certificates.title")}>
      <Table
        caption={t("certificates.title")}
        hideCaption
        columns={columns}
        rows={rows}
        rowKey={(h) => h.batchId}
        loading={holdings.isPending}
        error={holdings.error}
        empty={t("certificates.none")}
      />
    </Card>
  );
}

function OfferHours({ device, onDone }: { device: OwnDevice; onDone: () => void }) {
  const { t } = useTranslation("supply");
  const locale = useLocale();
  const symbol = useTokenSymbol();
  const { publicClient, contracts } = useChain();
  const { account } = useWallet();
  const now = useChainTime();
  const tx = useTx();
  const message = useFieldMessage();
  const { form, setForm, set, result, checked, shown, attempt } = useCheckedForm<
    EnergyOfferForm,
    ReturnType<typeof validateEnergyOffer>
  >(
    { day: dayInput(now + 86_400), amounts: "", reservePrice: "", expiry: "" },
    (f) => validateEnergyOffer(f, device, now),
    [device, now],
  );

  const offer = async () => {
    const params = attempt();
    if (!params || !account) return;
    // At finalisation the market retires the sold Wh from this account's certificates, which the
    // ERC-1155 allows only to an approved operator; the market checks it at posting.
    const approved = await publicClient.readContract({
      ...contracts.certificates,
      functionName: "isApprovedForAll",
      args: [account, contracts.market.address],
    });
    if (!approved) {
      const ok = await tx.run(t("offer.approveTx"), {
        ...contracts.certificates,
        functionName: "setApprovalForAll",
        args: [contracts.market.address, true],
      });
      if (!ok) return;
    }
    const ok = await tx.run(t("offer.tx", { id: device.id }), {
      ...contracts.market,
      functionName: "postEnergyOffer",
      args: [params],
    });
    if (ok) onDone();
  };

  return (
    <Card title={t("offer.title", { id: device.id })}>
      <p className="field__hint">{t("offer.intro")}</p>
      <form
        className="form"
        aria-label={t("offer.title", { id: device.id })}
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void offer();
        }}
      >
        <ErrorSummary
          errors={result.errors}
          shown={checked}
          labels={{ reservePrice: t("fields.reservePerKwh"), expiry: t("fields.offerExpiry") }}
        />
        <HourlyAmounts
          device={device}
          form={form}
          onChange={(patch) => setForm((f) => ({ ...f, ...patch }))}
          errors={{ day: message(shown.day), amounts: message(shown.amounts) }}
        />
        <div className="form__grid">
          <Field label={t("fields.reservePerKwh")} error={message(shown.reservePrice)} unit={`${symbol} / kWh`}>
            {(p) => (
              <input
                {...p}
                className="num"
                inputMode="decimal"
                value={form.reservePrice}
                onChange={set("reservePrice")}
              />
            )}
          </Field>
          <Field label={t("fields.offerExpiry")} hint={t("hints.offerExpiry")} error={message(shown.expiry)}>
            {(p) => <input {...p} type="datetime-local" value={form.expiry} onChange={set("expiry")} />}
          </Field>
        </div>
        {result.params && (
          <p className="field__hint">
            {t("offer.summary", {
              hours: result.params.whPerHour.length,
              from: formatTime(result.params.firstHour, locale),
              total: totalKwh(result.params.whPerHour, locale),
            })}
          </p>
        )}
        <div className="form__actions">
          <button type="submit" className="button--primary" disabled={tx.busy}>
            {t("offer.submit")}
          </button>
          <button type="button" onClick={onDone}>
            {t("close")}
          </button>
        </div>
        <TxLine entry={tx.entry} />
      </form>
    </Card>
  );
}
