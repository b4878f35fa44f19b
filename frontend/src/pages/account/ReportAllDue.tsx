// The compute supplier's one button for every due usage report (report-all.ts), with what came of
// each deal: reported, or left out and why.
import { useMutation } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import type { Hex } from "viem";

import { marketAbi } from "../../../../protocol/generated/abis.ts";
import { useChain } from "../../lib/chain.ts";
import { useStackConfig } from "../../lib/config.tsx";
import { decodeContractError, useTx } from "../../lib/tx/index.tsx";
import { useWallet } from "../../lib/wallet/index.tsx";
import { fetchMeteredReport } from "../metering/api.ts";
import type { AccountDeal } from "./queries.ts";
import { type ReportAllResult, reportAllDue } from "./report-all.ts";

export function ReportAllDue({ due }: { due: readonly AccountDeal[] }) {
  const { t } = useTranslation("account");
  const config = useStackConfig();
  const { contracts, publicClient } = useChain();
  const { account } = useWallet();
  const tx = useTx();
  const run = useMutation<ReportAllResult>({
    mutationFn: () =>
      reportAllDue({
        deals: due,
        readMetered: (id) => fetchMeteredReport(config.apiUrl, id),
        // Through `multicall`, as the batch will run it, so the market's custom error comes back.
        dryRun: async (call: Hex) => {
          try {
            await publicClient.simulateContract({
              ...contracts.market,
              abi: marketAbi,
              functionName: "multicall",
              args: [[call]],
              account: account!,
            });
            return undefined;
          } catch (error) {
            const decoded = decodeContractError(error);
            if (decoded) return decoded.name;
            throw error;
          }
        },
        send: async (calls) => {
          const receipt = await tx.run(t("reportAll.tx", { count: calls.length }), {
            ...contracts.market,
            functionName: "multicall",
            args: [calls],
          });
          if (receipt === null) throw new Error(t("reportAll.notSent"));
          return receipt;
        },
      }),
  });
  if (due.length < 2 || account === null) return null;
  const result = run.data;
  return (
    <div className="report-all">
      <button
        type="button"
        className="button button--primary"
        disabled={run.isPending || tx.busy}
        onClick={() => run.mutate()}
      >
        {t("reportAll.button", { count: due.length })}
      </button>
      <p className="hint">{t("reportAll.hint")}</p>
      <div role="status">
        {run.error && <p className="state state--error">{run.error.message}</p>}
        {result && result.reported.length > 0 && (
          <p>{t("reportAll.reported", { ids: result.reported.map((id) => `#${id}`).join(", ") })}</p>
        )}
        {result && result.refused.length > 0 && (
          <ul className="report-all__refused">
            {result.refused.map((r) => (
              <li key={String(r.dealId)}>{t("reportAll.refused", { id: String(r.dealId), reason: r.reason })}</li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}
