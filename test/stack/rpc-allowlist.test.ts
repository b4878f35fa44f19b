import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { ALLOWED_METHODS, checkRpcBody, MAX_BATCH } from "../../stack/rpc-allowlist.ts";

const call = (method: unknown, id: unknown = 1) => ({ jsonrpc: "2.0", id, method, params: [] });

describe("/rpc allowlist", () => {
  it("forwards reads, calls, estimates, logs and raw transactions", () => {
    for (const method of [
      "eth_chainId",
      "eth_blockNumber",
      "eth_call",
      "eth_estimateGas",
      "eth_getLogs",
      "eth_sendRawTransaction",
      "eth_getTransactionReceipt",
    ]) {
      assert.equal(checkRpcBody(call(method)), undefined, method);
    }
  });

  it("refuses signing with the node's keys and every method that changes the node", () => {
    for (const method of [
      "eth_sendTransaction",
      "eth_sign",
      "eth_signTypedData_v4",
      "personal_sign",
      "hardhat_setBalance",
      "evm_mine",
      "evm_revert",
      "debug_traceTransaction",
      "anvil_reset",
      "eth_accounts",
    ]) {
      assert.ok(!ALLOWED_METHODS.has(method), method);
      const answer = checkRpcBody(call(method, 7));
      assert.ok(answer !== undefined && !Array.isArray(answer), method);
      assert.equal(answer.id, 7);
      assert.equal(answer.error.code, -32601);
      assert.match(answer.error.message, new RegExp(`method ${method} is not available through /rpc`));
    }
  });

  it("answers a malformed call as an invalid request", () => {
    for (const body of [null, 3, "eth_chainId", { id: 1 }, call(42)]) {
      const answer = checkRpcBody(body);
      assert.ok(answer !== undefined && !Array.isArray(answer));
      assert.equal(answer.error.code, -32600);
    }
  });

  it("forwards a batch of allowed calls and refuses a batch with any refused call, whole", () => {
    assert.equal(checkRpcBody([call("eth_chainId", 1), call("eth_blockNumber", 2)]), undefined);
    const answer = checkRpcBody([call("eth_chainId", 1), call("evm_mine", 2)]);
    assert.ok(Array.isArray(answer));
    assert.deepEqual(
      answer.map((a) => a.id),
      [1, 2],
    );
    assert.match(answer[0].error.message, /not forwarded: call 1 of this batch \(evm_mine\) was refused/);
    assert.match(answer[1].error.message, /evm_mine is not available/);
  });

  it("refuses an empty batch and one larger than the limit", () => {
    assert.match((checkRpcBody([]) as { error: { message: string } }).error.message, /empty batch/);
    const big = Array.from({ length: MAX_BATCH + 1 }, (_, i) => call("eth_chainId", i));
    assert.match(
      (checkRpcBody(big) as { error: { message: string } }).error.message,
      new RegExp(`at most ${MAX_BATCH}`),
    );
  });
});
