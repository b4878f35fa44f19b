// The supplier forms' rules, as the contracts state them (IMarket post functions,
// IGreenCertificates registerDevice/issue), checked before signing so each wrong field is named.
// Pure functions: what a person typed (strings) in, contract arguments or field errors out.
import { ENERGY_SOURCES, HARDWARE_CLASSES, PUE_SCALE, REGIONS, SECONDS_PER_HOUR } from "../../../../protocol/units.ts";
import { parseDecimal, parseInteger, parseKwhToWh, parseLocalDateTime, parseToken } from "../../lib/format.ts";

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
  region(field: F, input: string): number | null {
    const code = input === "" ? NaN : Number(input);
    return KNOWN_REGIONS.has(code) ? code : this.fail(field, "region");
  }
  ok(): boolean {
    return Object.keys(this.errors).length === 0;
  }
}

/** Window [start, end) that has not ended, and an expiry with now < expiry ≤ end (empty = end). */
function windowAndExpiry<F extends string>(
  c: Checker<F>,
  fields: { start: F; end: F; expiry: F },
  form: { windowStart: string; windowEnd: string; expiry: string },
  now: number,
) {
  const start = c.time(fields.start, form.windowStart);
  const end = c.time(fields.end, form.windowEnd);
  if (start !== null && end !== null && end <= start) c.fail(fields.end, "endBeforeStart");
  else if (end !== null && end <= now) c.fail(fields.end, "endPast");
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
  vcuHours: string;
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
  const vcuHours = c.integer("vcuHours", form.vcuHours, 1n, 2n ** 48n - 1n);
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
    vcuHours === null ||
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
      vcuHours: Number(vcuHours),
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

export type Device = { id: string; capacityW: string; commissionedAt: number; issuedUntil: number | null };
export type IssueForm = { periodStart: string; periodEnd: string; kwh: string };
type IssueField = keyof IssueForm;

/** Most Wh a device may certify for a period: capacity × hours, rounded down as the registry does. */
export function maxIssuableWh(capacityW: bigint, periodStart: number, periodEnd: number): bigint {
  return (capacityW * BigInt(periodEnd - periodStart)) / BigInt(SECONDS_PER_HOUR);
}

export function validateIssue(form: IssueForm, device: Device, now: number) {
  const c = new Checker<IssueField>();
  const start = c.time("periodStart", form.periodStart);
  const end = c.time("periodEnd", form.periodEnd);
  const earliest = Math.max(device.commissionedAt, device.issuedUntil ?? 0);
  if (start !== null && start < earliest)
    c.fail(
      "periodStart",
      device.issuedUntil && device.issuedUntil >= device.commissionedAt ? "overlapsIssued" : "beforeCommissioning",
    );
  if (end !== null && end > now) c.fail("periodEnd", "periodNotOver");
  else if (start !== null && end !== null && end <= start) c.fail("periodEnd", "endBeforeStart");
  const wh = c.scaled("kwh", parseKwhToWh(form.kwh), 1n, 2n ** 64n - 1n, "0.001", "—");
  let maxWh: bigint | null = null;
  if (start !== null && end !== null && end > start) {
    maxWh = maxIssuableWh(BigInt(device.capacityW), start, end);
    if (wh !== null && wh > maxWh) c.fail("kwh", "aboveCapacity", { maxWh: maxWh.toString() });
  }
  if (!c.ok() || start === null || end === null || wh === null) return { errors: c.errors, params: null, maxWh };
  return { errors: c.errors, params: { deviceId: BigInt(device.id), periodStart: start, periodEnd: end, wh }, maxWh };
}

export type EnergyOfferForm = { kwh: string; reservePrice: string; expiry: string };
type EnergyOfferField = keyof EnergyOfferForm;

/** An offer of Wh from one certificate batch the supplier holds. */
export function validateEnergyOffer(form: EnergyOfferForm, batchId: string, heldWh: bigint, now: number) {
  const c = new Checker<EnergyOfferField>();
  const wh = c.scaled("kwh", parseKwhToWh(form.kwh), 1n, heldWh, "0.001", (Number(heldWh) / 1000).toString());
  const reserve = c.price("reservePrice", form.reservePrice, 96);
  const expiry = c.time("expiry", form.expiry);
  if (expiry !== null && expiry <= now) c.fail("expiry", "expiryPast");
  if (!c.ok() || wh === null || reserve === null || expiry === null) return { errors: c.errors, params: null };
  return { errors: c.errors, params: { batchId: BigInt(batchId), wh, reservePricePerKwh: reserve, expiry } };
}
