// The market keeps only a digest of a deal's terms (and of its usage report), so every deal action
// takes them back as calldata. The indexer serves the terms as DealOpened emitted them, as JSON
// (uint256 as decimal strings, small integers as numbers); this turns them back into the exact
// values viem encodes, walking the ABI so no field can be missed or mistyped.
import type { AbiParameter, ContractFunctionArgs } from "viem";

import { marketAbi } from "../../../../protocol/generated/abis.ts";

export type DealTermsArg = ContractFunctionArgs<typeof marketAbi, "nonpayable", "confirmUsage">[1];
export type UsageReportArg = ContractFunctionArgs<typeof marketAbi, "nonpayable", "confirmUsage">[2];

const confirmUsage = marketAbi.find((item) => item.type === "function" && item.name === "confirmUsage");
if (confirmUsage?.type !== "function") throw new Error("the market ABI has no confirmUsage");
const termsParameter = confirmUsage.inputs[1] as AbiParameter;

/** viem's own rule: unsigned integers of up to 48 bits are numbers, wider ones bigints. */
function fromJson(parameter: AbiParameter, value: unknown, path: string): unknown {
  const type = parameter.type;
  if (type.endsWith("[]")) {
    if (!Array.isArray(value)) throw new TypeError(`deal terms: ${path} is not a list`);
    const element = { ...parameter, type: type.slice(0, -2) } as AbiParameter;
    return value.map((v, i) => fromJson(element, v, `${path}[${i}]`));
  }
  if (type === "tuple") {
    if (value === null || typeof value !== "object") throw new TypeError(`deal terms: ${path} is not an object`);
    const components = (parameter as { components: readonly AbiParameter[] }).components;
    return Object.fromEntries(
      components.map((c) => [c.name, fromJson(c, (value as Record<string, unknown>)[c.name!], `${path}.${c.name}`)]),
    );
  }
  const uint = /^uint(\d+)$/.exec(type);
  if (uint) {
    if (typeof value !== "string" && typeof value !== "number") throw new TypeError(`deal terms: ${path} is missing`);
    return Number(uint[1]) <= 48 ? Number(value) : BigInt(value);
  }
  if (type === "address") {
    if (typeof value !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(value))
      throw new TypeError(`deal terms: ${path} is not an address`);
    return value;
  }
  throw new TypeError(`deal terms: unexpected ABI type ${type} at ${path}`);
}

/** The DealTerms argument of every deal action, from the indexer's `Deal.terms`. */
export function dealTermsArg(terms: unknown): DealTermsArg {
  return fromJson(termsParameter, terms, "terms") as DealTermsArg;
}

/** The UsageReport argument of the actions after the report, from the indexer's `Deal.usageReport`. */
export function usageReportArg(report: {
  vcuPerHour: readonly number[];
  whPerHour: readonly string[];
  meteringHash: string;
}): UsageReportArg {
  return {
    vcuPerHour: [...report.vcuPerHour],
    whPerHour: report.whPerHour.map((wh) => BigInt(wh)),
    meteringRoot: report.meteringHash as `0x${string}`,
  };
}
