// Supply: compute suppliers post and cancel compute offers, network suppliers bandwidth offers,
// energy suppliers register devices, issue certificate batches and offer them (and a registrar
// approves devices). The tab follows the demo role when one is chosen, and lives in the URL.
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";

import { Tabs } from "../../components/Tabs.tsx";
import { useWallet } from "../../lib/wallet/index.tsx";
import { BandwidthTab } from "./BandwidthTab.tsx";
import { ComputeTab } from "./ComputeTab.tsx";
import { EnergyTab } from "./EnergyTab.tsx";

const TABS = ["compute", "bandwidth", "energy"] as const;
type Tab = (typeof TABS)[number];

const TAB_OF_ROLE: Partial<Record<string, Tab>> = {
  computeSupplier: "compute",
  networkSupplier: "bandwidth",
  energySupplier: "energy",
  registrar: "energy",
};

export default function SupplyPage() {
  const { t } = useTranslation("supply");
  const { role, account } = useWallet();
  const [params, setParams] = useSearchParams();
  const asked = params.get("tab");
  const tab: Tab = (TABS as readonly string[]).includes(asked ?? "")
    ? (asked as Tab)
    : (TAB_OF_ROLE[role ?? ""] ?? "compute");
  return (
    <>
      <div className="page-head">
        <h1>{t("title")}</h1>
        <p>{t("intro")}</p>
        {!account && <p className="field__hint">{t("common:wallet.connectFirst")}</p>}
      </div>
      <Tabs
        label={t("tabsLabel")}
        tabs={TABS.map((key) => ({ key, label: t(`tabs.${key}`) }))}
        selected={tab}
        onSelect={(key) => setParams({ tab: key }, { replace: true })}
      >
        {tab === "compute" && <ComputeTab />}
        {tab === "bandwidth" && <BandwidthTab />}
        {tab === "energy" && <EnergyTab />}
      </Tabs>
    </>
  );
}
