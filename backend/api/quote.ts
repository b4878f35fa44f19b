// What a bid would get from the current book: stage 1 (clearing) of the bid alone against the open
// offers, then stage 2 (Nash bargaining) of each bundle, summarised as prices a buyer reads.
//
// The quote clears the bid against the offers' remaining capacity without the other open bids: in
// the next batch those bids compete for the same capacity, so a quote is an estimate, not a promise.

import type { QuoteResponse } from "../../protocol/api.ts";
import type { Bid, Match } from "../../protocol/orders.ts";
import { BPS, HARDWARE_CLASSES, REGIONS } from "../../protocol/units.ts";
import type { OpenBook } from "../book/book-source.ts";
import {
  type BundleProposal,
  clearFast,
  energyNeededWh,
  type MarketRules,
  matchPayments,
  type OrderBook,
  type PricingConfig,
  priceBundles,
} from "../pricing/index.ts";
import { toProposedMatch } from "../proposals/explain.ts";
import { bookFor, computeOfferOf } from "./book-index.ts";
import { presentMatch } from "./present.ts";
import type { QuoteRequest } from "./schemas/quote.ts";

export type QuoteContext = {
  /** Unix seconds the quote is for (orders must be unexpired then). */
  now: number;
  platformFeeBps: number;
  /** Pricing parameters; default backend/pricing's PRICING_CONFIG, as the matcher uses. */
  pricing?: PricingConfig;
};

/**
 * The quoted bid's id: 0, which no real bid has (the market numbers bids from 1), so it never
 * collides with the book and reads as "not posted yet" in the buyer's party terms.
 */
export const QUOTE_BID_ID = 0n;
const QUOTE_BUYER = "0x0000000000000000000000000000000000000000";

const regionName = (code: number): string => REGIONS.find((r) => r.code === code)?.name ?? String(code);
const ceilDiv = (a: bigint, b: bigint): bigint => (a + b - 1n) / b;

export function bidOf(request: QuoteRequest): Bid {
  return {
    id: QUOTE_BID_ID,
    buyer: QUOTE_BUYER,
    hardwareClass: HARDWARE_CLASSES.indexOf(request.hardwareClass),
    acceptableRegions: request.acceptableRegions.reduce((mask, code) => mask | (1n << BigInt(code)), 0n),
    buyerRegion: request.buyerRegion,
    windowStart: request.window.start,
    windowEnd: request.window.end,
    vcuHours: request.vcuHours,
    filled: 0n,
    limitPricePerVcuHour: request.limitPricePerVcuHour,
    minGreenBps: request.minGreenBps,
    bandwidthMbps: request.bandwidthMbps,
    maxLatencyMs: request.maxLatencyMs,
    // A job must be matched before its window opens.
    expiry: request.window.start,
  };
}

/**
 * Least all-in price per VCU-hour at which reserve-priced matches clear: the contract accepts
 * payments P of q VCU-hours when P × (10⁴ + fee) ≤ 10⁴ × limit × q.
 */
function minimumLimit(matches: readonly Match[], feeBps: number): bigint {
  const payments = matches.reduce((s, m) => s + matchPayments(m), 0n);
  return ceilDiv(payments * BigInt(BPS + feeBps), BigInt(BPS) * filled(matches));
}

function filled(matches: readonly Match[]): bigint {
  return matches.reduce((s, m) => s + m.vcuHours, 0n);
}

function greenShareBps(book: OrderBook, matches: readonly Match[]): number {
  let need = 0n;
  let green = 0n;
  for (const m of matches) {
    const offer = book.computeOffers.find((o) => o.id === m.computeOfferId);
    if (offer !== undefined) need += energyNeededWh(m.vcuHours, offer);
    green += m.energyLots.reduce((s, l) => s + l.wh, 0n);
  }
  return need === 0n ? 0 : Math.min(BPS, Number((green * BigInt(BPS)) / need));
}

