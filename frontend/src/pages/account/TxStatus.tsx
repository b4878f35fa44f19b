// The state of the transaction a form or button just started, said next to it (the toast says it
// too, but a person looking at the button should not have to look elsewhere).
import { useTranslation } from "react-i18next";

import { TxLink } from "../../components/TxLink.tsx";
import type { TxEntry } from "../../lib/tx/index.tsx";

export function TxStatus({ entry }: { entry: TxEntry | null }) {
  const { t } = useTranslation();
  if (entry === null) return null;
  return (
    <p className={`tx-inline tx-inline--${entry.status}`} role={entry.status === "failed" ? "alert" : "status"}>
      <span>{t(`tx.status.${entry.status}`)}</span>
      {entry.error && <span className="tx-inline__error"> {entry.error}</span>}
      {entry.hash && (
        <>
          {" "}
          · <TxLink hash={entry.hash} />
        </>
      )}
    </p>
  );
}
