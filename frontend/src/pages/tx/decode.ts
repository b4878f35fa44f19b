// A transaction in the market's own words: the function it called and the events it emitted,
// decoded with the ABI of the contract at each address (protocol/generated/abis.ts), argument by
// argument with the ABI's names, so the page can show units and link ids to deals and traces.
import { type Abi, type AbiParameter, decodeEventLog, decodeFunctionData, type Hex } from "viem";

export type KnownContract = { name: string; address: string; abi: Abi };

/** One decoded value with its ABI name and type; tuples and lists hold their parts. */
export type Value =
  | { name: string; type: string; kind: "scalar"; value: bigint | number | string | boolean }
  | { name: string; type: string; kind: "tuple" | "list"; items: Value[] };

export type DecodedCall = { contract: string; functionName: string; args: Value[]; calls: DecodedCall[] };
export type DecodedEvent = { contract: string; address: string; logIndex: number; eventName: string; args: Value[] };

function named(parameter: AbiParameter, value: unknown, fallback: string): Value {
  const name = parameter.name || fallback;
  const type = parameter.type;
  if (type.endsWith("]")) {
    const element = { ...parameter, type: type.slice(0, type.lastIndexOf("[")), name: "" } as AbiParameter;
    return { name, type, kind: "list", items: (value as unknown[]).map((v, i) => named(element, v, `#${i + 1}`)) };
  }
  if (type === "tuple") {
    const components = (parameter as { components: readonly AbiParameter[] }).components;
    const get = (c: AbiParameter, i: number) =>
      Array.isArray(value) ? value[i] : (value as Record<string, unknown>)[c.name!];
    return { name, type, kind: "tuple", items: components.map((c, i) => named(c, get(c, i), `#${i + 1}`)) };
  }
  return { name, type, kind: "scalar", value: value as bigint | number | string | boolean };
}

const byAddress = (contracts: readonly KnownContract[], address: string | null | undefined) =>
  address ? contracts.find((c) => c.address.toLowerCase() === address.toLowerCase()) : undefined;

/**
 * The call `input` makes on `to`, or null when `to` is not one of the market's contracts (or the
 * input matches none of its functions). A `multicall(bytes[])` also decodes the calls it bundles.
 */
export function decodeCall(contracts: readonly KnownContract[], to: string | null, input: Hex): DecodedCall | null {
  const contract = byAddress(contracts, to);
  if (!contract || input === "0x") return null;
  return decodeOn(contract, input);
}

function decodeOn(contract: KnownContract, input: Hex): DecodedCall | null {
  let decoded: { functionName: string; args?: readonly unknown[] };
  try {
    decoded = decodeFunctionData({ abi: contract.abi, data: input });
  } catch {
    return null;
  }
  const fn = contract.abi.find(
    (item) =>
      item.type === "function" &&
      item.name === decoded.functionName &&
      item.inputs.length === (decoded.args?.length ?? 0),
  );
  const inputs = fn?.type === "function" ? fn.inputs : [];
  const args = (decoded.args ?? []).map((v, i) => named(inputs[i] ?? { type: "bytes" }, v, `#${i + 1}`));
  const calls =
    decoded.functionName === "multicall" && Array.isArray(decoded.args?.[0])
      ? (decoded.args[0] as Hex[]).map((data) => decodeOn(contract, data)).filter((c): c is DecodedCall => c !== null)
      : [];
  return { contract: contract.name, functionName: decoded.functionName, args, calls };
}

type RawLog = { address: string; topics: readonly Hex[]; data: Hex; logIndex: number | null };

/** The receipt's logs emitted by the market's contracts, decoded; other logs are left out. */
export function decodeEvents(contracts: readonly KnownContract[], logs: readonly RawLog[]): DecodedEvent[] {
  const out: DecodedEvent[] = [];
  for (const log of logs) {
    const contract = byAddress(contracts, log.address);
    if (!contract || log.topics.length === 0) continue;
    let decoded: { eventName?: string; args?: unknown };
    try {
      decoded = decodeEventLog({ abi: contract.abi, data: log.data, topics: log.topics as [Hex, ...Hex[]] });
    } catch {
      continue;
    }
    const event = contract.abi.find((item) => item.type === "event" && item.name === decoded.eventName);
    const inputs = event?.type === "event" ? event.inputs : [];
    const values = decoded.args as unknown as Record<string, unknown> | unknown[] | undefined;
    const args = inputs.map((p, i) =>
      named(p, Array.isArray(values) ? values[i] : values?.[p.name ?? ""], `#${i + 1}`),
    );
    out.push({
      contract: contract.name,
      address: log.address,
      logIndex: log.logIndex ?? -1,
      eventName: decoded.eventName ?? "",
      args,
    });
  }
  return out;
}

export type EntityLink = { kind: "deal" | "batch" | "retirement"; id: string };

/** Where an event leads in the market: the deal, batch or retirement it is about. */
export function eventLinks(event: DecodedEvent, blockNumber: bigint | number): EntityLink[] {
  const links: EntityLink[] = [];
  const scalar = (name: string) => {
    const v = event.args.find((a) => a.name === name);
    return v?.kind === "scalar" ? String(v.value) : null;
  };
  const dealId = scalar("dealId");
  if (dealId !== null && dealId !== "0") links.push({ kind: "deal", id: dealId });
  const batchId = scalar("batchId");
  if (batchId !== null && batchId !== "0") links.push({ kind: "batch", id: batchId });
  // The indexer names a retirement after where its event sits: block-logIndex.
  if (event.eventName === "CertificatesRetired")
    links.push({ kind: "retirement", id: `${blockNumber}-${event.logIndex}` });
  return links;
}
