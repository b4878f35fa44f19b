// How each deal plays out, decided once per deal from the seeded PRNG (so a restarted simulator makes
// the same choices) and acted on when its moment comes: the compute supplier reports after the job's
// last hour what its meter sent, hour by hour (metering.ts), or never; the buyer confirms, disputes or stays silent, the arbiter rules or lets the
// dispute lapse. While seeding, the parties also do what the keeper does live (finalise after the
// challenge window, cancel a no-show, finalise a lapsed dispute), since the keeper is not running yet.
import type { OpenDeal, OpenDealTerms } from "../../backend/keeper/deal-ledger.ts";
import { SECONDS_PER_HOUR } from "../../protocol/units.ts";
import { mix, random } from "./random.ts";
import { DEAL_BEHAVIOUR as B } from "./scenario.ts";

export type DealPlan = {
  noShow: boolean;
  /** Share of the deal's VCU delivered in the job's last hour (a node failed), in bps. */
  deliveredBps: number;
  buyer: "confirm" | "dispute" | "silent";
  arbiterRules: boolean;
  refundBps: number;
  /**
   * Seconds after the job's end at which its compute site reports: the site's own, the same for all
   * its deals, since a site's tools report every deal due in one round (one multicall).
   */
  reportDelay: number;
  decisionDelay: number;
  rulingDelay: number;
  /** Seconds after a deal becomes due for a permissionless action at which a party takes it (seed only). */
  partyDelay: number;
};

export function dealPlan(seed: number, dealId: bigint, computeSupplier: string): DealPlan {
  const r = random(mix(seed, dealId, 0xdea1));
  const noShow = r.chance(B.noShow);
  const deliveredBps = r.chance(B.shortDelivery) ? r.int(8_500, 9_800) : 10_000;
  const roll = r.next();
  const buyer = roll < B.dispute ? "dispute" : roll < B.dispute + B.silent ? "silent" : "confirm";
  return {
    noShow,
    deliveredBps,
    buyer,
    arbiterRules: r.chance(B.arbiterRules),
    refundBps: r.pick(B.refundBps),
    reportDelay: random(mix(seed, BigInt(computeSupplier), 0x5e9a)).int(...B.reportDelay),
    decisionDelay: r.int(...B.decisionDelay),
    rulingDelay: r.int(...B.rulingDelay),
    partyDelay: r.int(30, 600),
  };
}

export type DealStep =
  | { kind: "report"; by: "computeSupplier" }
  | { kind: "confirm" | "dispute"; by: "buyer" }
  | { kind: "resolve"; by: "arbiter" }
  /** Permissionless: the keeper's job live, a party's while seeding. */
  | { kind: "finalize" | "finalizeLapsedDispute"; by: "computeSupplier" }
  | { kind: "cancelNoShow"; by: "buyer" };

export type DealTiming = {
  challengePeriod: number;
  arbitrationPeriod: number;
  /** Whether the simulator also takes the keeper's permissionless actions (only while seeding). */
  actAsKeeper: boolean;
  /** Whether the deal's report was flagged (UsageFlagged). */
  flagged?: boolean;
};

/** End of the deal's last job hour, unix s. */
export function jobEnd(terms: Pick<OpenDealTerms, "start" | "durationHours">): number {
  return terms.start + terms.durationHours * SECONDS_PER_HOUR;
}

/** The deal's next step and when it is due (unix s), or undefined when the simulator has nothing to do. */
export function nextStep(
  deal: OpenDeal,
  plan: DealPlan,
  timing: DealTiming,
): { step: DealStep; at: number } | undefined {
  const { terms } = deal;
  if (deal.status === "Active") {
    if (!plan.noShow) {
      const at = jobEnd(terms) + plan.reportDelay;
      // A report that would land after the deadline is a no-show after all.
      if (at < terms.reportDeadline - 5) return { step: { kind: "report", by: "computeSupplier" }, at };
    }
    return timing.actAsKeeper
      ? { step: { kind: "cancelNoShow", by: "buyer" }, at: terms.reportDeadline + plan.partyDelay }
      : undefined;
  }
  if (deal.status === "Reported") {
    const reportedAt = deal.challengeEnd - timing.challengePeriod;
    // A flagged report (far from the profile, or green below the bid's minimum hour by hour) never
    // finalises unchallenged: the buyer disputes it, or accepts it once the challenge period is over.
    if (timing.flagged) {
      if (plan.buyer === "dispute")
        return { step: { kind: "dispute", by: "buyer" }, at: reportedAt + plan.decisionDelay };
      return { step: { kind: "confirm", by: "buyer" }, at: deal.challengeEnd + plan.decisionDelay };
    }
    if (plan.buyer !== "silent") {
      const at = reportedAt + plan.decisionDelay;
      if (at < deal.challengeEnd - 5) return { step: { kind: plan.buyer, by: "buyer" }, at };
    }
    return timing.actAsKeeper
      ? { step: { kind: "finalize", by: "computeSupplier" }, at: deal.challengeEnd + plan.partyDelay }
      : undefined;
  }
  const disputedAt = deal.arbitrationDeadline - timing.arbitrationPeriod;
  if (plan.arbiterRules) return { step: { kind: "resolve", by: "arbiter" }, at: disputedAt + plan.rulingDelay };
  return timing.actAsKeeper
    ? { step: { kind: "finalizeLapsedDispute", by: "computeSupplier" }, at: deal.arbitrationDeadline + plan.partyDelay }
    : undefined;
}

export const DISPUTE_REASONS = [
  "metered energy does not match the job's logs",
  "two nodes were down for part of the window",
  "throughput below the agreed VCU rate",
];
