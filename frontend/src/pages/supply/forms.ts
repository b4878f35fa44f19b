// The supplier forms' rules, as the contracts state them (IMarket post functions,
// IGreenCertificates registerDevice/issue), checked before signing so each wrong field is named.
// Pure functions: what a person typed (strings) in, contract arguments or field errors out.
import { ceilHour, isOnHour, MAX_OFFER_HOURS, MAX_WINDOW_HOURS } from "../../../../protocol/hours.ts";
import { ENERGY_SOURCES, HARDWARE_CLASSES, PUE_SCALE, REGIONS, SECONDS_PER_HOUR } from "../../../../protocol/units.ts";
import {
  parseDecimal,
  parseInteger,
  parseKwhToWh,
  parseLocalDateTime,
  parseToken,
  readHourInput,
  splitAmounts,
} from "../../lib/format.ts";

/** A message key of the `supply` namespace (`errors.<key>`) with its values. */
export type FieldError = { key: string; values?: Record<string, string | number> };
export type Errors<F extends string> = Partial<Record<F, FieldError>>;
export type Checked<F extends string, P> = { errors: Errors<F>; params: P | null };

const KNOWN_REGIONS = new Set<number>(REGIONS.map((r) => r.code));

/** Collects field errors while reading values; each reader returns the value or null. */
class Checker<F extends string> {
  errors: Errors<F> = {};
  fail(field: F, key: string, values?: FieldError["values"]): null {
    this.errors[field] ??= { key, values };
    return null;
  }
  integer(field: F, input: string, min: bigint, max: bigint): bigint | null {
    const parsed = parseInteger(input);
    if (!parsed.ok) return this.fail(field, `parse.${parsed.error}`);
    if (parsed.value < min) return this.fail(field, "atLeast", { min: min.toString() });
    if (parsed.value > max) return this.fail(field, "atMost", { max: max.toString() });
    return parsed.value;
  }
  scaled(
    field: F,
    value: ReturnType<typeof parseDecimal>,
    min: bigint,
    max: bigint,
    minLabel: string,
    maxLabel: string,
  ): bigint | null {
    if (!value.ok) return this.fail(field, `parse.${value.error}`);
    if (value.value < min) return this.fail(field, "atLeast", { min: minLabel });
    if (value.value > max) return this.fail(field, "atMost", { max: maxLabel });
    return value.value;
  }
  price(field: F, input: string, maxBits: number): bigint | null {
    const parsed = parseToken(input);
    if (!parsed.ok) return this.fail(field, `parse.${parsed.error}`);
    if (parsed.value > 2n ** BigInt(maxBits) - 1n) return this.fail(field, "tooLarge");
    return parsed.value;
  }
  time(field: F, input: string): number | null {
    const t = parseLocalDateTime(input);
    return t === null ? this.fail(field, "dateMissing") : t;
  }
  /** A time on the hour: windows and certificate hours are whole UTC hours (protocol/hours.ts). */
  hour(field: F, input: string): number | null {
    const read = readHourInput(input);
    return read.ok ? read.hour : this.fail(field, read.error);
  }
  region(field: F, input: string): number | null {
    const code = input === "" ? NaN : Number(input);
    return KNOWN_REGIONS.has(code) ? code : this.fail(field, "region");
  }
  ok(): boolean {
    return Object.keys(this.errors).length === 0;
  }
}

/** Window [start, end) on the hour that has not ended, and an expiry with now < expiry ≤ end (empty = end). */
function windowAndExpiry<F extends string>(
  c: Checker<F>,
  fields: { start: F; end: F; expiry: F },
  form: { windowStart: string; windowEnd: string; expiry: string },
  now: number,
) {
  const start = c.hour(fields.start, form.windowStart);
  const end = c.hour(fields.end, form.windowEnd);
  if (start !== null && end !== null && end <= start) c.fail(fields.end, "endBeforeStart");
  else if (end !== null && end <= now) c.fail(fields.end, "endPast");
  else if (start !== null && end !== null && end - start > MAX_WINDOW_HOURS * SECONDS_PER_HOUR)
    c.fail(fields.end, "windowTooLong", { max: MAX_WINDOW_HOURS });
  const expiry = form.expiry === "" ? end : c.time(fields.expiry, form.expiry);
  if (expiry !== null && form.expiry !== "") {
    if (expiry <= now) c.fail(fields.expiry, "expiryPast");
    else if (end !== null && expiry > end) c.fail(fields.expiry, "expiryAfterEnd");
  }
  return { start, end, expiry };
}

