// How the demo talks to the chain: one wallet per participant, every state change a real signed
// transaction (the stack persists the chain by replaying them), and chain time moved forward only
// with evm_setNextBlockTimestamp — which the next block then mines at. The live market sends one
// transaction at a time, each mined as it arrives; the seed pools (docs/operations.md, "Start-up"):
// with the node's automine off, the independent transactions of a step wait in the node's pool and
// are mined together in one block at the step's time, so the history costs one block per step, not
// one per transaction.
import {
  type Abi,
  type Address,
  type Chain,
  type ContractFunctionArgs,
  type ContractFunctionName,
  createTransport,
  createWalletClient,
  decodeFunctionData,
  type EIP1193RequestFn,
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
import { rpcBatch } from "../chain/rpc.ts";

export const CONTRACTS = {
  market: marketAbi,
  certificates: greenCertificatesAbi,
  credits: carbonCreditsAbi,
  token: localSettlementTokenAbi,
} as const;
export type ContractKey = keyof typeof CONTRACTS;

type Writable<K extends ContractKey> = ContractFunctionName<(typeof CONTRACTS)[K], "nonpayable">;
type MarketCall = { functionName: Writable<"market">; args: readonly unknown[] } | Hex;

/**
 * Gas a pooled transaction carries: a block takes transactions while the sum of their gas limits fits
 * its own (60 M on the stack's node), so a limit near the cap would leave one or two per block. The
 * seed's heaviest call uses 0.64 M (a day of certificates; snapshots/gas.json), a multicall's calls
 * each well under 0.7 M.
 */
const POOLED_GAS_BASE = 300_000n;
const POOLED_GAS_PER_CALL = 700_000n;

/** The calls that change the chain or its clock: sent to RPC_URL even when reads go elsewhere. */
const SENDS = /^(eth_sendRawTransaction|eth_sendTransaction|evm_)/;

/**
 * One transport for the demo's clients: sends (SENDS) to `sendUrl`, everything else to `readUrl`.
 * A read follows the send it depends on: the send is answered once the node has it (mined, when
 * automining), and the read asks the same node.
 */
export function sendsAndReads(sendUrl: string, readUrl: string): Transport {
  const options = { retryCount: 0, timeout: 20_000 };
  if (sendUrl === readUrl) return http(sendUrl, options);
  const sends = http(sendUrl, options);
  const reads = http(readUrl, options);
  return (parameters) => {
    const toSend = sends(parameters);
    const toRead = reads(parameters);
    return createTransport({
      key: "sends-and-reads",
      name: "sends to one endpoint, reads from another",
      type: "sends-and-reads",
      retryCount: 0,
      request: ((args: { method: string }) =>
        (SENDS.test(args.method) ? toSend : toRead).request(args as never)) as EIP1193RequestFn,
    });
  };
}

/** A transaction waiting in the node's pool for the step's block. */
type Pooled = {
  hash: Hex;
  from: DevAccount;
  contract: ContractKey;
  functionName: string;
  args: readonly unknown[];
  onFailure: (err: Error) => void;
};

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
  readonly #readUrl: string;
  readonly #transport: Transport;
  /** The transactions sent since the last block while pooling; undefined while the node automines. */
  #pool: Pooled[] | undefined;

  /** `readUrl`: where calls, receipts and estimates go (default `rpcUrl`, which then takes everything). */
  constructor(rpcUrl: string, deployment: Deployment, readUrl: string = rpcUrl) {
    this.#readUrl = readUrl;
    this.#transport = sendsAndReads(rpcUrl, readUrl);
    const { chain, publicClient } = createChainClients({
      chainId: deployment.chainId,
      rpcUrl,
      transport: this.#transport,
      pollingIntervalMs: 100,
    });
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
        transport: this.#transport,
        account: privateKeyToAccount(from.privateKey),
      });
      this.#wallets.set(from.index, wallet);
    }
    return wallet;
  }

  /**
   * Sends one contract call and returns its receipt once mined. Without a fixed gas limit the gas is
   * estimated, so a call that would revert throws here (with the market's error name) and never
   * reaches the chain. While pooling, it mines the pool first (with every transaction sent before it).
   * @throws {Error} naming the transaction when it was mined as reverted
   */
  async write<K extends ContractKey, F extends Writable<K>>(
    from: DevAccount,
    contract: K,
    functionName: F,
    args: ContractFunctionArgs<(typeof CONTRACTS)[K], "nonpayable", F>,
  ): Promise<TransactionReceipt> {
    if (this.#pool !== undefined) {
      let failure: Error | undefined;
      const hash = await this.#pooled(from, contract, functionName, args as readonly unknown[], (err) => {
        failure = err;
      });
      await this.mine();
      if (failure !== undefined) throw failure;
      return this.publicClient.getTransactionReceipt({ hash });
    }
    const hash = await this.#send(from, contract, functionName, args as readonly unknown[]);
    const receipt = await this.#receipt(hash);
    if (receipt.status !== "success")
      throw new Error(
        `transaction ${hash} reverted: ${await this.#revertReason(from, contract, receipt.blockNumber, functionName, args as readonly unknown[])}`,
      );
    return receipt;
  }

  /**
   * Sends one contract call without waiting for it: while pooling it resolves once the node holds the
   * transaction, which the next `mine` mines; otherwise once it is mined. Never throws: a call the
   * node refuses or that is mined as reverted goes to `onFailure` (at once, or when its block is
   * mined). Resolves with whether the call was sent.
   */
  async submit<K extends ContractKey, F extends Writable<K>>(
    from: DevAccount,
    contract: K,
    functionName: F,
    args: ContractFunctionArgs<(typeof CONTRACTS)[K], "nonpayable", F>,
    onFailure: (err: Error) => void,
  ): Promise<boolean> {
    try {
      if (this.#pool === undefined) await this.write(from, contract, functionName, args);
      else await this.#pooled(from, contract, functionName, args as readonly unknown[], onFailure);
      return true;
    } catch (err) {
      onFailure(err as Error);
      return false;
    }
  }

  /** Signs and sends a call with the sender's next nonce; resolves with its hash once the node has it. */
  async #send(from: DevAccount, contract: ContractKey, functionName: string, args: readonly unknown[]): Promise<Hex> {
    const wallet = this.#wallet(from);
    const nonce = await this.#nonce(from);
    let gas = this.gasLimit;
    if (gas !== undefined && this.#pool !== undefined) {
      const calls = functionName === "multicall" ? BigInt((args[0] as readonly unknown[]).length) : 1n;
      const pooledGas = POOLED_GAS_BASE + POOLED_GAS_PER_CALL * calls;
      if (pooledGas < gas) gas = pooledGas;
    }
    let hash: Hex;
    try {
      hash = await wallet.writeContract({
        address: this.addresses[contract],
        abi: CONTRACTS[contract] as Abi,
        functionName,
        args,
        nonce,
        gas,
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
    this.sent++;
    return hash;
  }

  async #pooled(
    from: DevAccount,
    contract: ContractKey,
    functionName: string,
    args: readonly unknown[],
    onFailure: (err: Error) => void,
  ): Promise<Hex> {
    const hash = await this.#send(from, contract, functionName, args);
    this.#pool!.push({ hash, from, contract, functionName, args, onFailure });
    return hash;
  }

  /**
   * Turns the node's automine off: from now on sent transactions wait in the node's pool until `mine`.
   * The seed's steps send only transactions that do not depend on each other's effects.
   */
  async startPooling(): Promise<void> {
    if (this.#pool !== undefined) return;
    await this.publicClient.request({ method: "evm_setAutomine", params: [false] } as never);
    this.#pool = [];
  }

  /** Mines what is pooled, then lets the node mine each transaction as it arrives again. */
  async stopPooling(): Promise<void> {
    await this.mine();
    await this.setAutomine();
  }

  /**
   * Lets the node mine each transaction as it arrives (the live market, and after a demo process that
   * died while pooling: the node would otherwise hold every transaction, anyone's, in its pool).
   */
  async setAutomine(): Promise<void> {
    await this.publicClient.request({ method: "evm_setAutomine", params: [true] } as never);
    this.#pool = undefined;
  }

  /** Runs `step` with the node mining each transaction as it arrives (a sender that waits for its receipt). */
  async automining<T>(step: () => Promise<T>): Promise<T> {
    if (this.#pool === undefined) return step();
    await this.stopPooling();
    try {
      return await step();
    } finally {
      await this.startPooling();
    }
  }

  /**
   * Mines the pooled transactions: one block at the time `moveTo` set (more when they do not fit one
   * block's gas, each a second later), then checks every receipt; a reverted transaction goes to its
   * sender's `onFailure`, named with the call's error. Nothing to do while the node automines.
   * @throws {Error} when the node mines a block that takes none of the pooled transactions
   */
  async mine(): Promise<void> {
    let waiting = this.#pool ?? [];
    if (waiting.length === 0) return;
    this.#pool = [];
    while (waiting.length > 0) {
      // Through the stack's gateway the answer comes once the block is journaled.
      await this.publicClient.request({ method: "evm_mine", params: [] } as never);
      const receipts: ({ status: Hex; blockNumber: Hex } | null)[] = await rpcBatch(
        this.#readUrl,
        waiting.map((p) => ({ method: "eth_getTransactionReceipt", params: [p.hash] })),
      );
      const left = waiting.filter((_, i) => receipts[i] === null);
      if (left.length === waiting.length)
        throw new Error(`the node mined a block without any of the ${waiting.length} pooled transactions`);
      for (const [i, p] of waiting.entries()) {
        const receipt = receipts[i];
        if (receipt === null || receipt.status === "0x1") continue;
        const reason = await this.#revertReason(
          p.from,
          p.contract,
          BigInt(receipt.blockNumber),
          p.functionName,
          p.args,
        );
        p.onFailure(new Error(`transaction ${p.hash} (${p.functionName}) reverted: ${reason}`));
      }
      waiting = left;
    }
  }

  /** Why a mined call reverted: the call run again on the state its block started from. */
  async #revertReason(
    from: DevAccount,
    contract: ContractKey,
    blockNumber: bigint,
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
        blockNumber: blockNumber - 1n,
      } as never);
      return "it succeeds on the block before (the block's own time or order, or a transaction before it in the block, decided it)";
    } catch (err) {
      return (err as { shortMessage?: string }).shortMessage ?? (err as Error).message;
    }
  }

  /**
   * Sends several market calls of one account as one transaction (the market's `multicall`: each call
   * runs with the account as sender, and all revert together), or the one call alone; a call is
   * named with its arguments or already encoded.
   */
  async writeMarketCalls(from: DevAccount, calls: readonly MarketCall[]): Promise<TransactionReceipt | undefined> {
    if (calls.length === 0) return undefined;
    const { functionName, args } = marketCall(calls);
    return this.write(from, "market", functionName as Writable<"market">, args as never);
  }

  /** `writeMarketCalls` as `submit` sends: without waiting while pooling, failures to `onFailure`. */
  async submitMarketCalls(
    from: DevAccount,
    calls: readonly MarketCall[],
    onFailure: (err: Error) => void,
  ): Promise<boolean> {
    if (calls.length === 0) return false;
    const { functionName, args } = marketCall(calls);
    return this.submit(from, "market", functionName as Writable<"market">, args as never, onFailure);
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
    this.sent++;
    const receipt = await this.#receipt(hash);
    if (receipt.status !== "success") throw new Error(`transfer ${hash} reverted`);
    return receipt;
  }

  async #receipt(hash: Hex): Promise<TransactionReceipt> {
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
   * @param chainNow the latest block's time, when the caller has just read it (saves reading it again)
   */
  async moveTo(timestamp: number, chainNow?: number): Promise<void> {
    if (timestamp <= (chainNow ?? (await this.now()))) return;
    await this.publicClient.request({
      method: "evm_setNextBlockTimestamp",
      params: [`0x${timestamp.toString(16)}`],
    } as never);
  }
}

/** Several market calls as one `multicall`, or the one call alone; a call is named with its arguments or already encoded. */
function marketCall(calls: readonly MarketCall[]): { functionName: string; args: readonly unknown[] } {
  const decoded = (c: MarketCall) =>
    typeof c === "string" ? decodeFunctionData({ abi: marketAbi as Abi, data: c }) : c;
  if (calls.length === 1) {
    const { functionName, args } = decoded(calls[0]);
    return { functionName, args: args ?? [] };
  }
  const data = calls.map((c) =>
    typeof c === "string"
      ? c
      : encodeFunctionData({ abi: marketAbi as Abi, functionName: c.functionName, args: c.args as unknown[] }),
  );
  return { functionName: "multicall", args: [data] };
}
