// The bid form's model: what a buyer types (strings), checked field by field against the
// contract's rules (IMarket.postBid) before anything is signed, and turned into the on-chain
// BidParams and the pricing API's quote request. Pure, so the rules are tested without a page.
import { QUOTE_LIMITS } from "../../../../protocol/quote-limits.ts";
import { BPS, HARDWARE_CLASSES, type HardwareClass, REGIONS } from "../../../../protocol/units.ts";
import { type Parsed, parseInteger, parseLocalDateTime, parsePercentToBps, parseToken } from "../../lib/format.ts";

export type PriceMode = "perVcuHour" | "total";

export type BidForm = {
  hardwareClass: HardwareClass;
  vcuHours: string;
  regions: number[];
  buyerRegion: string;
  windowStart: string; // datetime-local
  windowEnd: string;
  expiry: string; // datetime-local; empty = the window's start
  priceMode: PriceMode;
  price: string; // token units, per VCU-hour or for the whole job
  minGreenPercent: string;
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
  windowStart: number;
  windowEnd: number;
  vcuHours: bigint;
  limitPricePerVcuHour: bigint;
  minGreenBps: number;
  bandwidthMbps: number;
  maxLatencyMs: number;
  expiry: number;
};

export type ValidBid = {
  params: BidParams;
  /** vcuHours × limit per VCU-hour: what posting moves into escrow. */
  escrow: bigint;
  /** Set when a total did not divide into whole base units per VCU-hour and was rounded down. */
  roundedFromTotal: bigint | null;
};

// Field widths of IMarket.BidParams.
const MAX_UINT40 = 2n ** 40n - 1n;
const MAX_UINT80 = 2n ** 80n - 1n;
const MAX_UINT24 = 2 ** 24 - 1;
const MAX_UINT16 = 2 ** 16 - 1;

export function defaultBidForm(now: Date, toInput: (unixSeconds: number) => string): BidForm {
  const hour = 3600;
  const nextHour = Math.ceil(now.getTime() / 1000 / hour) * hour;
  return {
    hardwareClass: "gpu-training",
    vcuHours: "100",
    regions: [],
    buyerRegion: "",
    windowStart: toInput(nextHour + hour),
    windowEnd: toInput(nextHour + 5 * hour),
    expiry: "",
    priceMode: "perVcuHour",
    price: "",
    minGreenPercent: "50",
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

  let vcuHours = 0n;
  const vcu = parseInteger(form.vcuHours);
  if (!vcu.ok) errors.vcuHours = parseMessage(vcu);
  else if (vcu.value === 0n) errors.vcuHours = { key: "vcuHoursZero" };
  else if (vcu.value > MAX_UINT40) errors.vcuHours = { key: "tooLarge", values: { max: MAX_UINT40.toString() } };
  else vcuHours = vcu.value;

  const known = new Set<number>(REGIONS.map((r) => r.code));
  if (form.regions.length === 0) errors.regions = { key: "regionsEmpty" };
  else if (form.regions.some((r) => !known.has(r) || r > 31)) errors.regions = { key: "regionsUnknown" };

  const buyerRegion = form.buyerRegion === "" ? NaN : Number(form.buyerRegion);
  if (!known.has(buyerRegion)) errors.buyerRegion = { key: "buyerRegion" };

  const start = parseLocalDateTime(form.windowStart);
  const end = parseLocalDateTime(form.windowEnd);
  if (start === null) errors.windowStart = { key: "dateMissing" };
  if (end === null) errors.windowEnd = { key: "dateMissing" };
  else if (end <= now) errors.windowEnd = { key: "windowEndPast" };
  else if (start !== null && end <= start) errors.windowEnd = { key: "windowEndBeforeStart" };
  else if (start !== null && end - start > QUOTE_LIMITS.maxWindowSeconds) errors.windowEnd = { key: "windowTooLong" };

  // Matches must happen before the bid expires, and a bid cannot outlive its window.
  const expiry = form.expiry === "" ? start : parseLocalDateTime(form.expiry);
  if (expiry === null) {
    if (form.expiry !== "") errors.expiry = { key: "dateMissing" };
  } else if (expiry <= now) errors.expiry = { key: form.expiry === "" ? "expiryDefaultPast" : "expiryPast" };
  else if (end !== null && expiry > end) errors.expiry = { key: "expiryAfterEnd" };

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

  if (Object.keys(errors).length > 0 || start === null || end === null || expiry === null) return { errors, bid: null };
  const acceptableRegions = form.regions.reduce((mask, r) => mask | (1 << r), 0) >>> 0;
  return {
    errors,
    bid: {
      params: {
        hardwareClass,
        acceptableRegions,
        buyerRegion,
        windowStart: start,
        windowEnd: end,
        vcuHours,
        limitPricePerVcuHour: limit,
        minGreenBps,
        bandwidthMbps,
        maxLatencyMs,
        expiry,
      },
      escrow: vcuHours * limit,
      roundedFromTotal,
    },
  };
}

/** The pricing API's request for this bid (backend/api/README.md, POST /api/quote). */
export function quoteRequest(bid: BidParams, regions: number[]) {
  return {
    hardwareClass: HARDWARE_CLASSES[bid.hardwareClass],
    acceptableRegions: regions,
    buyerRegion: bid.buyerRegion,
    window: { start: bid.windowStart, end: bid.windowEnd },
    vcuHours: bid.vcuHours.toString(),
    limitPricePerVcuHour: bid.limitPricePerVcuHour.toString(),
    minGreenBps: bid.minGreenBps,
    bandwidthMbps: bid.bandwidthMbps.toString(),
    maxLatencyMs: bid.maxLatencyMs,
  };
}

/** The API names wrong fields by its own paths (`window.end`, `acceptableRegions[1]`); these are the form's. */
export function formFieldOfApiPath(path: string): BidField | null {
  const head = path.split(/[.[]/)[0];
  const map: Record<string, BidField> = {
    hardwareClass: "hardwareClass",
    acceptableRegions: "regions",
    buyerRegion: "buyerRegion",
    vcuHours: "vcuHours",
    limitPricePerVcuHour: "price",
    minGreenBps: "minGreenPercent",
    bandwidthMbps: "bandwidthMbps",
    maxLatencyMs: "maxLatencyMs",
  };
  if (head === "window") return path.includes("start") ? "windowStart" : "windowEnd";
  return map[head] ?? null;
}
