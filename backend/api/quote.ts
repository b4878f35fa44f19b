// What a bid would get from the current book: stage 1 (scheduling) of the bid alone against the open
// offers' free hours, then stage 2 (Nash bargaining) of each bundle, summarised as prices a buyer
// reads, with the start hour the scheduler chose and, hour by hour, the job's energy need against the
// certificate Wh matched to it under the bid's certificate-origin rule.
//
// The quote schedules the bid against the offers' remaining hourly capacity without the other open
// bids: in the next batch those bids compete for the same hours, so a quote is an estimate, not a promise.

import type { QuoteResponse } from "../../protocol/api.ts";
import type { BookBid, OrderBook } from "../../protocol/book.ts";
import { ceilHour } from "../../protocol/hours.ts";
import { CERTIFICATE_ORIGINS, type CertificateOrigin, type Match } from "../../protocol/orders.ts";
import { BPS, GRID_AREAS, gridAreaOf, HARDWARE_CLASSES, REGIONS, SECONDS_PER_HOUR } from "../../protocol/units.ts";
import type { OpenBook } from "../book/book-source.ts";
import {
  type BundleProposal,
  clearBook,
  type MarketRules,
  needPerHourWh,
  originAllows,
  type PricingConfig,
  priceBundles,
} from "../pricing/index.ts";
import { mapPacked } from "../pricing/packed.ts";
import { explain, shownShareBps, wordsOf } from "../proposals/explain.ts";
import { bookFor, computeOfferOf } from "./book-index.ts";
import { presentMatchFields } from "./present.ts";
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
const gridAreaName = (code: number | undefined): string =>
  GRID_AREAS.find((a) => a.code === code)?.name ?? String(code ?? "none");
const ceilDiv = (a: bigint, b: bigint): bigint => (a + b - 1n) / b;

/** The names of `codes` once each, in the order they first appear (a loop: spreading a Set cost more than the quote's other echo). */
function regionNames(codes: readonly number[]): string[] {
  const names: string[] = [];
  for (let i = 0; i < codes.length; i++) if (codes.indexOf(codes[i]) === i) names.push(regionName(codes[i]));
  return names;
}

/** A region's bit of a bid's acceptable-region mask, for the codes the exchange trades (one bigint shift each otherwise). */
const REGION_BITS = Array.from({ length: 64 }, (_, code) => 1n << BigInt(code));
function regionMask(codes: readonly number[]): bigint {
  let mask = 0n;
  for (const code of codes) mask |= REGION_BITS[code] ?? 1n << BigInt(code);
  return mask;
}

/**
 * The bid as the scheduler sees it. A job cannot start in the past, so its earliest start is the
 * next hour at the latest; it may be matched until its window ends (the contract's longest expiry).
 */
export function bidOf(request: QuoteRequest, now: number): BookBid {
  return {
    id: QUOTE_BID_ID,
    buyer: QUOTE_BUYER,
    hardwareClass: HARDWARE_CLASSES.indexOf(request.hardwareClass),
    acceptableRegions: regionMask(request.acceptableRegions),
    buyerRegion: request.buyerRegion,
    earliestStart: Math.max(request.earliestStart, ceilHour(now)),
    latestEnd: request.latestEnd,
    durationHours: request.durationHours,
    vcu: request.vcu,
    remainingVcu: request.vcu,
    start: 0,
    limitPricePerVcuHour: request.limitPricePerVcuHour,
    minGreenBps: request.minGreenBps,
    certificateOrigin: CERTIFICATE_ORIGINS.indexOf(request.certificateOrigin),
    bandwidthMbps: request.bandwidthMbps,
    maxLatencyMs: request.maxLatencyMs,
    expiry: request.latestEnd,
  };
}

const payments = (m: Match) => m.computePayment + m.bandwidthPayment + m.energyLots.reduce((s, l) => s + l.payment, 0n);

/**
 * Least all-in price per VCU-hour at which reserve-priced matches clear: the contract accepts
 * payments P of q VCU-hours when P × (10⁴ + fee) ≤ 10⁴ × limit × q.
 */
function minimumLimit(matches: readonly Match[], durationHours: number, feeBps: number): bigint {
  const paid = matches.reduce((s, m) => s + payments(m), 0n);
  return ceilDiv(paid * BigInt(BPS + feeBps), BigInt(BPS) * filledVcu(matches) * BigInt(durationHours));
}

function filledVcu(matches: readonly Match[]): bigint {
  return matches.reduce((s, m) => s + m.vcu, 0n);
}

