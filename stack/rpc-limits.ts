// What one public /rpc request may cost the chain's node. A Hardhat node answers one call at a time,
// so a single expensive call stalls the matcher, keeper, indexer and every other visitor behind it
// (docs/security.md, "The public /rpc"). Calls that already passed the allowlist (stack/rpc-allowlist.ts)
// are bounded here before they are forwarded:
//
//   eth_getLogs, eth_newFilter    block range clamped to the head, at most maxLogBlocks blocks
//   eth_call, eth_estimateGas,    gas capped at callGas each (a call without gas gets callGas), and
//   eth_createAccessList          at most requestGas for the whole request
//   eth_sendRawTransaction        a transaction asking for more than txGas is refused (its gas is
//                                 burnt in a block the node mines: with the local chain's public
//                                 dev keys an endless loop costs an attacker nothing)
//
// and each client (peer address) gets a budget of calls and of the node's time (ClientBudget).

import { parseTransaction } from "viem";

import type { JsonRpcErrorResponse } from "./rpc-allowlist.ts";

export type RpcLimits = {
  /** Most blocks one eth_getLogs (or log filter) may span. */
  maxLogBlocks: number;
  /** Most gas one eth_call, eth_estimateGas or eth_createAccessList may burn. */
  callGas: bigint;
  /** Most gas the calls of one request (a batch) may burn together. */
  requestGas: bigint;
  /** Most gas a transaction sent through /rpc may ask for. */
  txGas: bigint;
};

/**
 * Default limits. 2 M gas is 0.3 to 0.8 s of a loaded node's time for an endless loop, and several
 * times what any market call needs (snapshots/gas.json: a bid 108 k, twenty finalisations in one
 * multicall 1.1 M).
 */
export const RPC_LIMITS: RpcLimits = {
  maxLogBlocks: 10_000,
  callGas: 2_000_000n,
  requestGas: 8_000_000n,
  txGas: 4_000_000n,
};

const INVALID_PARAMS = -32602;
/** The code public providers use for "request exceeds a limit" (EIP-1474 "limit exceeded"). */
const LIMIT_EXCEEDED = -32005;

const GAS_METHODS = new Set(["eth_call", "eth_estimateGas", "eth_createAccessList"]);
const LOG_METHODS = new Set(["eth_getLogs", "eth_newFilter"]);

type Call = { jsonrpc?: unknown; id?: unknown; method: string; params?: unknown };
type Refusal = { code: number; message: string };

/** Whether bounding this body needs the chain's head (a log range to clamp). */
export function needsHead(body: unknown): boolean {
  return (Array.isArray(body) ? body : [body]).some((c) => LOG_METHODS.has((c as Call).method));
}

/**
 * Bounds the calls of a body the allowlist accepted. Returns the body to forward (calls rewritten
 * where a bound applies) or the answer to send instead: a batch with any call refused is refused
 * whole, as the allowlist does.
 * @param head the chain's head block, needed when needsHead(body)
 */
export function limitCalls(
  body: unknown,
  head: number,
  limits: RpcLimits = RPC_LIMITS,
): { forward: unknown } | { refused: JsonRpcErrorResponse | JsonRpcErrorResponse[] } {
  const calls = (Array.isArray(body) ? body : [body]) as Call[];
  const rewritten: Call[] = [];
  const reasons: (Refusal | undefined)[] = [];
  let gas = 0n;
  for (const call of calls) {
    const result = limitCall(call, head, limits);
    if ("refused" in result) {
      reasons.push(result.refused);
      rewritten.push(call);
      continue;
    }
    gas += result.gas;
    rewritten.push(result.call);
    reasons.push(
      gas > limits.requestGas
        ? {
            code: LIMIT_EXCEEDED,
            message: `the calls of this request may burn ${gas} gas together; at most ${limits.requestGas} per request`,
          }
        : undefined,
    );
  }
  const firstRefused = reasons.findIndex((r) => r !== undefined);
  if (firstRefused === -1) return { forward: Array.isArray(body) ? rewritten : rewritten[0] };
  const answer = (call: Call, i: number): JsonRpcErrorResponse => ({
    jsonrpc: "2.0",
    id: idOf(call),
    error:
      reasons[i] ??
      ({
        code: LIMIT_EXCEEDED,
        message: `not forwarded: call ${firstRefused} of this batch (${calls[firstRefused].method}) was refused`,
      } as Refusal),
  });
  return { refused: Array.isArray(body) ? calls.map(answer) : answer(calls[0], 0) };
}

