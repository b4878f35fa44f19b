// Who may meter a deal, and what the chain says it reported. The market stores only a digest of a
// deal, so its parties and hours come from the DealOpened event and its report from UsageReported;
// both are read by the deal id (an indexed topic) and kept once seen, since neither ever changes.
import type { Address, PublicClient } from "viem";

import { marketAbi } from "../../protocol/generated/abis.ts";
import type { Hex } from "./merkle.ts";
import type { MeteringDomain } from "./signature.ts";

/** What metering needs of a deal's terms. */
export type MeteredDeal = {
  dealId: bigint;
  buyer: Address;
  computeSupplier: Address;
  /** The suppliers of the deal's energy lots (they may dispute a report whose energy does not match). */
  energySuppliers: Address[];
  /** The job's hours: [start, start + durationHours × 3600), metered hour by hour. */
  windowStart: number;
  windowEnd: number;
  /** VCU the job runs in each hour. */
  vcu: bigint;
  /** Facility Wh the deal declares for each job hour (vcu × Wh per VCU-hour × PUE). */
  needPerHourWh: bigint;
};

/** The usage report as the market recorded it (IMarket.UsageReport): one entry per job hour. */
export type OnChainReport = { vcuPerHour: readonly number[]; whPerHour: readonly bigint[]; meteringRoot: Hex };

export type DealSource = {
  /** The chain and market batches are signed for. */
  readonly domain: MeteringDomain;
  deal(dealId: bigint): Promise<MeteredDeal | undefined>;
  report(dealId: bigint): Promise<OnChainReport | undefined>;
};

/** Deals given up front: benchmarks, and tests of everything that is not the chain. */
export class StaticDealSource implements DealSource {
  readonly domain: MeteringDomain;
  readonly #deals = new Map<bigint, MeteredDeal>();
  readonly #reports = new Map<bigint, OnChainReport>();

  constructor(domain: MeteringDomain, deals: MeteredDeal[] = []) {
    this.domain = domain;
    for (const deal of deals) this.#deals.set(deal.dealId, deal);
  }

  add(deal: MeteredDeal): void {
    this.#deals.set(deal.dealId, deal);
  }

  /** Records a report, as the market would on reportUsage. */
  setReport(dealId: bigint, report: OnChainReport): void {
    this.#reports.set(dealId, report);
  }

  async deal(dealId: bigint): Promise<MeteredDeal | undefined> {
    return this.#deals.get(dealId);
  }

  async report(dealId: bigint): Promise<OnChainReport | undefined> {
    return this.#reports.get(dealId);
  }
}

export type ChainDealSourceParameters = {
  client: PublicClient;
  domain: MeteringDomain;
  /** The market's deployment block: no deal is older. */
  startBlock: bigint;
  /** How long "not reported yet" is believed before the chain is asked again, ms. */
  unreportedTtlMs?: number;
};

/** Reads deals and reports from the market's events. */
export class ChainDealSource implements DealSource {
  readonly domain: MeteringDomain;
  readonly #p: Required<ChainDealSourceParameters>;
  readonly #deals = new Map<bigint, Promise<MeteredDeal | undefined>>();
  readonly #reports = new Map<bigint, OnChainReport>();
  readonly #unreported = new Map<bigint, number>();

  constructor(parameters: ChainDealSourceParameters) {
    this.#p = { unreportedTtlMs: 2_000, ...parameters };
    this.domain = parameters.domain;
  }

  deal(dealId: bigint): Promise<MeteredDeal | undefined> {
    let known = this.#deals.get(dealId);
    if (known === undefined) {
      known = this.#readDeal(dealId);
      this.#deals.set(dealId, known);
      // A deal not opened yet may open later, and a failed read must be retried: forget both.
      known.then(
        (deal) => deal === undefined && this.#deals.delete(dealId),
        () => this.#deals.delete(dealId),
      );
    }
    return known;
  }

  async report(dealId: bigint): Promise<OnChainReport | undefined> {
    const known = this.#reports.get(dealId);
    if (known !== undefined) return known;
    const checked = this.#unreported.get(dealId);
    if (checked !== undefined && Date.now() - checked < this.#p.unreportedTtlMs) return undefined;
    const logs = await this.#p.client.getContractEvents({
      address: this.domain.market,
      abi: marketAbi,
      eventName: "UsageReported",
      args: { dealId },
      fromBlock: this.#p.startBlock,
      strict: true,
    });
    if (logs.length === 0) {
      this.#unreported.set(dealId, Date.now());
      return undefined;
    }
    const { vcuPerHour, whPerHour, meteringRoot } = logs[0].args.report;
    const report = { vcuPerHour: [...vcuPerHour], whPerHour: [...whPerHour], meteringRoot };
    this.#reports.set(dealId, report);
    this.#unreported.delete(dealId);
    return report;
  }

  async #readDeal(dealId: bigint): Promise<MeteredDeal | undefined> {
    const logs = await this.#p.client.getContractEvents({
      address: this.domain.market,
      abi: marketAbi,
      eventName: "DealOpened",
      args: { dealId },
      fromBlock: this.#p.startBlock,
      strict: true,
    });
    if (logs.length === 0) return undefined;
    const { terms } = logs[0].args;
    return {
      dealId,
      buyer: terms.buyer,
      computeSupplier: terms.computeSupplier,
      energySuppliers: [...new Set(terms.energyLots.map((lot) => lot.supplier))],
      windowStart: Number(terms.start),
      windowEnd: Number(terms.start) + Number(terms.durationHours) * 3_600,
      vcu: terms.vcu,
      needPerHourWh: terms.needPerHourWh,
    };
  }
}
