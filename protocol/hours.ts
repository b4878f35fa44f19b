// Whole UTC hours: the market's one unit of time inside a window (docs/market-rules.md, "Hours").
// contracts/libraries/Hours.sol holds the same definitions and limits; test/contracts/protocol/codes.test.ts
// keeps both in step. Backend, indexer and web import these rather than dividing by 3600 themselves.

import { SECONDS_PER_HOUR } from "./units.ts";

/** Longest window of an offer or a bid: 31 days. */
export const MAX_WINDOW_HOURS = 744;
/** Longest job a bid may ask for: one week. */
export const MAX_JOB_HOURS = 168;
/** Most hours one energy offer (or one certificate issue) names: one week. */
export const MAX_OFFER_HOURS = 168;

/** Whether unix time `t` (seconds) is on the hour. */
export function isOnHour(t: number | bigint): boolean {
  return BigInt(t) % BigInt(SECONDS_PER_HOUR) === 0n;
}

/** The hour index of unix time `t`: t / 3600, rounded down. */
export function hourIndex(t: number): number {
  return Math.floor(t / SECONDS_PER_HOUR);
}

/** The start (unix seconds) of hour index `index`. */
export function hourStart(index: number): number {
  return index * SECONDS_PER_HOUR;
}

/** `t` rounded down to its hour. */
export function floorHour(t: number): number {
  return hourStart(hourIndex(t));
}

/** `t` rounded up to the next hour (itself when on the hour). */
export function ceilHour(t: number): number {
  return Math.ceil(t / SECONDS_PER_HOUR) * SECONDS_PER_HOUR;
}

/** Hour starts of the window [start, end), both on the hour. */
export function hoursOf(start: number, end: number): number[] {
  const hours: number[] = [];
  for (let t = start; t < end; t += SECONDS_PER_HOUR) hours.push(t);
  return hours;
}

/**
 * The ERC-1155 id of a device-hour certificate: `deviceId << 32 | hourIndex`
 * (contracts/GreenCertificates.sol; docs/carbon-accounting.md, "Certificates").
 *
 * @example
 * certificateId(3n, 1_767_225_600) // device 3, the hour starting 2026-01-01T00:00Z
 */
export function certificateId(deviceId: bigint, hourStartSeconds: number): bigint {
  if (!isOnHour(hourStartSeconds)) throw new RangeError(`${hourStartSeconds} is not on the hour`);
  return (deviceId << 32n) | BigInt(hourIndex(hourStartSeconds));
}

/** The device and hour start of a certificate id. */
export function certificateHour(id: bigint): { deviceId: bigint; hourStart: number } {
  return { deviceId: id >> 32n, hourStart: hourStart(Number(id & 0xffff_ffffn)) };
}
