// Exponential backoff with full jitter (each delay drawn uniformly from [0, min(cap, base·2^attempt)]),
// so that several clients knocked out by the same node outage do not come back in lockstep.
import { type ChainError, toChainError } from "./errors.ts";

export type BackoffParameters = {
  /** First delay's upper bound, ms. */
  baseDelayMs: number;
  /** Largest delay, ms. */
  maxDelayMs: number;
  /** Uniform [0, 1) source; injectable so tests can pin the jitter. */
  random?: () => number;
};

/**
 * Delay before retry number `attempt` (0 = first retry).
 *
 * @example
 * backoffDelay(3, { baseDelayMs: 200, maxDelayMs: 10_000 }) // somewhere in [0, 1600)
 */
export function backoffDelay(
  attempt: number,
  { baseDelayMs, maxDelayMs, random = Math.random }: BackoffParameters,
): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(attempt, 52));
  return Math.floor(random() * ceiling);
}

export type RetryParameters = BackoffParameters & {
  /** Retries after the first try; the operation runs at most retries + 1 times. */
  retries: number;
  /** Says what is being tried, for the errors and the retry callback. */
  label: string;
  signal?: AbortSignal;
  onRetry?: (info: { label: string; attempt: number; delayMs: number; error: ChainError }) => void;
  /** Waits `ms`; injectable so tests need not sleep. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
};

export type RetryReturnType<T> = Promise<T>;

/** How an operation retries, minus what it is called (each operation names itself). */
export type RetryPolicy = Omit<RetryParameters, "label">;

/** One try, no retry. */
export const NO_RETRY: RetryPolicy = { retries: 0, baseDelayMs: 0, maxDelayMs: 0 };

/**
 * Runs `operation`, retrying retryable failures with backoff; throws the last ChainError when the
 * retries run out or at once for a fatal one.
 *
 * @example
 * const block = await withRetry(() => client.getBlockNumber(), { label: "read block", retries: 5, baseDelayMs: 200, maxDelayMs: 5_000 })
 */
export async function withRetry<T>(
  operation: (attempt: number) => Promise<T>,
  parameters: RetryParameters,
): RetryReturnType<T> {
  const sleep = parameters.sleep ?? abortableSleep;
  for (let attempt = 0; ; attempt++) {
    parameters.signal?.throwIfAborted();
    try {
      return await operation(attempt);
    } catch (err) {
      const error = toChainError(err, parameters.label);
      if (!error.retryable || attempt >= parameters.retries || parameters.signal?.aborted) throw error;
      const delayMs = backoffDelay(attempt, parameters);
      parameters.onRetry?.({ label: parameters.label, attempt: attempt + 1, delayMs, error });
      await sleep(delayMs, parameters.signal);
    }
  }
}

/** setTimeout as a promise that rejects when `signal` aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
