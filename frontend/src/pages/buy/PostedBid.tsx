// What became of the bid just posted: it waits in escrow until a batch matches it, then each deal
// the matcher opened from it is named with its price and a link. The line is a live region, so a
// screen reader hears the match when the next block brings it.
import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { Amount } from "../../components/Amount.tsx";
import { useGql } from "../../lib/graphql.ts";
import { agreedPrice } from "../account/agreed-price.ts";
import { POSTED_BID } from "./queries.ts";

export function PostedBid({ bidId }: { bidId: bigint }) {
  const { t } = useTranslation("buy");
  const { data } = useGql(["buy", "posted-bid", bidId.toString()], POSTED_BID, { bidId: bidId.toString() });
  const deals = data?.deals.nodes ?? [];
  const order = data?.order;
  const id = bidId.toString();
  return (
    <div className="tx-status tx-status--confirmed posted-bid" role="status">
      {deals.length === 0 ? (
        <p>
          {t("posted", { id })} {t("waitingForMatch")}
        </p>
      ) : (
        <>
          <p>
            {order && BigInt(order.remaining) > 0n
              ? t("matchedPartly", {
                  id,
                  count: deals.length,
                  filled: order.filled,
                  quantity: order.quantity,
                })
              : t("matched", { id, count: deals.length })}
          </p>
          <ul>
            {deals.map((deal) => {
              const price = agreedPrice(deal);
              return (
                <li key={deal.id}>
                  <Link to={`/trace/deal/${deal.id}`}>{t("dealLink", { id: deal.id })}</Link>
                  {": "}
                  <Amount value={deal.vcuHours} kind="vcuHours" /> · <Amount value={price.total} kind="token" /> (
                  <Amount value={price.perVcuHour} kind="token" per="/ VCU·h" />)
                </li>
              );
            })}
          </ul>
        </>
      )}
      <p>
        <Link to="/">{t("seeBook")}</Link> · <Link to="/account">{t("seeAccount")}</Link>
      </p>
    </div>
  );
}
