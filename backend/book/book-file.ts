// An open book stored as JSON (bigints as decimal strings), for the stand-alone server and the
// benchmark until the indexer feeds the API live. The shapes are protocol/orders.ts field for field.
import { readFile } from "node:fs/promises";

import { z } from "zod";

import type { OpenBook } from "./book-source.ts";

const uint = z
  .string()
  .regex(/^(0|[1-9][0-9]*)$/, "expected a decimal integer string")
  .transform(BigInt);
const small = z.int().min(0);
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "expected a 20-byte hex address") as z.ZodType<`0x${string}`>;

const ComputeOffer = z.strictObject({
  id: uint,
  supplier: address,
  hardwareClass: small,
  region: small,
  windowStart: small,
  windowEnd: small,
  vcuHours: uint,
  filled: uint,
  reservePricePerVcuHour: uint,
  whPerVcuHour: uint,
  pueMilli: small,
  expiry: small,
});
const EnergyOffer = z.strictObject({
  id: uint,
  supplier: address,
  batchId: uint,
  source: small,
  region: small,
  wh: uint,
  filled: uint,
  reservePricePerKwh: uint,
  expiry: small,
});
const BandwidthOffer = z.strictObject({
  id: uint,
  supplier: address,
  fromRegion: small,
  toRegion: small,
  mbps: uint,
  filled: uint,
  latencyMs: small,
  windowStart: small,
  windowEnd: small,
  reservePricePerMbpsHour: uint,
  expiry: small,
});
const Bid = z.strictObject({
  id: uint,
  buyer: address,
  hardwareClass: small,
  acceptableRegions: uint,
  buyerRegion: small,
  windowStart: small,
  windowEnd: small,
  vcuHours: uint,
  filled: uint,
  limitPricePerVcuHour: uint,
  minGreenBps: small,
  bandwidthMbps: uint,
  maxLatencyMs: small,
  expiry: small,
});

export const BookFile = z.strictObject({
  asOf: small,
  bids: z.array(Bid),
  computeOffers: z.array(ComputeOffer),
  energyOffers: z.array(EnergyOffer),
  bandwidthOffers: z.array(BandwidthOffer),
});

export function parseBook(json: unknown): OpenBook {
  return BookFile.parse(json);
}

/** The inverse of `parseBook`: JSON text with every bigint as a decimal string. */
export function bookToJson(book: OpenBook): string {
  return JSON.stringify(book, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value));
}

export async function readBookFile(path: string): Promise<OpenBook> {
  return parseBook(JSON.parse(await readFile(path, "utf8")));
}
