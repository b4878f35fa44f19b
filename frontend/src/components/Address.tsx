import { useTranslation } from "react-i18next";

import { shortAddress } from "../lib/format.ts";
import { useWallet } from "../lib/wallet/index.tsx";

/** An account, shortened, with the full address for copy and assistive tech; "you" when it is the wallet's. */
export function Address({ address }: { address: string | null | undefined }) {
  const { t } = useTranslation();
  const { account } = useWallet();
  if (!address) return <span className="address">—</span>;
  const mine = account !== null && account.toLowerCase() === address.toLowerCase();
  return (
    <span className="address" title={address}>
      {/* biome-ignore lint/a11y/useAriaPropsSupportedByRole: a screen reader reads the whole address, not its shortened form */}
      <code aria-label={address}>{shortAddress(address)}</code>
      {mine && <span className="badge badge--you">{t("you")}</span>}
    </span>
  );
}
