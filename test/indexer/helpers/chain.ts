// A private Hardhat node per test file, deployed with the project's own deploy script, and a small
// driver that trades on it through the generated ABIs.
import {
  type Abi,
  type Address,
  createPublicClient,
  createWalletClient,
  decodeEventLog,
  type Hash,
  http,
  type PublicClient,
  type TransactionReceipt,
  type WalletClient,
} from "viem";
import * as abis from "../../../protocol/generated/abis.ts";
import { deployExchange, type Node, rpc } from "../../helpers/local-chain.ts";

export { freePort, type Node, ROOT, startNode } from "../../helpers/local-chain.ts";

export type ContractName = "Market" | "GreenCertificates" | "CarbonCredits" | "SettlementToken";

const ABIS: Record<ContractName, Abi> = {
  Market: abis.marketAbi as Abi,
  GreenCertificates: abis.greenCertificatesAbi as Abi,
  CarbonCredits: abis.carbonCreditsAbi as Abi,
  SettlementToken: abis.localSettlementTokenAbi as Abi,
};

export type Deployment = {
  chainId: number;
  startBlock: number;
  file: string;
  addresses: Record<ContractName, Address>;
};

/** Deploys the exchange with the project's deploy script (Ignition module CCEX). */
export async function deploy(node: Node, outDir: string): Promise<Deployment> {
  const { chainId, file, deployment } = await deployExchange(node, outDir);
  return {
    chainId,
    startBlock: deployment.startBlock,
    file,
    addresses: deployment.contracts as unknown as Record<ContractName, Address>,
  };
}

/** Hardhat's unlocked dev accounts, one per role the tests play. */
export const ROLES = ["admin", "buyer", "otherBuyer", "compute", "wind", "solar", "network", "registrarOther"] as const;

export class Exchange {
  readonly url: string;
  readonly deployment: Deployment;
  readonly client: PublicClient;
  readonly wallet: WalletClient;
  accounts: Address[] = [];

  constructor(url: string, deployment: Deployment) {
    this.url = url;
    this.deployment = deployment;
    this.client = createPublicClient({ transport: http(url) });
    this.wallet = createWalletClient({ transport: http(url) });
  }

  async init(): Promise<this> {
    this.accounts = (await rpc(this.url, "eth_accounts")) as Address[];
    return this;
  }

  /**
   * Sends a transaction from an unlocked account and returns its receipt (the node mines at once).
   * The gas is fixed rather than estimated, which halves the round trips; a revert is replayed as a
   * call to throw with its reason.
   */
  async send(
    contract: ContractName,
    functionName: string,
    args: unknown[],
    from: Address,
  ): Promise<TransactionReceipt> {
    const request = {
      address: this.deployment.addresses[contract],
      abi: ABIS[contract],
      functionName,
      args,
      account: from,
    } as const;
    const hash = await this.wallet.writeContract({ ...request, chain: null, gas: 15_000_000n } as never);
    const receipt = await this.client.getTransactionReceipt({ hash });
    if (receipt.status !== "success") {
      await this.client.simulateContract({ ...request, blockNumber: receipt.blockNumber - 1n } as never);
      throw new Error(`${contract}.${functionName} reverted`);
    }
    return receipt;
  }

  /** Sends without waiting (for batches mined together with automine off). */
  async sendRaw(contract: ContractName, functionName: string, args: unknown[], from: Address): Promise<Hash> {
    return this.wallet.writeContract({
      address: this.deployment.addresses[contract],
      abi: ABIS[contract],
      functionName,
      args,
      account: from,
      chain: null,
      gas: 16_000_000n,
    } as never);
  }

  async read<T = unknown>(contract: ContractName, functionName: string, args: unknown[] = []): Promise<T> {
    return (await this.client.readContract({
      address: this.deployment.addresses[contract],
      abi: ABIS[contract],
      functionName,
      args,
    } as never)) as T;
  }

  /** Decoded events of one contract in a receipt. */
  events(receipt: TransactionReceipt, contract: ContractName, name: string): any[] {
    const address = this.deployment.addresses[contract].toLowerCase();
    return receipt.logs
      .filter((l) => l.address.toLowerCase() === address)
      .map((l) => {
        try {
          return decodeEventLog({ abi: ABIS[contract], data: l.data, topics: l.topics });
        } catch {
          return null;
        }
      })
      .filter((e): e is NonNullable<typeof e> => e !== null && e.eventName === name)
      .map((e) => e.args);
  }

  rpc(method: string, params: unknown[] = []) {
    return rpc(this.url, method, params);
  }

  async now(): Promise<number> {
    return Number((await this.client.getBlock()).timestamp);
  }

  async increaseTime(seconds: number): Promise<void> {
    await rpc(this.url, "evm_increaseTime", [seconds]);
    await rpc(this.url, "evm_mine");
  }

  async head(): Promise<number> {
    return Number(await rpc(this.url, "eth_blockNumber"));
  }
}
