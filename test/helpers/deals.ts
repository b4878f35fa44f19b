// Deals as tests see them: settling matches and reading back the terms the market emitted (it stores
// only their digest, so every deal action takes them back), plus an independent model of what a
// deal pays out, written from the design's formulas rather than from the contract.
import { type ContractTransactionReceipt, type Log, Result } from "ethers";
import { SKIP_REASONS } from "../../protocol/orders.ts";
import { advanceTo, type Book, bundle, issueJobHours, type Match, meteringRoot, openBook } from "./book.ts";
import { time } from "./connection.ts";
import type { Deployed } from "./deploy.ts";

export const BPS = 10_000n;

/** Plain values of an ethers Result: named tuples become objects, lists stay arrays. */
export function plain(value: unknown): any {
  if (!(value instanceof Result)) return value;
  if (value.length === 0) return []; // the ABI has no empty structs, only empty lists
  try {
    // toObject throws on a list of two or more unnamed entries, and names the single entry of a
    // one-entry list "_": both mean a list rather than a struct.
    const entries = Object.entries(value.toObject());
    if (entries.length === value.length && entries.every(([key]) => key !== "_")) {
      return Object.fromEntries(entries.map(([key, entry]) => [key, plain(entry)]));
    }
  } catch {
    // a list, handled below
  }
  return Array.from(value, plain);
}

export type DealEnergyLot = {
  offerId: bigint;
  supplier: string;
  deviceId: bigint;
  hour: bigint;
  wh: bigint;
  payment: bigint;
  sourceFactor: bigint;
};
export type DealTerms = {
  bidId: bigint;
  buyer: string;
  computeOfferId: bigint;
  computeSupplier: string;
  computeRegion: bigint;
  start: bigint;
  durationHours: bigint;
  vcu: bigint;
  computePayment: bigint;
  needPerHourWh: bigint;
  energyLots: DealEnergyLot[];
  bandwidthOfferId: bigint;
  bandwidthSupplier: string;
  bandwidthMbps: bigint;
  bandwidthPayment: bigint;
  fee: bigint;
  escrow: bigint;
  gridFactor: bigint;
  minGreenBps: bigint;
  certificateOrigin: bigint;
  reportDeadline: bigint;
  challengePeriod: bigint;
};
export type UsageReport = { vcuPerHour: bigint[]; whPerHour: bigint[]; meteringRoot: string };
export type OpenedDeal = { dealId: bigint; terms: DealTerms };
export type Skipped = { index: bigint; bidId: bigint; computeOfferId: bigint; reason: (typeof SKIP_REASONS)[number] };

function parsed(d: Deployed, receipt: ContractTransactionReceipt, name: string) {
  return receipt.logs
    .map((log: Log) => {
      try {
        return d.market.interface.parseLog(log);
      } catch {
        return null;
      }
    })
    .filter((event) => event !== null && event.name === name);
}

/** Deals opened and matches skipped by one `settle` transaction, in emission order. */
export function settlementOf(
  d: Deployed,
  receipt: ContractTransactionReceipt,
): { deals: OpenedDeal[]; skipped: Skipped[] } {
  const deals = parsed(d, receipt, "DealOpened").map((event) => ({
    dealId: event!.args.dealId as bigint,
    terms: plain(event!.args.terms) as DealTerms,
  }));
  const skipped = parsed(d, receipt, "MatchSkipped").map((event) => ({
    index: event!.args.index as bigint,
    bidId: event!.args.bidId as bigint,
    computeOfferId: event!.args.computeOfferId as bigint,
    reason: SKIP_REASONS[Number(event!.args.reason)],
  }));
  return { deals, skipped };
}

/** Settles `matches` as the matcher and returns what happened to each. */
export async function settle(d: Deployed, matches: Match[]) {
  const tx = await d.market.connect(d.matcher).settle(matches);
  const receipt = (await tx.wait())!;
  return { receipt, ...settlementOf(d, receipt) };
}

/** The job's end: start + durationHours hours. */
export function jobEnd(terms: DealTerms): bigint {
  return terms.start + terms.durationHours * 3600n;
}

/** A full-delivery report: every VCU delivered in every hour, exactly the energy planned each hour. */
export function fullReport(terms: DealTerms, overrides: Partial<UsageReport> = {}): UsageReport {
  const hours = Number(terms.durationHours);
  return {
    vcuPerHour: Array.from({ length: hours }, () => terms.vcu),
    whPerHour: Array.from({ length: hours }, () => terms.needPerHourWh),
    meteringRoot: meteringRoot("full"),
    ...overrides,
  };
}

export type LotOutcome = { paid: bigint; retiredWh: bigint; undeliveredWh: bigint };
export type DealOutcome = {
  computePaid: bigint;
  bandwidthPaid: bigint;
  energyLots: LotOutcome[];
  fee: bigint;
  refund: bigint;
  credits: bigint;
};

/** Certificate id of a deal's lot (device-hour). */
export function lotCertificateId(lot: DealEnergyLot): bigint {
  return (lot.deviceId << 32n) | (lot.hour / 3600n);
}

const min = (a: bigint, b: bigint) => (a < b ? a : b);

