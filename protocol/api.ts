// The answers of the pricing API as they go over the wire: POST /api/quote and GET /api/proposals.
// The API builds them (backend/api) and the web market reads them (frontend/src/pages/buy), so they
// are defined once here. Every amount is a decimal string in base units (docs/market-rules.md,
// "Units"): JSON numbers cannot hold a uint256.
import { z } from "zod";

import { CERTIFICATE_ORIGINS } from "./orders.ts";
import { HARDWARE_CLASSES } from "./units.ts";

/** A bigint in a response: always a decimal string. */
export const amountOut = z.string().regex(/^(0|[1-9][0-9]*)$/);

/** One party's side of a bundle's Nash bargain (docs/pricing.md, "Nash bargaining"). */
export const PartyTermsOut = z.object({
  role: z.enum(["buyer", "compute", "energy", "bandwidth"]),
  orderId: amountOut,
  reserve: amountOut,
  disagreement: amountOut,
  weight: z.number().positive(),
  payment: amountOut,
  surplusShareBps: z.int().min(0).max(10_000),
  explanation: z.string(),
});

/**
 * One proposed match with the bargain behind its payments: `vcu` units of the bid's job from `start`
 * (unix seconds, on the hour) for its durationHours; each energy lot is certificate Wh of one hour
 * (`hour`: its start) of an energy offer.
 */
export const ProposedMatchOut = z.object({
  bidId: amountOut,
  computeOfferId: amountOut,
  start: z.int(),
  vcu: amountOut,
  computePayment: amountOut,
  energyLots: z.array(z.object({ offerId: amountOut, hour: z.int(), wh: amountOut, payment: amountOut })),
  bandwidthOfferId: amountOut,
  bandwidthPayment: amountOut,
  surplus: amountOut,
  parties: z.array(PartyTermsOut),
});

/** GET /api/proposals: one page of the matcher's latest batch. */
export const ProposalsResponse = z.object({
  batch: z.object({ id: amountOut, clearedAt: z.int(), matchCount: z.int() }).nullable(),
  matches: z.array(ProposedMatchOut),
  page: z.object({ offset: z.int(), limit: z.int(), total: z.int() }),
});
export type ProposalsResponse = z.input<typeof ProposalsResponse>;

/** POST /api/quote: what the open book would give a bid. */
export const QuoteResponse = z.object({
  /**
   * `priced`: the book fills some or all of the bid within its limit; `limit-too-low`: it would fill
   * only at a higher limit (see `minimumLimitPerVcuHour`); `infeasible`: no offer combination serves it.
   */
  outcome: z.enum(["priced", "limit-too-low", "infeasible"]),
  /** Unix seconds of the book the quote was computed against. */
  asOf: z.int(),
  bid: z.object({
    hardwareClass: z.enum(HARDWARE_CLASSES),
    acceptableRegions: z.array(z.string()),
    buyerRegion: z.string(),
    vcu: z.int(),
    durationHours: z.int(),
    earliestStart: z.int(),
    latestEnd: z.int(),
    limitPricePerVcuHour: amountOut,
    minGreenBps: z.int(),
    certificateOrigin: z.enum(CERTIFICATE_ORIGINS),
    bandwidthMbps: amountOut,
    maxLatencyMs: z.int(),
  }),
  /** The hour (unix seconds) the job would start: every bundle of the fill runs from it; null when nothing fills. */
  start: z.int().nullable(),
  /** VCU the book can run for the whole job from `start` (at the bid's limit when priced, at the minimum limit otherwise). */
  filledVcu: z.int(),
  /** filledVcu × durationHours. */
  filledVcuHours: amountOut,
  limitSufficient: z.boolean(),
  /** All-in price per VCU-hour (fee included, rounded up) at which the fill clears at every order's reserve. */
  minimumLimitPerVcuHour: amountOut.nullable(),
  /** Expected prices after bargaining, in base units rounded up; null unless priced. */
  price: z
    .object({
      perVcuHour: amountOut,
      computePerVcuHour: amountOut,
      energyPerKwh: amountOut.nullable(),
      bandwidthPerMbpsHour: amountOut.nullable(),
      fee: amountOut,
      total: amountOut,
    })
    .nullable(),
  /**
   * Share of the job's energy the bundles cover with certificates of the same hours (time-matched),
   * in bps; null when nothing fills.
   */
  greenShareBps: z.int().min(0).max(10_000).nullable(),
  /** Each job hour from `start`: the filled VCU's energy need against the certificate Wh matched in it (empty when nothing fills). */
  hours: z.array(z.object({ start: z.int(), needWh: amountOut, greenWh: amountOut })),
  /** The certificate-origin rule the lots were chosen under, in plain words with the grid areas it meant. */
  certificates: z.object({ origin: z.enum(CERTIFICATE_ORIGINS), explanation: z.string() }),
  /** Each bundle of the fill with its Nash bargain, party by party (empty unless priced); the buyer's orderId is 0. */
  bundles: z.array(
    ProposedMatchOut.omit({ bidId: true }).extend({
      region: z.string(),
      /** Platform fee on the bundle, as the contract charges it, and its part of the surplus. */
      fee: amountOut,
      feeShareBps: z.number().min(0).max(10_000),
    }),
  ),
  /** Why the bid is not (fully) served, in plain words. */
  reasons: z.array(z.string()),
});
export type QuoteResponse = z.input<typeof QuoteResponse>;
