// A private Hardhat node, the exchange deployed on it by the project's deploy script, and a driver
// that posts real orders from the node's unlocked demo accounts through the generated ABIs.

import {
  type Address,
  createPublicClient,
  createWalletClient,
  http,
  type PublicClient,
  parseEther,
  parseEventLogs,
  type WalletClient,
} from "viem";
import { greenCertificatesAbi, localSettlementTokenAbi, marketAbi } from "../../../../protocol/generated/abis.ts";
import { deployExchange, type Node } from "../../../helpers/local-chain.ts";

export { freePort, type Node, ROOT, startNode } from "../../../helpers/local-chain.ts";

export const HOUR = 3_600;
export const USD = 1_000_000n;
/** Compute hubs (protocol/units.ts REGIONS): Inner Mongolia sits in the north grid with Beijing–Tianjin–Hebei. */
export const Region = {
  BeijingTianjinHebei: 1,
  YangtzeDelta: 2,
  Guangdong: 3,
  InnerMongolia: 5,
  Gansu: 7,
  Ningxia: 8,
} as const;
/** IMarket.CertificateOrigin. */
export const Origin = { ComputeRegion: 0, GridArea: 1, Anywhere: 2 } as const;
export const Source = { Solar: 0, Wind: 1 } as const;
export const Hardware = { CpuGeneral: 0, GpuInference: 2 } as const;

export type Deployment = {
  chainId: number;
  startBlock: bigint;
  file: string;
  market: Address;
  token: Address;
  certificates: Address;
};

/** Deploys the exchange with the project's deploy script (Ignition module CCEX), with optional module parameters. */
export async function deploy(
  node: Node,
  outDir: string,
  parameters?: Record<string, string | number>,
): Promise<Deployment> {
  const { chainId, file, deployment } = await deployExchange(node, outDir, parameters);
  return {
    chainId,
    startBlock: BigInt(deployment.startBlock),
    file,
    market: deployment.contracts.Market as Address,
    token: deployment.contracts.SettlementToken as Address,
    certificates: deployment.contracts.GreenCertificates as Address,
  };
}

export type ComputeOfferParams = {
  hardwareClass: number;
  region: number;
  windowStart: number;
  windowEnd: number;
  /** Units at the same time, in every hour of the window. */
  vcu: number;
  reservePricePerVcuHour: bigint;
  whPerVcuHour: number;
  pueMilli: number;
  expiry: number;
};
export type BidParams = {
  hardwareClass: number;
  acceptableRegions: bigint;
  buyerRegion: number;
  earliestStart: number;
  latestEnd: number;
  durationHours: number;
  vcu: number;
  limitPricePerVcuHour: bigint;
  minGreenBps: number;
  certificateOrigin: number;
  bandwidthMbps: number;
  maxLatencyMs: number;
  expiry: number;
};

export function regions(...codes: number[]): bigint {
  return codes.reduce((mask, code) => mask | (1n << BigInt(code)), 0n);
}

/** The demo market's participants, each one of the node's unlocked accounts. */
export class Exchange {
  readonly client: PublicClient;
  readonly wallet: WalletClient;
  readonly d: Deployment;
  admin!: Address;
  buyer!: Address;
  otherBuyer!: Address;
  compute!: Address;
  wind!: Address;
  solar!: Address;
  network!: Address;

  constructor(url: string, deployment: Deployment) {
    this.client = createPublicClient({ transport: http(url), pollingInterval: 50 });
    this.wallet = createWalletClient({ transport: http(url) });
    this.d = deployment;
  }

  async init(): Promise<this> {
    const accounts = await this.wallet.getAddresses();
    [this.admin, this.buyer, this.otherBuyer, this.compute, this.wind, this.solar, this.network] = accounts;
    for (const buyer of [this.buyer, this.otherBuyer]) {
      await this.send(this.d.token, localSettlementTokenAbi, "faucet", [buyer, 100_000n * USD], this.admin);
      await this.send(this.d.token, localSettlementTokenAbi, "approve", [this.d.market, 2n ** 256n - 1n], buyer);
    }
    for (const supplier of [this.wind, this.solar]) {
      await this.send(this.d.certificates, greenCertificatesAbi, "setApprovalForAll", [this.d.market, true], supplier);
    }
    return this;
  }

