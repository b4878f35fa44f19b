// How the demo talks to the chain: one wallet per participant, every state change a real signed
// transaction (the stack persists the chain by replaying them), and chain time moved forward only
// with evm_setNextBlockTimestamp — which the next transaction then mines at.
import {
  type Abi,
  type Address,
  type Chain,
  type ContractFunctionArgs,
  type ContractFunctionName,
  createWalletClient,
  decodeFunctionData,
  encodeFunctionData,
  type Hex,
  http,
  type PublicClient,
  parseGwei,
  type TransactionReceipt,
  type Transport,
  type WalletClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";

import { createChainClients } from "../../backend/chain/create-clients.ts";
import type { DevAccount } from "../../protocol/accounts.ts";
import type { Deployment } from "../../protocol/deployment.ts";
import {
  carbonCreditsAbi,
  greenCertificatesAbi,
  localSettlementTokenAbi,
  marketAbi,
} from "../../protocol/generated/abis.ts";

export const CONTRACTS = {
  market: marketAbi,
  certificates: greenCertificatesAbi,
  credits: carbonCreditsAbi,
  token: localSettlementTokenAbi,
} as const;
export type ContractKey = keyof typeof CONTRACTS;

type Writable<K extends ContractKey> = ContractFunctionName<(typeof CONTRACTS)[K], "nonpayable">;

export class DemoChain {
  readonly publicClient: PublicClient<Transport, Chain>;
  readonly chain: Chain;
  readonly addresses: Record<ContractKey, Address>;
  readonly abis = CONTRACTS;
  /** Transactions this process has sent. */
  sent = 0;
  /**
   * The gas limit every transaction carries instead of an estimate, or undefined to estimate each one.
   * The seed sets it: its history is fixed and known to succeed, and an estimate runs every transaction
   * on the node once more before it is sent. A transaction that reverts anyway is mined as reverted;
   * its error is then named by running the call again on the block before.
   */
  gasLimit: bigint | undefined;
  readonly #wallets = new Map<number, WalletClient<Transport, Chain>>();
  readonly #nonces = new Map<number, number>();
  readonly #rpcUrl: string;

  constructor(rpcUrl: string, deployment: Deployment) {
    this.#rpcUrl = rpcUrl;
    const { chain, publicClient } = createChainClients({ chainId: deployment.chainId, rpcUrl, pollingIntervalMs: 100 });
    this.chain = chain;
    this.publicClient = publicClient;
    this.addresses = {
      market: deployment.contracts.Market as Address,
      certificates: deployment.contracts.GreenCertificates as Address,
      credits: deployment.contracts.CarbonCredits as Address,
      token: deployment.contracts.SettlementToken as Address,
    };
  }

  #wallet(from: DevAccount): WalletClient<Transport, Chain> {
    let wallet = this.#wallets.get(from.index);
    if (wallet === undefined) {
      wallet = createWalletClient({
        chain: this.chain,
        transport: http(this.#rpcUrl, { retryCount: 0 }),
        account: privateKeyToAccount(from.privateKey),
      });
      this.#wallets.set(from.index, wallet);
    }
    return wallet;
  }

  /**
   * Sends one contract call and returns its receipt. Gas is estimated, so a call that would revert
   * throws here (with the market's error name) and never reaches the chain.
   */
  async write<K extends ContractKey, F extends Writable<K>>(
    from: DevAccount,
    contract: K,
    functionName: F,
    args: ContractFunctionArgs<(typeof CONTRACTS)[K], "nonpayable", F>,
  ): Promise<TransactionReceipt> {
    const wallet = this.#wallet(from);
    const nonce = await this.#nonce(from);
    let hash: Hex;
    try {
      hash = await wallet.writeContract({
        address: this.addresses[contract],
        abi: CONTRACTS[contract] as Abi,
        functionName,
        args: args as readonly unknown[],
        nonce,
        gas: this.gasLimit,
        // Fixed fees: a dev chain's base fee stays far below, and it saves two requests per transaction.
        maxFeePerGas: parseGwei("50"),
        maxPriorityFeePerGas: parseGwei("1"),
      } as never);
    } catch (err) {
      // Most likely the gas estimate reverted and the nonce is still free; if not, the node knows best.
      this.#nonces.delete(from.index);
      throw err;
    }
    this.#nonces.set(from.index, nonce + 1);
    const receipt = await this.#receipt(hash);
    if (receipt.status !== "success")
      throw new Error(
        `transaction ${hash} reverted: ${await this.#revertReason(from, contract, receipt, functionName, args as readonly unknown[])}`,
      );
    return receipt;
  }

  /** Why a mined call reverted: the call run again on the state its block started from. */
  async #revertReason(
    from: DevAccount,
    contract: ContractKey,
    receipt: TransactionReceipt,
    functionName: string,
    args: readonly unknown[],
  ): Promise<string> {
    try {
      await this.publicClient.simulateContract({
        account: from.address,
        address: this.addresses[contract],
        abi: CONTRACTS[contract] as Abi,
        functionName,
        args,
        blockNumber: receipt.blockNumber - 1n,
      } as never);
      return "it succeeds on the block before (the block's own time or order decided it)";
    } catch (err) {
      return (err as { shortMessage?: string }).shortMessage ?? (err as Error).message;
    }
  }

  /**
   * Sends several market calls of one account as one transaction (the market's `multicall`: each call
   * runs with the account as sender, and all revert together), or the one call alone; a call is
   * named with its arguments or already encoded.
   */
  async writeMarketCalls(
    from: DevAccount,
    calls: readonly ({ functionName: Writable<"market">; args: readonly unknown[] } | Hex)[],
  ): Promise<TransactionReceipt | undefined> {
    if (calls.length === 0) return undefined;
    const decoded = (c: (typeof calls)[number]) =>
      typeof c === "string" ? decodeFunctionData({ abi: marketAbi as Abi, data: c }) : c;
    if (calls.length === 1) {
      const { functionName, args } = decoded(calls[0]);
      return this.write(from, "market", functionName as Writable<"market">, args as never);
    }
    const data = calls.map((c) =>
      typeof c === "string"
        ? c
        : encodeFunctionData({ abi: marketAbi as Abi, functionName: c.functionName, args: c.args as unknown[] }),
    );
    return this.write(from, "market", "multicall", [data]);
  }

  /** Each account has one sender (this process), so its next nonce is known after the first read. */
  async #nonce(from: DevAccount): Promise<number> {
    return (
      this.#nonces.get(from.index) ??
      (await this.publicClient.getTransactionCount({ address: from.address, blockTag: "pending" }))
    );
  }

  /** A plain ether transfer (gas money for a participant). */
  async transfer(from: DevAccount, to: Address, value: bigint): Promise<TransactionReceipt> {
    const hash = await this.#wallet(from).sendTransaction({
      to,
      value,
      maxFeePerGas: parseGwei("50"),
      maxPriorityFeePerGas: parseGwei("1"),
    } as never);
    this.#nonces.delete(from.index);
    const receipt = await this.#receipt(hash);
    if (receipt.status !== "success") throw new Error(`transfer ${hash} reverted`);
    return receipt;
  }

  async #receipt(hash: Hex): Promise<TransactionReceipt> {
    this.sent++;
    // The dev node mines each transaction as it arrives; waiting is only for a node that does not.
    return (
      (await this.publicClient.getTransactionReceipt({ hash }).catch(() => undefined)) ??
      (await this.publicClient.waitForTransactionReceipt({ hash, timeout: 60_000 }))
    );
  }

  // biome-ignore lint/suspicious/noExplicitAny: the result type depends on the function named at run time
  async read<K extends ContractKey>(contract: K, functionName: string, args: readonly unknown[] = []): Promise<any> {
    return this.publicClient.readContract({
      address: this.addresses[contract],
      abi: CONTRACTS[contract] as Abi,
      functionName,
      args,
    });
  }

  /** Timestamp of the latest block. */
  async now(): Promise<number> {
    return Number((await this.publicClient.getBlock({ blockTag: "latest" })).timestamp);
  }

  /**
   * Makes the next transaction mine at `timestamp` when that is ahead of the chain (never behind it:
   * time only moves forward). The caller keeps `timestamp` at or before wall-clock time.
   */
  async moveTo(timestamp: number): Promise<void> {
    if (timestamp <= (await this.now())) return;
    await this.publicClient.request({
      method: "evm_setNextBlockTimestamp",
      params: [`0x${timestamp.toString(16)}`],
    } as never);
  }
}
