// Backoff and the retryable/fatal split that keeps the matcher alive through node outages.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import fc from "fast-check";
import {
  type BaseError,
  ContractFunctionExecutionError,
  ContractFunctionRevertedError,
  encodeErrorResult,
  HttpRequestError,
  InsufficientFundsError,
  MethodNotFoundRpcError,
  parseAbi,
  RpcRequestError,
  TimeoutError,
} from "viem";

import {
  ContractRevertError,
  FatalChainError,
  MethodUnavailableError,
  RetryableChainError,
  toChainError,
} from "../../../backend/chain/errors.ts";
import { backoffDelay, withRetry } from "../../../backend/chain/retry.ts";

const url = "http://127.0.0.1:1/secret-api-key";

describe("backoffDelay", () => {
  it("stays within [0, min(cap, base·2^attempt)) for any attempt and jitter", () => {
    fc.assert(
      fc.property(fc.nat(80), fc.double({ min: 0, max: 0.999999, noNaN: true }), (attempt, r) => {
        const d = backoffDelay(attempt, { baseDelayMs: 100, maxDelayMs: 30_000, random: () => r });
        assert.ok(d >= 0 && d < Math.min(30_000, 100 * 2 ** attempt), `attempt ${attempt} → ${d}`);
      }),
    );
  });

  it("doubles its ceiling each attempt until the cap", () => {
    const top = (attempt: number) =>
      backoffDelay(attempt, { baseDelayMs: 100, maxDelayMs: 1_000, random: () => 0.999999 });
    assert.deepEqual([0, 1, 2, 3, 4, 5].map(top), [99, 199, 399, 799, 999, 999]);
  });
});

describe("toChainError", () => {
  it("treats an unreachable node, timeouts and 5xx/429 as retryable", () => {
    const refused = new HttpRequestError({ url, cause: new Error("connect ECONNREFUSED") });
    const e = toChainError(refused, "read book");
    assert.ok(e instanceof RetryableChainError);
    assert.match(e.message, /ECONNREFUSED/);
    assert.doesNotMatch(e.message, /secret-api-key/, "the RPC URL may carry a key and must not be logged");
    assert.equal(toChainError(new HttpRequestError({ url, status: 429 }), "x").retryable, true);
    assert.equal(toChainError(new HttpRequestError({ url, status: 503 }), "x").retryable, true);
    assert.equal(toChainError(new TimeoutError({ body: {}, url }), "x").retryable, true);
  });

  it("treats a refused request, a missing method and an empty account as fatal", () => {
    assert.ok(toChainError(new HttpRequestError({ url, status: 401 }), "x") instanceof FatalChainError);
    const missing = new MethodNotFoundRpcError(
      new RpcRequestError({ body: {}, url, error: { code: -32601, message: "no" } }),
    );
    assert.ok(toChainError(missing, "debug_traceCall") instanceof MethodUnavailableError);
    const broke = toChainError(new InsufficientFundsError(), "submit settle");
    assert.ok(broke instanceof FatalChainError);
    assert.equal(broke.retryable, false);
    assert.equal(toChainError(new Error("boom"), "x").retryable, false);
  });

  it("decodes a revert's custom error name", () => {
    const abi = parseAbi(["error EnforcedPause()", "function settle(uint256 x)"]);
    const revert = new ContractFunctionRevertedError({
      abi,
      functionName: "settle",
      data: encodeErrorResult({ abi, errorName: "EnforcedPause" }),
    });
    const wrapped = new ContractFunctionExecutionError(revert as BaseError, {
      abi,
      functionName: "settle",
      args: [1n],
    });
    const e = toChainError(wrapped, "simulate settle");
    assert.ok(e instanceof ContractRevertError);
    assert.equal(e.errorName, "EnforcedPause");
    assert.equal(e.retryable, true);
  });
});

describe("withRetry", () => {
  const noSleep = async () => {};

  it("retries retryable failures with growing delays and returns the first success", async () => {
    const delays: number[] = [];
    let calls = 0;
    const value = await withRetry(
      async () => {
        calls++;
        if (calls < 4) throw new HttpRequestError({ url, status: 503 });
        return "ok";
      },
      {
        label: "read",
        retries: 5,
        baseDelayMs: 10,
        maxDelayMs: 1_000,
        random: () => 0.5,
        sleep: noSleep,
        onRetry: (i) => delays.push(i.delayMs),
      },
    );
    assert.equal(value, "ok");
    assert.equal(calls, 4);
    assert.deepEqual(delays, [5, 10, 20]);
  });

  it("gives up after the last retry with the typed error", async () => {
    let calls = 0;
    await assert.rejects(
      withRetry(
        async () => {
          calls++;
          throw new HttpRequestError({ url });
        },
        { label: "read", retries: 2, baseDelayMs: 1, maxDelayMs: 1, sleep: noSleep },
      ),
      RetryableChainError,
    );
    assert.equal(calls, 3);
  });

  it("does not retry a fatal failure", async () => {
    let calls = 0;
    await assert.rejects(
      withRetry(
        async () => {
          calls++;
          throw new HttpRequestError({ url, status: 403 });
        },
        { label: "read", retries: 5, baseDelayMs: 1, maxDelayMs: 1, sleep: noSleep },
      ),
      FatalChainError,
    );
    assert.equal(calls, 1);
  });

  it("stops waiting when aborted", async () => {
    const controller = new AbortController();
    const run = withRetry(
      async () => {
        throw new HttpRequestError({ url });
      },
      {
        label: "read",
        retries: 100,
        baseDelayMs: 60_000,
        maxDelayMs: 60_000,
        random: () => 0.9,
        signal: controller.signal,
      },
    );
    setTimeout(() => controller.abort(new Error("stopping")), 10);
    await assert.rejects(run, /stopping/);
  });
});
