// The account's own bids and offers: how much of each is filled, what is left, until when it can
// match, and a Cancel for whatever still remains (which returns a bid's escrow or an energy
// offer's certificates at once).
import { useTranslation } from "react-i18next";

import { Amount, type AmountKind } from "../../components/Amount.tsx";
import { Card } from "../../components/Card.tsx";
import { StatusBadge } from "../../components/StatusBadge.tsx";
import { type Column, Table } from "../../components/Table.tsx";
import { TxLink } from "../../components/TxLink.tsx";
import { useChain } from "../../lib/chain.ts";
import { formatBps, formatTime } from "../../lib/format.ts";
import { useLocale } from "../../lib/locale.ts";
import { useTx } from "../../lib/tx/index.tsx";
import { canCancelOrder, filledBps } from "./eligibility.ts";
import type { AccountOrder } from "./queries.ts";
import { regionName } from "./regions.ts";
import { TxStatus } from "./TxStatus.tsx";

const CANCEL = {
  BID: "cancelBid",
  COMPUTE_OFFER: "cancelComputeOffer",
  ENERGY_OFFER: "cancelEnergyOffer",
  BANDWIDTH_OFFER: "cancelBandwidthOffer",
} as const;

/** Quantity unit of each kind of order, and the unit its price is quoted per. */
const UNITS: Record<AccountOrder["kind"], { quantity: AmountKind; per: string }> = {
  BID: { quantity: "vcuHours", per: "/ VCU·h" },
  COMPUTE_OFFER: { quantity: "vcuHours", per: "/ VCU·h" },
  ENERGY_OFFER: { quantity: "energy", per: "/ kWh" },
  BANDWIDTH_OFFER: { quantity: "mbps", per: "/ Mbps·h" },
};

export function OrdersCard({
  orders,
  account,
  loading,
  error,
  pager,
}: {
  orders: AccountOrder[] | undefined;
  account: string;
  loading: boolean;
  error: Error | null;
  /** Paging of the list, under the table. */
  pager?: React.ReactNode;
}) {
  const { t } = useTranslation("account");
  const locale = useLocale();
  const { contracts } = useChain();
  const tx = useTx();

  const describe = (o: AccountOrder) => {
    if (o.kind === "ENERGY_OFFER")
      return [
        t(`common:source.${o.source}`, { defaultValue: o.source ?? "" }),
        t("orders.device", { id: o.deviceId }),
      ].join(" · ");
    if (o.kind === "BANDWIDTH_OFFER") return `${regionName(o.fromRegion, locale)} ↔ ${regionName(o.toRegion, locale)}`;
    return [
      o.hardwareClass && t(`common:hardware.${o.hardwareClass}`, { defaultValue: o.hardwareClass }),
      o.kind === "COMPUTE_OFFER" ? regionName(o.region, locale) : null,
    ]
      .filter(Boolean)
      .join(" · ");
  };

  const columns: Column<AccountOrder>[] = [
    {
      key: "order",
      header: t("orders.order"),
      render: (o) => (
        <>
          <strong>{t(`orders.kind.${o.kind}`, { id: o.id })}</strong>
          <div className="muted">{describe(o)}</div>
        </>
      ),
    },
    {
      key: "price",
      header: t("orders.price"),
      numeric: true,
      render: (o) => <Amount value={o.price} kind="token" per={UNITS[o.kind].per} />,
    },
    {
      key: "filled",
      header: t("orders.filled"),
      numeric: true,
      render: (o) => (
        <>
          <Amount value={o.filled} kind={UNITS[o.kind].quantity} />{" "}
          <span className="muted">
            / <Amount value={o.quantity} kind={UNITS[o.kind].quantity} />
          </span>
          <meter
            className="fill"
            min={0}
            max={10_000}
            value={filledBps(o)}
            aria-label={t("orders.filledShare", { share: formatBps(filledBps(o), locale) })}
          />
        </>
      ),
    },
    {
      key: "remaining",
      header: t("orders.remaining"),
      numeric: true,
      render: (o) => <Amount value={o.remaining} kind={UNITS[o.kind].quantity} />,
    },
    { key: "status", header: t("orders.status"), render: (o) => <StatusBadge status={o.status} /> },
    { key: "expiry", header: t("orders.expiry"), render: (o) => formatTime(o.expiry, locale) },
    {
      key: "actions",
      header: <span className="visually-hidden">{t("orders.actions")}</span>,
      render: (o) => (
        <span className="cell-actions">
          <TxLink hash={o.posted.txHash} />
          {canCancelOrder(o, account) && (
            <button
              type="button"
              className="button button--small"
              disabled={tx.busy}
              aria-label={t("orders.cancelLabel", { order: t(`orders.kind.${o.kind}`, { id: o.id }) })}
              onClick={() =>
                void tx.run(t("orders.cancelTx", { order: t(`orders.kind.${o.kind}`, { id: o.id }) }), {
                  ...contracts.market,
                  functionName: CANCEL[o.kind],
                  args: [BigInt(o.id)],
                })
              }
            >
              {t("orders.cancel")}
            </button>
          )}
        </span>
      ),
    },
  ];

  return (
    <Card title={t("orders.title")}>
      <Table
        caption={t("orders.title")}
        hideCaption
        columns={columns}
        rows={orders}
        rowKey={(o) => `${o.kind}-${o.id}`}
        loading={loading}
        error={error}
        empty={t("orders.empty")}
        reflow
      />
      {pager}
      <TxStatus entry={tx.entry} />
    </Card>
  );
}
