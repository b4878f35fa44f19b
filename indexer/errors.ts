// Errors split the way the sync loop needs them: a retryable one (node unreachable, rate limit,
// a block not yet available) is retried with back-off; any other stops the indexer loudly.

export type IndexerErrorOptions = { retryable?: boolean; cause?: unknown; details?: Record<string, unknown> };

export class IndexerError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, message: string, options: IndexerErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = "IndexerError";
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.details = options.details;
  }
}

/** Network trouble talking to the node is worth retrying; a bug in a handler is not. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof IndexerError) return error.retryable;
  const name = (error as { name?: string } | undefined)?.name ?? "";
  return /HttpRequestError|TimeoutError|WebSocketRequestError|SocketClosedError|RpcRequestError|LimitExceeded|ResourceUnavailable|BlockNotFound/.test(
    name,
  );
}
