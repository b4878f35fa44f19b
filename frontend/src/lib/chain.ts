// The chain as the page sees it: one viem public client on the stack's RPC (the /rpc proxy on one
// origin), the chain definition wallets are asked to switch to, and the deployed contracts with
// the ABIs generated from the build (protocol/generated/abis.ts), never copied by hand.
import { type Chain, createPublicClient, defineChain, http, type PublicClient } from "viem";

import {
  carbonCreditsAbi,
  greenCertificatesAbi,
  localSettlementTokenAbi,
  marketAbi,
} from "../../../protocol/generated/abis.ts";
import type { StackConfig } from "../../../protocol/stack-config.ts";
import { absoluteUrl, useStackConfig } from "./config.tsx";

export type ChainContext = {
  chain: Chain;
  publicClient: PublicClient;
  contracts: {
    market: { address: `0x${string}`; abi: typeof marketAbi };
    certificates: { address: `0x${string}`; abi: typeof greenCertificatesAbi };
    credits: { address: `0x${string}`; abi: typeof carbonCreditsAbi };
    /** The settlement ERC-20; the local token's ABI is a superset of ERC-20 + EIP-2612 (+ faucet on local chains). */
    token: { address: `0x${string}`; abi: typeof localSettlementTokenAbi };
  };
};

const cache = new WeakMap<StackConfig, ChainContext>();

export function chainFromConfig(config: StackConfig): ChainContext {
  let context = cache.get(config);
  if (context) return context;
  const rpcUrl = absoluteUrl(config.rpcUrl);
  const chain = defineChain({
    id: config.chainId,
    name: config.chainName,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
    testnet: config.local,
  });
  // Local blocks come every few seconds at most: poll often so the page follows them closely.
  const publicClient = createPublicClient({
    chain,
    transport: http(rpcUrl),
    pollingInterval: config.local ? 1_000 : 4_000,
  });
  const c = config.deployment.contracts;
  context = {
    chain,
    publicClient,
    contracts: {
      market: { address: c.Market as `0x${string}`, abi: marketAbi },
      certificates: { address: c.GreenCertificates as `0x${string}`, abi: greenCertificatesAbi },
      credits: { address: c.CarbonCredits as `0x${string}`, abi: carbonCreditsAbi },
      token: { address: c.SettlementToken as `0x${string}`, abi: localSettlementTokenAbi },
    },
  };
  cache.set(config, context);
  return context;
}

/** The chain of the stack this page was served by. */
export function useChain(): ChainContext {
  return chainFromConfig(useStackConfig());
}