/** Plain-words reasons why no offer combination serves the bid, checked cheapest first. */
function whyInfeasible(bid: Bid, book: OrderBook, now: number): string[] {
  if (bid.windowStart <= now) return ["the window has already started; a job is matched before its window opens"];
  const className = HARDWARE_CLASSES[bid.hardwareClass];
  const accepted = (region: number) => ((bid.acceptableRegions >> BigInt(region)) & 1n) === 1n;
  const compute = book.computeOffers.filter(
    (o) =>
      o.hardwareClass === bid.hardwareClass &&
      accepted(o.region) &&
      o.expiry > now &&
      o.windowStart <= bid.windowStart &&
      bid.windowEnd <= o.windowEnd &&
      o.vcuHours > o.filled,
  );
  if (compute.length === 0) return [`no open ${className} offer in the accepted regions covers the window`];
  const reasons: string[] = [];
  const remote = compute.filter((o) => o.region !== bid.buyerRegion);
  if (remote.length === compute.length && bid.bandwidthMbps > 0n) {
    const linked = remote.some((o) =>
      book.bandwidthOffers.some(
        (l) =>
          ((l.fromRegion === o.region && l.toRegion === bid.buyerRegion) ||
            (l.toRegion === o.region && l.fromRegion === bid.buyerRegion)) &&
          l.expiry > now &&
          l.windowStart <= bid.windowStart &&
          bid.windowEnd <= l.windowEnd &&
          l.latencyMs <= bid.maxLatencyMs &&
          l.mbps - l.filled >= bid.bandwidthMbps,
      ),
    );
    if (!linked) {
      reasons.push(
        `no bandwidth offer carries ${bid.bandwidthMbps} Mbps within ${bid.maxLatencyMs} ms from a compute region to ${regionName(bid.buyerRegion)} over the window`,
      );
    }
  }
  if (bid.minGreenBps > 0) {
    const certificates = book.energyOffers.filter((e) => e.expiry > now).reduce((s, e) => s + (e.wh - e.filled), 0n);
    if (certificates === 0n) reasons.push("no certificate Wh are offered to cover the minimum green share");
  }
  if (reasons.length === 0)
    reasons.push("no combination of compute, certificates and bandwidth meets every constraint of the bid");
  return reasons;
}

type Base = Pick<QuoteResponse, "asOf" | "bid">;

function presentBundle(proposal: BundleProposal, open: OpenBook): QuoteResponse["bundles"][number] {
  const { computeOfferId } = proposal.match;
  // The quoted bid is not on the book (its id is 0), so a quote's bundles don't name it.
  const { bidId: _quoted, ...bundle } = presentMatch(toProposedMatch(proposal));
  return {
    ...bundle,
    region: regionName(computeOfferOf(open, computeOfferId)?.region ?? 0),
    fee: String(proposal.fee),
    feeShareBps: Math.round(proposal.feeShareBps),
  };
}

