// The contracts the indexer follows, by deployment name, with the ABIs generated from their build
// artifacts (protocol/generated/abis.ts). Event types, the decoder and the handler map all derive
// from this one list, so a renamed event or argument breaks the build here, not in production.
import type { ContractEventArgsFromTopics, ContractEventName } from "viem";
import { carbonCreditsAbi, greenCertificatesAbi, marketAbi } from "../protocol/generated/abis.ts";

export const INDEXED_CONTRACTS = {
  Market: marketAbi,
  GreenCertificates: greenCertificatesAbi,
  CarbonCredits: carbonCreditsAbi,
} as const;

export type IndexedContract = keyof typeof INDEXED_CONTRACTS;
export type AbiOf<C extends IndexedContract> = (typeof INDEXED_CONTRACTS)[C];
export type EventNameOf<C extends IndexedContract> = ContractEventName<AbiOf<C>>;

/**
 * A value as the indexer stores it and hands it to handlers: what viem decodes to a bigint (uint
 * wider than 48 bits) is a decimal string; addresses are lower case; small uints stay numbers.
 */
export type Stored<T> = T extends bigint
  ? string
  : T extends readonly (infer U)[]
    ? readonly Stored<U>[]
    : T extends object
      ? { readonly [K in keyof T]: Stored<T[K]> }
      : T;

/** The arguments of one event of one contract, in stored form. */
export type EventArgsOf<C extends IndexedContract, N extends EventNameOf<C>> = Stored<
  ContractEventArgsFromTopics<AbiOf<C>, N, true>
>;
