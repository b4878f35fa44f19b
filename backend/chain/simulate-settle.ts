// Dry-runs `settle` against the chain's current state to learn, before paying gas, which matches
// would open deals and which the market would skip (and why).
//
// Two ways, the first the node supports:
//   trace  debug_traceCall with the call tracer's logs: the MatchSkipped events of the dry run,
//          with their reasons.
//   call   plain eth_call of growing prefixes of the batch: `settle` returns how many deals it
//          opened, so a prefix that opens no more than the one before ends in a skipped match
//          (reason unknown). Every node offers it.
// A match that makes the whole call revert (rather than be skipped) is found by trying it alone,
// and dropped.
import {
  type Address,
  decodeErrorResult,
  encodeFunctionData,
  type Hex,
  isAddressEqual,
  type Log,
  type PublicClient,
  parseEventLogs,
} from "viem";

import { marketAbi } from "../../protocol/generated/abis.ts";
import { type Match, SKIP_REASONS, type SkipReason } from "../../protocol/orders.ts";
import { ContractRevertError, MethodUnavailableError, toChainError } from "./errors.ts";
import { NO_RETRY, type RetryPolicy, withRetry } from "./retry.ts";

export type SimulationMethod = "trace" | "call";

export type SimulatedMatch =
  | { outcome: "opens" }
  /** `reason` is undefined when the method cannot see it (call). */
  | { outcome: "skipped"; reason: SkipReason | undefined }
  /** The match alone makes `settle` revert; `errorName` is the market's custom error when known. */
  | { outcome: "reverts"; errorName: string | undefined };

export type SimulateSettleParameters = {
  market: Address;
  /** The matcher account (settle needs MATCHER_ROLE). */
  from: Address;
  matches: readonly Match[];
  /** "auto" tries trace, then call. */
  method?: SimulationMethod | "auto";
  retry?: RetryPolicy;
};
export type SimulateSettleReturnType = { method: SimulationMethod; matches: SimulatedMatch[] };

/**
 * @example
 * const { matches } = await simulateSettle(publicClient, { market, from: account.address, matches: batch })
 * const settling = batch.filter((_, i) => matches[i].outcome === "opens")
 */
export async function simulateSettle(
  client: PublicClient,
  parameters: SimulateSettleParameters,
): Promise<SimulateSettleReturnType> {
  const method = parameters.method ?? "auto";
  if (parameters.matches.length === 0) return { method: method === "call" ? "call" : "trace", matches: [] };
  let result: SimulateSettleReturnType | undefined;
  if (method !== "call") {
    try {
      result = { method: "trace", matches: await byTrace(client, parameters) };
    } catch (err) {
      if (method === "trace" || !(toChainError(err, "debug_traceCall") instanceof MethodUnavailableError)) throw err;
    }
  }
  result ??= { method: "call", matches: await byPrefixCalls(client, parameters) };

  // Every match reverting alone means the market refuses the caller or the moment (paused, missing
  // role), not the matches: that is the round's failure, to be retried, not a verdict on each match.
  const reverts = result.matches.filter((m) => m.outcome === "reverts");
  if (reverts.length === result.matches.length) {
    const errorName = reverts[0].errorName;
    throw new ContractRevertError("simulate settle reverted for every match", { details: errorName, errorName });
  }
  return result;
}

type CallFrame = {
  output?: Hex;
  error?: string;
  calls?: CallFrame[];
  logs?: { address: Address; topics: Hex[]; data: Hex; position?: Hex | number }[];
};

type TraceRun = { reverted: false; logs: Log[] } | { reverted: true; errorName: string | undefined };

async function traceSettle(
  client: PublicClient,
  p: SimulateSettleParameters,
  matches: readonly Match[],
): Promise<TraceRun> {
  const data = encodeFunctionData({ abi: marketAbi, functionName: "settle", args: [matches] });
  const frame = await withRetry(
    () =>
      client.request({
        method: "debug_traceCall",
        params: [
          { from: p.from, to: p.market, data },
          "latest",
          { tracer: "callTracer", tracerConfig: { withLog: true } },
        ],
      } as never) as Promise<CallFrame>,
    { ...(p.retry ?? NO_RETRY), label: "debug_traceCall settle" },
  );
  if (frame.error !== undefined) return { reverted: true, errorName: errorNameOf(frame.output) };
  return { reverted: false, logs: logsInOrder(frame) };
}