/**
 * What a deal must pay out (docs/market-rules.md, "Finalisation"), written from the design's formulas
 * rather than from the contract: compute and bandwidth pro rata to the VCU-hours delivered; in each
 * job hour min(lots' Wh, metered Wh) × accepted share is retirable, and the hour's lots retire in lot
 * order up to it, each capped by what its supplier holds of the device-hour (`holdings`, keyed
 * `supplier:certificateId`; a missing key means it holds all it sold), and each is paid pro rata to
 * the Wh it retired; the fee pro rata to what suppliers are paid, the rest refunded; credits = Σ
 * retired Wh × (grid − source factor) / 1000. `acceptedBps` < 10,000 models an arbiter's refund split.
 */
export function expectedOutcome(
  terms: DealTerms,
  report: UsageReport,
  acceptedBps = BPS,
  holdings: Map<string, bigint> = new Map(),
): DealOutcome {
  const delivered = report.vcuPerHour.reduce((a, b) => a + b, 0n) * acceptedBps;
  const whole = terms.vcu * terms.durationHours * BPS;
  const computePaid = (terms.computePayment * delivered) / whole;
  const bandwidthPaid = (terms.bandwidthPayment * delivered) / whole;
  const hourOf = (lot: DealEnergyLot) => Number((lot.hour - terms.start) / 3600n);
  const left = report.whPerHour.map((metered, h) => {
    const green = terms.energyLots.filter((lot) => hourOf(lot) === h).reduce((a, lot) => a + lot.wh, 0n);
    return (min(green, metered) * acceptedBps) / BPS;
  });
  const held = new Map(holdings);
  let full = terms.computePayment + terms.bandwidthPayment;
  let paid = computePaid + bandwidthPaid;
  let avoidedGramWh = 0n;
  const energyLots = terms.energyLots.map((lot) => {
    const key = `${lot.supplier}:${lotCertificateId(lot)}`;
    const share = min(lot.wh, left[hourOf(lot)]);
    const retiredWh = min(share, held.get(key) ?? share);
    if (held.has(key)) held.set(key, held.get(key)! - retiredWh);
    left[hourOf(lot)] -= retiredWh;
    const lotPaid = (lot.payment * retiredWh) / lot.wh;
    full += lot.payment;
    paid += lotPaid;
    if (terms.gridFactor > lot.sourceFactor) avoidedGramWh += retiredWh * (terms.gridFactor - lot.sourceFactor);
    return { paid: lotPaid, retiredWh, undeliveredWh: share - retiredWh };
  });
  const fee = full === 0n ? 0n : (terms.fee * paid) / full;
  return {
    computePaid,
    bandwidthPaid,
    energyLots,
    fee,
    refund: terms.escrow - paid - fee,
    credits: avoidedGramWh / 1000n,
  };
}

export type DealFixture = Book & OpenedDeal;
export type ReportedFixture = DealFixture & { report: UsageReport; reportedAt: number };

// Fixtures build on each other by calling one another, never through loadFixture: a nested
// loadFixture that restores an older snapshot leaves the outer call's list with snapshots the node
// has already dropped.

/** The standard book with the standard bundle settled into deal 1. */
export async function openDeal(): Promise<DealFixture> {
  const b = await openBook();
  const { deals } = await settle(b, [bundle(b)]);
  return { ...b, ...deals[0] };
}

/** Deal 1 reported at full delivery right after its job ended, the suppliers' certificates issued. */
export async function reportedDeal(): Promise<ReportedFixture> {
  const f = await openDeal();
  await issueJobHours(f);
  await advanceTo(jobEnd(f.terms));
  const report = fullReport(f.terms);
  await f.market.connect(f.computeSupplier).reportUsage(f.dealId, f.terms, report);
  return { ...f, report, reportedAt: await time.latest() };
}

/** When the buyer's right to dispute a report made at `reportedAt` ends. */
export function challengeEnd(f: ReportedFixture): number {
  return f.reportedAt + Number(f.terms.challengePeriod);
}

/** The facility energy the whole job declares: needPerHourWh × durationHours. */
export function energyNeeded(terms: DealTerms): bigint {
  return terms.needPerHourWh * terms.durationHours;
}

/**
 * A report of `vcuHoursDelivered` VCU-hours and `whConsumed` Wh over the whole job, spread as evenly
 * as whole numbers allow over its hours (the remainders in the first hours).
 */
export function spreadReport(
  terms: DealTerms,
  totals: { vcuHoursDelivered?: bigint; whConsumed?: bigint; meteringRoot?: string },
): UsageReport {
  const hours = terms.durationHours;
  const spread = (total: bigint) =>
    Array.from({ length: Number(hours) }, (_, h) => total / hours + (BigInt(h) < total % hours ? 1n : 0n));
  const full = fullReport(terms);
  return {
    vcuPerHour: totals.vcuHoursDelivered === undefined ? full.vcuPerHour : spread(totals.vcuHoursDelivered),
    whPerHour: totals.whConsumed === undefined ? full.whPerHour : spread(totals.whConsumed),
    meteringRoot: totals.meteringRoot ?? full.meteringRoot,
  };
}
