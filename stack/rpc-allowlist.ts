// Which JSON-RPC calls the public `/rpc` forwards to the chain. A browser needs to read the chain and
// send transactions it signed itself; a dev node also answers methods that sign with its own unlocked
// keys (eth_sendTransaction) or rewrite the chain (evm_*, hardhat_*), which would let any page
// visitor move anyone's funds or break the stack's replayable history. So: an allowlist.

export const ALLOWED_METHODS: ReadonlySet<string> = new Set([
  "web3_clientVersion",
  "net_version",
  "net_listening",
  "eth_chainId",
  "eth_syncing",
  "eth_blockNumber",
  "eth_gasPrice",
  "eth_maxPriorityFeePerGas",
  "eth_blobBaseFee",
  "eth_feeHistory",
  "eth_getBalance",
  "eth_getCode",
  "eth_getStorageAt",
  "eth_getProof",
  "eth_getTransactionCount",
  "eth_getBlockByNumber",
  "eth_getBlockByHash",
  "eth_getBlockReceipts",
  "eth_getBlockTransactionCountByNumber",
  "eth_getBlockTransactionCountByHash",
  "eth_getTransactionByHash",
  "eth_getTransactionByBlockNumberAndIndex",
  "eth_getTransactionByBlockHashAndIndex",
  "eth_getTransactionReceipt",
  "eth_getLogs",
  "eth_call",
  "eth_estimateGas",
  "eth_createAccessList",
  "eth_sendRawTransaction",
  // Log and block filters: viem's watchers poll with them. They live in the node and change nothing.
  "eth_newFilter",
  "eth_newBlockFilter",
  "eth_getFilterChanges",
  "eth_getFilterLogs",
  "eth_uninstallFilter",
]);

/** Most calls in one batch: a batch is one request for the rate of work it causes. */
export const MAX_BATCH = 100;

type JsonRpcId = string | number | null;
export type JsonRpcErrorResponse = { jsonrpc: "2.0"; id: JsonRpcId; error: { code: number; message: string } };

const INVALID_REQUEST = -32600;
const METHOD_NOT_FOUND = -32601;

function error(id: JsonRpcId, code: number, message: string): JsonRpcErrorResponse {
  return { jsonrpc: "2.0", id, error: { code, message } };
}

function idOf(call: unknown): JsonRpcId {
  const id = (call as { id?: unknown } | null)?.id;
  return typeof id === "string" || typeof id === "number" ? id : null;
}

/** Why one call may not pass, or undefined when it may. */
function refusal(call: unknown): { code: number; message: string } | undefined {
  if (typeof call !== "object" || call === null || Array.isArray(call))
    return { code: INVALID_REQUEST, message: "a JSON-RPC call must be an object" };
  const { method } = call as { method?: unknown };
  if (typeof method !== "string") return { code: INVALID_REQUEST, message: "a JSON-RPC call needs a string method" };
  if (!ALLOWED_METHODS.has(method)) {
    return {
      code: METHOD_NOT_FOUND,
      message: `method ${method} is not available through /rpc: it forwards reads and transactions signed by the sender (eth_sendRawTransaction), nothing that signs with the node's keys or changes the node`,
    };
  }
  return undefined;
}

/**
 * Checks a request body (one call or a batch). Undefined: forward it as it is. Otherwise the answer
 * to send instead: a batch with any refused call is refused whole, each call told why, so a client
 * never gets half a batch done.
 */
export function checkRpcBody(body: unknown): JsonRpcErrorResponse | JsonRpcErrorResponse[] | undefined {
  if (!Array.isArray(body)) {
    const why = refusal(body);
    return why === undefined ? undefined : error(idOf(body), why.code, why.message);
  }
  if (body.length === 0) return error(null, INVALID_REQUEST, "an empty batch");
  if (body.length > MAX_BATCH)
    return error(null, INVALID_REQUEST, `a batch of ${body.length} calls; at most ${MAX_BATCH} are forwarded`);
  const reasons = body.map(refusal);
  const firstRefused = reasons.findIndex((r) => r !== undefined);
  if (firstRefused === -1) return undefined;
  const culprit = (body[firstRefused] as { method?: unknown } | null)?.method;
  return body.map((call, i) =>
    reasons[i] !== undefined
      ? error(idOf(call), reasons[i]!.code, reasons[i]!.message)
      : error(
          idOf(call),
          INVALID_REQUEST,
          `not forwarded: call ${firstRefused} of this batch (${String(culprit)}) was refused`,
        ),
  );
}