/** The job's hours with their energy need and certificate Wh, and the time-matched green share over them. */
type JobEnergy = { hours: QuoteResponse["hours"]; greenShareBps: number | null };

/**
 * Each job hour's energy need (Σ over bundles of vcu × Wh per VCU-hour × PUE, the same in every hour)
 * against the certificate Wh matched in it, and the time-matched green share: certificate Wh of the
 * job's hours ÷ the job's energy need, in bps.
 */
function jobEnergy(open: OpenBook, matches: readonly Match[], durationHours: number): JobEnergy {
  if (matches.length === 0) return { hours: [], greenShareBps: null };
  const start = matches[0].start;
  let needPerHour = 0n;
  const green = new Array<bigint>(durationHours).fill(0n);
  for (const m of matches) {
    const offer = computeOfferOf(open, m.computeOfferId);
    if (offer !== undefined) needPerHour += needPerHourWh(Number(m.vcu), offer);
    for (const l of m.energyLots) {
      const k = (l.hour - start) / SECONDS_PER_HOUR;
      // Lots lie in the job's hours (the scheduler's rule); one outside them is not the job's.
      if (Number.isInteger(k) && k >= 0 && k < durationHours) green[k] += l.wh;
    }
  }
  const needWh = String(needPerHour);
  const hours = mapPacked(green, (wh, k) => ({ start: start + k * SECONDS_PER_HOUR, needWh, greenWh: String(wh) }));
  const need = needPerHour * BigInt(durationHours);
  const greenWh = green.reduce((s, wh) => s + wh, 0n);
  return { hours, greenShareBps: need === 0n ? null : Math.min(BPS, Number((greenWh * BigInt(BPS)) / need)) };
}

/** Which certificates the bid's origin rule let cover compute in the regions its bundles run in. */
function originApplied(rule: CertificateOrigin, computeRegions: readonly number[]): QuoteResponse["certificates"] {
  const regions = [...new Set(computeRegions)];
  const names = mapPacked(regions, regionName).join(", ");
  const explanation =
    rule === "anywhere"
      ? "certificates of devices in any region"
      : rule === "compute-region"
        ? regions.length === 0
          ? "certificates of devices in the compute region only"
          : `certificates of devices in the compute region only (${names})`
        : regions.length === 0
          ? "certificates of devices in the compute region's grid area only"
          : `certificates of devices in the grid area of the compute region only (${mapPacked(
              regions,
              (r) => `${regionName(r)}: ${gridAreaName(gridAreaOf(r))}`,
            ).join(", ")})`;
  return { origin: rule, explanation };
}

/** Plain-words reasons why no offer combination serves the bid, checked cheapest first. */
function whyInfeasible(bid: BookBid, book: OrderBook, now: number): string[] {
  const latestStart = bid.latestEnd - bid.durationHours * SECONDS_PER_HOUR;
  if (latestStart < bid.earliestStart || bid.latestEnd <= now) {
    return [`no ${bid.durationHours}-hour run fits between the next hour and the window's end`];
  }
  const className = HARDWARE_CLASSES[bid.hardwareClass];
  const accepted = (region: number) => ((bid.acceptableRegions >> BigInt(region)) & 1n) === 1n;
  // The starts at which an offer's window holds the whole job.
  const fits = (o: { windowStart: number; windowEnd: number }) =>
    Math.max(o.windowStart, bid.earliestStart) + bid.durationHours * SECONDS_PER_HOUR <=
    Math.min(o.windowEnd, bid.latestEnd);
  const compute = book.computeOffers.filter(
    (o) => o.hardwareClass === bid.hardwareClass && accepted(o.region) && o.expiry > now && o.vcu > 0 && fits(o),
  );
  if (compute.length === 0) {
    return [
      `no open ${className} offer in the accepted regions has ${bid.durationHours} consecutive hours in the window`,
    ];
  }
  const reasons: string[] = [];
  const remote = compute.filter((o) => o.region !== bid.buyerRegion);
  if (remote.length === compute.length && bid.bandwidthMbps > 0n) {
    const linked = remote.some((o) =>
      book.bandwidthOffers.some(
        (l) =>
          ((l.fromRegion === o.region && l.toRegion === bid.buyerRegion) ||
            (l.toRegion === o.region && l.fromRegion === bid.buyerRegion)) &&
          l.expiry > now &&
          fits(l) &&
          l.latencyMs <= bid.maxLatencyMs &&
          BigInt(l.mbps) >= bid.bandwidthMbps,
      ),
    );
    if (!linked) {
      reasons.push(
        `no bandwidth offer carries ${bid.bandwidthMbps} Mbps within ${bid.maxLatencyMs} ms from a compute region to ${regionName(bid.buyerRegion)} in the window's hours`,
      );
    }
  }
  if (bid.minGreenBps > 0) {
    const inWindow = (e: OrderBook["energyOffers"][number]) =>
      e.firstHour < bid.latestEnd && e.firstHour + e.whPerHour.length * SECONDS_PER_HOUR > bid.earliestStart;
    // The compute offers' regions once, not once per energy offer: a few regions, a hundred offers.
    const computeRegions = [...new Set(compute.map((o) => o.region))];
    const usable = book.energyOffers.some(
      (e) =>
        e.expiry > now &&
        inWindow(e) &&
        computeRegions.some((region) => originAllows(bid.certificateOrigin, region, e.region)),
    );
    if (!usable) {
      reasons.push(
        `no certificate Wh of the window's hours are offered that the ${CERTIFICATE_ORIGINS[bid.certificateOrigin]} origin rule accepts, to cover the minimum green share`,
      );
    }
  }
  if (reasons.length === 0) {
    reasons.push("no start hour lets compute, certificates and bandwidth meet every constraint of the bid");
  }
  return reasons;
}

