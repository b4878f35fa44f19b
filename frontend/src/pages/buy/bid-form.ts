// The bid form's model: what a buyer types (strings), checked field by field against the
// contract's rules (IMarket.postBid) before anything is signed, and turned into the on-chain
// BidParams and the pricing API's quote request. Pure, so the rules are tested without a page.
import { ceilHour, MAX_JOB_HOURS, MAX_WINDOW_HOURS } from "../../../../protocol/hours.ts";
import {
  CERTIFICATE_ORIGINS,
  type CertificateOrigin,
  DEFAULT_CERTIFICATE_ORIGIN,
} from "../../../../protocol/orders.ts";
import { BPS, HARDWARE_CLASSES, type HardwareClass, REGIONS, SECONDS_PER_HOUR } from "../../../../protocol/units.ts";
import {
  type Parsed,
  parseInteger,
  parseLocalDateTime,
  parsePercentToBps,
  parseToken,
  readHourInput,
} from "../../lib/format.ts";

export type PriceMode = "perVcuHour" | "total";

export type BidForm = {
  hardwareClass: HardwareClass;
  vcu: string; // units at the same time, in every hour of the job
  durationHours: string;
  regions: number[];
  buyerRegion: string;
  earliestStart: string; // datetime-local, on the hour
  latestEnd: string;
  expiry: string; // datetime-local; empty = the latest start
  priceMode: PriceMode;
  price: string; // token units, per VCU-hour or for the whole job
  minGreenPercent: string;
  certificateOrigin: CertificateOrigin;
  bandwidthMbps: string;
  maxLatencyMs: string;
};

export type BidField = Exclude<keyof BidForm, "priceMode">;

/** A message key of the `buy` namespace (`errors.<key>`) with its values. */
export type FieldError = { key: string; values?: Record<string, string | number> };

/** What the contract's BidParams struct takes; region codes of a bid fit a uint32 bitmask. */
export type BidParams = {
  hardwareClass: number;
  acceptableRegions: number;
  buyerRegion: number;
  earliestStart: number;
  latestEnd: number;
  durationHours: number;
  vcu: number;
  limitPricePerVcuHour: bigint;
  minGreenBps: number;
  certificateOrigin: number; // index into CERTIFICATE_ORIGINS
  bandwidthMbps: number;
  maxLatencyMs: number;
  expiry: number;
};

export type ValidBid = {
  params: BidParams;
  /** vcu × durationHours: the VCU-hours the job asks for. */
  vcuHours: bigint;
  /** vcuHours × limit per VCU-hour: what posting moves into escrow. */
  escrow: bigint;
  /** Set when a total did not divide into whole base units per VCU-hour and was rounded down. */
  roundedFromTotal: bigint | null;
  /** Whether the job's hours are fixed (its duration fills the window) rather than free to move. */
  fixed: boolean;
  /** The last hour the job may start at: latestEnd − duration. */
  latestStart: number;
};

// Field widths of IMarket.BidParams.
const MAX_UINT32 = 2n ** 32n - 1n;
const MAX_UINT80 = 2n ** 80n - 1n;
const MAX_UINT24 = 2 ** 24 - 1;
const MAX_UINT16 = 2 ** 16 - 1;

/** A flexible four-hour job that may run any time in the next day, from the hour after next. */
export function defaultBidForm(now: Date, toInput: (unixSeconds: number) => string): BidForm {
  const nextHour = ceilHour(Math.floor(now.getTime() / 1000));
  return {
    hardwareClass: "gpu-training",
    vcu: "10",
    durationHours: "4",
    regions: [],
    buyerRegion: "",
    earliestStart: toInput(nextHour + SECONDS_PER_HOUR),
    latestEnd: toInput(nextHour + 25 * SECONDS_PER_HOUR),
    expiry: "",
    priceMode: "perVcuHour",
    price: "",
    minGreenPercent: "50",
    certificateOrigin: DEFAULT_CERTIFICATE_ORIGIN,
    bandwidthMbps: "0",
    maxLatencyMs: "",
  };
}

const parseMessage = (parsed: Extract<Parsed, { ok: false }>): FieldError => ({ key: `parse.${parsed.error}` });

