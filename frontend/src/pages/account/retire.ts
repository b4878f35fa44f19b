// Checks of the retire and transfer forms, before signing, with the contracts' own limits: a
// non-zero amount no larger than what is held, a non-zero beneficiary (GreenCertificates.retire,
// CarbonCredits.retire) and, for certificate Wh and credits, exact base units.
import { isAddress, zeroAddress } from "viem";

import { CREDIT_DECIMALS } from "../../../../protocol/units.ts";
import { type ParseError, parseDecimal, parseKwhToWh } from "../../lib/format.ts";

export type AmountError = ParseError | "zero" | "aboveHeld";
export type AddressError = "empty" | "notAddress";
export type TextError = "empty";

function amount(parsed: ReturnType<typeof parseDecimal>, held: bigint): { value: bigint } | { error: AmountError } {
  if (!parsed.ok) return { error: parsed.error };
  if (parsed.value === 0n) return { error: "zero" };
  if (parsed.value > held) return { error: "aboveHeld" };
  return { value: parsed.value };
}

function address(text: string): { value: `0x${string}` } | { error: AddressError } {
  const a = text.trim();
  if (a === "") return { error: "empty" };
  if (!isAddress(a, { strict: false }) || a.toLowerCase() === zeroAddress) return { error: "notAddress" };
  return { value: a as `0x${string}` };
}

export type RetireInput = { amount: string; beneficiary: string; reason: string };
export type RetireErrors = { amount?: AmountError; beneficiary?: AddressError; reason?: TextError };
export type RetireCheck =
  | { ok: true; amount: bigint; beneficiary: `0x${string}`; reason: string }
  | { ok: false; errors: RetireErrors };

function retire(parsed: ReturnType<typeof parseDecimal>, input: RetireInput, held: bigint): RetireCheck {
  const a = amount(parsed, held);
  const b = address(input.beneficiary);
  const errors: RetireErrors = {};
  if ("error" in a) errors.amount = a.error;
  if ("error" in b) errors.beneficiary = b.error;
  if (input.reason.trim() === "") errors.reason = "empty";
  if ("error" in a || "error" in b || errors.reason) return { ok: false, errors };
  return { ok: true, amount: a.value, beneficiary: b.value, reason: input.reason.trim() };
}

/** Certificate Wh typed in kWh, out of `heldWh`. */
export function checkCertificateRetirement(input: RetireInput, heldWh: bigint): RetireCheck {
  return retire(parseKwhToWh(input.amount), input, heldWh);
}

/** Credits typed in kgCO2e (3 decimals = gCO2e base units), out of `balance`. */
export function checkCreditRetirement(input: RetireInput, balance: bigint): RetireCheck {
  return retire(parseDecimal(input.amount, CREDIT_DECIMALS), input, balance);
}

export type TransferCheck =
  | { ok: true; amount: bigint; to: `0x${string}` }
  | { ok: false; errors: { amount?: AmountError; to?: AddressError } };

/** A credit transfer in kgCO2e to another account. */
export function checkCreditTransfer(input: { amount: string; to: string }, balance: bigint): TransferCheck {
  const a = amount(parseDecimal(input.amount, CREDIT_DECIMALS), balance);
  const to = address(input.to);
  if ("error" in a || "error" in to)
    return {
      ok: false,
      errors: { amount: "error" in a ? a.error : undefined, to: "error" in to ? to.error : undefined },
    };
  return { ok: true, amount: a.value, to: to.value };
}

/**
 * Splits a retirement of `amount` Wh from one certificate issue over its device-hours (one ERC-1155
 * id each, docs/carbon-accounting.md): earliest hour first, each up to what the account holds of it.
 * Null when the hours hold less than `amount`.
 */
export function allocateRetirement(
  hours: readonly { certificateId: bigint; held: bigint }[],
  amount: bigint,
): { certificateId: bigint; wh: bigint }[] | null {
  const out: { certificateId: bigint; wh: bigint }[] = [];
  let left = amount;
  for (const hour of hours) {
    if (left === 0n) break;
    const wh = hour.held < left ? hour.held : left;
    if (wh > 0n) out.push({ certificateId: hour.certificateId, wh });
    left -= wh;
  }
  return left === 0n ? out : null;
}
