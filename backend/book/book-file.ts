// An open book stored as JSON (bigints as decimal strings), for the stand-alone server and the
// benchmark until the indexer feeds the API live. The shapes are protocol/book.ts field for field, hourly
// use as [hour start, amount] pairs.
import { readFile } from "node:fs/promises";

import { z } from "zod";

import type { OpenBook } from "./book-source.ts";

const uint = z
  .string()
  .regex(/^(0|[1-9][0-9]*)$/, "expected a decimal integer string")
  .transform(BigInt);
const small = z.int().min(0);
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "expected a 20-byte hex address") as z.ZodType<`0x${string}`>;

// Hourly use as [hour start, amount] pairs (JSON has no maps); absent: nothing used yet.
const hourly = z
  .array(z.tuple([small, small]))
  .optional()
  .transform((pairs) => new Map(pairs ?? []));

const ComputeOffer = z.strictObject({
  id: uint,
  supplier: address,
  hardwareClass: small,
  region: small,
  windowStart: small,
  windowEnd: small,
  vcu: small,
  reservePricePerVcuHour: uint,
  whPerVcuHour: uint,
  pueMilli: small,
  expiry: small,
  usedVcu: hourly,
});
const EnergyOffer = z.strictObject({
  id: uint,
  supplier: address,
  deviceId: uint,
  source: small,
  region: small,
  firstHour: small,
  whPerHour: z.array(uint),
  soldWhPerHour: z.array(uint).optional(),
  deviceSuspended: z.boolean().optional(),
  reservePricePerKwh: uint,
  expiry: small,
});
const BandwidthOffer = z.strictObject({
  id: uint,
  supplier: address,
  fromRegion: small,
  toRegion: small,
  mbps: small,
  latencyMs: small,
  windowStart: small,
  windowEnd: small,
  reservePricePerMbpsHour: uint,
  expiry: small,
  usedMbps: hourly,
});
const Bid = z.strictObject({
  id: uint,
  buyer: address,
  hardwareClass: small,
  acceptableRegions: uint,
  buyerRegion: small,
  earliestStart: small,
  latestEnd: small,
  durationHours: small,
  vcu: small,
  remainingVcu: small,
  start: small,
  limitPricePerVcuHour: uint,
  minGreenBps: small,
  certificateOrigin: small,
  bandwidthMbps: uint,
  maxLatencyMs: small,
  expiry: small,
  reservedLinks: z.array(uint).optional(),
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
  return JSON.stringify(book, (_key, value: unknown) =>
    typeof value === "bigint" ? value.toString() : value instanceof Map ? [...value] : value,
  );
}

export async function readBookFile(path: string): Promise<OpenBook> {
  return parseBook(JSON.parse(await readFile(path, "utf8")));
}
