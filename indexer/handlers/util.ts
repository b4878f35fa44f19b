// Small helpers the contract handlers share. Amounts are decimal strings (numeric columns); BigInt
// does the arithmetic so nothing is ever rounded through a double.
import type { Created, Decimal, EventPlace } from "../db/tables.ts";
import type { DecodedEvent } from "../sync/decode.ts";

export const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

/** An amount as events carry it: a decimal string (uint256) or a number (uints up to 48 bits). */
export type Amount = Decimal | number | bigint;

/** Where an event happened, in the column names most tables use. */
export function at(e: DecodedEvent): EventPlace {
  return { block_number: e.blockNumber, block_time: e.blockTime, tx_hash: e.txHash, log_index: e.logIndex };
}

/** Creation columns of an entity born in this event. */
export function created(e: DecodedEvent): Created & { updated_block: number } {
  return {
    created_block: e.blockNumber,
    created_time: e.blockTime,
    created_tx: e.txHash,
    created_log: e.logIndex,
    updated_block: e.blockNumber,
  };
}

/** Id of something an event creates without an on-chain id (a retirement, a mint). */
export function eventId(e: DecodedEvent): string {
  return `${e.blockNumber}-${e.logIndex}`;
}

export function add(a: Amount, b: Amount): Decimal {
  return (BigInt(a) + BigInt(b)).toString();
}

export function sub(a: Amount, b: Amount): Decimal {
  return (BigInt(a) - BigInt(b)).toString();
}

export function sum(values: readonly Amount[]): Decimal {
  return values.reduce<bigint>((s, v) => s + BigInt(v), 0n).toString();
}

export function isZero(a: Amount): boolean {
  return BigInt(a) === 0n;
}

/** Floor of value / quantity × scale, or 0 for an empty quantity. */
export function unitPrice(value: Amount, quantity: Amount, scale = 1n): Decimal {
  const q = BigInt(quantity);
  return q === 0n ? "0" : ((BigInt(value) * scale) / q).toString();
}

/** The region codes whose bits are set in a bitmask. */
export function regionsOf(mask: Amount): number[] {
  // Read off the binary digits: shifting a BigInt 256 times cost more than the rest of a bid's handler.
  const bits = BigInt(mask).toString(2);
  const out: number[] = [];
  for (let r = 0; r < bits.length; r++) if (bits.charCodeAt(bits.length - 1 - r) === 49) out.push(r);
  return out;
}
