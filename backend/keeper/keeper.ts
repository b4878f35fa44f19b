// The keeper: calls the market's permissionless deal actions once they are due, so that no deal stays
// stuck because its parties went quiet — finalise a report whose challenge window has passed, cancel a
// deal whose compute supplier never reported (the buyer is refunded), finalise a dispute the arbiter
// let lapse. Each action is dry-run alone first (a deal a party just closed, or a stale view, is
// skipped and logged instead of sinking the batch), then sent in `multicall` batches.
//
// A flagged report (UsageFlagged) never finalises unchallenged, so the keeper never tries: it waits
// for the buyer's confirmation (after the challenge period) or a party's dispute, names it once in
// the log with the reason, and lists it in every round until one of them acts; a dispute of it that
// the arbiter lets lapse is finalised like any other (docs/market-rules.md, "The keeper").

import type { Logger } from "pino";
import {
  type Address,
  encodeFunctionData,
  type Hex,
  keccak256,
  type LocalAccount,
  type PublicClient,
  parseEventLogs,
} from "viem";

import { marketAbi } from "../../protocol/generated/abis.ts";
import { broadcastTransaction } from "../chain/broadcast-transaction.ts";
import { type ChainError, ContractRevertError, errorFields, toChainError } from "../chain/errors.ts";
import { abortableSleep, backoffDelay, NO_RETRY, type RetryPolicy, withRetry } from "../chain/retry.ts";
import type { DealLedger, OpenDeal, ReportFlag } from "./deal-ledger.ts";

export type KeeperActionName = "finalize" | "cancelNoShow" | "finalizeLapsedDispute";

/** One permissionless call on one deal, encoded for `multicall`. */
export type KeeperAction = { dealId: bigint; action: KeeperActionName; data: Hex };

/** A flagged report the keeper leaves to the deal's parties, with why the market flagged it. */
export type FlaggedReport = { dealId: bigint; reason: string; challengeEnd: number; flag: ReportFlag };

/**
 * Why the market flagged a report, in words.
 * @example
 * flagReason({ outsideProfile: true, belowGreenMinimum: false, expectedWh: 3600n, whConsumed: 36000n, matchedGreenWh: 2000n })
 * // "metered 36000 Wh, far from the declared profile's 3600 Wh"
 */
export function flagReason(flag: ReportFlag): string {
  const reasons: string[] = [];
  if (flag.outsideProfile)
    reasons.push(`metered ${flag.whConsumed} Wh, far from the declared profile's ${flag.expectedWh} Wh`);
  if (flag.belowGreenMinimum)
    reasons.push(`time-matched green ${flag.matchedGreenWh} of ${flag.whConsumed} Wh, below the bid's minimum share`);
  return reasons.join("; ");
}

/** The reported deals whose report the market flagged: no keeper action is ever due on them. */
export function flaggedReports(deals: readonly OpenDeal[]): FlaggedReport[] {
  const flagged: FlaggedReport[] = [];
  for (const deal of deals)
    if (deal.status === "Reported" && deal.flag !== undefined)
      flagged.push({
        dealId: deal.dealId,
        reason: flagReason(deal.flag),
        challengeEnd: deal.challengeEnd,
        flag: deal.flag,
      });
  return flagged.sort((a, b) => (a.dealId < b.dealId ? -1 : 1));
}

/**
 * The actions due at block time `now` (the latest block's: the transaction lands in a later block, so
 * what is due now is still due then). Each condition is the contract's own; a flagged report is never
 * due (`finalize` reverts MarketReportFlagged).
 *
 * @example
 * dueActions(ledger.open(), Number(head.timestamp)) // [{ dealId: 7n, action: "finalize", data: "0x…" }]
 */
export function dueActions(deals: readonly OpenDeal[], now: number): KeeperAction[] {
  const due: KeeperAction[] = [];
  for (const deal of deals) {
    if (deal.status === "Active" && now >= deal.terms.reportDeadline) {
      due.push({
        dealId: deal.dealId,
        action: "cancelNoShow",
        data: encodeFunctionData({ abi: marketAbi, functionName: "cancelNoShow", args: [deal.dealId, deal.terms] }),
      });
    } else if (deal.status === "Reported" && deal.flag === undefined && now >= deal.challengeEnd) {
      due.push({
        dealId: deal.dealId,
        action: "finalize",
        data: encodeFunctionData({
          abi: marketAbi,
          functionName: "finalize",
          args: [deal.dealId, deal.terms, deal.report],
        }),
      });
    } else if (deal.status === "Disputed" && now >= deal.arbitrationDeadline) {
      due.push({
        dealId: deal.dealId,
        action: "finalizeLapsedDispute",
        data: encodeFunctionData({
          abi: marketAbi,
          functionName: "finalizeLapsedDispute",
          args: [deal.dealId, deal.terms, deal.report],
        }),
      });
    }
  }
  return due.sort((a, b) => (a.dealId < b.dealId ? -1 : 1));
}

