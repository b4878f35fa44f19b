// Injected wallets (EIP-1193), discovered the EIP-6963 way: each wallet extension announces itself
// with a name, an icon and its own provider, so two installed wallets no longer fight over
// window.ethereum. A wallet that only sets window.ethereum is still offered as "Browser wallet".
import type { EIP1193Provider } from "viem";

export type InjectedWallet = { id: string; name: string; icon?: string; provider: EIP1193Provider };

type AnnounceEvent = CustomEvent<{
  info: { uuid: string; name: string; icon: string; rdns: string };
  provider: EIP1193Provider;
}>;

/** Listens for announced wallets; calls `onChange` with the full list each time one appears. */
export function discoverInjectedWallets(onChange: (wallets: InjectedWallet[]) => void): () => void {
  const found = new Map<string, InjectedWallet>();
  const report = () => {
    const list = [...found.values()];
    const legacy = (globalThis as { ethereum?: EIP1193Provider }).ethereum;
    if (legacy && !list.some((w) => w.provider === legacy))
      list.push({ id: "window.ethereum", name: "Browser wallet", provider: legacy });
    onChange(list);
  };
  const onAnnounce = (event: Event) => {
    const { info, provider } = (event as AnnounceEvent).detail;
    found.set(info.rdns || info.uuid, { id: info.rdns || info.uuid, name: info.name, icon: info.icon, provider });
    report();
  };
  window.addEventListener("eip6963:announceProvider", onAnnounce);
  window.dispatchEvent(new Event("eip6963:requestProvider"));
  report();
  return () => window.removeEventListener("eip6963:announceProvider", onAnnounce);
}

/** EIP-1193 error code of "Unrecognized chain ID" (the wallet must add the chain first). */
const UNKNOWN_CHAIN = 4902;

/** Puts the wallet on `chain`, adding it when the wallet does not know it yet. */
export async function ensureChain(
  provider: EIP1193Provider,
  chain: { id: number; name: string; rpcUrl: string },
): Promise<void> {
  const current = Number(await provider.request({ method: "eth_chainId" }));
  if (current === chain.id) return;
  const chainId = `0x${chain.id.toString(16)}` as const;
  try {
    await provider.request({ method: "wallet_switchEthereumChain", params: [{ chainId }] });
  } catch (error) {
    const code = (error as { code?: number; data?: { originalError?: { code?: number } } }).code;
    const nested = (error as { data?: { originalError?: { code?: number } } }).data?.originalError?.code;
    if (code !== UNKNOWN_CHAIN && nested !== UNKNOWN_CHAIN) throw error;
    await provider.request({
      method: "wallet_addEthereumChain",
      params: [
        {
          chainId,
          chainName: chain.name,
          rpcUrls: [chain.rpcUrl],
          nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
        },
      ],
    });
  }
}
