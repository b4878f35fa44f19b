// One JSON-RPC call over HTTP. The stack drives the node's test methods (evm_mine,
// evm_setNextBlockTimestamp, …), which viem's typed clients do not cover one-to-one, and probes
// endpoints with a deadline, so it speaks the protocol directly.

export class RpcError extends Error {
  override name = "RpcError";
  /** The node's JSON-RPC error code; undefined when the node could not be reached or did not answer JSON-RPC. */
  readonly code: number | undefined;
  constructor(message: string, code?: number) {
    super(message);
    this.code = code;
  }
}

/**
 * @example
 * const head = BigInt(await rpcCall("http://127.0.0.1:8545", "eth_blockNumber"));
 * @throws {RpcError} with the node's message, or naming the URL when it does not answer in time
 */
// biome-ignore lint/suspicious/noExplicitAny: a JSON-RPC result's shape depends on the method; callers narrow it
export async function rpcCall(url: string, method: string, params: unknown[] = [], timeoutMs = 30_000): Promise<any> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const cause =
      (error as Error).name === "TimeoutError"
        ? `no answer within ${timeoutMs} ms`
        : ((error as { cause?: Error }).cause?.message ?? (error as Error).message);
    throw new RpcError(`${url} is not reachable (${cause})`);
  }
  let body: { result?: unknown; error?: { code: number; message: string } };
  try {
    body = (await response.json()) as typeof body;
  } catch {
    throw new RpcError(`${url} did not answer ${method} with JSON-RPC (HTTP ${response.status})`);
  }
  if (body.error) throw new RpcError(`${method}: ${body.error.message}`, body.error.code);
  return body.result;
}

/**
 * Several JSON-RPC calls in one request (a batch), answered in order. The node runs a batch's calls
 * one after the other, so a batch can mine blocks as single calls would.
 * @throws {RpcError} naming the first call the node refused (index into `calls`), or the URL when it does not answer
 */
export async function rpcBatch(
  url: string,
  calls: { method: string; params?: unknown[] }[],
  timeoutMs = 60_000,
  // biome-ignore lint/suspicious/noExplicitAny: a JSON-RPC result's shape depends on the method; callers narrow it
): Promise<any[]> {
  if (calls.length === 0) return [];
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(calls.map(({ method, params = [] }, id) => ({ jsonrpc: "2.0", id, method, params }))),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const cause =
      (error as Error).name === "TimeoutError"
        ? `no answer within ${timeoutMs} ms`
        : ((error as { cause?: Error }).cause?.message ?? (error as Error).message);
    throw new RpcError(`${url} is not reachable (${cause})`);
  }
  let answers: { id: number; result?: unknown; error?: { code: number; message: string } }[];
  try {
    answers = (await response.json()) as typeof answers;
  } catch {
    throw new RpcError(
      `${url} did not answer a batch of ${calls.length} calls with JSON-RPC (HTTP ${response.status})`,
    );
  }
  if (!Array.isArray(answers) || answers.length !== calls.length)
    throw new RpcError(
      `${url} answered a batch of ${calls.length} calls with ${JSON.stringify(answers).slice(0, 200)}`,
    );
  const byId = [...answers].sort((a, b) => a.id - b.id);
  for (const [i, answer] of byId.entries())
    if (answer.error) throw new BatchCallError(`${calls[i].method}: ${answer.error.message}`, answer.error.code, i);
  return byId.map((answer) => answer.result);
}

/** A call of a batch the node refused; `index` is its place in the batch. */
export class BatchCallError extends RpcError {
  override name = "BatchCallError";
  readonly index: number;
  constructor(message: string, code: number, index: number) {
    super(message, code);
    this.index = index;
  }
}