export type KeeperParameters = {
  publicClient: PublicClient;
  /** Pays the gas; needs no role. */
  account: LocalAccount;
  market: Address;
  /** Where the open deals come from (a DealLedger; tests may hand in a stale view). */
  ledger: Pick<DealLedger, "sync" | "open">;
  logger: Logger;
  /** Time between rounds, ms. */
  intervalMs?: number;
  /** Most actions per multicall transaction (gas grows with each). */
  maxBatch?: number;
  retry?: RetryPolicy;
  /** Longest wait for a receipt, ms. */
  receiptTimeoutMs?: number;
  /** Called after each round that ran, with the deals still open (the process writes its status file). */
  onRound?: (round: Extract<KeeperRound, { status: "done" }>, openDeals: number) => void;
};

export type SkippedAction = { dealId: bigint; action: KeeperActionName; reason: string };
export type SentBatch = { txHash: Hex; status: "success" | "reverted"; actions: KeeperAction[]; closed: bigint[] };
export type KeeperRound =
  | {
      status: "done";
      due: number;
      sent: SentBatch[];
      skipped: SkippedAction[];
      /** Flagged reports left to their parties (as the round began). */
      flagged: FlaggedReport[];
    }
  | { status: "failed"; error: ChainError };

export class Keeper {
  readonly #p: Required<Omit<KeeperParameters, "retry" | "onRound">> &
    Pick<KeeperParameters, "onRound"> & {
      retry: RetryPolicy;
    };
  #stop = new AbortController();
  #running: Promise<void> | undefined;
  #failures = 0;
  #queue: Promise<unknown> = Promise.resolve();
  /** Flagged reports already named in the log: each is named once while it waits. */
  #announced = new Set<bigint>();
  #flagged: FlaggedReport[] = [];

  constructor(parameters: KeeperParameters) {
    this.#p = { intervalMs: 5_000, maxBatch: 20, retry: NO_RETRY, receiptTimeoutMs: 60_000, ...parameters };
  }

  /** Runs one round after any round still running; never throws (failures come back as `failed`). */
  runRound(): Promise<KeeperRound> {
    const next = this.#queue.then(() => this.#guardedRound());
    this.#queue = next;
    return next;
  }

  /** The flagged reports waiting for their parties, as of the last round. */
  get flagged(): readonly FlaggedReport[] {
    return this.#flagged;
  }

