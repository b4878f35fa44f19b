// The viem clients the matcher talks to the chain through. Retries are ours (retry.ts), not the
// transport's, so that every retry is classified, logged and bounded in one place.
import {
  type Chain,
  createPublicClient,
  createWalletClient,
  defineChain,
  type HttpTransport,
  http,
  type LocalAccount,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";

export type CreateChainClientsParameters = {
  chainId: number;
  /** JSON-RPC endpoint; ignored when `transport` is given. */
  rpcUrl?: string;
  /** A ready transport (tests wrap one to inject faults). */
  transport?: Transport;
  /** The key that signs settlements; without it only the public client is made. */
  account?: LocalAccount;
  /** How often polling actions (receipts, block and event watchers) ask the node, ms. */
  pollingIntervalMs?: number;
  /** Per-request timeout, ms. */
  timeoutMs?: number;
};

export type ChainClients = {
  chain: Chain;
  publicClient: PublicClient<Transport, Chain>;
  walletClient: WalletClient<Transport, Chain, LocalAccount> | undefined;
};

/**
 * @example
 * const { publicClient, walletClient } = createChainClients({ chainId: 31337, rpcUrl: "http://127.0.0.1:8545", account })
 */
export function createChainClients(parameters: CreateChainClientsParameters): ChainClients {
  const { chainId, account, pollingIntervalMs = 1_000, timeoutMs = 20_000 } = parameters;
  const transport: Transport =
    parameters.transport ?? (http(parameters.rpcUrl, { retryCount: 0, timeout: timeoutMs }) satisfies HttpTransport);
  const chain = defineChain({
    id: chainId,
    name: `chain ${chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: parameters.rpcUrl === undefined ? [] : [parameters.rpcUrl] } },
  });
  const publicClient = createPublicClient({ chain, transport, pollingInterval: pollingIntervalMs });
  const walletClient =
    account === undefined
      ? undefined
      : createWalletClient({ chain, transport, account, pollingInterval: pollingIntervalMs });
  return { chain, publicClient, walletClient };
}
