// Client input → the stored form: enum names to the codes the tables hold, addresses checked and
// lower-cased. A bad value is a user error naming the argument at fault.
import { ENERGY_SOURCES, HARDWARE_CLASSES } from "../../protocol/units.ts";
import type { OrderKind } from "../db/tables.ts";
import { userError } from "./errors.ts";

/** The GraphQL OrderKind enum → orders.kind. */
export const KIND_TO_DB = {
  BID: "bid",
  COMPUTE_OFFER: "compute",
  ENERGY_OFFER: "energy",
  BANDWIDTH_OFFER: "bandwidth",
} as const satisfies Record<string, OrderKind>;

export type OrderKindName = keyof typeof KIND_TO_DB;

export function hardwareClassIndex(name: string | null | undefined, field: string): number | null {
  if (name === null || name === undefined) return null;
  const i = (HARDWARE_CLASSES as readonly string[]).indexOf(name);
  if (i < 0) throw userError(field, `unknown hardware class "${name}" (one of ${HARDWARE_CLASSES.join(", ")})`);
  return i;
}

export function sourceIndex(name: string | null | undefined, field: string): number | null {
  if (name === null || name === undefined) return null;
  const i = (ENERGY_SOURCES as readonly string[]).indexOf(name);
  if (i < 0) throw userError(field, `unknown energy source "${name}" (one of ${ENERGY_SOURCES.join(", ")})`);
  return i;
}

export function address(value: string | null | undefined, field: string): string | null {
  if (value === null || value === undefined) return null;
  if (!/^0x[0-9a-fA-F]{40}$/.test(value)) throw userError(field, "not a 20-byte hex address");
  return value.toLowerCase();
}

/** A status enum value (`FINALIZED`) as the tables spell it (`Finalized`). */
export function statusName(value: string | null | undefined): string | null {
  return value ? value[0] + value.slice(1).toLowerCase() : null;
}