// ─── compute offers ───────────────────────────────────────────────────────────────────────

export type ComputeOfferForm = {
  hardwareClass: string;
  region: string;
  windowStart: string;
  windowEnd: string;
  vcu: string; // units at the same time, in every hour of the window
  reservePrice: string; // token units per VCU-hour
  whPerVcuHour: string;
  pue: string; // e.g. "1.25"
  expiry: string;
};
type ComputeField = keyof ComputeOfferForm;

export function validateComputeOffer(form: ComputeOfferForm, now: number) {
  const c = new Checker<ComputeField>();
  const hardwareClass = HARDWARE_CLASSES.indexOf(form.hardwareClass as (typeof HARDWARE_CLASSES)[number]);
  if (hardwareClass < 0) c.fail("hardwareClass", "choose");
  const region = c.region("region", form.region);
  const { start, end, expiry } = windowAndExpiry(
    c,
    { start: "windowStart", end: "windowEnd", expiry: "expiry" },
    form,
    now,
  );
  const vcu = c.integer("vcu", form.vcu, 1n, 2n ** 32n - 1n);
  const reserve = c.price("reservePrice", form.reservePrice, 96);
  const wh = c.integer("whPerVcuHour", form.whPerVcuHour, 1n, 2n ** 32n - 1n);
  // PUE below 1 would mean the facility uses less power than its IT load: the contract refuses it.
  const pue = c.scaled("pue", parseDecimal(form.pue, 3), BigInt(PUE_SCALE), 65_535n, "1.000", "65.535");
  if (
    !c.ok() ||
    region === null ||
    start === null ||
    end === null ||
    expiry === null ||
    vcu === null ||
    reserve === null ||
    wh === null ||
    pue === null
  ) {
    return { errors: c.errors, params: null };
  }
  return {
    errors: c.errors,
    params: {
      hardwareClass,
      region,
      windowStart: start,
      windowEnd: end,
      vcu: Number(vcu),
      reservePricePerVcuHour: reserve,
      whPerVcuHour: Number(wh),
      pueMilli: Number(pue),
      expiry,
    },
  };
}

// ─── bandwidth offers ─────────────────────────────────────────────────────────────────────

export type BandwidthOfferForm = {
  fromRegion: string;
  toRegion: string;
  mbps: string;
  latencyMs: string;
  windowStart: string;
  windowEnd: string;
  reservePrice: string; // token units per Mbps-hour
  expiry: string;
};
type BandwidthField = keyof BandwidthOfferForm;

export function validateBandwidthOffer(form: BandwidthOfferForm, now: number) {
  const c = new Checker<BandwidthField>();
  const from = c.region("fromRegion", form.fromRegion);
  const to = c.region("toRegion", form.toRegion);
  if (from !== null && from === to) c.fail("toRegion", "sameRegion");
  const mbps = c.integer("mbps", form.mbps, 1n, 2n ** 32n - 1n);
  const latency = c.integer("latencyMs", form.latencyMs, 1n, 65_535n);
  const { start, end, expiry } = windowAndExpiry(
    c,
    { start: "windowStart", end: "windowEnd", expiry: "expiry" },
    form,
    now,
  );
  const reserve = c.price("reservePrice", form.reservePrice, 96);
  if (
    !c.ok() ||
    from === null ||
    to === null ||
    mbps === null ||
    latency === null ||
    start === null ||
    end === null ||
    expiry === null ||
    reserve === null
  ) {
    return { errors: c.errors, params: null };
  }
  return {
    errors: c.errors,
    params: {
      fromRegion: from,
      toRegion: to,
      mbps: Number(mbps),
      latencyMs: Number(latency),
      windowStart: start,
      windowEnd: end,
      reservePricePerMbpsHour: reserve,
      expiry,
    },
  };
}

