// Base and dynamic prices of the three resource goods (docs/pricing.md). Prices are in token base
// units per unit of the good (VCU-hour, kWh, Mbps-hour) and are `number`s: they are quotes and
// outside options, never payments (payments are integers made in bundle.ts).
//
// Compute:   base = P_class × Q(reliability) × S(tier) × (1 + g(energy type) × greenShare)
//   Q(r)     = clamp(1 + qualityPerNine × log10((1 − r_ref)/(1 − r)), qualityFloor, qualityCeiling)
//   S(tier)  = serviceCoefficient[tier]
//   g(type)  = greenPremium[type]
// Energy:    base = referencePricePerKwh[source]
// Bandwidth: base = P_ref × (1 + latencyPremium × max(0, (ℓ_ref − ℓ)/ℓ_ref))
// Dynamic:   price = base × L(ρ), with ρ the utilisation of the job's hours in [0, 1]:
//   L(ρ) = 1 − idleDiscount × (1 − ρ/ρ₀)                                  for ρ < ρ₀
//   L(ρ) = 1 + scarcitySurcharge × ((ρ − ρ₀)/(1 − ρ₀))^scarcityExponent     for ρ ≥ ρ₀
// L is continuous, non-decreasing, L(ρ₀) = 1, L(0) = 1 − idleDiscount, L(1) = 1 + scarcitySurcharge.

import type { BookComputeOffer } from "../../protocol/book.ts";
import {
  BPS,
  type EnergySource,
  HARDWARE_CLASSES,
  type HardwareClass,
  SECONDS_PER_HOUR,
} from "../../protocol/units.ts";
import { type EnergyType, PRICING_CONFIG, type PricingConfig, type SlaTier } from "./config.ts";

export type ComputeGood = {
  hardwareClass: HardwareClass;
  /** Availability promised, in [0, 1). */
  reliability: number;
  slaTier: SlaTier;
  energyType: EnergyType;
  /** Share of the energy covered by certificates of `energyType`, in bps. */
  greenShareBps: number;
};

/** Quality factor Q(r) from reliability. */
export function qualityFactor(reliability: number, config: PricingConfig = PRICING_CONFIG): number {
  const c = config.compute;
  if (!(reliability >= 0 && reliability < 1)) throw new RangeError("reliability must be in [0, 1)");
  const nines = Math.log10((1 - c.referenceReliability) / (1 - reliability));
  return Math.min(c.qualityCeiling, Math.max(c.qualityFloor, 1 + c.qualityPerNine * nines));
}

/** Load term L(ρ): the factor the window's utilisation applies to a base price. */
export function loadFactor(utilisation: number, config: PricingConfig = PRICING_CONFIG): number {
  if (!Number.isFinite(utilisation)) throw new RangeError("utilisation must be a finite number");
  const { neutralUtilisation: r0, idleDiscount, scarcitySurcharge, scarcityExponent } = config.load;
  const rho = Math.min(1, Math.max(0, utilisation));
  if (rho < r0) return 1 - idleDiscount * (1 - rho / r0);
  return 1 + scarcitySurcharge * ((rho - r0) / (1 - r0)) ** scarcityExponent;
}

/** Base price of a compute good per VCU-hour. */
export function computeBasePrice(good: ComputeGood, config: PricingConfig = PRICING_CONFIG): number {
  const c = config.compute;
  if (!(good.greenShareBps >= 0 && good.greenShareBps <= BPS))
    throw new RangeError("greenShareBps must be in [0, 10000]");
  const green = 1 + c.greenPremium[good.energyType] * (good.greenShareBps / BPS);
  return (
    c.referencePricePerVcuHour[good.hardwareClass] *
    qualityFactor(good.reliability, config) *
    c.serviceCoefficient[good.slaTier] *
    green
  );
}

/** Base price of green power with its certificate, per kWh. */
export function energyBasePrice(source: EnergySource, config: PricingConfig = PRICING_CONFIG): number {
  return config.energy.referencePricePerKwh[source];
}

/** Base price of a link per Mbps-hour for a latency bound. */
export function bandwidthBasePrice(latencyMs: number, config: PricingConfig = PRICING_CONFIG): number {
  const b = config.bandwidth;
  if (!(latencyMs >= 0)) throw new RangeError("latencyMs must be non-negative");
  const tighter = Math.max(0, (b.referenceLatencyMs - latencyMs) / b.referenceLatencyMs);
  return b.referencePricePerMbpsHour * (1 + b.latencyPremium * tighter);
}

/** Dynamic price: a base price under the load of its window. */
export function dynamicPrice(basePrice: number, utilisation: number, config: PricingConfig = PRICING_CONFIG): number {
  return basePrice * loadFactor(utilisation, config);
}

/**
 * Utilisation of compute capacity of one hardware class (optionally one region) over the hours a job
 * occupies, [start, end): Σ over those hours of the VCU sold ÷ Σ of the VCU offered, each offer
 * counting in the hours its window covers. Hours no offer covers count as fully utilised: there is
 * nothing left to buy there.
 */
export function computeUtilisation(
  offers: readonly BookComputeOffer[],
  job: { hardwareClass: HardwareClass; region?: number; start: number; end: number },
): number {
  if (!(job.end > job.start)) throw new RangeError("end must be after start");
  const classIndex = HARDWARE_CLASSES.indexOf(job.hardwareClass);
  let offered = 0;
  let used = 0;
  for (const o of offers) {
    if (o.hardwareClass !== classIndex || (job.region !== undefined && o.region !== job.region)) continue;
    const from = Math.max(o.windowStart, job.start);
    const to = Math.min(o.windowEnd, job.end);
    for (let hour = from; hour < to; hour += SECONDS_PER_HOUR) {
      offered += o.vcu;
      used += Math.min(o.vcu, o.usedVcu?.get(hour) ?? 0);
    }
  }
  return offered === 0 ? 1 : used / offered;
}
