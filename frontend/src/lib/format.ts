// Locale-aware display of the market's units (docs/market-rules.md, "units") and exact parsing of what people type.
// Amounts stay bigint from the chain to the screen: they are turned into decimal strings by integer
// arithmetic and handed to Intl.NumberFormat as strings, which formats them without going through a
// float. Parsing goes the other way, digit by digit, so "0.1" tokens is exactly 100000 base units.
import { isOnHour } from "../../../protocol/hours.ts";
import { BPS, CREDIT_DECIMALS, TOKEN_DECIMALS } from "../../../protocol/units.ts";

export type Locale = "en" | "zh-CN";

/** `value / 10^decimals` as an exact decimal string without trailing fraction zeros ("1.5", "-0.000001"). */
export function toDecimalString(value: bigint, decimals: number): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(decimals + 1, "0");
  const whole = digits.slice(0, digits.length - decimals);
  const fraction = decimals === 0 ? "" : digits.slice(digits.length - decimals).replace(/0+$/, "");
  return `${negative ? "-" : ""}${whole}${fraction ? `.${fraction}` : ""}`;
}

const numberFormats = new Map<string, Intl.NumberFormat>();
function numberFormat(locale: Locale, minFraction: number, maxFraction: number): Intl.NumberFormat {
  const key = `${locale}|${minFraction}|${maxFraction}`;
  let format = numberFormats.get(key);
  if (format === undefined) {
    format = new Intl.NumberFormat(locale, {
      minimumFractionDigits: minFraction,
      maximumFractionDigits: maxFraction,
      roundingMode: "halfExpand",
    });
    numberFormats.set(key, format);
  }
  return format;
}

/** Formats an exact decimal string with grouping, rounded half away from zero to `maxFraction` digits. */
export function formatDecimal(decimal: string, locale: Locale, maxFraction = 2, minFraction = 0): string {
  return numberFormat(locale, minFraction, maxFraction).format(decimal as `${number}`);
}

/** Scaled integer → grouped decimal: `formatScaled(1234567n, 3, "en", 2)` → "1,234.57". */
export function formatScaled(value: bigint, decimals: number, locale: Locale, maxFraction = 2): string {
  return formatDecimal(toDecimalString(value, decimals), locale, maxFraction);
}

export function formatInteger(value: bigint | number, locale: Locale): string {
  return numberFormat(locale, 0, 0).format(value);
}

/** Settlement-token base units → token units ("1,234.5"); all 6 decimals are kept unless `maxFraction` says less. */
export function formatToken(base: bigint, locale: Locale, maxFraction = TOKEN_DECIMALS): string {
  return formatScaled(base, TOKEN_DECIMALS, locale, maxFraction);
}

type Scaled = { text: string; unit: string };

/** Picks the largest unit in which the value is at least 1 (or the smallest unit). */
function scale(
  value: bigint,
  units: readonly (readonly [string, number])[],
  locale: Locale,
  maxFraction: number,
): Scaled {
  const magnitude = value < 0n ? -value : value;
  let chosen = units[0];
  for (const unit of units) if (magnitude >= 10n ** BigInt(unit[1])) chosen = unit;
  return { text: formatScaled(value, chosen[1], locale, maxFraction), unit: chosen[0] };
}

const ENERGY_UNITS = [
  ["Wh", 0],
  ["kWh", 3],
  ["MWh", 6],
  ["GWh", 9],
] as const;
const POWER_UNITS = [
  ["W", 0],
  ["kW", 3],
  ["MW", 6],
  ["GW", 9],
] as const;
const CARBON_UNITS = [
  ["gCO₂e", 0],
  ["kgCO₂e", 3],
  ["tCO₂e", 6],
] as const;

/** Wh (chain unit) → "12.5 kWh" / "3.2 MWh". */
export function formatEnergy(wh: bigint, locale: Locale, maxFraction = 2): Scaled {
  return scale(wh, ENERGY_UNITS, locale, maxFraction);
}

/** A device's capacity in W (chain unit) → "250 kW" / "1.5 MW". */
export function formatPower(watts: bigint, locale: Locale, maxFraction = 3): Scaled {
  return scale(watts, POWER_UNITS, locale, maxFraction);
}

/** gCO2e (credit base units, CREDIT_DECIMALS = 3 ⇒ 1 credit = 1 kg) → g, kg or t CO2e. */
export function formatCarbon(grams: bigint, locale: Locale, maxFraction = 2): Scaled {
  return scale(grams, CARBON_UNITS, locale, maxFraction);
}

/** Credit base units → credits (1 credit = 1 kgCO2e). */
export function formatCredits(base: bigint, locale: Locale): string {
  return formatScaled(base, CREDIT_DECIMALS, locale, CREDIT_DECIMALS);
}

export function formatVcuHours(vcuHours: bigint, locale: Locale): Scaled {
  return { text: formatInteger(vcuHours, locale), unit: "VCU·h" };
}

export function formatMbps(mbps: bigint | number, locale: Locale): Scaled {
  return { text: formatInteger(mbps, locale), unit: "Mbps" };
}

export function formatMbpsHours(mbpsHours: bigint, locale: Locale): Scaled {
  return { text: formatInteger(mbpsHours, locale), unit: "Mbps·h" };
}

/** Basis points → "12.5%". */
export function formatBps(bps: number | bigint, locale: Locale, maxFraction = 2): string {
  return `${formatScaled(BigInt(bps), Math.log10(BPS / 100), locale, maxFraction)}%`;
}