  start(): void {
    if (this.#running !== undefined) return;
    this.#stop = new AbortController();
    this.#running = this.#loop();
  }

  /** Ends the loop once the round in progress (and its transaction) is done. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#running;
    this.#running = undefined;
  }

  async #loop(): Promise<void> {
    while (!this.#stop.signal.aborted) {
      await this.runRound();
      const delay =
        this.#failures === 0
          ? this.#p.intervalMs
          : Math.max(1_000, backoffDelay(this.#failures - 1, { baseDelayMs: 1_000, maxDelayMs: 60_000 }));
      await abortableSleep(delay, this.#stop.signal).catch(() => undefined);
    }
  }

  async #guardedRound(): Promise<KeeperRound> {
    try {
      const round = await this.#round();
      this.#failures = 0;
      return round;
    } catch (err) {
      const error = toChainError(err, "keeper round");
      this.#failures++;
      this.#p.logger.error({ err: errorFields(error), failures: this.#failures }, "round failed");
      return { status: "failed", error };
    }
  }

  async #round(): Promise<KeeperRound> {
    const { publicClient, ledger, logger, retry, maxBatch } = this.#p;
    const headNumber = await ledger.sync();
    const head = await withRetry(() => publicClient.getBlock({ blockNumber: headNumber }), {
      ...retry,
      label: "read head block",
    });
    const now = Number(head.timestamp);
    const due = dueActions(ledger.open(), now);
    const flagged = this.#watchFlagged(flaggedReports(ledger.open()), now);
    const skipped: SkippedAction[] = [];
    const sendable: KeeperAction[] = [];
    for (const action of due) {
      const reason = await this.#dryRun(action);
      if (reason === undefined) sendable.push(action);
      else {
        skipped.push({ dealId: action.dealId, action: action.action, reason });
        logger.warn(
          { dealId: action.dealId, action: action.action, reason },
          "skipping a deal action that would revert",
        );
      }
    }
    const sent: SentBatch[] = [];
    for (let i = 0; i < sendable.length; i += maxBatch) {
      // Stop between batches, never inside one: a signed transaction is always seen to its receipt.
      if (this.#stop.signal.aborted) break;
      sent.push(await this.#send(sendable.slice(i, i + maxBatch)));
    }
    if (due.length > 0)
      logger.info(
        {
          due: due.length,
          sent: sent.reduce((n, b) => n + b.closed.length, 0),
          skipped: skipped.length,
          flagged: flagged.length,
        },
        "round done",
      );
    else logger.debug({ openDeals: ledger.open().length, flagged: flagged.length }, "nothing due");
    const round = { status: "done" as const, due: due.length, sent, skipped, flagged };
    this.#p.onRound?.(round, ledger.open().length);
    return round;
  }

  /** Names each newly flagged report once and forgets those a party has since acted on. */
  #watchFlagged(flagged: FlaggedReport[], now: number): FlaggedReport[] {
    const waiting = new Set(flagged.map((f) => f.dealId));
    for (const dealId of this.#announced) if (!waiting.has(dealId)) this.#announced.delete(dealId);
    for (const f of flagged) {
      if (this.#announced.has(f.dealId)) continue;
      this.#announced.add(f.dealId);
      this.#p.logger.warn(
        {
          dealId: f.dealId,
          reason: f.reason,
          challengeEnd: f.challengeEnd,
          challengeOver: now >= f.challengeEnd,
          ...f.flag,
        },
        "flagged report left to its parties: the buyer may confirm it after the challenge period, any party may take it to the arbiter",
      );
    }
    this.#flagged = flagged;
    return flagged;
  }

  /** undefined when the action would succeed alone, else why not (the market's error name when known). */
  async #dryRun(action: KeeperAction): Promise<string | undefined> {
    const { publicClient, account, market, retry } = this.#p;
    // Through `multicall`, which bubbles the inner revert, so that one path decodes every action's error.
    return withRetry(
      async () => {
        try {
          await publicClient.simulateContract({
            address: market,
            abi: marketAbi,
            functionName: "multicall",
            args: [[action.data]],
            account: account.address,
          });
          return undefined;
        } catch (err) {
          // A revert is this action's verdict, not a hiccup: answer it instead of letting withRetry retry it.
          const error = toChainError(err, `dry-run ${action.action}`);
          if (error instanceof ContractRevertError) return error.errorName ?? error.details ?? error.shortMessage;
          throw error;
        }
      },
      { ...retry, label: `dry-run ${action.action} of deal ${action.dealId}` },
    );
  }

  async #send(actions: KeeperAction[]): Promise<SentBatch> {
    const { publicClient, account, market, retry, receiptTimeoutMs, logger } = this.#p;
    const data =
      actions.length === 1
        ? actions[0].data
        : encodeFunctionData({ abi: marketAbi, functionName: "multicall", args: [actions.map((a) => a.data)] });
    const request = await withRetry(
      async () => {
        const nonce = await publicClient.getTransactionCount({ address: account.address, blockTag: "pending" });
        const prepared = await publicClient.prepareTransactionRequest({
          account,
          to: market,
          data,
          nonce,
          chain: publicClient.chain,
        });
        return { ...prepared, gas: (prepared.gas * 120n) / 100n };
      },
      { ...retry, label: "prepare deal actions" },
    );
    const rawTransaction = await account.signTransaction(request as Parameters<LocalAccount["signTransaction"]>[0]);
    const txHash = keccak256(rawTransaction);
    await broadcastTransaction(publicClient, { rawTransaction, retry });
    const receipt = await withRetry(
      () => publicClient.waitForTransactionReceipt({ hash: txHash, timeout: receiptTimeoutMs, retryCount: 0 }),
      {
        ...retry,
        label: `wait for ${txHash}`,
      },
    );
    const closed = parseEventLogs({
      abi: marketAbi,
      logs: receipt.logs,
      eventName: ["DealFinalized", "DealCancelled"],
    }).map((l) => l.args.dealId);
    const batch: SentBatch = { txHash, status: receipt.status, actions, closed };
    const fields = { txHash, actions: actions.map((a) => `${a.action}(${a.dealId})`), gasUsed: receipt.gasUsed };
    if (receipt.status === "success") logger.info(fields, "deal actions mined");
    else logger.error(fields, "deal actions reverted on chain; they are tried again next round");
    return batch;
  }
}