type Base = Pick<QuoteResponse, "asOf" | "bid">;

/**
 * A bundle as a quote shows it: the matcher's proposal (proposals/explain.ts, api/present.ts) written
 * straight into its JSON form, in the same keys and order, without the quoted bid's id (0, not on the
 * book), plus its region and fee.
 */
export function presentBundle(proposal: BundleProposal, open: OpenBook): QuoteResponse["bundles"][number] {
  const { match } = proposal;
  const words = wordsOf(proposal);
  const parties: QuoteResponse["bundles"][number]["parties"] = [];
  for (const p of proposal.parties) {
    // The bargain runs in real numbers; whole base units are what the API shows for money.
    const disagreement = Math.round(p.disagreement);
    const reserve = String(p.reserve);
    const payment = String(p.payment);
    parties.push({
      role: p.role,
      orderId: String(p.orderId),
      reserve,
      disagreement: Number.isSafeInteger(disagreement) ? String(disagreement) : String(BigInt(disagreement)),
      weight: p.weight,
      payment,
      surplusShareBps: shownShareBps(p),
      explanation: explain(p, payment, reserve, words),
    });
  }
  return {
    ...presentMatchFields(match, proposal.surplus, parties),
    region: regionName(computeOfferOf(open, match.computeOfferId)?.region ?? 0),
    fee: String(proposal.fee),
    feeShareBps: Math.round(proposal.feeShareBps),
  };
}

const regionsOf = (open: OpenBook, matches: readonly Match[]) =>
  mapPacked(matches, (m) => computeOfferOf(open, m.computeOfferId)?.region ?? 0);

/** Stage 2 over the scheduled bundles, summed into the prices a buyer compares. */
function priced(
  base: Base,
  request: QuoteRequest,
  bid: BookBid,
  book: OrderBook,
  open: OpenBook,
  cleared: Match[],
  context: QuoteContext,
): QuoteResponse {
  const vcu = filledVcu(cleared);
  const q = vcu * BigInt(bid.durationHours);
  const proposals = priceBundles(book, cleared, {
    now: context.now,
    platformFeeBps: context.platformFeeBps,
    config: context.pricing,
  });
  // The bundles' sums in one pass (whole base units, so the order does not matter).
  const matches: Match[] = [];
  let paid = 0n;
  let fee = 0n;
  let computePaid = 0n;
  let bandwidthPaid = 0n;
  let energyWh = 0n;
  let energyPaid = 0n;
  // A link carries the bid's Mbps in each job hour, reserved once per bid and link.
  const links = new Set<bigint>();
  for (const p of proposals) {
    const m = p.match;
    matches.push(m);
    paid += p.total;
    fee += p.fee;
    computePaid += m.computePayment;
    bandwidthPaid += m.bandwidthPayment;
    for (const l of m.energyLots) {
      energyWh += l.wh;
      energyPaid += l.payment;
    }
    if (m.bandwidthOfferId !== 0n) links.add(m.bandwidthOfferId);
  }
  const mbpsHours = BigInt(links.size) * bid.bandwidthMbps * BigInt(bid.durationHours);
  const { hours, greenShareBps } = jobEnergy(open, matches, bid.durationHours);
  return {
    ...base,
    outcome: "priced",
    start: matches[0].start,
    filledVcu: Number(vcu),
    filledVcuHours: String(q),
    limitSufficient: true,
    minimumLimitPerVcuHour: String(minimumLimit(cleared, bid.durationHours, context.platformFeeBps)),
    price: {
      perVcuHour: String(ceilDiv(paid + fee, q)),
      computePerVcuHour: String(ceilDiv(computePaid, q)),
      energyPerKwh: energyWh === 0n ? null : String(ceilDiv(energyPaid * 1_000n, energyWh)),
      bandwidthPerMbpsHour: mbpsHours === 0n ? null : String(ceilDiv(bandwidthPaid, mbpsHours)),
      fee: String(fee),
      total: String(paid + fee),
    },
    greenShareBps,
    hours,
    certificates: originApplied(request.certificateOrigin, regionsOf(open, matches)),
    bundles: mapPacked(proposals, (p) => presentBundle(p, open)),
    reasons:
      vcu < BigInt(bid.vcu)
        ? [`only ${vcu} of ${bid.vcu} VCU can run for ${bid.durationHours} hours at one start within the limit`]
        : [],
  };
}

