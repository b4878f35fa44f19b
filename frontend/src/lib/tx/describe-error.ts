// A failed transaction in plain words. The contracts revert with custom errors that name the
// problem and carry the values explaining it (STYLE.md); viem decodes them against the generated
// ABIs and each one has a sentence in src/i18n/<lang>/errors.json (key `contract.<ErrorName>`),
// into which the arguments are put already formatted: times as dates, amounts in their units.
import type { TFunction } from "i18next";
import {
  type Abi,
  BaseError,
  ContractFunctionRevertedError,
  decodeErrorResult,
  type Hex,
  UserRejectedRequestError,
} from "viem";
import { abis } from "../../../../protocol/generated/abis.ts";
import { DEAL_STATUSES } from "../../../../protocol/orders.ts";
import {
  formatBps,
  formatCredits,
  formatEnergy,
  formatInteger,
  formatTime,
  formatToken,
  type Locale,
  shortAddress,
} from "../format.ts";

/** Every custom error of the deployed contracts, once (OpenZeppelin's appear in several ABIs). */
export const CUSTOM_ERRORS: { name: string; inputs: readonly { name: string; type: string }[] }[] = (() => {
  const seen = new Map<string, { name: string; inputs: readonly { name: string; type: string }[] }>();
  for (const abi of Object.values(abis))
    for (const item of abi) if (item.type === "error" && !seen.has(item.name)) seen.set(item.name, item);
  return [...seen.values()];
})();

const allErrors = CUSTOM_ERRORS.map((e) => ({ ...e, type: "error" as const })) as Abi;

export type DecodedError = { name: string; args: Record<string, unknown> };

/** The custom error inside a viem error (or raw revert data), with its arguments by name. */
export function decodeContractError(error: unknown): DecodedError | null {
  const fromData = (data: Hex): DecodedError | null => {
    try {
      const decoded = decodeErrorResult({ abi: allErrors, data });
      return { name: decoded.errorName, args: namedArgs(decoded.errorName, decoded.args ?? []) };
    } catch {
      return null;
    }
  };
  if (typeof error === "string" && error.startsWith("0x")) return fromData(error as Hex);
  if (!(error instanceof BaseError)) return null;
  const reverted = error.walk(
    (e) => e instanceof ContractFunctionRevertedError,
  ) as ContractFunctionRevertedError | null;
  if (reverted?.data?.errorName && reverted.data.errorName !== "Error" && reverted.data.errorName !== "Panic") {
    return { name: reverted.data.errorName, args: namedArgs(reverted.data.errorName, reverted.data.args ?? []) };
  }
  if (reverted?.raw) return fromData(reverted.raw);
  // Wallets report reverts in their own shapes; look for revert data anywhere in the chain of causes.
  let found: DecodedError | null = null;
  error.walk((e) => {
    const data = (e as { data?: unknown }).data;
    if (found === null && typeof data === "string" && /^0x[0-9a-f]{8}/i.test(data)) found = fromData(data as Hex);
    return false;
  });
  return found;
}

function namedArgs(name: string, args: readonly unknown[]): Record<string, unknown> {
  const inputs = CUSTOM_ERRORS.find((e) => e.name === name)?.inputs ?? [];
  return Object.fromEntries(inputs.map((input, i) => [input.name || `arg${i}`, args[i]]));
}

const ORDER_KINDS = ["bid", "computeOffer", "energyOffer", "bandwidthOffer"] as const;
const DEVICE_STATUSES = ["none", "pending", "approved", "suspended"] as const;

export type ErrorContext = {
  locale: Locale;
  /** Whose ERC-20 amounts an ERC20* error speaks of: the settlement token (default) or the carbon credits. */
  erc20?: "token" | "credits";
};

/** Each argument as a person reads it, chosen by the argument's name and the error. */
function formatArgs(decoded: DecodedError, t: TFunction, context: ErrorContext): Record<string, string> {
  const { locale } = context;
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(decoded.args)) {
    const n = typeof value === "bigint" ? value : typeof value === "number" ? BigInt(value) : null;
    if (typeof value === "string" && /^0x[0-9a-fA-F]{40}$/.test(value)) out[key] = shortAddress(value);
    else if (n === null) out[key] = String(value);
    else if (/(Start|End|expiry|Deadline|Time|At|latest|Until|firstHour)$/i.test(key) || key === "deadline")
      out[key] = formatTime(Number(n), locale);
    else if (key === "kind") out[key] = t(`errors:orderKind.${ORDER_KINDS[Number(n)] ?? "bid"}`);
    else if ((key === "status" || key === "required") && decoded.name.startsWith("Market"))
      out[key] = t(`errors:dealStatus.${DEAL_STATUSES[Number(n)] ?? "Active"}`);
    else if (key === "status" || key === "required")
      out[key] = t(`errors:deviceStatus.${DEVICE_STATUSES[Number(n)] ?? "none"}`);
    else if (/Bps$/.test(key)) out[key] = formatBps(n, locale);
    else if (/^wh$|Wh$/.test(key)) out[key] = Object.values(formatEnergy(n, locale, 3)).join(" ");
    else if (decoded.name.startsWith("ERC20") && /^(balance|needed|allowance)$/.test(key))
      out[key] = context.erc20 === "credits" ? `${formatCredits(n, locale)} kgCO₂e` : formatToken(n, locale);
    else if (decoded.name === "SettlementTokenFaucetLimit") out[key] = formatToken(n, locale);
    else if (key === "capacityW") out[key] = `${formatInteger(n, locale)} W`;
    else out[key] = formatInteger(n, locale);
  }
  return out;
}

/**
 * One sentence saying why a transaction failed, in the page's language.
 * @example describeError(err, t, { locale: "en" }) → "The bid's window must start before it ends (…)."
 */
export function describeError(error: unknown, t: TFunction, context: ErrorContext): string {
  const decoded = decodeContractError(error);
  if (decoded) {
    const key = `errors:contract.${decoded.name}`;
    return t(key, {
      ...formatArgs(decoded, t, context),
      defaultValue: t("errors:unknownContractError", { name: decoded.name }),
    });
  }
  if (error instanceof BaseError) {
    if (error.walk((e) => e instanceof UserRejectedRequestError)) return t("errors:userRejected");
    const insufficient = error.walk((e) => (e as BaseError).name === "InsufficientFundsError");
    if (insufficient) return t("errors:insufficientGas");
    if (error.walk((e) => (e as BaseError).name === "HttpRequestError"))
      return t("errors:network", { detail: error.shortMessage });
    return t("errors:generic", { detail: error.shortMessage });
  }
  if ((error as { code?: number })?.code === 4001) return t("errors:userRejected");
  return t("errors:generic", { detail: error instanceof Error ? error.message : String(error) });
}
