// The compute offers a bid of this class could be matched with: a deal runs over the bid's window,
// which must lie inside an offer's window, so the buyer sees them and can take one's window.
import { useTranslation } from "react-i18next";

import { Amount } from "../../components/Amount.tsx";
import { Card } from "../../components/Card.tsx";
import { type Column, Table } from "../../components/Table.tsx";
import { formatShortTime, formatTime } from "../../lib/format.ts";
import { graphql, type ResultOf, useGql } from "../../lib/graphql.ts";
import { useLocale } from "../../lib/locale.ts";
import { regionName } from "../../lib/regions.ts";

const OPEN_OFFERS = graphql(`
  query OpenComputeOffers($hardwareClass: String) {
    orders(filter: { kind: COMPUTE_OFFER, status: OPEN, hardwareClass: $hardwareClass }, first: 10) {
      nodes { id region windowStart windowEnd remaining price }
    }
  }
`);
/** Compute offers always carry a region and a window (the schema's Order leaves them nullable for other kinds). */
export type OpenOffer = ResultOf<typeof OPEN_OFFERS>["orders"]["nodes"][number] & {
  region: number;
  windowStart: number;
  windowEnd: number;
};

function isComputeOffer(o: ResultOf<typeof OPEN_OFFERS>["orders"]["nodes"][number]): o is OpenOffer {
  return o.region !== null && o.windowStart !== null && o.windowEnd !== null;
}

export function OpenOffers({ hardwareClass, onUse }: { hardwareClass: string; onUse: (offer: OpenOffer) => void }) {
  const { t } = useTranslation("buy");
  const locale = useLocale();
  const offers = useGql(["buy", "open-offers"], OPEN_OFFERS, { hardwareClass });
  const columns: Column<OpenOffer>[] = [
    { key: "where", header: t("offers.where"), render: (o) => regionName(o.region, locale) },
    {
      key: "window",
      header: t("offers.window"),
      render: (o) => (
        <span title={`${formatTime(o.windowStart, locale)} – ${formatTime(o.windowEnd, locale)}`}>
          {formatShortTime(o.windowStart, locale)} – {formatShortTime(o.windowEnd, locale)}
        </span>
      ),
    },
    {
      key: "left",
      header: t("offers.left"),
      numeric: true,
      render: (o) => <Amount value={o.remaining} kind="vcuHours" />,
    },
    {
      key: "reserve",
      header: t("offers.reserve"),
      numeric: true,
      render: (o) => <Amount value={o.price} kind="token" digits={4} />,
    },
    {
      key: "use",
      header: <span className="visually-hidden">{t("offers.actions")}</span>,
      render: (o) => (
        <button type="button" onClick={() => onUse(o)} aria-label={t("offers.useLabel", { id: o.id })}>
          {t("offers.use")}
        </button>
      ),
    },
  ];
  return (
    <Card title={t("offers.title", { hardware: t(`common:hardware.${hardwareClass}`) })}>
      <p className="field__hint">{t("offers.intro")}</p>
      <Table
        caption={t("offers.title", { hardware: t(`common:hardware.${hardwareClass}`) })}
        hideCaption
        columns={columns}
        rows={offers.data?.orders.nodes.filter(isComputeOffer)}
        rowKey={(o) => o.id}
        loading={offers.isPending}
        error={offers.error}
        empty={t("offers.none")}
      />
    </Card>
  );
}