/**
 * Quotes a bid against an open book.
 *
 * @example
 * const quote = quoteBid(request, await book.openBook(), { now, platformFeeBps: 30 });
 * quote.outcome; // "priced" | "limit-too-low" | "infeasible"
 * quote.start; // the hour the job would start
 */
export function quoteBid(request: QuoteRequest, open: OpenBook, context: QuoteContext): QuoteResponse {
  const rules: MarketRules = { now: context.now, platformFeeBps: context.platformFeeBps };
  const bid = bidOf(request, context.now);
  const book = bookFor(bid, open);
  const base: Base = {
    asOf: open.asOf,
    bid: {
      hardwareClass: request.hardwareClass,
      acceptableRegions: regionNames(request.acceptableRegions),
      buyerRegion: regionName(request.buyerRegion),
      vcu: request.vcu,
      durationHours: request.durationHours,
      earliestStart: request.earliestStart,
      latestEnd: request.latestEnd,
      limitPricePerVcuHour: String(request.limitPricePerVcuHour),
      minGreenBps: request.minGreenBps,
      certificateOrigin: request.certificateOrigin,
      bandwidthMbps: String(request.bandwidthMbps),
      maxLatencyMs: request.maxLatencyMs,
    },
  };

  const cleared = clearBook(book, rules).matches;
  if (cleared.length > 0) return priced(base, request, bid, book, open, cleared, context);

  // Nothing clears at the bid's limit: schedule again with the limit lifted as far as the scheduler's
  // exact arithmetic allows (escrow below 2^53), to learn whether any price would do and which.
  const vcuHours = bid.vcu * bid.durationHours;
  const lifted: BookBid = { ...bid, limitPricePerVcuHour: BigInt(Math.floor(Number.MAX_SAFE_INTEGER / 2 / vcuHours)) };
  const atAnyPrice = clearBook({ ...book, bids: [lifted] }, rules).matches;
  if (atAnyPrice.length > 0) {
    const vcu = filledVcu(atAnyPrice);
    const q = vcu * BigInt(bid.durationHours);
    const minimum = minimumLimit(atAnyPrice, bid.durationHours, context.platformFeeBps);
    const { hours, greenShareBps } = jobEnergy(open, atAnyPrice, bid.durationHours);
    return {
      ...base,
      outcome: "limit-too-low",
      start: atAnyPrice[0].start,
      filledVcu: Number(vcu),
      filledVcuHours: String(q),
      limitSufficient: false,
      minimumLimitPerVcuHour: String(minimum),
      price: null,
      greenShareBps,
      hours,
      certificates: originApplied(request.certificateOrigin, regionsOf(open, atAnyPrice)),
      bundles: [],
      reasons: [
        `at the offers' reserve prices, ${vcu} VCU for ${bid.durationHours} hours (${q} VCU-hours) cost ${minimum} base units per VCU-hour all-in, above the limit of ${bid.limitPricePerVcuHour}`,
      ],
    };
  }
  return {
    ...base,
    outcome: "infeasible",
    start: null,
    filledVcu: 0,
    filledVcuHours: "0",
    limitSufficient: false,
    minimumLimitPerVcuHour: null,
    price: null,
    greenShareBps: null,
    hours: [],
    certificates: originApplied(request.certificateOrigin, []),
    bundles: [],
    reasons: whyInfeasible(bid, book, context.now),
  };
}
