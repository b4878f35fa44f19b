import { useTranslation } from "react-i18next";
import { Link } from "react-router";

import { useStackConfig } from "../lib/config.tsx";
import { shortAddress } from "../lib/format.ts";

/** A transaction hash linked to the configured explorer, or to the market's own /tx/<hash> page. */
export function TxLink({ hash }: { hash: string }) {
  const { t } = useTranslation();
  const { explorerTxUrl } = useStackConfig();
  const label = t("tx.view", { hash: shortAddress(hash) });
  if (explorerTxUrl) {
    return (
      <a className="tx-link" href={explorerTxUrl.replace("{hash}", hash)} target="_blank" rel="noreferrer">
        {label}
      </a>
    );
  }
  return (
    <Link className="tx-link" to={`/tx/${hash}`}>
      {label}
    </Link>
  );
}
