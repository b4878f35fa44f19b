// The compiled event decoder (sync/event-layout.ts) against viem's decodeEventLog (the reference
// decoder of sync/decode.ts): the same stored arguments and accounts on every log of a market
// history, and on random values of every ABI type an event can carry.
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import {
  type Abi,
  type AbiEvent,
  type AbiParameter,
  encodeAbiParameters,
  encodeEventTopics,
  keccak256,
  toHex,
} from "viem";
import { loadContracts } from "../../../indexer/deployment.ts";
import { createChain } from "../../../indexer/sync/chain.ts";
import { createDecoder, createReferenceDecoder, type Decoder } from "../../../indexer/sync/decode.ts";
import { deploy, Exchange, type Node, startNode } from "../helpers/chain.ts";
import { buildMarketHistory } from "../helpers/history.ts";
import { tempDir } from "../helpers/indexer.ts";

const EVERY_TYPE = {
  type: "event",
  name: "EveryType",
  inputs: [
    { name: "who", type: "address", indexed: true },
    { name: "id", type: "uint256", indexed: true },
    { name: "label", type: "string", indexed: true },
    { name: "small", type: "uint8" },
    { name: "time", type: "uint40" },
    { name: "wide", type: "uint64" },
    { name: "amount", type: "uint256" },
    { name: "delta", type: "int16" },
    { name: "signedWide", type: "int256" },
    { name: "flag", type: "bool" },
    { name: "hash", type: "bytes32" },
    { name: "short", type: "bytes20" },
    { name: "blob", type: "bytes" },
    { name: "text", type: "string" },
    { name: "ids", type: "uint256[]" },
    { name: "pair", type: "address[2]" },
    { name: "names", type: "string[]" },
    {
      name: "terms",
      type: "tuple",
      components: [
        { name: "price", type: "uint96" },
        { name: "note", type: "string" },
        {
          name: "lots",
          type: "tuple[]",
          components: [
            { name: "supplier", type: "address" },
            { name: "wh", type: "uint256" },
          ],
        },
        { name: "window", type: "tuple", components: [{ type: "uint40" }, { type: "uint40" }] },
      ],
    },
  ],
} as const satisfies AbiEvent;

const ADDRESS = "0x0000000000000000000000000000000000001234";

/** A value for `param`, from `n` (so that each round differs, zeros and extremes included). */
function sample(param: AbiParameter, n: number): unknown {
  const array = /^(.*)\[(\d*)\]$/.exec(param.type);
  if (array) {
    const length = array[2] === "" ? n % 4 : Number(array[2]);
    return Array.from({ length }, (_, i) => sample({ ...param, type: array[1] } as AbiParameter, n + i + 1));
  }
  if (param.type === "tuple") {
    const components = (param as { components: readonly AbiParameter[] }).components;
    const values = components.map((c, i) => sample(c, n + i));
    return components.every((c) => c.name) ? Object.fromEntries(components.map((c, i) => [c.name, values[i]])) : values;
  }
  if (param.type === "address")
    return n % 5 === 0 ? "0x0000000000000000000000000000000000000000" : keccak256(toHex(n)).slice(0, 42);
  if (param.type === "bool") return n % 2 === 0;
  if (param.type === "string")
    return ["", "GPU inference", "grüner Strom ⚡", "0xAbCdEf0123456789abcdef0123456789ABCDEF01", "x".repeat(70)][
      n % 5
    ];
  if (param.type === "bytes") return [`0x`, `0x${"ab".repeat(n % 40)}`, ADDRESS][n % 3];
  const fixed = /^bytes(\d+)$/.exec(param.type);
  if (fixed) return keccak256(toHex(n)).slice(0, 2 + Number(fixed[1]) * 2);
  const int = /^(u?)int(\d+)$/.exec(param.type)!;
  const bits = BigInt(int[2]);
  const max = int[1] ? (1n << bits) - 1n : (1n << (bits - 1n)) - 1n;
  const min = int[1] ? 0n : -(1n << (bits - 1n));
  return [min, max, 0n, 1n, max / 3n, min / 7n, BigInt(n) % (max + 1n)][n % 7];
}

