// Transactions as people see them: each is labelled ("Post bid"), simulated against the chain
// before the wallet is asked to sign (so a revert is explained without spending a signature or
// gas), then pending until mined, then confirmed or failed with the reason in plain words.
// The provider keeps the list that <TxToast/> announces; useTx() runs one and follows it.
import { useQueryClient } from "@tanstack/react-query";
import { createContext, type ReactNode, use, useCallback, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import type { Abi, Hash, TransactionReceipt, WalletClient } from "viem";

import { type ChainContext, useChain } from "../chain.ts";
import type { Locale } from "../format.ts";
import { useWallet } from "../wallet/index.tsx";
import { describeError, type ErrorContext } from "./describe-error.ts";

export { CUSTOM_ERRORS, decodeContractError, describeError } from "./describe-error.ts";

export type TxStatus = "preparing" | "signing" | "pending" | "confirmed" | "failed";
export type TxEntry = { id: number; label: string; status: TxStatus; hash?: Hash; error?: string };

/** One contract call; viem checks `functionName` and `args` against `abi`. */
export type WriteRequest = { address: `0x${string}`; abi: Abi; functionName: string; args?: readonly unknown[] };

export type PrepareContext = { account: `0x${string}`; walletClient: WalletClient; chain: ChainContext };

const CONFIRMED_TOAST_MS = 10_000;

type TxList = {
  entries: TxEntry[];
  update(id: number, patch: Partial<TxEntry>): void;
  add(label: string): number;
  dismiss(id: number): void;
};
const TxContext = createContext<TxList | null>(null);

export function TxProvider({ children }: { children: ReactNode }) {
  const [entries, setEntries] = useState<TxEntry[]>([]);
  const next = useRef(1);
  const value = useMemo<TxList>(
    () => ({
      entries,
      add(label) {
        const id = next.current++;
        setEntries((list) => [...list.slice(-4), { id, label, status: "preparing" }]);
        return id;
      },
      update(id, patch) {
        setEntries((list) => list.map((e) => (e.id === id ? { ...e, ...patch } : e)));
        // A confirmation is news for a moment; a failure stays until read and dismissed.
        if (patch.status === "confirmed")
          setTimeout(() => setEntries((list) => list.filter((e) => e.id !== id)), CONFIRMED_TOAST_MS);
      },
      dismiss(id) {
        setEntries((list) => list.filter((e) => e.id !== id));
      },
    }),
    [entries],
  );
  return <TxContext value={value}>{children}</TxContext>;
}

export function useTxList(): TxList {
  const list = use(TxContext);
  if (list === null) throw new Error("useTxList outside <TxProvider>");
  return list;
}

export type RunOptions = Omit<ErrorContext, "locale">;

/**
 * Runs labelled transactions from a component and follows the latest one.
 * @example
 * const tx = useTx();
 * await tx.run(t("postBid"), { ...market, functionName: "postBid", args: [params] });
 */
export function useTx() {
  const { t, i18n } = useTranslation();
  const chain = useChain();
  const { account, walletClient, kind } = useWallet();
  const list = useTxList();
  const queryClient = useQueryClient();
  const [id, setId] = useState<number | null>(null);

  const run = useCallback(
    async (
      label: string,
      request: WriteRequest | ((ctx: PrepareContext) => Promise<WriteRequest>),
      options: RunOptions = {},
    ): Promise<TransactionReceipt | null> => {
      const txId = list.add(label);
      setId(txId);
      const fail = (error: unknown) => {
        list.update(txId, {
          status: "failed",
          error: describeError(error, t, { locale: i18n.language as Locale, ...options }),
        });
        return null;
      };
      if (!account || !walletClient) return fail(new Error(t("wallet.connectFirst")));
      try {
        const write = typeof request === "function" ? await request({ account, walletClient, chain }) : request;
        // Simulating first turns a revert into its custom error before the wallet asks for a signature.
        // Against the pending block: the transaction lands in the next block, stamped with the
        // node's clock, while the latest block of a quiet chain may be minutes old (a deadline
        // that has passed would still look ahead).
        const { request: simulated } = await chain.publicClient.simulateContract({
          ...write,
          account,
          blockTag: "pending",
        } as Parameters<typeof chain.publicClient.simulateContract>[0]);
        if (kind === "injected" && (await walletClient.getChainId()) !== chain.chain.id)
          await walletClient.switchChain({ id: chain.chain.id });
        list.update(txId, { status: "signing" });
        // The client's own account signs: a local (demo) account signs in the page, a JSON-RPC one in the wallet.
        const hash = await walletClient.writeContract({
          ...(simulated as Parameters<WalletClient["writeContract"]>[0]),
          account: walletClient.account ?? account,
          chain: chain.chain,
        });
        list.update(txId, { status: "pending", hash });
        const receipt = await chain.publicClient.waitForTransactionReceipt({ hash });
        if (receipt.status !== "success") {
          list.update(txId, { status: "failed", error: t("errors:revertedOnChain") });
          return null;
        }
        list.update(txId, { status: "confirmed" });
        void queryClient.invalidateQueries();
        return receipt;
      } catch (error) {
        return fail(error);
      }
    },
    [account, walletClient, kind, chain, list, queryClient, t, i18n.language],
  );

  // The toast list forgets confirmations after a while; the page that ran the transaction keeps saying it.
  const found = list.entries.find((e) => e.id === id);
  const lastSeen = useRef<TxEntry | null>(null);
  if (found) lastSeen.current = found;
  const entry = found ?? (id === null ? null : lastSeen.current);
  return {
    run,
    entry,
    busy: entry !== null && (entry.status === "preparing" || entry.status === "signing" || entry.status === "pending"),
  };
}
