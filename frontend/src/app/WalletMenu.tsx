// Connect a browser wallet, or on a local chain pick a ready demo account for a role, so a
// newcomer can play every side of the market without installing anything.
import { useEffect, useId, useRef, useState } from "react";
import { useTranslation } from "react-i18next";

import { shortAddress } from "../lib/format.ts";
import { useWallet } from "../lib/wallet/index.tsx";

export function WalletMenu() {
  const { t } = useTranslation();
  const wallet = useWallet();
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        setOpen(false);
        button.current?.focus();
      }
    };
    const onClick = (e: MouseEvent) => {
      if (!root.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("keydown", onKey);
    document.addEventListener("mousedown", onClick);
    return () => {
      document.removeEventListener("keydown", onKey);
      document.removeEventListener("mousedown", onClick);
    };
  }, [open]);

  const label = wallet.account
    ? `${wallet.role ? t(`roles.${wallet.role}`) : t("wallet.injected")} ${shortAddress(wallet.account)}`
    : t("wallet.connect");

  return (
    <div className="wallet-menu" ref={root}>
      <button
        ref={button}
        type="button"
        className={`wallet-menu__button ${wallet.account ? "is-connected" : "button--primary"}`}
        aria-expanded={open}
        aria-controls={panelId}
        aria-label={wallet.account ? t("wallet.menuConnected", { who: label }) : t("wallet.connect")}
        onClick={() => setOpen((o) => !o)}
      >
        {label}
      </button>
      <div id={panelId} className="wallet-menu__panel" hidden={!open}>
        {wallet.account && (
          <div className="wallet-menu__current">
            <p className="wallet-menu__who">
              {wallet.role ? t("wallet.demoAs", { role: t(`roles.${wallet.role}`) }) : t("wallet.injected")}
            </p>
            <code className="wallet-menu__address">{wallet.account}</code>
            <button
              type="button"
              onClick={() => {
                wallet.disconnect();
                setOpen(false);
              }}
            >
              {t("wallet.disconnect")}
            </button>
          </div>
        )}
        <h2 className="wallet-menu__heading">{t("wallet.browserWallets")}</h2>
        {wallet.injectedWallets.length === 0 ? (
          <p className="wallet-menu__note">{t("wallet.noInjected")}</p>
        ) : (
          <ul className="wallet-menu__list">
            {wallet.injectedWallets.map((w) => (
              <li key={w.id}>
                <button
                  type="button"
                  disabled={wallet.connecting}
                  onClick={async () => {
                    await wallet.connectInjected(w.id);
                    setOpen(false);
                  }}
                >
                  {w.icon && <img src={w.icon} alt="" width={18} height={18} />}
                  {t("wallet.connectNamed", { name: w.name })}
                </button>
              </li>
            ))}
          </ul>
        )}
        {wallet.demoRoles.length > 0 && (
          <>
            <h2 className="wallet-menu__heading">{t("wallet.demoAccounts")}</h2>
            <p className="wallet-menu__note">{t("wallet.demoNote")}</p>
            <ul className="wallet-menu__list">
              {wallet.demoRoles.map((role) => (
                <li key={role}>
                  <button
                    type="button"
                    aria-pressed={wallet.kind === "demo" && wallet.role === role}
                    disabled={wallet.connecting}
                    onClick={async () => {
                      await wallet.connectDemo(role);
                      setOpen(false);
                    }}
                  >
                    {t("wallet.playAs", { role: t(`roles.${role}`) })}
                  </button>
                </li>
              ))}
            </ul>
          </>
        )}
        {wallet.error && (
          <p className="field__error" role="alert">
            {wallet.error === "no-wallet" ? t("wallet.noInjected") : t("wallet.failed", { detail: wallet.error })}
          </p>
        )}
      </div>
    </div>
  );
}