/**
 * Checks every field and builds the bid; `errors` names each wrong field with a message key.
 * @param now unix seconds (chain time when known, else the clock)
 */
export function validateBid(
  form: BidForm,
  now: number,
): { errors: Partial<Record<BidField, FieldError>>; bid: ValidBid | null } {
  const errors: Partial<Record<BidField, FieldError>> = {};

  const hardwareClass = HARDWARE_CLASSES.indexOf(form.hardwareClass);
  if (hardwareClass < 0) errors.hardwareClass = { key: "hardwareClass" };

  let vcu = 0n;
  const vcuIn = parseInteger(form.vcu);
  if (!vcuIn.ok) errors.vcu = parseMessage(vcuIn);
  else if (vcuIn.value === 0n) errors.vcu = { key: "vcuZero" };
  else if (vcuIn.value > MAX_UINT32) errors.vcu = { key: "tooLarge", values: { max: MAX_UINT32.toString() } };
  else vcu = vcuIn.value;

  let duration = 0;
  const durationIn = parseInteger(form.durationHours);
  if (!durationIn.ok) errors.durationHours = parseMessage(durationIn);
  else if (durationIn.value === 0n || durationIn.value > BigInt(MAX_JOB_HOURS))
    errors.durationHours = { key: "durationRange", values: { max: MAX_JOB_HOURS } };
  else duration = Number(durationIn.value);

  const known = new Set<number>(REGIONS.map((r) => r.code));
  if (form.regions.length === 0) errors.regions = { key: "regionsEmpty" };
  else if (form.regions.some((r) => !known.has(r) || r > 31)) errors.regions = { key: "regionsUnknown" };

  const buyerRegion = form.buyerRegion === "" ? NaN : Number(form.buyerRegion);
  if (!known.has(buyerRegion)) errors.buyerRegion = { key: "buyerRegion" };

  const startIn = readHourInput(form.earliestStart);
  const endIn = readHourInput(form.latestEnd);
  const start = startIn.ok ? startIn.hour : null;
  const end = endIn.ok ? endIn.hour : null;
  if (!startIn.ok) errors.earliestStart = { key: startIn.error };
  if (!endIn.ok) errors.latestEnd = { key: endIn.error };
  else if (endIn.hour <= now) errors.latestEnd = { key: "latestEndPast" };
  else if (start !== null && endIn.hour <= start) errors.latestEnd = { key: "latestEndBeforeStart" };
  else if (start !== null && endIn.hour - start > MAX_WINDOW_HOURS * SECONDS_PER_HOUR)
    errors.latestEnd = { key: "windowTooLong", values: { max: MAX_WINDOW_HOURS } };
  else if (start !== null && duration > 0 && duration * SECONDS_PER_HOUR > endIn.hour - start)
    errors.durationHours = { key: "durationAboveWindow", values: { hours: (endIn.hour - start) / SECONDS_PER_HOUR } };
  // A job that does not fit has no latest start to default the expiry to: its duration is the error.
  const latestStart = end === null || errors.durationHours ? null : end - duration * SECONDS_PER_HOUR;

  // Matches must happen before the bid expires, and no job can start after its latest start.
  const expiry = form.expiry === "" ? latestStart : parseLocalDateTime(form.expiry);
  if (expiry === null) {
    if (form.expiry !== "") errors.expiry = { key: "dateMissing" };
  } else if (expiry <= now) errors.expiry = { key: form.expiry === "" ? "expiryDefaultPast" : "expiryPast" };
  else if (end !== null && expiry > end) errors.expiry = { key: "expiryAfterEnd" };

  const vcuHours = vcu * BigInt(duration);
  let limit = 0n;
  let roundedFromTotal: bigint | null = null;
  const price = parseToken(form.price);
  if (!price.ok) errors.price = parseMessage(price);
  else if (price.value === 0n) errors.price = { key: "priceZero" };
  else if (form.priceMode === "perVcuHour") limit = price.value;
  else if (vcuHours > 0n) {
    limit = price.value / vcuHours;
    if (limit === 0n) errors.price = { key: "totalTooSmall" };
    else if (limit * vcuHours !== price.value) roundedFromTotal = price.value;
  }
  if (limit > MAX_UINT80) errors.price = { key: "tooLarge", values: { max: MAX_UINT80.toString() } };

  let minGreenBps = 0;
  const green = parsePercentToBps(form.minGreenPercent === "" ? "0" : form.minGreenPercent);
  if (!green.ok) errors.minGreenPercent = parseMessage(green);
  else if (green.value > BigInt(BPS)) errors.minGreenPercent = { key: "percentAbove100" };
  else minGreenBps = Number(green.value);

  const certificateOrigin = CERTIFICATE_ORIGINS.indexOf(form.certificateOrigin);
  if (certificateOrigin < 0) errors.certificateOrigin = { key: "certificateOrigin" };

  let bandwidthMbps = 0;
  const mbps = parseInteger(form.bandwidthMbps === "" ? "0" : form.bandwidthMbps);
  if (!mbps.ok) errors.bandwidthMbps = parseMessage(mbps);
  else if (mbps.value > BigInt(MAX_UINT24)) errors.bandwidthMbps = { key: "tooLarge", values: { max: MAX_UINT24 } };
  else bandwidthMbps = Number(mbps.value);

  // No latency bound = the largest the contract stores.
  let maxLatencyMs = MAX_UINT16;
  if (form.maxLatencyMs !== "") {
    const latency = parseInteger(form.maxLatencyMs);
    if (!latency.ok) errors.maxLatencyMs = parseMessage(latency);
    else if (latency.value === 0n || latency.value > BigInt(MAX_UINT16))
      errors.maxLatencyMs = { key: "latencyRange", values: { max: MAX_UINT16 } };
    else maxLatencyMs = Number(latency.value);
  }

  if (Object.keys(errors).length > 0 || start === null || end === null || expiry === null || latestStart === null)
    return { errors, bid: null };
  const acceptableRegions = form.regions.reduce((mask, r) => mask | (1 << r), 0) >>> 0;
  return {
    errors,
    bid: {
      params: {
        hardwareClass,
        acceptableRegions,
        buyerRegion,
        earliestStart: start,
        latestEnd: end,
        durationHours: duration,
        vcu: Number(vcu),
        limitPricePerVcuHour: limit,
        minGreenBps,
        certificateOrigin,
        bandwidthMbps,
        maxLatencyMs,
        expiry,
      },
      vcuHours,
      escrow: vcuHours * limit,
      roundedFromTotal,
      fixed: latestStart === start,
      latestStart,
    },
  };
}