  /** Sends from an unlocked account and waits for success; returns the receipt's logs. */
  async send(to: Address, abi: readonly unknown[], functionName: string, args: readonly unknown[], from: Address) {
    const hash = await this.wallet.writeContract({
      address: to,
      abi,
      functionName,
      args,
      account: from,
      chain: null,
    } as never);
    const receipt = await this.client.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new Error(`${functionName} reverted`);
    return receipt;
  }

  async now(): Promise<number> {
    return Number((await this.client.getBlock()).timestamp);
  }

  /** Makes `matcher` a matcher of the market and gives it gas money. */
  async enrolMatcher(matcher: Address): Promise<void> {
    const role = await this.client.readContract({
      address: this.d.market,
      abi: marketAbi,
      functionName: "MATCHER_ROLE",
    });
    await this.send(this.d.market, marketAbi, "grantRole", [role, matcher], this.admin);
    const hash = await this.wallet.sendTransaction({
      account: this.admin,
      to: matcher,
      value: parseEther("10"),
      chain: null,
    });
    await this.client.waitForTransactionReceipt({ hash });
  }

  /** Registers and approves a 100 MW device of `owner`, commissioned a month ago; returns its id. */
  async registerDevice(owner: Address, source: number, region: number): Promise<bigint> {
    const now = await this.now();
    await this.send(
      this.d.certificates,
      greenCertificatesAbi,
      "registerDevice",
      [source, region, 100_000_000n, now - 30 * 24 * HOUR, "ipfs://device"],
      owner,
    );
    const deviceId = await this.client.readContract({
      address: this.d.certificates,
      abi: greenCertificatesAbi,
      functionName: "deviceCount",
    });
    await this.send(this.d.certificates, greenCertificatesAbi, "approveDevice", [deviceId], this.admin);
    return deviceId;
  }

  async postComputeOffer(from: Address, offer: ComputeOfferParams): Promise<bigint> {
    const receipt = await this.send(this.d.market, marketAbi, "postComputeOffer", [offer], from);
    return parseEventLogs({ abi: marketAbi, logs: receipt.logs, eventName: "ComputeOfferPosted" })[0].args.offerId;
  }

  async postEnergyOffer(
    from: Address,
    offer: { deviceId: bigint; firstHour: number; whPerHour: bigint[]; reservePricePerKwh: bigint; expiry: number },
  ): Promise<bigint> {
    const receipt = await this.send(this.d.market, marketAbi, "postEnergyOffer", [offer], from);
    return parseEventLogs({ abi: marketAbi, logs: receipt.logs, eventName: "EnergyOfferPosted" })[0].args.offerId;
  }

  async postBandwidthOffer(
    from: Address,
    offer: {
      fromRegion: number;
      toRegion: number;
      mbps: number;
      latencyMs: number;
      windowStart: number;
      windowEnd: number;
      reservePricePerMbpsHour: bigint;
      expiry: number;
    },
  ): Promise<bigint> {
    const receipt = await this.send(this.d.market, marketAbi, "postBandwidthOffer", [offer], from);
    return parseEventLogs({ abi: marketAbi, logs: receipt.logs, eventName: "BandwidthOfferPosted" })[0].args.offerId;
  }

  async postBid(from: Address, bid: BidParams): Promise<bigint> {
    const receipt = await this.send(this.d.market, marketAbi, "postBid", [bid], from);
    return parseEventLogs({ abi: marketAbi, logs: receipt.logs, eventName: "BidPosted" })[0].args.bidId;
  }

  async cancelBid(from: Address, bidId: bigint): Promise<void> {
    await this.send(this.d.market, marketAbi, "cancelBid", [bidId], from);
  }

  async nonce(address: Address): Promise<number> {
    return this.client.getTransactionCount({ address, blockTag: "pending" });
  }

  /** Every DealOpened since `fromBlock`, decoded. */
  async dealsOpened(fromBlock: bigint) {
    const logs = await this.client.getContractEvents({
      address: this.d.market,
      abi: marketAbi,
      eventName: "DealOpened",
      fromBlock,
      strict: true,
    });
    return logs.map((l) => l.args);
  }

  async rpc(method: string, params: unknown[] = []): Promise<unknown> {
    return this.client.request({ method, params } as never);
  }

  async mine(): Promise<void> {
    await this.rpc("evm_mine");
  }

  async setAutomine(on: boolean): Promise<void> {
    await this.rpc("evm_setAutomine", [on]);
  }

  async head(): Promise<bigint> {
    // viem caches the block number for its polling interval; a test needs the head as it is now.
    return this.client.getBlockNumber({ cacheTime: 0 });
  }
}