// ─── devices and certificates ─────────────────────────────────────────────────────────────

export type DeviceForm = {
  source: string;
  region: string;
  capacityKw: string;
  commissionedAt: string;
  metadataUri: string;
};
type DeviceField = keyof DeviceForm;

export function validateDevice(form: DeviceForm, now: number) {
  const c = new Checker<DeviceField>();
  const source = ENERGY_SOURCES.indexOf(form.source as (typeof ENERGY_SOURCES)[number]);
  if (source < 0) c.fail("source", "choose");
  const region = c.region("region", form.region);
  // kW with up to three decimals is whole watts, as the registry stores capacity.
  const capacityW = c.scaled("capacityKw", parseDecimal(form.capacityKw, 3), 1n, 2n ** 64n - 1n, "0.001", "—");
  const commissionedAt = c.time("commissionedAt", form.commissionedAt);
  if (commissionedAt !== null && commissionedAt > now) c.fail("commissionedAt", "commissionedFuture");
  if (!c.ok() || region === null || capacityW === null || commissionedAt === null)
    return { errors: c.errors, params: null };
  return {
    errors: c.errors,
    params: { source, region, capacityW, commissionedAt, metadataUri: form.metadataUri.trim() },
  };
}

export type Device = {
  id: string;
  source: string;
  capacityW: string;
  commissionedAt: number;
  issuedUntil: number | null;
};

/** Hours of a day's shape: the supplier names a day and one amount per hour (docs/carbon-accounting.md). */
export const DAY_HOURS = 24;

/** A device's Wh in each of a day's hours, as typed: the day (local midnight) and 24 kWh amounts. */
export type HourlyForm = { day: string; amounts: string };

/** The start of the day `day` ("2026-12-06") in local time, as unix seconds, or null. */
export function dayStart(day: string): number | null {
  return /^\d{4}-\d{2}-\d{2}$/.test(day) ? parseLocalDateTime(`${day}T00:00`) : null;
}

/**
 * The 24 hourly amounts of a day, each a kWh amount in whole Wh, each at most the device's capacity
 * × 1 h; leading and trailing zero hours are dropped (nothing to issue or sell in them), so the
 * result names the first hour with energy and the consecutive hours from there.
 */
function readHours<F extends string>(
  c: Checker<F>,
  fields: { day: F; amounts: F },
  form: HourlyForm,
  capacityW: bigint,
): { day: number; firstHour: number; whPerHour: bigint[] } | null {
  const day = dayStart(form.day);
  if (day === null) return c.fail(fields.day, "dayMissing");
  // A day starting off the hour (a half-hour time zone) has no whole UTC hours to name.
  if (!isOnHour(day)) return c.fail(fields.day, "notOnHour");
  const parts = splitAmounts(form.amounts);
  if (parts.length !== DAY_HOURS) return c.fail(fields.amounts, "hourCount", { count: parts.length, hours: DAY_HOURS });
  const wh: bigint[] = [];
  for (const [i, part] of parts.entries()) {
    const parsed = parseKwhToWh(part);
    if (!parsed.ok) return c.fail(fields.amounts, "hourInvalid", { hour: i });
    if (parsed.value > capacityW)
      return c.fail(fields.amounts, "hourAboveCapacity", { hour: i, maxWh: capacityW.toString() });
    wh.push(parsed.value);
  }
  const first = wh.findIndex((w) => w > 0n);
  if (first < 0) return c.fail(fields.amounts, "allZero");
  const last = wh.length - 1 - [...wh].reverse().findIndex((w) => w > 0n);
  return { day, firstHour: day + first * SECONDS_PER_HOUR, whPerHour: wh.slice(first, last + 1) };
}

/** The first hour a device may issue: on the hour, after commissioning and after what it already issued. */
export function firstIssuableHour(device: Device): number {
  return Math.max(ceilHour(device.commissionedAt), device.issuedUntil ?? 0);
}