/** Chain time (unix seconds) → local date and time with the zone ("21 Nov 2026, 22:00 UTC"). */
export function formatTime(unixSeconds: number, locale: Locale, timeZone?: string): string {
  // dateStyle/timeStyle cannot be combined with timeZoneName, hence the fields one by one.
  return new Intl.DateTimeFormat(locale, {
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    timeZone,
    timeZoneName: "short",
  }).format(unixSeconds * 1000);
}

/** Chain time for dense tables: "Nov 21, 00:29" (the year only when it is not this one). */
export function formatShortTime(unixSeconds: number, locale: Locale, timeZone?: string): string {
  const date = new Date(unixSeconds * 1000);
  const sameYear = date.getFullYear() === new Date().getFullYear();
  return new Intl.DateTimeFormat(locale, {
    year: sameYear ? undefined : "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    timeZone,
  }).format(date);
}

/** A duration in seconds → "2 h 30 min" style, in the locale's unit words. */
export function formatDuration(seconds: number, locale: Locale): string {
  const parts: string[] = [];
  const units = [
    ["day", 86_400],
    ["hour", 3_600],
    ["minute", 60],
  ] as const;
  let rest = Math.max(0, Math.round(seconds));
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0) parts.push(new Intl.NumberFormat(locale, { style: "unit", unit, unitDisplay: "short" }).format(n));
  }
  if (parts.length === 0)
    return new Intl.NumberFormat(locale, { style: "unit", unit: "second", unitDisplay: "short" }).format(rest);
  return parts.slice(0, 2).join(" ");
}

/** "0x1234…abcd" */
export function shortAddress(address: string): string {
  return address.length > 12 ? `${address.slice(0, 6)}…${address.slice(-4)}` : address;
}

// ─── parsing ──────────────────────────────────────────────────────────────────────────────

export type ParseError = "empty" | "invalid" | "negative" | "tooManyDecimals";
export type Parsed = { ok: true; value: bigint } | { ok: false; error: ParseError };

/** Full-width digits and separators, as Chinese input methods type them, read as ASCII. */
function normaliseDigits(input: string): string {
  return input
    .replace(/[\uFF10-\uFF19]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xff10 + 48))
    .replace(/[\uFF0E\u3002]/g, ".")
    .replace(/[\uFF0C]/g, ",")
    .replace(/[\s_\u00A0\u202F]/g, "");
}

/**
 * Reads a decimal typed by a person ("1,234.5", "０.５") as an integer scaled by 10^decimals,
 * exactly. Both locales write "." for the decimal point and "," for grouping.
 * @example parseDecimal("0.1", 6) → { ok: true, value: 100000n }
 */
export function parseDecimal(input: string, decimals: number): Parsed {
  const text = normaliseDigits(input);
  if (text === "") return { ok: false, error: "empty" };
  if (text.startsWith("-")) return { ok: false, error: "negative" };
  // Grouping commas only between groups of three digits, so "1,5" is not silently 15.
  const match = /^\+?((?:\d{1,3}(?:,\d{3})+)|\d+)?(?:\.(\d*))?$/.exec(text);
  if (match === null || (match[1] === undefined && !match[2])) return { ok: false, error: "invalid" };
  const whole = (match[1] ?? "0").replaceAll(",", "");
  const fraction = (match[2] ?? "").replace(/0+$/, "");
  if (fraction.length > decimals) return { ok: false, error: "tooManyDecimals" };
  return { ok: true, value: BigInt(whole + fraction.padEnd(decimals, "0")) };
}

/** Token units typed by a person → base units (6 decimals). */
export function parseToken(input: string): Parsed {
  return parseDecimal(input, TOKEN_DECIMALS);
}

/** A whole number (VCU-hours, Mbps, Wh). */
export function parseInteger(input: string): Parsed {
  return parseDecimal(input, 0);
}

/** A percentage with up to two decimals → basis points ("62.5" → 6250). */
export function parsePercentToBps(input: string): Parsed {
  return parseDecimal(input, 2);
}

/** kWh typed by a person → Wh exactly (3 decimals). */
export function parseKwhToWh(input: string): Parsed {
  return parseDecimal(input, 3);
}

/**
 * Amounts typed or pasted as a list, one per hour. Whitespace or semicolons separate (a spreadsheet
 * column or row), so "1,250.5 2,000" keeps its thousands separators; a list with neither is split on
 * commas ("1.5,2,0.5" is three amounts).
 */
export function splitAmounts(text: string): string[] {
  const separators = /[\s;]/.test(text.trim()) ? /[\s;]+/ : /[\s,;]+/;
  return text
    .split(separators)
    .map((a) => a.trim().replace(/,$/, ""))
    .filter((a) => a !== "");
}

/** `<input type="datetime-local">` value (local time) → unix seconds, or null when empty/invalid. */
export function parseLocalDateTime(value: string): number | null {
  if (value === "") return null;
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? null : Math.floor(ms / 1000);
}

export type HourInputValue = { ok: true; hour: number } | { ok: false; error: "dateMissing" | "notOnHour" };

/**
 * An hour field's `datetime-local` value (local time) read as a whole UTC hour, in unix seconds: the
 * market trades whole UTC hours (protocol/hours.ts), and in a half-hour time zone a local :00 is not one.
 * @example readHourInput("2026-12-06T14:00") → { ok: true, hour: 1797001200 } (with the browser in UTC)
 */
export function readHourInput(value: string): HourInputValue {
  const t = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value) ? parseLocalDateTime(value) : null;
  if (t === null) return { ok: false, error: "dateMissing" };
  return isOnHour(t) ? { ok: true, hour: t } : { ok: false, error: "notOnHour" };
}

/** Unix seconds → the local-time string a `datetime-local` input takes. */
export function toLocalDateTimeInput(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
