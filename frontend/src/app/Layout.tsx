// The shell around every page: skip link, header (brand, nav, live indicator, language, wallet),
// the page, the transaction announcements and a footer naming the chain.
import { Suspense } from "react";
import { useTranslation } from "react-i18next";
import { isRouteErrorResponse, Link, NavLink, Outlet, useRouteError } from "react-router";

import { useStackConfig } from "../lib/config.tsx";
import { useLiveState, useLiveUpdates } from "../lib/graphql.ts";
import { TxToast } from "../lib/tx/TxToast.tsx";
import { LanguageSwitch } from "./LanguageSwitch.tsx";
import { PAGES, pageExists } from "./router.tsx";
import { WalletMenu } from "./WalletMenu.tsx";

export function Layout() {
  useLiveUpdates();
  return (
    <Shell>
      <Suspense fallback={<PageLoading />}>
        <Outlet />
      </Suspense>
    </Shell>
  );
}

function Shell({ children }: { children: React.ReactNode }) {
  const { t } = useTranslation();
  const config = useStackConfig();
  return (
    <>
      <a className="skip-link" href="#main">
        {t("skipToContent")}
      </a>
      <header className="site-header">
        <div className="site-header__inner">
          <Link to="/" className="brand" aria-label={t("brand.home")}>
            <span className="brand__mark" aria-hidden="true" />
            <span className="brand__name">CCEX</span>
            <span className="brand__tag">{t("brand.tagline")}</span>
          </Link>
          <nav className="site-nav" aria-label={t("nav.label")}>
            <ul>
              {PAGES.filter((p) => "nav" in p && pageExists(p.name)).map((p) => (
                <li key={p.name}>
                  <NavLink to={"navPath" in p ? p.navPath : p.path} end={p.path === "/"}>
                    {t("nav" in p ? p.nav : "")}
                  </NavLink>
                </li>
              ))}
            </ul>
          </nav>
          <div className="site-header__tools">
            <LiveIndicator />
            <LanguageSwitch />
            <WalletMenu />
          </div>
        </div>
      </header>
      <main id="main" tabIndex={-1} className="page">
        {children}
      </main>
      <TxToast />
      <footer className="site-footer">
        <span>{t("footer.chain", { name: config.chainName, id: config.chainId })}</span>
        {config.local && <span className="badge badge--warn">{t("footer.local")}</span>}
      </footer>
    </>
  );
}

function LiveIndicator() {
  const { t } = useTranslation();
  const live = useLiveState();
  return (
    <span className={`live live--${live.via}`} title={t(`live.${live.via}`)}>
      <span className="live__dot" aria-hidden="true" />
      <span className="live__text">
        {live.block === null ? t(`live.${live.via}`) : t("live.block", { block: live.block })}
      </span>
    </span>
  );
}

/** Said while a page's code or texts load (also React Router's HydrateFallback for a lazy route). */
export function PageLoading() {
  const { t } = useTranslation();
  return (
    <p className="state" role="status">
      {t("state.loadingPage")}
    </p>
  );
}

export function NotFound() {
  const { t } = useTranslation();
  return (
    <div className="page-head">
      <h1>{t("notFound.title")}</h1>
      <p>
        <Link to="/">{t("notFound.back")}</Link>
      </p>
    </div>
  );
}

/** A page that threw (or whose chunk failed to load) is replaced by this, inside the shell. */
export function RouteError() {
  const { t } = useTranslation();
  const error = useRouteError();
  const detail = isRouteErrorResponse(error)
    ? `${error.status} ${error.statusText}`
    : error instanceof Error
      ? error.message
      : String(error);
  return (
    <div className="page-head" role="alert">
      <h1>{t("routeError.title")}</h1>
      <p>{t("routeError.body")}</p>
      <pre className="error-detail">{detail}</pre>
      <button type="button" onClick={() => location.reload()}>
        {t("routeError.reload")}
      </button>
    </div>
  );
}