export type IssueForm = HourlyForm;
type IssueField = keyof IssueForm;

/** Certificates for a day's metered generation: every named hour has ended and none was issued before. */
export function validateIssue(form: IssueForm, device: Device, now: number) {
  const c = new Checker<IssueField>();
  const hours = readHours(c, { day: "day", amounts: "amounts" }, form, BigInt(device.capacityW));
  if (hours) {
    const end = hours.firstHour + hours.whPerHour.length * SECONDS_PER_HOUR;
    const earliest = firstIssuableHour(device);
    if (hours.firstHour < earliest)
      c.fail(
        "amounts",
        device.issuedUntil && device.issuedUntil >= device.commissionedAt ? "overlapsIssued" : "beforeCommissioning",
        { time: earliest },
      );
    else if (end > now) c.fail("amounts", "hoursNotOver");
  }
  if (!c.ok() || hours === null) return { errors: c.errors, params: null };
  return {
    errors: c.errors,
    params: { deviceId: BigInt(device.id), firstHour: hours.firstHour, whPerHour: hours.whPerHour },
  };
}

export type EnergyOfferForm = HourlyForm & { reservePrice: string; expiry: string };
type EnergyOfferField = keyof EnergyOfferForm;

/**
 * Forward Wh of named hours of one device: the hours may lie ahead (a generation forecast, the normal
 * case since jobs run in the future) and the offer must expire by the end of its last hour.
 */
export function validateEnergyOffer(form: EnergyOfferForm, device: Device, now: number) {
  const c = new Checker<EnergyOfferField>();
  const hours = readHours(c, { day: "day", amounts: "amounts" }, form, BigInt(device.capacityW));
  const reserve = c.price("reservePrice", form.reservePrice, 96);
  const end = hours ? hours.firstHour + hours.whPerHour.length * SECONDS_PER_HOUR : null;
  if (end !== null && end <= now) c.fail("amounts", "hoursPast");
  const expiry = form.expiry === "" ? end : c.time("expiry", form.expiry);
  if (expiry !== null && form.expiry !== "") {
    if (expiry <= now) c.fail("expiry", "expiryPast");
    else if (end !== null && expiry > end) c.fail("expiry", "expiryAfterHours");
  }
  if (hours && hours.whPerHour.length > MAX_OFFER_HOURS) c.fail("amounts", "tooManyHours", { max: MAX_OFFER_HOURS });
  if (!c.ok() || hours === null || reserve === null || expiry === null) return { errors: c.errors, params: null };
  return {
    errors: c.errors,
    params: {
      deviceId: Number(device.id),
      firstHour: hours.firstHour,
      whPerHour: hours.whPerHour,
      reservePricePerKwh: reserve,
      expiry,
    },
  };
}

/** Daily shapes a supplier can start from (docs/carbon-accounting.md, "Daily shapes"). */
export const SHAPE_PRESETS = ["solar", "wind"] as const;
export type ShapePreset = (typeof SHAPE_PRESETS)[number];

/**
 * A typical day of a device of `capacityW`, as 24 kWh amounts from local midnight: solar rises at 6,
 * peaks at noon at 80 % of capacity and sets at 18; wind blows all day, strongest around midnight
 * (55 %) and weakest at midday (15 %). A starting point the supplier edits to its own forecast.
 */
export function presetAmounts(preset: ShapePreset, capacityW: bigint): string[] {
  const capacity = Number(capacityW);
  return Array.from({ length: DAY_HOURS }, (_, h) => {
    const middle = h + 0.5;
    const share =
      preset === "solar"
        ? middle > 6 && middle < 18
          ? 0.8 * Math.sin((Math.PI * (middle - 6)) / 12)
          : 0
        : 0.35 + 0.2 * Math.cos((2 * Math.PI * middle) / DAY_HOURS);
    const wh = Math.floor(capacity * share);
    return (wh / 1000).toFixed(3).replace(/\.?0+$/, "");
  });
}
