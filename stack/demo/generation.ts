// Metered generation of the demo's devices, hour by hour: solar follows the sun (China Standard Time,
// UTC+8: it peaks at noon, 04:00 UTC) under a cloudiness drawn per day, wind drifts with a daily mean
// and blows hardest at night, hydro runs flat. The capacity factor never reaches 1, so no device-hour
// exceeds capacity × 1 h, which the registry enforces. Deterministic in (seed, device, hour).
import { hourIndex } from "../../protocol/hours.ts";
import { SECONDS_PER_HOUR } from "../../protocol/units.ts";
import { mix, random } from "./random.ts";
import { SOURCE } from "./scenario.ts";

const CST_OFFSET_HOURS = 8;
const DAY = 24;

/** Share of nameplate capacity produced during the hour starting at `hourStart` (unix s, whole hour). */
export function capacityFactor(seed: number, deviceId: bigint, source: number, hourStart: number): number {
  const hour = Math.floor(hourStart / SECONDS_PER_HOUR);
  const day = Math.floor((hour + CST_OFFSET_HOURS) / DAY);
  const localHour = (hour + CST_OFFSET_HOURS) % DAY;
  const daily = random(mix(seed, deviceId, day));
  const hourly = random(mix(seed, deviceId, hour, 1));
  if (source === SOURCE.Solar) {
    const clearness = daily.between(0.45, 0.95);
    const sun = Math.sin((Math.PI * (localHour + 0.5 - 6)) / 12);
    return sun <= 0 ? 0 : 0.85 * sun * clearness * hourly.between(0.9, 1);
  }
  if (source === SOURCE.Wind) {
    const mean = daily.between(0.15, 0.55);
    const nightBias = 1 + 0.3 * Math.cos((2 * Math.PI * (localHour - 3)) / DAY);
    return Math.min(0.95, Math.max(0, mean * nightBias + hourly.between(-0.08, 0.08)));
  }
  // Hydro (and anything steady): a run-of-river plant near its usual dispatch.
  return 0.55 + 0.04 * Math.sin((2 * Math.PI * localHour) / DAY) + hourly.between(-0.02, 0.02);
}

/** Wh generated in each hour of [start, end) (whole hours), each never more than capacity × 1 h. */
export function generatedWhPerHour(
  seed: number,
  deviceId: bigint,
  source: number,
  capacityW: bigint,
  start: number,
  end: number,
): bigint[] {
  const hours: bigint[] = [];
  for (let t = start; t < end; t += SECONDS_PER_HOUR)
    hours.push(BigInt(Math.floor(Number(capacityW) * capacityFactor(seed, deviceId, source, t))));
  return hours;
}

/**
 * The day-ahead forecast of an hour's generation: the metered value missed by up to 15 % either way
 * (drawn per device-hour), so a supplier who sells its forecast now and then delivers less than sold.
 */
export function forecastWh(
  seed: number,
  deviceId: bigint,
  source: number,
  capacityW: bigint,
  hourStart: number,
): bigint {
  const [actual] = generatedWhPerHour(seed, deviceId, source, capacityW, hourStart, hourStart + SECONDS_PER_HOUR);
  const error = random(mix(seed, deviceId, hourIndex(hourStart), 2)).between(0.85, 1.15);
  const forecast = BigInt(Math.floor(Number(actual) * error));
  return forecast < capacityW ? forecast : capacityW;
}