/** The pricing API's request for this bid (backend/api/README.md, POST /api/quote). */
export function quoteRequest(bid: BidParams, regions: number[]) {
  return {
    hardwareClass: HARDWARE_CLASSES[bid.hardwareClass],
    acceptableRegions: regions,
    buyerRegion: bid.buyerRegion,
    vcu: bid.vcu,
    durationHours: bid.durationHours,
    earliestStart: bid.earliestStart,
    latestEnd: bid.latestEnd,
    limitPricePerVcuHour: bid.limitPricePerVcuHour.toString(),
    minGreenBps: bid.minGreenBps,
    certificateOrigin: CERTIFICATE_ORIGINS[bid.certificateOrigin],
    bandwidthMbps: bid.bandwidthMbps.toString(),
    maxLatencyMs: bid.maxLatencyMs,
  };
}

/** The API names wrong fields by its own paths (`acceptableRegions[1]`); these are the form's. */
export function formFieldOfApiPath(path: string): BidField | null {
  const head = path.split(/[.[]/)[0];
  const map: Record<string, BidField> = {
    hardwareClass: "hardwareClass",
    acceptableRegions: "regions",
    buyerRegion: "buyerRegion",
    vcu: "vcu",
    durationHours: "durationHours",
    earliestStart: "earliestStart",
    latestEnd: "latestEnd",
    limitPricePerVcuHour: "price",
    minGreenBps: "minGreenPercent",
    certificateOrigin: "certificateOrigin",
    bandwidthMbps: "bandwidthMbps",
    maxLatencyMs: "maxLatencyMs",
  };
  return map[head] ?? null;
}