/** A frame's logs interleaved with its subcalls' in execution order, leaving out reverted subcalls. */
function logsInOrder(frame: CallFrame): Log[] {
  const calls = frame.calls ?? [];
  const logs = frame.logs ?? [];
  const at = (position: Hex | number | undefined) => (position === undefined ? calls.length : Number(position));
  const out: Log[] = [];
  for (let i = 0; i <= calls.length; i++) {
    for (const log of logs)
      if (at(log.position) === i)
        out.push({ address: log.address, topics: log.topics, data: log.data } as unknown as Log);
    const sub = calls[i];
    if (sub !== undefined && sub.error === undefined) out.push(...logsInOrder(sub));
  }
  return out;
}

function errorNameOf(output: Hex | undefined): string | undefined {
  if (output === undefined || output === "0x") return undefined;
  try {
    return decodeErrorResult({ abi: marketAbi, data: output }).errorName;
  } catch {
    return undefined;
  }
}

async function byTrace(client: PublicClient, p: SimulateSettleParameters): Promise<SimulatedMatch[]> {
  const whole = await traceSettle(client, p, p.matches);
  if (!whole.reverted) return outcomesFromLogs(p.market, whole.logs, p.matches.length);

  // Find the matches that revert on their own and run the rest again as one batch.
  const result: SimulatedMatch[] = [];
  const kept: number[] = [];
  for (const [i, m] of p.matches.entries()) {
    const alone = await traceSettle(client, p, [m]);
    if (alone.reverted) result[i] = { outcome: "reverts", errorName: alone.errorName };
    else kept.push(i);
  }
  const rest =
    kept.length === 0
      ? undefined
      : await traceSettle(
          client,
          p,
          kept.map((i) => p.matches[i]),
        );
  const outcomes: SimulatedMatch[] =
    rest === undefined
      ? []
      : rest.reverted
        ? // Only a combination of matches reverts: submit none of them rather than guess.
          kept.map(() => ({ outcome: "reverts", errorName: rest.errorName }))
        : outcomesFromLogs(p.market, rest.logs, kept.length);
  kept.forEach((i, k) => (result[i] = outcomes[k]));
  return result;
}

function outcomesFromLogs(market: Address, logs: Log[], count: number): SimulatedMatch[] {
  const result: SimulatedMatch[] = Array.from({ length: count }, () => ({ outcome: "opens" }));
  const own = logs.filter((log) => isAddressEqual(log.address, market));
  for (const log of parseEventLogs({ abi: marketAbi, logs: own, eventName: "MatchSkipped" })) {
    const index = Number(log.args.index);
    if (index < count) result[index] = { outcome: "skipped", reason: SKIP_REASONS[log.args.reason] };
  }
  return result;
}

async function byPrefixCalls(client: PublicClient, p: SimulateSettleParameters): Promise<SimulatedMatch[]> {
  const retry = p.retry ?? NO_RETRY;
  const result: SimulatedMatch[] = [];
  const prefix: Match[] = [];
  let opened = 0n;
  for (const [i, m] of p.matches.entries()) {
    // A revert is this match's verdict, not a hiccup: answer it instead of letting withRetry retry it.
    const run = await withRetry(
      async () => {
        try {
          const args = [[...prefix, m]] as const;
          const { result: count } = await client.simulateContract({
            address: p.market,
            abi: marketAbi,
            functionName: "settle",
            args,
            account: p.from,
          });
          return { count, revert: undefined };
        } catch (err) {
          const error = toChainError(err, "simulate settle");
          if (error instanceof ContractRevertError) return { count: undefined, revert: error };
          throw error;
        }
      },
      { ...retry, label: "simulate settle" },
    );
    if (run.revert !== undefined) {
      result[i] = { outcome: "reverts", errorName: run.revert.errorName };
      continue;
    }
    result[i] = run.count! > opened ? { outcome: "opens" } : { outcome: "skipped", reason: undefined };
    opened = run.count!;
    prefix.push(m);
  }
  return result;
}
