// Where transactions announce themselves: a polite live region, so screen readers hear
// "Post bid: confirmed" without losing their place, and failures stay until dismissed.
import { useTranslation } from "react-i18next";

import { TxLink } from "../../components/TxLink.tsx";
import { useTxList } from "./index.tsx";

export function TxToast() {
  const { t } = useTranslation();
  const { entries, dismiss } = useTxList();
  return (
    <section className="tx-toasts" aria-live="polite" aria-label={t("tx.region")}>
      {entries.map((entry) => (
        <div key={entry.id} className={`tx-toast tx-toast--${entry.status}`}>
          <div className="tx-toast__head">
            <strong>{entry.label}</strong>
            <span className="tx-toast__status">{t(`tx.status.${entry.status}`)}</span>
          </div>
          {entry.error && <p className="tx-toast__error">{entry.error}</p>}
          {entry.hash && <TxLink hash={entry.hash} />}
          {(entry.status === "confirmed" || entry.status === "failed") && (
            <button type="button" className="link-button" onClick={() => dismiss(entry.id)}>
              {t("tx.dismiss")} <span className="visually-hidden">{entry.label}</span>
            </button>
          )}
        </div>
      ))}
    </section>
  );
}
