// Green power, in the order it happens: register a generation device, have a registrar approve
// it, issue a certificate batch for metered generation (at most capacity × hours), and offer the
// certificates' Wh for sale (the market escrows them, so it needs the ERC-1155 approval once).
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
import { formatEnergy, formatPower, formatTime, toLocalDateTimeInput } from "../../lib/format.ts";
import { useGql } from "../../lib/graphql.ts";
import { useLocale } from "../../lib/locale.ts";
import { regionName } from "../../lib/regions.ts";
import { useTokenSymbol } from "../../lib/token.ts";
import { useTx } from "../../lib/tx/index.tsx";
import { useWallet } from "../../lib/wallet/index.tsx";
import {
  type DeviceForm,
  type EnergyOfferForm,
  type IssueForm,
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
  const [offering, setOffering] = useState<Holding | null>(null);
  return (
    <div className="stack">
      <RegisterDevice />
      {account && <Devices onIssue={setIssuing} />}
      {issuing && <IssueBatch key={issuing.id} device={issuing} onDone={() => setIssuing(null)} />}
      {isRegistrar && <PendingDevices />}
      {account && <Certificates onOffer={setOffering} />}
      {offering && <OfferCertificates key={offering.batchId} holding={offering} onDone={() => setOffering(null)} />}
      {account && (
        <Card>
          <OwnOffers kind="ENERGY_OFFER" title={t("energy.ownOffers")} />
        </Card>
      )}
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

function Devices({ onIssue }: { onIssue: (device: OwnDevice) => void }) {
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
          <button type="button" onClick={() => onIssue(d)}>
            {t("devices.issue")}
            <span className="visually-hidden"> #{d.id}</span>
          </button>
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

function IssueBatch({ device, onDone }: { device: OwnDevice; onDone: () => void }) {
  const { t } = useTranslation("supply");
  const locale = useLocale();
  const { contracts } = useChain();
  const now = useChainTime();
  const tx = useTx();
  const message = useFieldMessage();
  const start = Math.max(device.commissionedAt, device.issuedUntil ?? 0);
  const {
    form,
    set,
    result: { errors, maxWh },
    checked,
    shown,
    attempt,
  } = useCheckedForm<IssueForm, ReturnType<typeof validateIssue>>(
    {
      periodStart: toLocalDateTimeInput(start),
      periodEnd: toLocalDateTimeInput(Math.min(now, start + 24 * 3600)),
      kwh: "",
    },
    (f) => validateIssue(f, device, now),
    [device, now],
  );
  const issue = async () => {
    const params = attempt();
    if (!params) return;
    const ok = await tx.run(t("issue.tx", { id: device.id }), {
      ...contracts.certificates,
      functionName: "issue",
      args: [params.deviceId, params.periodStart, params.periodEnd, params.wh],
    });
    if (ok) onDone();
  };
  return (
    <Card title={t("issue.title", { id: device.id })}>
      <form
        className="form"
        aria-label={t("issue.title", { id: device.id })}
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void issue();
        }}
      >
        <ErrorSummary errors={errors} shown={checked} />
        <div className="form__grid">
          <Field
            label={t("fields.periodStart")}
            hint={t("hints.periodStart", { time: formatTime(start, locale) })}
            error={message(shown.periodStart)}
          >
            {(p) => <input {...p} type="datetime-local" value={form.periodStart} onChange={set("periodStart")} />}
          </Field>
          <Field label={t("fields.periodEnd")} error={message(shown.periodEnd)}>
            {(p) => <input {...p} type="datetime-local" value={form.periodEnd} onChange={set("periodEnd")} />}
          </Field>
          <Field
            label={t("fields.kwh")}
            hint={
              maxWh !== null
                ? t("hints.maxForPeriod", { max: Object.values(formatEnergy(maxWh, locale, 3)).join(" ") })
                : undefined
            }
            error={message(shown.kwh)}
            unit="kWh"
          >
            {(p) => <input {...p} className="num" inputMode="decimal" value={form.kwh} onChange={set("kwh")} />}
          </Field>
        </div>
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

function Certificates({ onOffer }: { onOffer: (holding: Holding) => void }) {
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
    {
      key: "offer",
      header: <span className="visually-hidden">{t("devices.actions")}</span>,
      render: (h) => (
        <button type="button" onClick={() => onOffer(h)}>
          {t("certificates.offer")}
          <span className="visually-hidden"> #{h.batchId}</span>
        </button>
      ),
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

function OfferCertificates({ holding, onDone }: { holding: Holding; onDone: () => void }) {
  const { t } = useTranslation("supply");
  const locale = useLocale();
  const symbol = useTokenSymbol();
  const { publicClient, contracts } = useChain();
  const { account } = useWallet();
  const now = useChainTime();
  const tx = useTx();
  const message = useFieldMessage();
  const held = BigInt(holding.wh);
  const {
    form,
    set,
    result: { errors },
    checked,
    shown,
    attempt,
  } = useCheckedForm<EnergyOfferForm, ReturnType<typeof validateEnergyOffer>>(
    { kwh: (Number(held) / 1000).toString(), reservePrice: "", expiry: toLocalDateTimeInput(now + 7 * 86_400) },
    (f) => validateEnergyOffer(f, holding.batchId, held, now),
    [holding.batchId, held, now],
  );

  const offer = async () => {
    const params = attempt();
    if (!params || !account) return;
    // The market pulls the Wh into escrow, which the ERC-1155 allows only to an approved operator.
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
    const ok = await tx.run(t("offer.tx", { id: holding.batchId }), {
      ...contracts.market,
      functionName: "postEnergyOffer",
      args: [params],
    });
    if (ok) onDone();
  };

  return (
    <Card title={t("offer.title", { id: holding.batchId })}>
      <form
        className="form"
        aria-label={t("offer.title", { id: holding.batchId })}
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void offer();
        }}
      >
        <ErrorSummary
          errors={errors}
          shown={checked}
          labels={{ reservePrice: t("fields.reservePerKwh"), expiry: t("fields.offerExpiry") }}
        />
        <div className="form__grid">
          <Field
            label={t("fields.kwh")}
            hint={t("hints.held", { held: Object.values(formatEnergy(held, locale, 3)).join(" ") })}
            error={message(shown.kwh)}
            unit="kWh"
          >
            {(p) => <input {...p} className="num" inputMode="decimal" value={form.kwh} onChange={set("kwh")} />}
          </Field>
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
          <Field label={t("fields.offerExpiry")} error={message(shown.expiry)}>
            {(p) => <input {...p} type="datetime-local" value={form.expiry} onChange={set("expiry")} />}
          </Field>
        </div>
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
