// What the connected account may do right now, decided from chain time and the indexed state alone
// (no wallet, no React), so that every rule can be tested against the contract's own conditions.
// The contract stays the judge: these functions only decide which buttons to offer, and the
// boundaries below are the exact comparisons in contracts/Market.sol.

export type DealStatus = "ACTIVE" | "REPORTED" | "DISPUTED" | "FINALIZED" | "CANCELLED";

/** The deal fields the rules read (a subset of the GraphQL Deal). Times are unix seconds. */
export type DealClock = {
  status: DealStatus;
  buyer: string;
  computeSupplier: string;
  /** The DealTerms as the indexer serves them: the energy and network suppliers are read from them. */
  terms: unknown;
  windowEnd: number;
  reportDeadline: number;
  /** Set once reported: report time + challenge period. */
  challengeEnd: number | null;
  /** Set while disputed: after it anyone may finalise the deal as reported. */
  arbitrationDeadline: number | null;
};

/** Who is looking. `account` is null when no wallet is connected. */
export type Viewer = { account: string | null; isArbiter: boolean };

export type DealActionKind =
  | "reportUsage"
  | "confirmUsage"
  | "disputeUsage"
  | "finalize"
  | "cancelNoShow"
  | "finalizeLapsedDispute"
  | "resolveDispute";

/** An action open now; `until` is when it closes, if it does. */
export type DealAction = { kind: DealActionKind; until: number | null };

/** An action that opens later (for this viewer), so the page can say when. */
export type UpcomingAction = { kind: DealActionKind; from: number };

export type DealAgenda = { actions: DealAction[]; upcoming: UpcomingAction[] };

const same = (a: string | null, b: string) => a !== null && a.toLowerCase() === b.toLowerCase();

/**
 * The deal actions `viewer` may take at chain time `now`, and those that open later.
 *
 * - ACTIVE: the compute supplier reports in [windowEnd, reportDeadline); from reportDeadline
 *   anyone cancels the no-show.
 * - REPORTED, report not flagged: the buyer confirms at any time; the buyer and the deal's energy
 *   and network suppliers dispute before challengeEnd; from challengeEnd anyone finalises.
 * - REPORTED, report flagged (report-flags.ts): nobody finalises; the buyer confirms from
 *   challengeEnd; any party, the compute supplier included, takes it to the arbiter at any time.
 *   While `flagged` is null (no report read yet) only what both cases allow is offered.
 * - DISPUTED: an arbiter resolves at any time (a late ruling is accepted until someone finalises
 *   the lapse); from arbitrationDeadline anyone finalises as reported.
 */
export function dealAgenda(deal: DealClock, viewer: Viewer, now: number, flagged: boolean | null): DealAgenda {
  const actions: DealAction[] = [];
  const upcoming: UpcomingAction[] = [];
  if (viewer.account === null) return { actions, upcoming };
  const open = (kind: DealActionKind, from: number, until: number | null) => {
    if (now < from) upcoming.push({ kind, from });
    else if (until === null || now < until) actions.push({ kind, until });
  };
  const roles = dealRoles(deal, viewer.account);
  const isBuyer = roles.includes("buyer");
  const isSupplier = roles.includes("computeSupplier");
  // The parties the report pays or charges (contracts/Market.sol _isCounterparty).
  const isCounterparty = isBuyer || roles.includes("energySupplier") || roles.includes("networkSupplier");

  switch (deal.status) {
    case "ACTIVE":
      if (isSupplier) open("reportUsage", deal.windowEnd, deal.reportDeadline);
      // Only the parties care when a no-show can be cancelled; everyone else just sees the button.
      if (isBuyer || isSupplier || now >= deal.reportDeadline) open("cancelNoShow", deal.reportDeadline, null);
      break;
    case "REPORTED":
      if (deal.challengeEnd === null) break;
      if (flagged === false) {
        if (isBuyer) actions.push({ kind: "confirmUsage", until: null });
        if (isCounterparty) open("disputeUsage", 0, deal.challengeEnd);
        open("finalize", deal.challengeEnd, null);
      } else {
        if (isBuyer) open("confirmUsage", deal.challengeEnd, null);
        if (flagged === true && (isCounterparty || isSupplier)) actions.push({ kind: "disputeUsage", until: null });
        else if (isCounterparty) open("disputeUsage", 0, deal.challengeEnd);
      }
      break;
    case "DISPUTED":
      if (viewer.isArbiter) actions.push({ kind: "resolveDispute", until: null });
      if (deal.arbitrationDeadline !== null) open("finalizeLapsedDispute", deal.arbitrationDeadline, null);
      break;
    case "FINALIZED":
    case "CANCELLED":
      break;
  }
  return { actions, upcoming };
}

export type OrderState = { status: "OPEN" | "FILLED" | "CANCELLED" | "EXPIRED"; owner: string; remaining: string };

/**
 * Whether `account` may cancel the order: its owner, while something remains. Expired orders too —
 * cancelling an expired bid is how its buyer gets the unfilled escrow back.
 */
export function canCancelOrder(order: OrderState, account: string | null): boolean {
  return (
    same(account, order.owner) &&
    (order.status === "OPEN" || order.status === "EXPIRED") &&
    BigInt(order.remaining) > 0n
  );
}

/** Fraction of an order filled, in bps of what was posted (cancelled quantity counts as not filled). */
export function filledBps(order: { quantity: string; filled: string }): number {
  const quantity = BigInt(order.quantity);
  return quantity === 0n ? 0 : Number((BigInt(order.filled) * 10_000n) / quantity);
}

export type DealRole = "buyer" | "computeSupplier" | "energySupplier" | "networkSupplier";

/** The parts `account` plays in a deal, read from its terms (a supplier may also be the buyer). */
export function dealRoles(
  deal: { buyer: string; computeSupplier: string; terms: unknown },
  account: string | null,
): DealRole[] {
  if (account === null) return [];
  const terms = deal.terms as { energyLots?: { supplier: string }[]; bandwidthSupplier?: string } | null;
  const roles: DealRole[] = [];
  if (same(account, deal.buyer)) roles.push("buyer");
  if (same(account, deal.computeSupplier)) roles.push("computeSupplier");
  if (terms?.energyLots?.some((lot) => same(account, lot.supplier))) roles.push("energySupplier");
  if (terms?.bandwidthSupplier && same(account, terms.bandwidthSupplier)) roles.push("networkSupplier");
  return roles;
}
