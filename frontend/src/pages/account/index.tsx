// /account — everything the connected account has in the market: what it can withdraw, its deals
// with the actions open to it now, its orders, certificates and carbon credits. An arbiter also
// sees every dispute waiting for a ruling.
import "./account.css";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";

import { Card } from "../../components/Card.tsx";
import { Pager, useCursors } from "../../components/Pager.tsx";
import { QueryState } from "../../components/Table.tsx";
import { useChain } from "../../lib/chain.ts";
import { useGql } from "../../lib/graphql.ts";
import { useWallet } from "../../lib/wallet/index.tsx";
import { BalanceCard } from "./BalanceCard.tsx";
import { CertificatesCard } from "./CertificatesCard.tsx";
import { CreditsCard } from "./CreditsCard.tsx";
import { DealCard, PastDeal } from "./DealCard.tsx";
import { dealAgenda, type Viewer } from "./eligibility.ts";
import { OrdersCard } from "./OrdersCard.tsx";
import { ACCOUNT_QUERY, type AccountDeal, DISPUTED_DEALS_QUERY, PAGE_SIZE } from "./queries.ts";
import { ReportAllDue } from "./ReportAllDue.tsx";
import { dueForReport } from "./report-all.ts";
import { reportFlags } from "./report-flags.ts";
import { useChainNow } from "./use-chain-now.ts";

/** Whether `account` holds the market's ARBITER_ROLE, asked of the chain (roles can be granted after deployment). */
function useIsArbiter(account: `0x${string}` | null): boolean {
  const { publicClient, contracts } = useChain();
  const { data } = useQuery({
    queryKey: ["arbiter", contracts.market.address, account],
    enabled: account !== null,
    queryFn: async () => {
      const role = await publicClient.readContract({ ...contracts.market, functionName: "ARBITER_ROLE" });
      return publicClient.readContract({ ...contracts.market, functionName: "hasRole", args: [role, account!] });
    },
  });
  return data === true;
}

export default function AccountPage() {
  const { t } = useTranslation("account");
  const wallet = useWallet();
  const account = wallet.account;
  const isArbiter = useIsArbiter(account);
  const now = useChainNow();
  const viewer: Viewer = { account, isArbiter };

  const dealPages = useCursors();
  const orderPages = useCursors();
  const query = useGql(
    ["account", account],
    ACCOUNT_QUERY,
    {
      address: account?.toLowerCase() ?? "",
      first: PAGE_SIZE,
      dealsAfter: dealPages.after,
      ordersAfter: orderPages.after,
    },
    // The page on screen stays while the next one loads.
    { enabled: account !== null, placeholderData: (previous) => previous },
  );
  const disputes = useGql(["disputes"], DISPUTED_DEALS_QUERY, {}, { enabled: isArbiter });

  if (account === null) {
    return (
      <div className="stack account-page">
        <h1>{t("title")}</h1>
        <Card>
          <p>{t("connect.text")}</p>
          {wallet.demoRoles.length > 0 && (
            <div className="button-row" role="group" aria-label={t("connect.demo")}>
              {wallet.demoRoles.map((role) => (
                <button
                  key={role}
                  type="button"
                  className="button"
                  disabled={wallet.connecting}
                  onClick={() => void wallet.connectDemo(role)}
                >
                  {t(`common:roles.${role}`, { defaultValue: role })}
                </button>
              ))}
            </div>
          )}
        </Card>
      </div>
    );
  }

  const data = query.data?.account;
  const deals = sortDeals(data?.deals.nodes ?? [], viewer, now);
  const running = deals.filter((d) => !CLOSED.has(d.status));
  const past = deals.filter((d) => CLOSED.has(d.status));
  const mine = new Set(deals.map((d) => d.id));
  const openDisputes = (disputes.data?.deals.nodes ?? []).filter((d) => !mine.has(d.id));
  const due = now === null ? [] : dueForReport(running, viewer, now);
  const waiting = deals.filter(
    (d) => now !== null && dealAgenda(d, viewer, now, reportFlags(d)?.flagged ?? null).actions.length > 0,
  ).length;

  return (
    <div className="stack account-page">
      <h1>{t("title")}</h1>
      {query.error && <QueryState loading={false} error={query.error} />}
      <div className="account-grid">
        <BalanceCard balance={data?.marketBalance} />
        <CreditsCard data={data} account={account} />
      </div>

      {isArbiter && (
        <Card title={t("disputes.title")}>
          {openDisputes.length === 0 ? (
            <QueryState loading={disputes.isPending} error={disputes.error} empty={t("disputes.empty")} />
          ) : (
            <div className="deal-list">
              {openDisputes.map((deal) => (
                <DealCard key={deal.id} deal={deal} viewer={viewer} now={now} flags={reportFlags(deal)} />
              ))}
            </div>
          )}
        </Card>
      )}

      <Card
        title={t("deals.title")}
        actions={
          waiting > 0 ? <span className="badge badge--warn">{t("deals.waiting", { count: waiting })}</span> : undefined
        }
      >
        <ReportAllDue due={due} />
        {deals.length === 0 ? (
          <QueryState loading={query.isPending} error={query.error} empty={t("deals.empty")} />
        ) : (
          <div className="deal-list">
            {running.map((deal) => (
              <DealCard key={deal.id} deal={deal} viewer={viewer} now={now} flags={reportFlags(deal)} />
            ))}
            {past.length > 0 && (
              <section className="deal-past-list" aria-label={t("deals.past")}>
                <h3>{t("deals.past")}</h3>
                <p className="hint">{t("deals.pastHint")}</p>
                {past.map((deal) => (
                  <PastDeal key={deal.id} deal={deal} viewer={viewer} now={now} />
                ))}
              </section>
            )}
          </div>
        )}
        <Pager cursors={dealPages} pageInfo={data?.deals.pageInfo} label={t("deals.pages")} />
      </Card>

      <OrdersCard
        orders={data?.orders.nodes}
        account={account}
        loading={query.isPending}
        error={query.error}
        pager={<Pager cursors={orderPages} pageInfo={data?.orders.pageInfo} label={t("orders.pages")} />}
      />
      <CertificatesCard holdings={data?.certificates} account={account} loading={query.isPending} error={query.error} />
    </div>
  );
}

const CLOSED = new Set(["FINALIZED", "CANCELLED"]);

/** Deals waiting for this account first, then the others still running, then closed ones; newest first within each. */
function sortDeals(deals: AccountDeal[], viewer: Viewer, now: number | null): AccountDeal[] {
  const rank = (d: AccountDeal) =>
    now !== null && dealAgenda(d, viewer, now, reportFlags(d)?.flagged ?? null).actions.length > 0
      ? 0
      : CLOSED.has(d.status)
        ? 2
        : 1;
  return [...deals].sort((a, b) => rank(a) - rank(b) || Number(BigInt(b.id) - BigInt(a.id)));
}
