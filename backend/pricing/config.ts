// Every parameter of the pricing layer, in one place (docs/pricing.md). Money is in settlement-token
// base units (6 decimals: 1_000_000 = 1 token); shares are fractions unless named …Bps.
// The formulas that use these numbers are documented in price.ts and bundle.ts.

import type { EnergySource, HardwareClass } from "../../protocol/units.ts";

/** Service level agreement tiers a compute offer can promise. */
export const SLA_TIERS = ["basic", "standard", "premium", "critical"] as const;
export type SlaTier = (typeof SLA_TIERS)[number];

/** Energy behind a good: a certificate source, or plain grid power (no green premium). */
export type EnergyType = EnergySource | "grid";

export type PricingConfig = {
  compute: {
    /** Price per VCU-hour of a reference good: reliability = referenceReliability, basic SLA, grid power. */
    referencePricePerVcuHour: Record<HardwareClass, number>;
    /** Reliability (availability) the reference price assumes. */
    referenceReliability: number;
    /** Price change per additional "nine" of reliability (0.99 → 0.999 adds this fraction). */
    qualityPerNine: number;
    /** Quality factor floor and ceiling, so nonsense reliability figures cannot run away. */
    qualityFloor: number;
    qualityCeiling: number;
    /** Service coefficient per SLA tier (multiplies the price). */
    serviceCoefficient: Record<SlaTier, number>;
    /** Green premium per energy type, applied in proportion to the green share. */
    greenPremium: Record<EnergyType, number>;
  };
  energy: {
    /** Price per kWh of green power with its certificate, by source. */
    referencePricePerKwh: Record<EnergySource, number>;
    /** What an energy supplier earns by feeding the same kWh into the grid instead (its outside option). */
    gridFeedInPricePerKwh: number;
  };
  bandwidth: {
    /** Price per Mbps-hour of a link with the reference latency bound. */
    referencePricePerMbpsHour: number;
    referenceLatencyMs: number;
    /** Extra price for a tighter bound: + premium × (reference − latency)/reference, never negative. */
    latencyPremium: number;
  };
  load: {
    /** Utilisation at which the load term is neutral (factor 1). */
    neutralUtilisation: number;
    /** Discount at zero utilisation (factor 1 − idleDiscount), falling linearly to 0 at neutral. */
    idleDiscount: number;
    /** Surcharge at full utilisation (factor 1 + scarcitySurcharge). */
    scarcitySurcharge: number;
    /** Convexity of the surcharge above neutral utilisation (2 = quadratic). */
    scarcityExponent: number;
  };
  bargaining: {
    /** Bargaining power (Nash weight) per role; an energy weight is shared among a bundle's lots by Wh. */
    weights: { buyer: number; compute: number; energy: number; bandwidth: number };
    /**
     * Share of the going rate a compute or network supplier expects to realise by selling the same
     * capacity elsewhere (the rest is idle risk): its disagreement point is this × going rate × quantity.
     */
    outsideOptionShare: { compute: number; bandwidth: number };
  };
};

export const PRICING_CONFIG: PricingConfig = {
  compute: {
    referencePricePerVcuHour: {
      "cpu-general": 40_000,
      "cpu-hpc": 120_000,
      "gpu-inference": 900_000,
      "gpu-training": 2_500_000,
    },
    referenceReliability: 0.99,
    qualityPerNine: 0.08,
    qualityFloor: 0.5,
    qualityCeiling: 1.5,
    serviceCoefficient: { basic: 1, standard: 1.1, premium: 1.25, critical: 1.45 },
    greenPremium: { grid: 0, solar: 0.06, wind: 0.06, hydro: 0.04, biomass: 0.03, geothermal: 0.05, nuclear: 0.02 },
  },
  energy: {
    referencePricePerKwh: {
      solar: 52_000,
      wind: 50_000,
      hydro: 45_000,
      biomass: 60_000,
      geothermal: 58_000,
      nuclear: 47_000,
    },
    gridFeedInPricePerKwh: 38_000,
  },
  bandwidth: {
    referencePricePerMbpsHour: 2_000,
    referenceLatencyMs: 50,
    latencyPremium: 0.5,
  },
  load: {
    neutralUtilisation: 0.6,
    idleDiscount: 0.1,
    scarcitySurcharge: 0.5,
    scarcityExponent: 2,
  },
  bargaining: {
    weights: { buyer: 1, compute: 1, energy: 0.5, bandwidth: 0.5 },
    outsideOptionShare: { compute: 0.6, bandwidth: 0.5 },
  },
};
