// Who is signing: an injected wallet (any EIP-1193 extension) or, on a local chain, one of the
// stack's demo accounts for a role. The choice survives reloads (localStorage); an injected wallet
// is reconnected silently (eth_accounts) so a reload never pops a wallet prompt.
import { createContext, type ReactNode, use, useCallback, useEffect, useMemo, useState } from "react";
import { createWalletClient, custom, type EIP1193Provider, getAddress, type WalletClient } from "viem";

import type { DemoRole } from "../../../../protocol/accounts.ts";
import { chainFromConfig } from "../chain.ts";
import { absoluteUrl, useStackConfig } from "../config.tsx";
import { discoverInjectedWallets, ensureChain, type InjectedWallet } from "./injected.ts";

export type WalletKind = "demo" | "injected";
export type { DemoRole, InjectedWallet };

export type Wallet = {
  account: `0x${string}` | null;
  kind: WalletKind | null;
  /** The demo account's role; undefined for injected wallets. */
  role?: DemoRole;
  walletClient: WalletClient | null;
  /** Injected wallets found in this browser (EIP-6963, plus window.ethereum). */
  injectedWallets: InjectedWallet[];
  /** Demo roles this stack offers (empty unless it runs a local chain). */
  demoRoles: DemoRole[];
  connecting: boolean;
  /** The last connection attempt's failure, in the wallet's words. */
  error: string | null;
  /** Asks the wallet (the first discovered, or `walletId`) for an account and puts it on the stack's chain. */
  connectInjected(walletId?: string): Promise<void>;
  connectDemo(role: DemoRole): Promise<void>;
  disconnect(): void;
};

const STORAGE_KEY = "ccex.wallet";
type Saved = { kind: "demo"; role: DemoRole } | { kind: "injected"; walletId: string };

function readSaved(): Saved | null {
  try {
    const saved = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "null") as Saved | null;
    return saved && (saved.kind === "demo" || saved.kind === "injected") ? saved : null;
  } catch {
    return null;
  }
}

function save(saved: Saved | null) {
  if (saved) localStorage.setItem(STORAGE_KEY, JSON.stringify(saved));
  else localStorage.removeItem(STORAGE_KEY);
}

type Connected = {
  account: `0x${string}`;
  kind: WalletKind;
  role?: DemoRole;
  walletClient: WalletClient;
  provider?: EIP1193Provider;
};

const WalletContext = createContext<Wallet | null>(null);

export function useWallet(): Wallet {
  const wallet = use(WalletContext);
  if (wallet === null) throw new Error("useWallet outside <WalletProvider>");
  return wallet;
}

export function WalletProvider({ children }: { children: ReactNode }) {
  const config = useStackConfig();
  const { chain } = chainFromConfig(config);
  const [connected, setConnected] = useState<Connected | null>(null);
  const [injectedWallets, setInjectedWallets] = useState<InjectedWallet[]>([]);
  const [connecting, setConnecting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const demoRoles = useMemo(() => (config.local ? config.demoAccounts.map((a) => a.role) : []), [config]);

  useEffect(() => discoverInjectedWallets(setInjectedWallets), []);

  const attachInjected = useCallback(
    async (wallet: InjectedWallet, prompt: boolean) => {
      const method = prompt ? "eth_requestAccounts" : "eth_accounts";
      const accounts = (await wallet.provider.request({ method })) as string[];
      if (accounts.length === 0) {
        if (prompt) throw new Error("the wallet shared no account");
        return;
      }
      if (prompt)
        await ensureChain(wallet.provider, { id: chain.id, name: chain.name, rpcUrl: absoluteUrl(config.rpcUrl) });
      const account = getAddress(accounts[0]);
      const walletClient = createWalletClient({ account, chain, transport: custom(wallet.provider) });
      setConnected({ account, kind: "injected", walletClient, provider: wallet.provider });
      save({ kind: "injected", walletId: wallet.id });
    },
    [chain, config.rpcUrl],
  );

  const connectDemo = useCallback(
    async (role: DemoRole) => {
      const demo = config.local ? config.demoAccounts.find((a) => a.role === role) : undefined;
      if (!demo) throw new Error(`this stack offers no demo ${role}`);
      setConnecting(true);
      setError(null);
      try {
        const { demoWalletClient } = await import("./demo.ts");
        const walletClient = demoWalletClient(demo.privateKey as `0x${string}`, chain, absoluteUrl(config.rpcUrl));
        setConnected({ account: getAddress(demo.address), kind: "demo", role, walletClient });
        save({ kind: "demo", role });
      } finally {
        setConnecting(false);
      }
    },
    [chain, config],
  );

  const connectInjected = useCallback(
    async (walletId?: string) => {
      const wallet = injectedWallets.find((w) => walletId === undefined || w.id === walletId);
      setError(null);
      if (!wallet) {
        setError("no-wallet");
        return;
      }
      setConnecting(true);
      try {
        await attachInjected(wallet, true);
      } catch (e) {
        setError((e as { shortMessage?: string; message: string }).shortMessage ?? (e as Error).message);
      } finally {
        setConnecting(false);
      }
    },
    [injectedWallets, attachInjected],
  );

  const disconnect = useCallback(() => {
    setConnected(null);
    save(null);
  }, []);

  // Restore the last choice: demo at once; an injected wallet once it has announced itself.
  const [restored, setRestored] = useState(false);
  useEffect(() => {
    if (restored) return;
    const saved = readSaved();
    if (saved?.kind === "demo") {
      setRestored(true);
      if (demoRoles.includes(saved.role)) void connectDemo(saved.role).catch(() => save(null));
    } else if (saved?.kind === "injected") {
      const wallet = injectedWallets.find((w) => w.id === saved.walletId);
      if (wallet) {
        setRestored(true);
        void attachInjected(wallet, false).catch(() => undefined);
      }
    } else {
      setRestored(true);
    }
  }, [restored, demoRoles, injectedWallets, connectDemo, attachInjected]);

  // Follow the injected wallet when its user switches account or chain.
  const provider = connected?.provider;
  useEffect(() => {
    if (!provider) return;
    const onAccounts = (accounts: string[]) => {
      if (accounts.length === 0) return disconnect();
      const account = getAddress(accounts[0]);
      setConnected((c) =>
        c && c.provider === provider
          ? { ...c, account, walletClient: createWalletClient({ account, chain, transport: custom(provider) }) }
          : c,
      );
    };
    provider.on("accountsChanged", onAccounts);
    return () => provider.removeListener("accountsChanged", onAccounts);
  }, [provider, chain, disconnect]);

  const value = useMemo<Wallet>(
    () => ({
      account: connected?.account ?? null,
      kind: connected?.kind ?? null,
      role: connected?.role,
      walletClient: connected?.walletClient ?? null,
      injectedWallets,
      demoRoles,
      connecting,
      error,
      connectInjected,
      connectDemo: async (role) => {
        try {
          await connectDemo(role);
        } catch (e) {
          setError((e as Error).message);
        }
      },
      disconnect,
    }),
    [connected, injectedWallets, demoRoles, connecting, error, connectInjected, connectDemo, disconnect],
  );
  return <WalletContext value={value}>{children}</WalletContext>;
}
