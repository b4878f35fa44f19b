// Small helpers the contract handlers share. Amounts are decimal strings (numeric columns); BigInt
// does the arithmetic so nothing is ever rounded through a double.
import type { DecodedEvent } from "../sync/decode.ts";

export const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

/** Where an event happened, in the column names most tables use. */
export function at(e: DecodedEvent) {
  return { block_number: e.blockNumber, block_time: e.blockTime, tx_hash: e.txHash, log_index: e.logIndex };
}

/** Creation columns of an entity born in this event. */
export function created(e: DecodedEvent) {
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

export function add(a: unknown, b: unknown): string {
  return (BigInt(a as string) + BigInt(b as string)).toString();
}

export function sub(a: unknown, b: unknown): string {
  return (BigInt(a as string) - BigInt(b as string)).toString();
}

export function sum(values: readonly unknown[]): string {
  return values.reduce<bigint>((s, v) => s + BigInt(v as string), 0n).toString();
}

export function isZero(a: unknown): boolean {
  return BigInt(a as string) === 0n;
}

/** Floor of value / quantity × scale, or 0 for an empty quantity. */
export function unitPrice(value: unknown, quantity: unknown, scale = 1n): string {
  const q = BigInt(quantity as string);
  return q === 0n ? "0" : ((BigInt(value as string) * scale) / q).toString();
}

/** The region codes whose bits are set in a uint256 bitmask. */
export function regionsOf(mask: unknown): number[] {
  const m = BigInt(mask as string);
  const out: number[] = [];
  for (let r = 0; r < 256; r++) if ((m >> BigInt(r)) & 1n) out.push(r);
  return out;
}
