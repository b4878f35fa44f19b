// Turns raw logs into named events with plain JSON arguments, using the ABIs generated from the
// contracts' build artifacts (never hand-copied ones). The stored form of the arguments is typed
// per event in contracts.ts (`EventArgsOf`); here an event is still any event of any contract.
import { type Abi, type AbiEvent, decodeEventLog, toEventSelector } from "viem";
import type { EventArgsOf, EventNameOf, IndexedContract } from "../contracts.ts";
import type { RawLog } from "./chain.ts";
import { addAccount, compileEvent } from "./event-layout.ts";

export type ContractSpec = { name: string; address: string; abi: Abi };

/** Argument values as stored: uint → decimal string (or number up to 48 bits), address → lower case. */
export type StoredArgs = Readonly<Record<string, unknown>>;

/** A decoded event; `ContractEvent` narrows it to one event of one contract. */
export type DecodedEvent<C extends string = string, N extends string = string, A = StoredArgs> = {
  contract: C;
  address: string;
  name: N;
  args: A;
  /** Every address among the arguments, for "everything one account did". */
  accounts: string[];
  blockNumber: number;
  blockHash: string;
  blockTime: number;
  txHash: string;
  txIndex: number;
  logIndex: number;
};

/** One event of one indexed contract, its arguments typed from the ABI. */
export type ContractEvent<C extends IndexedContract, N extends EventNameOf<C>> = DecodedEvent<C, N, EventArgsOf<C, N>>;

export type Decoder = (log: RawLog, blockTime: number) => DecodedEvent | null;

/**
 * The indexer's decoder: each event's layout compiled from the ABI (event-layout.ts), viem's
 * decodeEventLog for the shapes the compiler leaves out. Both give the same stored form.
 */
export function createDecoder(contracts: readonly ContractSpec[]): Decoder {
  return decoderOf(contracts, true);
}

/** viem's decodeEventLog on every log: the reference the compiled decoder is tested against. */
export function createReferenceDecoder(contracts: readonly ContractSpec[]): Decoder {
  return decoderOf(contracts, false);
}

type EventDecoder = { name: string; decode: (log: RawLog, accounts: string[]) => StoredArgs };

function decoderOf(contracts: readonly ContractSpec[], compiled: boolean): Decoder {
  const byAddress = new Map<string, { name: string; events: Map<string, EventDecoder> }>();
  for (const c of contracts) {
    const events = new Map<string, EventDecoder>();
    for (const item of c.abi) {
      if (item.type !== "event") continue;
      const fast = compiled ? compileEvent(item) : null;
      events.set(toEventSelector(item), {
        name: item.name,
        decode: fast ? (log, accounts) => fast(log.topics, log.data, accounts) : viemDecode([item]),
      });
    }
    byAddress.set(c.address.toLowerCase(), { name: c.name, events });
  }
  return (log, blockTime) => {
    const contract = byAddress.get(log.address);
    const event = log.topics[0] ? contract?.events.get(log.topics[0]) : undefined;
    // Logs the ABIs do not describe (none are expected) are left out rather than guessed at.
    if (!contract || !event) return null;
    const accounts: string[] = [];
    const args = event.decode(log, accounts);
    return {
      contract: contract.name,
      address: log.address,
      name: event.name,
      args,
      accounts,
      blockNumber: log.blockNumber,
      blockHash: log.blockHash,
      blockTime,
      txHash: log.transactionHash,
      txIndex: log.transactionIndex,
      logIndex: log.logIndex,
    };
  };
}

function viemDecode(abi: AbiEvent[]): EventDecoder["decode"] {
  return (log, accounts) => {
    const decoded = decodeEventLog({ abi, data: log.data as `0x${string}`, topics: log.topics as [`0x${string}`] });
    return normalise(decoded.args, accounts) as StoredArgs;
  };
}

function normalise(value: unknown, accounts: string[]): unknown {
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "string") {
    if (value.length === 42 && value.startsWith("0x")) {
      const a = value.toLowerCase();
      if (a !== "0x0000000000000000000000000000000000000000") addAccount(accounts, a);
      return a;
    }
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => normalise(v, accounts));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = normalise(v, accounts);
    return out;
  }
  return value;
}
