// Every failure of the chain layer is a ChainError that says whether trying again can help, so the
// matcher's loop can retry the transient ones and report the others without ever crashing.
import {
  BaseError,
  ContractFunctionRevertedError,
  ExecutionRevertedError,
  HttpRequestError,
  InsufficientFundsError,
  InternalRpcError,
  LimitExceededRpcError,
  MethodNotFoundRpcError,
  MethodNotSupportedRpcError,
  NonceTooLowError,
  ResourceUnavailableRpcError,
  SocketClosedError,
  TimeoutError,
  TransactionNotFoundError,
  TransactionReceiptNotFoundError,
  WaitForTransactionReceiptTimeoutError,
  WebSocketRequestError,
} from "viem";

export type ChainErrorParameters = {
  /** More about the failure, safe to log (never an RPC URL: it may carry an API key). */
  details?: string;
  cause?: unknown;
};

/** Base of every error the chain layer and the matcher throw on purpose. */
export class ChainError extends Error {
  override name = "ChainError";
  /** One line saying what failed. */
  readonly shortMessage: string;
  readonly details: string | undefined;
  /** Whether the same operation may succeed when tried again later. */
  readonly retryable: boolean = false;

  constructor(shortMessage: string, parameters: ChainErrorParameters = {}) {
    super(parameters.details === undefined ? shortMessage : `${shortMessage}: ${parameters.details}`, {
      cause: parameters.cause,
    });
    this.shortMessage = shortMessage;
    this.details = parameters.details;
  }
}

/** The node was unreachable, slow, rate-limited or momentarily behind: try again after a pause. */
export class RetryableChainError extends ChainError {
  override name = "RetryableChainError";
  override readonly retryable: boolean = true;
}

/** Trying again cannot help without someone changing the configuration or the code. */
export class FatalChainError extends ChainError {
  override name = "FatalChainError";
}

/**
 * A call or transaction reverted. Retryable: the market may be paused for a while, or the state a
 * call saw may move on; the custom error's name tells which.
 */
export class ContractRevertError extends RetryableChainError {
  override name = "ContractRevertError";
  /** The custom error's name when the ABI knows it (e.g. `EnforcedPause`), else undefined. */
  readonly errorName: string | undefined;
  readonly args: readonly unknown[];

  constructor(
    shortMessage: string,
    parameters: ChainErrorParameters & { errorName?: string; args?: readonly unknown[] },
  ) {
    super(shortMessage, parameters);
    this.errorName = parameters.errorName;
    this.args = parameters.args ?? [];
  }
}

/** The node does not offer an RPC method (e.g. `debug_traceCall` on a hosted endpoint). */
export class MethodUnavailableError extends FatalChainError {
  override name = "MethodUnavailableError";
  readonly method: string;

  constructor(method: string, parameters: ChainErrorParameters = {}) {
    super(`the node does not support ${method}`, parameters);
    this.method = method;
  }
}

/** HTTP statuses that say "not now" rather than "never". */
const TRANSIENT_HTTP = new Set([408, 425, 429, 500, 502, 503, 504]);

const TRANSIENT_ERRORS = [
  TimeoutError,
  SocketClosedError,
  WebSocketRequestError,
  LimitExceededRpcError,
  ResourceUnavailableRpcError,
  InternalRpcError,
  // Another transaction of the matcher's account landed first: read the nonce again.
  NonceTooLowError,
  TransactionNotFoundError,
  TransactionReceiptNotFoundError,
  WaitForTransactionReceiptTimeoutError,
] as const;

/**
 * Turns anything thrown by viem (or by us) into a ChainError, deciding retryable or fatal.
 *
 * @example
 * try { await client.getBlockNumber() } catch (err) { const e = toChainError(err, "read block"); if (e.retryable) … }
 */
export function toChainError(err: unknown, context: string): ChainError {
  if (err instanceof ChainError) return err;
  if (!(err instanceof BaseError)) {
    const message = err instanceof Error ? err.message : String(err);
    return new FatalChainError(context, { details: message, cause: err });
  }

  const revert = err.walk((e) => e instanceof ContractFunctionRevertedError);
  if (revert instanceof ContractFunctionRevertedError) {
    const errorName = revert.data?.errorName ?? undefined;
    const details = errorName ?? revert.reason ?? revert.shortMessage;
    return new ContractRevertError(`${context} reverted`, {
      details,
      errorName,
      args: revert.data?.args ?? [],
      cause: err,
    });
  }

  // A revert seen without the ABI (gas estimation, a mined transaction): no name to decode.
  const bare = err.walk((e) => e instanceof ExecutionRevertedError);
  if (bare instanceof ExecutionRevertedError) {
    return new ContractRevertError(`${context} reverted`, { details: bare.details || bare.shortMessage, cause: err });
  }

  const unsupported = err.walk((e) => e instanceof MethodNotFoundRpcError || e instanceof MethodNotSupportedRpcError);
  if (unsupported !== null) return new MethodUnavailableError(context, { details: err.shortMessage, cause: err });

  const insufficient = err.walk((e) => e instanceof InsufficientFundsError);
  if (insufficient !== null) {
    return new FatalChainError(`${context}: the matcher account cannot pay for gas`, { cause: err });
  }

  const http = err.walk((e) => e instanceof HttpRequestError);
  if (http instanceof HttpRequestError) {
    // No status means the request never got an answer (refused, reset, DNS): the node may come back.
    const transient = http.status === undefined || TRANSIENT_HTTP.has(http.status);
    const details = http.status === undefined ? causeText(http) : `HTTP ${http.status}`;
    return transient
      ? new RetryableChainError(`${context}: node unreachable`, { details, cause: err })
      : new FatalChainError(`${context}: node refused the request`, { details, cause: err });
  }

  if (err.walk((e) => TRANSIENT_ERRORS.some((type) => e instanceof type)) !== null) {
    return new RetryableChainError(context, { details: err.shortMessage, cause: err });
  }
  return new FatalChainError(context, { details: err.shortMessage, cause: err });
}

function causeText(err: BaseError): string {
  const root = err.walk();
  return root instanceof Error && root !== err ? root.message : err.shortMessage;
}

/** The parts of an error worth a log line (never the viem message, which may quote the RPC URL). */
export function errorFields(error: ChainError): { type: string; message: string; errorName?: string } {
  const errorName = "errorName" in error ? (error.errorName as string | undefined) : undefined;
  return { type: error.name, message: error.message, ...(errorName === undefined ? {} : { errorName }) };
}
