import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { privateKeyToAccount } from "viem/accounts";

import { ClientBudget, limitCalls, needsHead, RPC_LIMITS } from "../../stack/rpc-limits.ts";

const call = (method: string, params: unknown[], id: unknown = 1) => ({ jsonrpc: "2.0", id, method, params });
type Forwarded = { params: [Record<string, string>, ...unknown[]] };

describe("/rpc limits", () => {
  it("clamps a log query's range to the head", () => {
    const body = call("eth_getLogs", [{ fromBlock: "0x0", toBlock: "0xffffffffffffffff" }]);
    assert.equal(needsHead(body), true);
    const result = limitCalls(body, 120);
    assert.ok("forward" in result);
    assert.deepEqual((result.forward as Forwarded).params[0], { fromBlock: "0x0", toBlock: "0x78" });
  });

  it("refuses a log query spanning more blocks than the limit, naming the range", () => {
    const result = limitCalls(call("eth_getLogs", [{ fromBlock: "earliest", toBlock: "latest" }], 9), 20_000);
    assert.ok("refused" in result);
    const answer = result.refused as { id: number; error: { code: number; message: string } };
    assert.equal(answer.id, 9);
    assert.equal(answer.error.code, -32005);
    assert.match(answer.error.message, /blocks 0 to 20000 are 20001 blocks; at most 10000/);
  });

  it("leaves a log query by block hash alone and refuses a malformed block number", () => {
    const byHash = call("eth_getLogs", [{ blockHash: `0x${"ab".repeat(32)}` }]);
    assert.deepEqual(limitCalls(byHash, 5), { forward: byHash });
    const bad = limitCalls(call("eth_getLogs", [{ fromBlock: "yesterday" }]), 5);
    assert.ok("refused" in bad);
    assert.match((bad.refused as { error: { message: string } }).error.message, /fromBlock must be a block number/);
  });

  it("keeps a filter's open end open but refuses a numbered end past the head", () => {
    const open = call("eth_newFilter", [{ fromBlock: "latest" }]);
    assert.deepEqual(limitCalls(open, 5), { forward: open });
    const past = limitCalls(call("eth_newFilter", [{ fromBlock: "0x1", toBlock: "0x99" }]), 5);
    assert.ok("refused" in past);
  });

  it("gives a call without gas the per-call cap and lowers a larger one to it", () => {
    const none = limitCalls(call("eth_call", [{ data: "0x5b600056" }, "latest"]), 0);
    assert.ok("forward" in none);
    assert.equal(BigInt((none.forward as Forwarded).params[0].gas), RPC_LIMITS.callGas);
    assert.equal((none.forward as Forwarded).params[1], "latest");
    const big = limitCalls(call("eth_estimateGas", [{ data: "0x", gas: "0xffffffff" }]), 0);
    assert.ok("forward" in big);
    assert.equal(BigInt((big.forward as Forwarded).params[0].gas), RPC_LIMITS.callGas);
    const small = limitCalls(call("eth_call", [{ data: "0x", gas: "0x5208" }]), 0);
    assert.ok("forward" in small);
    assert.equal((small.forward as Forwarded).params[0].gas, "0x5208");
  });

  it("refuses a batch whose calls may burn more gas together than one request may", () => {
    const loops = Array.from({ length: 100 }, (_, i) => call("eth_call", [{ data: "0x5b600056" }], i));
    const result = limitCalls(loops, 0);
    assert.ok("refused" in result);
    const answers = result.refused as { id: number; error: { message: string } }[];
    assert.equal(answers.length, 100);
    assert.match(answers[4].error.message, /at most 8000000 per request/);
    assert.match(answers[0].error.message, /not forwarded: call 4 of this batch \(eth_call\) was refused/);
    const four = limitCalls(loops.slice(0, 4), 0);
    assert.ok("forward" in four, "four calls at the cap fit one request");
  });

  it("refuses a call whose transaction is not an object", () => {
    const result = limitCalls(call("eth_call", ["0x1234"]), 0);
    assert.ok("refused" in result);
    assert.equal((result.refused as { error: { code: number } }).error.code, -32602);
  });
});

describe("/rpc transactions", () => {
  const account = privateKeyToAccount(`0x${"11".repeat(32)}`);
  const signed = (gas: bigint) =>
    account.signTransaction({
      chainId: 31337,
      to: account.address,
      gas,
      maxFeePerGas: 1n,
      maxPriorityFeePerGas: 1n,
      nonce: 0,
    });

  it("refuses a signed transaction asking for more gas than /rpc allows, and forwards one within it", async () => {
    const big = limitCalls(call("eth_sendRawTransaction", [await signed(RPC_LIMITS.txGas + 1n)]), 0);
    assert.ok("refused" in big);
    assert.match(
      (big.refused as { error: { message: string } }).error.message,
      /asks for 4000001 gas; at most 4000000/,
    );
    const body = call("eth_sendRawTransaction", [await signed(300_000n)]);
    assert.deepEqual(limitCalls(body, 0), { forward: body });
    const garbage = call("eth_sendRawTransaction", ["0x02f8"]);
    assert.deepEqual(limitCalls(garbage, 0), { forward: garbage }, "what viem cannot read, the node refuses");
  });
});

describe("/rpc client budget", () => {
  const options = { calls: { burst: 10, perSecond: 5 }, nodeMs: { burst: 1_000, perSecond: 100 }, inFlight: 2 };

  it("lets a burst of calls through, then asks the client to wait, and refills with time", () => {
    let now = 0;
    const budget = new ClientBudget(options, () => now);
    assert.equal(budget.admit("a", 10).admitted, true);
    budget.settle("a", 1);
    const refused = budget.admit("a", 1);
    assert.equal(refused.admitted, false);
    assert.ok(!refused.admitted && refused.retryAfterMs > 0 && /calls a second/.test(refused.why));
    assert.equal(budget.admit("b", 1).admitted, true, "another client has its own budget");
    now += 1_000;
    assert.equal(budget.admit("a", 5).admitted, true);
  });

  it("charges the node's time after the answer and refuses a client that kept it busy", () => {
    let now = 0;
    const budget = new ClientBudget(options, () => now);
    assert.equal(budget.admit("a", 1).admitted, true);
    budget.settle("a", 1_500);
    const refused = budget.admit("a", 1);
    assert.ok(!refused.admitted && /kept the chain busy/.test(refused.why));
    now += 6_000;
    assert.equal(budget.admit("a", 1).admitted, true);
  });

  it("caps the requests of one client with the chain at the same time", () => {
    const budget = new ClientBudget(options, () => 0);
    assert.equal(budget.admit("a", 1).admitted, true);
    assert.equal(budget.admit("a", 1).admitted, true);
    const third = budget.admit("a", 1);
    assert.ok(!third.admitted && /at most 2 at a time/.test(third.why));
    budget.settle("a", 0);
    assert.equal(budget.admit("a", 1).admitted, true);
  });
});