function limitCall(call: Call, head: number, limits: RpcLimits): { call: Call; gas: bigint } | { refused: Refusal } {
  if (call.method === "eth_sendRawTransaction") {
    const raw = Array.isArray(call.params) ? call.params[0] : undefined;
    let gas: bigint | undefined;
    try {
      gas = typeof raw === "string" ? parseTransaction(raw as `0x${string}`).gas : undefined;
    } catch {
      // Not a transaction viem can read: the node says why.
    }
    if (gas !== undefined && gas > limits.txGas)
      return {
        refused: {
          code: LIMIT_EXCEEDED,
          message: `eth_sendRawTransaction: the transaction asks for ${gas} gas; at most ${limits.txGas} through /rpc`,
        },
      };
    return { call, gas: 0n };
  }
  if (GAS_METHODS.has(call.method)) {
    const params = Array.isArray(call.params) ? call.params : [];
    const tx = params[0];
    if (typeof tx !== "object" || tx === null || Array.isArray(tx))
      return { refused: { code: INVALID_PARAMS, message: `${call.method}: params[0] must be a transaction object` } };
    const given = (tx as { gas?: unknown }).gas;
    let gas = limits.callGas;
    if (given !== undefined && given !== null) {
      const parsed = quantity(given);
      if (parsed === undefined)
        return { refused: { code: INVALID_PARAMS, message: `${call.method}: params[0].gas must be a hex quantity` } };
      if (parsed < gas) gas = parsed;
    }
    const bounded = { ...(tx as object), gas: `0x${gas.toString(16)}` };
    return { call: { ...call, params: [bounded, ...params.slice(1)] }, gas };
  }
  if (LOG_METHODS.has(call.method)) {
    const params = Array.isArray(call.params) ? call.params : [];
    const filter = params[0];
    if (typeof filter !== "object" || filter === null || Array.isArray(filter))
      return { refused: { code: INVALID_PARAMS, message: `${call.method}: params[0] must be a filter object` } };
    const f = filter as { fromBlock?: unknown; toBlock?: unknown; blockHash?: unknown };
    // One block by hash: nothing to bound.
    if (f.blockHash !== undefined && f.blockHash !== null) return { call, gas: 0n };
    const from = blockNumber(f.fromBlock, head);
    const to = blockNumber(f.toBlock, head);
    if (from === undefined || to === undefined) {
      const field = from === undefined ? "fromBlock" : "toBlock";
      return {
        refused: {
          code: INVALID_PARAMS,
          message: `${call.method}: params[0].${field} must be a block number or one of latest, earliest, pending, safe, finalized`,
        },
      };
    }
    // Nothing exists past the head: a log query gets the same answer with the range ending there.
    // A filter keeps following new blocks, so its open end stays open.
    const end = to > head ? head : to;
    if (end >= from && end - from + 1 > limits.maxLogBlocks) {
      return {
        refused: {
          code: LIMIT_EXCEEDED,
          message: `${call.method}: blocks ${from} to ${end} are ${end - from + 1} blocks; at most ${limits.maxLogBlocks} per call`,
        },
      };
    }
    if (call.method === "eth_newFilter") {
      if (to > head && f.toBlock !== undefined && !isTag(f.toBlock))
        return {
          refused: {
            code: INVALID_PARAMS,
            message: `eth_newFilter: toBlock ${to} is past the head ${head}; use latest`,
          },
        };
      return { call, gas: 0n };
    }
    const bounded = { ...f, fromBlock: hex(from), toBlock: hex(end) };
    return { call: { ...call, params: [bounded, ...params.slice(1)] }, gas: 0n };
  }
  return { call, gas: 0n };
}

const TAGS = new Set(["latest", "pending", "safe", "finalized", "earliest"]);

function isTag(value: unknown): boolean {
  return typeof value === "string" && TAGS.has(value);
}

/** A block parameter as a number (a tag or a missing value is resolved against the head). */
function blockNumber(value: unknown, head: number): number | undefined {
  if (value === undefined || value === null) return head;
  if (value === "earliest") return 0;
  if (isTag(value)) return head;
  const n = quantity(value);
  if (n === undefined) return undefined;
  return n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(n);
}

