// Settlement tokens the market owes this account (supplier payouts, buyer refunds) and the one
// button that sends them all; withdrawals keep working while new business is paused.
import { useTranslation } from "react-i18next";

import { Amount } from "../../components/Amount.tsx";
import { Card } from "../../components/Card.tsx";
import { useChain } from "../../lib/chain.ts";
import { useTx } from "../../lib/tx/index.tsx";
import { TxStatus } from "./TxStatus.tsx";

export function BalanceCard({
  balance,
}: {
  balance: { credited: string; withdrawn: string; withdrawable: string } | undefined;
}) {
  const { t } = useTranslation("account");
  const { contracts } = useChain();
  const tx = useTx();
  const withdrawable = balance ? BigInt(balance.withdrawable) : 0n;
  return (
    <Card title={t("balance.title")}>
      <dl className="figures">
        <div className="figure figure--main">
          <dt>{t("balance.withdrawable")}</dt>
          <dd>
            <Amount value={balance?.withdrawable} kind="token" />
          </dd>
        </div>
        <div className="figure">
          <dt>{t("balance.credited")}</dt>
          <dd>
            <Amount value={balance?.credited} kind="token" />
          </dd>
        </div>
        <div className="figure">
          <dt>{t("balance.withdrawn")}</dt>
          <dd>
            <Amount value={balance?.withdrawn} kind="token" />
          </dd>
        </div>
      </dl>
      <div className="button-row">
        <button
          type="button"
          className="button button--primary"
          disabled={withdrawable === 0n || tx.busy}
          onClick={() =>
            void tx.run(t("balance.withdrawTx"), { ...contracts.market, functionName: "withdraw", args: [] })
          }
        >
          {t("balance.withdraw")}
        </button>
        {withdrawable === 0n && <span className="hint">{t("balance.nothing")}</span>}
      </div>
      <TxStatus entry={tx.entry} />
    </Card>
  );
}