/** Stage 2 over the cleared bundles, summed into the prices a buyer compares. */
function priced(
  base: Base,
  bid: Bid,
  book: OrderBook,
  open: OpenBook,
  cleared: Match[],
  context: QuoteContext,
): QuoteResponse {
  const q = filled(cleared);
  const proposals = priceBundles(book, cleared, {
    now: context.now,
    platformFeeBps: context.platformFeeBps,
    config: context.pricing,
  });
  const matches = proposals.map((p) => p.match);
  const sum = (f: (m: Match) => bigint) => matches.reduce((s, m) => s + f(m), 0n);
  const payments = proposals.reduce((s, p) => s + p.total, 0n);
  const fee = proposals.reduce((s, p) => s + p.fee, 0n);
  const energyWh = sum((m) => m.energyLots.reduce((t, l) => t + l.wh, 0n));
  const energyPaid = sum((m) => m.energyLots.reduce((t, l) => t + l.payment, 0n));
  // Every bundle with a link reserves the bid's Mbps for the whole window.
  const linked = matches.filter((m) => m.bandwidthOfferId !== 0n);
  const mbpsSeconds = BigInt(linked.length) * bid.bandwidthMbps * BigInt(bid.windowEnd - bid.windowStart);
  return {
    ...base,
    outcome: "priced",
    filledVcuHours: String(q),
    limitSufficient: true,
    minimumLimitPerVcuHour: String(minimumLimit(cleared, context.platformFeeBps)),
    price: {
      perVcuHour: String(ceilDiv(payments + fee, q)),
      computePerVcuHour: String(
        ceilDiv(
          sum((m) => m.computePayment),
          q,
        ),
      ),
      energyPerKwh: energyWh === 0n ? null : String(ceilDiv(energyPaid * 1_000n, energyWh)),
      bandwidthPerMbpsHour:
        mbpsSeconds === 0n ? null : String(ceilDiv(sum((m) => m.bandwidthPayment) * 3_600n, mbpsSeconds)),
      fee: String(fee),
      total: String(payments + fee),
    },
    greenShareBps: greenShareBps(book, matches),
    bundles: proposals.map((p) => presentBundle(p, open)),
    reasons: q < bid.vcuHours ? [`only ${q} of ${bid.vcuHours} VCU-hours can be served within the limit`] : [],
  };
}

/**
 * Quotes a bid against an open book.
 *
 * @example
 * const quote = quoteBid(request, await book.openBook(), { now, platformFeeBps: 30 });
 * quote.outcome; // "priced" | "limit-too-low" | "infeasible"
 */
export function quoteBid(request: QuoteRequest, open: OpenBook, context: QuoteContext): QuoteResponse {
  const rules: MarketRules = { now: context.now, platformFeeBps: context.platformFeeBps };
  const bid = bidOf(request);
  const book = bookFor(bid, open);
  const base: Base = {
    asOf: open.asOf,
    bid: {
      hardwareClass: request.hardwareClass,
      acceptableRegions: [...new Set(request.acceptableRegions)].map(regionName),
      buyerRegion: regionName(request.buyerRegion),
      windowStart: request.window.start,
      windowEnd: request.window.end,
      vcuHours: String(request.vcuHours),
      limitPricePerVcuHour: String(request.limitPricePerVcuHour),
      minGreenBps: request.minGreenBps,
      bandwidthMbps: String(request.bandwidthMbps),
      maxLatencyMs: request.maxLatencyMs,
    },
  };

  const cleared = clearFast(book, rules).matches;
  if (cleared.length > 0) return priced(base, bid, book, open, cleared, context);

  // Nothing clears at the bid's limit: clear again with the limit lifted as far as the clearer's
  // exact arithmetic allows (escrow below 2^53), to learn whether any price would do and which.
  const lifted: Bid = {
    ...bid,
    limitPricePerVcuHour: BigInt(Math.floor(Number.MAX_SAFE_INTEGER / 2 / Number(bid.vcuHours))),
  };
  const atAnyPrice = clearFast({ ...book, bids: [lifted] }, rules).matches;
  if (atAnyPrice.length > 0) {
    const q = filled(atAnyPrice);
    const minimum = minimumLimit(atAnyPrice, context.platformFeeBps);
    return {
      ...base,
      outcome: "limit-too-low",
      filledVcuHours: String(q),
      limitSufficient: false,
      minimumLimitPerVcuHour: String(minimum),
      price: null,
      greenShareBps: greenShareBps(book, atAnyPrice),
      bundles: [],
      reasons: [
        `at the offers' reserve prices, ${q} VCU-hours cost ${minimum} base units per VCU-hour all-in, above the limit of ${bid.limitPricePerVcuHour}`,
      ],
    };
  }
  return {
    ...base,
    outcome: "infeasible",
    filledVcuHours: "0",
    limitSufficient: false,
    minimumLimitPerVcuHour: null,
    price: null,
    greenShareBps: null,
    bundles: [],
    reasons: whyInfeasible(bid, book, context.now),
  };
}
