// Every deal that still needs an action, folded from the market's events: the market stores only a
// digest of each deal, so whoever acts on one must pass back the terms from DealOpened and, once
// reported, the report from UsageReported, and whether the market flagged that report (UsageFlagged,
// emitted right after it). Shared by the keeper and the demo simulator.
import type { Address, GetLogsReturnType, PublicClient } from "viem";

import { marketAbi } from "../../protocol/generated/abis.ts";
import { NO_RETRY, type RetryPolicy, withRetry } from "../chain/retry.ts";

export const DEAL_EVENT_NAMES = [
  "DealOpened",
  "UsageReported",
  "UsageFlagged",
  "DealDisputed",
  "DealFinalized",
  "DealCancelled",
] as const;

const dealEvents = marketAbi.filter(
  (item): item is Extract<(typeof marketAbi)[number], { type: "event"; name: (typeof DEAL_EVENT_NAMES)[number] }> =>
    item.type === "event" && (DEAL_EVENT_NAMES as readonly string[]).includes(item.name),
);

export type DealLog = GetLogsReturnType<undefined, typeof dealEvents, true>[number];
/** The terms exactly as DealOpened emitted them (what every deal action takes back). */
export type OpenDealTerms = Extract<DealLog, { eventName: "DealOpened" }>["args"]["terms"];
export type OpenDealReport = Extract<DealLog, { eventName: "UsageReported" }>["args"]["report"];
/**
 * Why the market flagged a report (UsageFlagged): such a report never finalises unchallenged
 * (docs/market-rules.md, "Flagged report").
 */
export type ReportFlag = Omit<Extract<DealLog, { eventName: "UsageFlagged" }>["args"], "dealId">;

/** A deal that is not closed yet (Active, Reported or Disputed), with what acting on it needs. */
export type OpenDeal =
  | { dealId: bigint; status: "Active"; terms: OpenDealTerms }
  | {
      dealId: bigint;
      status: "Reported";
      terms: OpenDealTerms;
      report: OpenDealReport;
      challengeEnd: number;
      /** Set when the market flagged the report. */
      flag?: ReportFlag;
    }
  | {
      dealId: bigint;
      status: "Disputed";
      terms: OpenDealTerms;
      report: OpenDealReport;
      arbitrationDeadline: number;
      flag?: ReportFlag;
    };

export type DealLedgerParameters = {
  client: PublicClient;
  market: Address;
  /** The market's deployment block: no deal exists before it. */
  startBlock: bigint;
  /** Largest block range per eth_getLogs request (hosted nodes cap it). */
  maxBlockRange?: bigint;
  retry?: RetryPolicy;
};

/**
 * Open deals by id, kept up to date by `sync()` (which reads only the blocks since the last sync).
 *
 * @example
 * const ledger = new DealLedger({ client, market, startBlock: BigInt(deployment.startBlock) });
 * await ledger.sync();
 * for (const deal of ledger.open()) if (deal.status === "Reported") …
 */
export class DealLedger {
  readonly #p: Required<Omit<DealLedgerParameters, "retry">> & { retry: RetryPolicy };
  readonly #open = new Map<bigint, OpenDeal>();
  #syncedTo: bigint;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(parameters: DealLedgerParameters) {
    this.#p = { maxBlockRange: 2_000n, retry: NO_RETRY, ...parameters };
    this.#syncedTo = parameters.startBlock - 1n;
  }

  /** The last block folded in. */
  get syncedTo(): bigint {
    return this.#syncedTo;
  }

  /** Folds in every deal event up to the head; returns the head's block number. Calls run one at a time. */
  sync(): Promise<bigint> {
    const next = this.#queue.then(() => this.#sync());
    this.#queue = next.catch(() => undefined);
    return next;
  }

  open(): OpenDeal[] {
    return [...this.#open.values()];
  }

  get(dealId: bigint): OpenDeal | undefined {
    return this.#open.get(dealId);
  }

  async #sync(): Promise<bigint> {
    const { client, market, maxBlockRange, retry } = this.#p;
    const head = await withRetry(() => client.getBlockNumber({ cacheTime: 0 }), { ...retry, label: "read head" });
    for (let from = this.#syncedTo + 1n; from <= head; from += maxBlockRange) {
      const to = from + maxBlockRange - 1n < head ? from + maxBlockRange - 1n : head;
      const logs = await withRetry(
        () => client.getLogs({ address: market, events: dealEvents, fromBlock: from, toBlock: to, strict: true }),
        { ...retry, label: `read deal events ${from}–${to}` },
      );
      // A chunk is folded whole or not at all, so a failed read never leaves the ledger half-applied.
      for (const log of logs) applyDealLog(this.#open, log);
      this.#syncedTo = to;
    }
    return head;
  }
}

/** Applies one decoded deal event to the open deals (in place). */
export function applyDealLog(open: Map<bigint, OpenDeal>, log: DealLog): void {
  switch (log.eventName) {
    case "DealOpened":
      open.set(log.args.dealId, { dealId: log.args.dealId, status: "Active", terms: log.args.terms });
      return;
    case "UsageReported": {
      const deal = open.get(log.args.dealId);
      // A deal the ledger never saw open means it started after the deployment block: nothing to act on.
      if (deal === undefined) return;
      open.set(deal.dealId, {
        dealId: deal.dealId,
        status: "Reported",
        terms: deal.terms,
        report: log.args.report,
        challengeEnd: Number(log.args.challengeEnd),
      });
      return;
    }
    case "UsageFlagged": {
      const deal = open.get(log.args.dealId);
      if (deal === undefined || deal.status !== "Reported") return;
      const { dealId, ...flag } = log.args;
      open.set(dealId, { ...deal, flag });
      return;
    }
    case "DealDisputed": {
      const deal = open.get(log.args.dealId);
      if (deal === undefined || deal.status !== "Reported") return;
      open.set(deal.dealId, {
        dealId: deal.dealId,
        status: "Disputed",
        terms: deal.terms,
        report: deal.report,
        arbitrationDeadline: Number(log.args.arbitrationDeadline),
        ...(deal.flag !== undefined ? { flag: deal.flag } : {}),
      });
      return;
    }
    case "DealFinalized":
    case "DealCancelled":
      open.delete(log.args.dealId);
      return;
  }
}
