// Demo accounts sign in the page with their (public, play-money) dev keys. Loaded on demand so
// that visitors with an injected wallet never download the local signer.
import { type Chain, createWalletClient, http, type WalletClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";

export function demoWalletClient(privateKey: `0x${string}`, chain: Chain, rpcUrl: string): WalletClient {
  return createWalletClient({ account: privateKeyToAccount(privateKey), chain, transport: http(rpcUrl) });
}