function quantity(value: unknown): bigint | undefined {
  if (typeof value !== "string" || !/^0x[0-9a-fA-F]{1,64}$/.test(value)) return undefined;
  return BigInt(value);
}

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

function idOf(call: unknown): string | number | null {
  const id = (call as { id?: unknown } | null)?.id;
  return typeof id === "string" || typeof id === "number" ? id : null;
}

export type BudgetOptions = {
  /** Calls a client may send in a burst, and how many it regains per second. */
  calls: { burst: number; perSecond: number };
  /** Node milliseconds a client may use in a burst, and how many it regains per second. */
  nodeMs: { burst: number; perSecond: number };
  /** Requests of one client forwarded at the same time. */
  inFlight: number;
};

/**
 * Generous for a page (it polls a few calls a second); a script that floods calls, or calls that
 * keep the node busy, waits. The node's time is charged after the answer, so no estimate of a
 * call's cost is trusted.
 */
export const CLIENT_BUDGET: BudgetOptions = {
  calls: { burst: 400, perSecond: 100 },
  nodeMs: { burst: 5_000, perSecond: 400 },
  inFlight: 8,
};

type Account = { calls: number; nodeMs: number; at: number; inFlight: number };

/** Per-client token buckets for /rpc: calls and node time, plus concurrent requests. */
export class ClientBudget {
  readonly #options: BudgetOptions;
  readonly #accounts = new Map<string, Account>();
  readonly #now: () => number;

  constructor(options: BudgetOptions = CLIENT_BUDGET, now: () => number = Date.now) {
    this.#options = options;
    this.#now = now;
  }

  /**
   * Admits a request of `calls` calls, or says how long to wait and why. An admitted request must
   * be settled with the node time it took.
   */
  admit(client: string, calls: number): { admitted: true } | { admitted: false; retryAfterMs: number; why: string } {
    const account = this.#refill(client);
    const { options } = this;
    if (account.inFlight >= options.inFlight)
      return {
        admitted: false,
        retryAfterMs: 1_000,
        why: `${account.inFlight} requests of this client are already with the chain; at most ${options.inFlight} at a time`,
      };
    if (account.calls < calls) {
      const wait = ((calls - account.calls) / options.calls.perSecond) * 1000;
      return {
        admitted: false,
        retryAfterMs: Math.ceil(wait),
        why: `more than ${options.calls.perSecond} calls a second from this client`,
      };
    }
    if (account.nodeMs <= 0) {
      const wait = ((1 - account.nodeMs) / options.nodeMs.perSecond) * 1000;
      return {
        admitted: false,
        retryAfterMs: Math.ceil(wait),
        why: `this client's calls kept the chain busy for more than ${options.nodeMs.perSecond} ms a second`,
      };
    }
    account.calls -= calls;
    account.inFlight++;
    return { admitted: true };
  }

  /** Charges the node time an admitted request took. */
  settle(client: string, nodeMs: number): void {
    const account = this.#refill(client);
    account.inFlight = Math.max(0, account.inFlight - 1);
    account.nodeMs -= nodeMs;
  }

  get options(): BudgetOptions {
    return this.#options;
  }

  #refill(client: string): Account {
    const now = this.#now();
    const { calls, nodeMs } = this.#options;
    let account = this.#accounts.get(client);
    if (account === undefined) {
      account = { calls: calls.burst, nodeMs: nodeMs.burst, at: now, inFlight: 0 };
      this.#accounts.set(client, account);
      if (this.#accounts.size > 10_000) this.#forgetIdle();
      return account;
    }
    const seconds = (now - account.at) / 1000;
    account.calls = Math.min(calls.burst, account.calls + seconds * calls.perSecond);
    account.nodeMs = Math.min(nodeMs.burst, account.nodeMs + seconds * nodeMs.perSecond);
    account.at = now;
    return account;
  }

  /** A client whose buckets are full again is no different from a new one. */
  #forgetIdle(): void {
    for (const [client, account] of this.#accounts) {
      const seconds = (this.#now() - account.at) / 1000;
      const { calls, nodeMs } = this.#options;
      if (
        account.inFlight === 0 &&
        account.calls + seconds * calls.perSecond >= calls.burst &&
        account.nodeMs + seconds * nodeMs.perSecond >= nodeMs.burst
      )
        this.#accounts.delete(client);
    }
  }
}