function encodeLog(event: AbiEvent, n: number) {
  const values = Object.fromEntries(event.inputs.map((p, i) => [p.name, sample(p, n + i)]));
  const topics = encodeEventTopics({
    abi: [event],
    eventName: event.name,
    args: Object.fromEntries(event.inputs.filter((p) => p.indexed).map((p) => [p.name, values[p.name!]])),
  } as never) as string[];
  const body = event.inputs.filter((p) => !p.indexed);
  const data = encodeAbiParameters(
    body,
    body.map((p) => values[p.name!]),
  );
  return {
    address: ADDRESS,
    topics,
    data,
    blockNumber: 7,
    blockHash: `0x${"11".repeat(32)}`,
    transactionHash: `0x${"22".repeat(32)}`,
    transactionIndex: 0,
    logIndex: n,
  };
}

describe("compiled event decoder", () => {
  const spec = [{ name: "Probe", address: ADDRESS, abi: [EVERY_TYPE] as Abi }];
  const compiled = createDecoder(spec);
  const reference = createReferenceDecoder(spec);

  it("decodes every ABI type as viem does, extremes, empty values and unicode included", () => {
    for (let n = 0; n < 400; n++) {
      const log = encodeLog(EVERY_TYPE, n);
      assert.deepStrictEqual(compiled(log, 1_700_000_000), reference(log, 1_700_000_000), `round ${n}`);
    }
  });

  it("rejects a log whose data ends before its layout does, as viem does", () => {
    const log = encodeLog(EVERY_TYPE, 3);
    const cut = { ...log, data: log.data.slice(0, 2 + 64 * 5) };
    assert.throws(() => reference(cut, 0));
    assert.throws(() => compiled(cut, 0), { name: "EventLayoutError" });
  });

  it("rejects a log with fewer topics than indexed arguments", () => {
    const log = encodeLog(EVERY_TYPE, 4);
    assert.throws(() => compiled({ ...log, topics: log.topics.slice(0, 2) }, 0), /topic 2 is missing/);
  });
});

describe("compiled event decoder on a market history", () => {
  let node: Node;
  let deployDir: string;
  let compiled: Decoder;
  let reference: Decoder;
  let logs: Awaited<ReturnType<ReturnType<typeof createChain>["logs"]>>;

  before(async () => {
    node = await startNode();
    deployDir = tempDir("decode-deploy");
    const deployment = await deploy(node, deployDir);
    const x = await new Exchange(node.url, deployment).init();
    await buildMarketHistory(x, { deals: 250 });
    const { contracts, startBlock } = await loadContracts(deployment.chainId, deployment.file);
    compiled = createDecoder(contracts);
    reference = createReferenceDecoder(contracts);
    const chain = createChain({ rpcUrl: node.url, wsUrl: "off" });
    try {
      logs = await chain.logs({
        addresses: contracts.map((c) => c.address.toLowerCase()),
        fromBlock: startBlock,
        toBlock: await x.head(),
      });
    } finally {
      await chain.close();
    }
  });

  after(async () => {
    await node?.stop();
    rmSync(deployDir, { recursive: true, force: true });
  });

  it("gives viem's arguments and accounts on every log", () => {
    const names = new Set<string>();
    for (const log of logs) {
      const want = reference(log, 1);
      assert.deepStrictEqual(compiled(log, 1), want, `${want?.name} at ${log.blockNumber}/${log.logIndex}`);
      if (want) names.add(`${want.contract}.${want.name}`);
    }
    // A history with every kind of market event, not a few repeated ones.
    assert.ok(logs.length > 2_000, `${logs.length} logs`);
    assert.ok(names.size >= 25, [...names].join(", "));
  });
});
