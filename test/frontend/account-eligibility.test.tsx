// Which deal actions the account page offers, for each role and at the chain times where the
// contract's own checks flip (contracts/Market.sol: windowEnd ≤ now < reportDeadline for a report,
// now < challengeEnd for a dispute by the buyer, energy or network supplier, now ≥ challengeEnd to
// finalise, now ≥ reportDeadline for a no-show, now ≥ arbitrationDeadline for a lapse; confirm and
// resolve at any time in their status). A flagged report: no finalise, the buyer's confirm only
// from challengeEnd, and a dispute by any party, the compute supplier too, at any time.
import { describe, expect, it } from "vitest";

import {
  canCancelOrder,
  type DealClock,
  dealAgenda,
  dealRoles,
  filledBps,
  type Viewer,
} from "../../frontend/src/pages/account/eligibility.ts";

const BUYER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const SUPPLIER = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";
const ARBITER = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65";
const STRANGER = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc";
const ENERGY = "0x976EA74026E726554dB657fA54763abd0C3a0aa9";
const NETWORK = "0x14dC79964da2C08b23698B3D3cc7Ca32193d9955";

const WINDOW_END = 10_000;
const REPORT_DEADLINE = 20_000;
const CHALLENGE_END = 30_000;
const ARBITRATION_DEADLINE = 40_000;

const deal = (status: DealClock["status"], o: Partial<DealClock> = {}): DealClock => ({
  status,
  buyer: BUYER.toLowerCase(), // the indexer serves lower-case addresses; wallets checksum them
  computeSupplier: SUPPLIER.toLowerCase(),
  terms: {
    energyLots: [{ supplier: ENERGY.toLowerCase(), wh: "60000" }],
    bandwidthOfferId: "1",
    bandwidthSupplier: NETWORK.toLowerCase(),
  },
  windowEnd: WINDOW_END,
  reportDeadline: REPORT_DEADLINE,
  challengeEnd: status === "REPORTED" || status === "DISPUTED" ? CHALLENGE_END : null,
  arbitrationDeadline: status === "DISPUTED" ? ARBITRATION_DEADLINE : null,
  ...o,
});

const who = (account: string | null, isArbiter = false): Viewer => ({ account, isArbiter });
const kinds = (d: DealClock, v: Viewer, now: number, flagged: boolean | null = false) =>
  dealAgenda(d, v, now, flagged)
    .actions.map((a) => a.kind)
    .sort();
const upcoming = (d: DealClock, v: Viewer, now: number, flagged: boolean | null = false) =>
  dealAgenda(d, v, now, flagged).upcoming.map((u) => [u.kind, u.from]);

describe("deal actions of an active deal", () => {
  it("lets the compute supplier report from the window's end until just before the report deadline", () => {
    expect(kinds(deal("ACTIVE"), who(SUPPLIER), WINDOW_END - 1)).toEqual([]);
    expect(upcoming(deal("ACTIVE"), who(SUPPLIER), WINDOW_END - 1)).toContainEqual(["reportUsage", WINDOW_END]);
    expect(kinds(deal("ACTIVE"), who(SUPPLIER), WINDOW_END)).toEqual(["reportUsage"]);
    expect(dealAgenda(deal("ACTIVE"), who(SUPPLIER), WINDOW_END, null).actions[0].until).toBe(REPORT_DEADLINE);
    expect(kinds(deal("ACTIVE"), who(SUPPLIER), REPORT_DEADLINE - 1)).toEqual(["reportUsage"]);
    expect(kinds(deal("ACTIVE"), who(SUPPLIER), REPORT_DEADLINE)).toEqual(["cancelNoShow"]);
  });

  it("never lets the buyer or anyone else report", () => {
    expect(kinds(deal("ACTIVE"), who(BUYER), WINDOW_END + 1)).toEqual([]);
    expect(kinds(deal("ACTIVE"), who(STRANGER), WINDOW_END + 1)).toEqual([]);
    expect(kinds(deal("ACTIVE"), who(ARBITER, true), WINDOW_END + 1)).toEqual([]);
  });

  it("lets anyone cancel a no-show from the report deadline, and tells the buyer when that will be", () => {
    expect(upcoming(deal("ACTIVE"), who(BUYER), WINDOW_END + 1)).toEqual([["cancelNoShow", REPORT_DEADLINE]]);
    // Someone with no part in the deal is not told about its deadlines, only offered what is open.
    expect(upcoming(deal("ACTIVE"), who(STRANGER), WINDOW_END + 1)).toEqual([]);
    for (const v of [who(BUYER), who(STRANGER), who(ARBITER, true)])
      expect(kinds(deal("ACTIVE"), v, REPORT_DEADLINE)).toEqual(["cancelNoShow"]);
  });
});

describe("deal actions of a reported deal", () => {
  it("lets the buyer confirm or dispute before the challenge window closes", () => {
    expect(kinds(deal("REPORTED"), who(BUYER), CHALLENGE_END - 1)).toEqual(["confirmUsage", "disputeUsage"]);
    expect(
      dealAgenda(deal("REPORTED"), who(BUYER), CHALLENGE_END - 1, false).actions.find((a) => a.kind === "disputeUsage")
        ?.until,
    ).toBe(CHALLENGE_END);
  });

  it("lets the energy and network suppliers dispute before the challenge window closes, not the compute supplier", () => {
    expect(kinds(deal("REPORTED"), who(ENERGY), CHALLENGE_END - 1)).toEqual(["disputeUsage"]);
    expect(kinds(deal("REPORTED"), who(NETWORK), CHALLENGE_END - 1)).toEqual(["disputeUsage"]);
    expect(kinds(deal("REPORTED"), who(ENERGY), CHALLENGE_END)).toEqual(["finalize"]);
    expect(kinds(deal("REPORTED"), who(SUPPLIER), CHALLENGE_END - 1)).toEqual([]);
    expect(kinds(deal("REPORTED"), who(STRANGER), CHALLENGE_END - 1)).toEqual([]);
  });

  it("does not count the zero address of a deal without a link as its network supplier", () => {
    const noLink = deal("REPORTED", {
      terms: { energyLots: [], bandwidthOfferId: "0", bandwidthSupplier: "0x0000000000000000000000000000000000000000" },
    });
    expect(kinds(noLink, who(NETWORK), CHALLENGE_END - 1)).toEqual([]);
  });

  it("closes the dispute at the challenge end, when anyone may finalise, and the buyer may still confirm", () => {
    expect(kinds(deal("REPORTED"), who(BUYER), CHALLENGE_END)).toEqual(["confirmUsage", "finalize"]);
    expect(kinds(deal("REPORTED"), who(STRANGER), CHALLENGE_END)).toEqual(["finalize"]);
    expect(kinds(deal("REPORTED"), who(SUPPLIER), CHALLENGE_END)).toEqual(["finalize"]);
  });

  it("gives the supplier and strangers nothing to do inside the challenge window but say when it closes", () => {
    expect(kinds(deal("REPORTED"), who(SUPPLIER), CHALLENGE_END - 1)).toEqual([]);
    expect(upcoming(deal("REPORTED"), who(SUPPLIER), CHALLENGE_END - 1)).toEqual([["finalize", CHALLENGE_END]]);
  });
});

describe("deal actions of a flagged report", () => {
  it("offers nobody the finalise button, before or after the challenge window", () => {
    for (const v of [who(BUYER), who(SUPPLIER), who(ENERGY), who(STRANGER), who(ARBITER, true)]) {
      expect(kinds(deal("REPORTED"), v, CHALLENGE_END + 1, true)).not.toContain("finalize");
      expect(upcoming(deal("REPORTED"), v, CHALLENGE_END - 1, true)).not.toContainEqual(["finalize", CHALLENGE_END]);
    }
  });

  it("lets the buyer confirm only once the challenge window has closed, and says when", () => {
    expect(kinds(deal("REPORTED"), who(BUYER), CHALLENGE_END - 1, true)).toEqual(["disputeUsage"]);
    expect(upcoming(deal("REPORTED"), who(BUYER), CHALLENGE_END - 1, true)).toEqual([["confirmUsage", CHALLENGE_END]]);
    expect(kinds(deal("REPORTED"), who(BUYER), CHALLENGE_END, true)).toEqual(["confirmUsage", "disputeUsage"]);
  });

  it("lets every party, the compute supplier included, take it to the arbiter at any time, and no stranger", () => {
    for (const party of [BUYER, SUPPLIER, ENERGY, NETWORK]) {
      expect(kinds(deal("REPORTED"), who(party), CHALLENGE_END + 86_400, true)).toContain("disputeUsage");
      const dispute = dealAgenda(deal("REPORTED"), who(party), CHALLENGE_END - 1, true).actions.find(
        (a) => a.kind === "disputeUsage",
      );
      expect(dispute?.until).toBeNull();
    }
    expect(kinds(deal("REPORTED"), who(STRANGER), CHALLENGE_END + 1, true)).toEqual([]);
    expect(kinds(deal("REPORTED"), who(ARBITER, true), CHALLENGE_END + 1, true)).toEqual([]);
  });

  it("offers only what both cases allow while the flag is not known yet", () => {
    expect(kinds(deal("REPORTED"), who(BUYER), CHALLENGE_END - 1, null)).toEqual(["disputeUsage"]);
    expect(upcoming(deal("REPORTED"), who(BUYER), CHALLENGE_END - 1, null)).toEqual([["confirmUsage", CHALLENGE_END]]);
    expect(kinds(deal("REPORTED"), who(BUYER), CHALLENGE_END, null)).toEqual(["confirmUsage"]);
    expect(kinds(deal("REPORTED"), who(SUPPLIER), CHALLENGE_END, null)).toEqual([]);
    expect(kinds(deal("REPORTED"), who(STRANGER), CHALLENGE_END, null)).toEqual([]);
  });
});

describe("deal actions of a disputed deal", () => {
  it("lets an arbiter resolve at any time, even after the arbitration deadline", () => {
    expect(kinds(deal("DISPUTED"), who(ARBITER, true), CHALLENGE_END)).toEqual(["resolveDispute"]);
    expect(kinds(deal("DISPUTED"), who(ARBITER, true), ARBITRATION_DEADLINE + 1)).toEqual([
      "finalizeLapsedDispute",
      "resolveDispute",
    ]);
  });

  it("lets anyone finalise the lapsed dispute from the arbitration deadline, and not before", () => {
    expect(kinds(deal("DISPUTED"), who(BUYER), ARBITRATION_DEADLINE - 1)).toEqual([]);
    expect(upcoming(deal("DISPUTED"), who(BUYER), ARBITRATION_DEADLINE - 1)).toEqual([
      ["finalizeLapsedDispute", ARBITRATION_DEADLINE],
    ]);
    expect(kinds(deal("DISPUTED"), who(SUPPLIER), ARBITRATION_DEADLINE)).toEqual(["finalizeLapsedDispute"]);
  });

  it("does not let the buyer confirm or dispute again", () => {
    expect(kinds(deal("DISPUTED"), who(BUYER), CHALLENGE_END - 1)).toEqual([]);
  });
});

describe("closed deals and no wallet", () => {
  it("offers nothing on a finalised or cancelled deal", () => {
    for (const status of ["FINALIZED", "CANCELLED"] as const) {
      for (const v of [who(BUYER), who(SUPPLIER), who(ARBITER, true)])
        expect(dealAgenda(deal(status), v, ARBITRATION_DEADLINE * 2, null)).toEqual({ actions: [], upcoming: [] });
    }
  });

  it("offers nothing without a connected account", () => {
    expect(dealAgenda(deal("ACTIVE"), who(null), REPORT_DEADLINE, null)).toEqual({ actions: [], upcoming: [] });
  });
});

describe("roles and orders", () => {
  it("reads every part an account plays from the deal's terms", () => {
    const terms = { energyLots: [{ supplier: STRANGER.toLowerCase() }], bandwidthSupplier: ARBITER.toLowerCase() };
    const d = { buyer: BUYER.toLowerCase(), computeSupplier: SUPPLIER.toLowerCase(), terms };
    expect(dealRoles(d, BUYER)).toEqual(["buyer"]);
    expect(dealRoles(d, SUPPLIER)).toEqual(["computeSupplier"]);
    expect(dealRoles(d, STRANGER)).toEqual(["energySupplier"]);
    expect(dealRoles(d, ARBITER)).toEqual(["networkSupplier"]);
    expect(dealRoles(d, null)).toEqual([]);
  });

  it("lets only the owner cancel an order with something left, expired ones included", () => {
    const order = { owner: BUYER.toLowerCase(), remaining: "5", status: "OPEN" as const };
    expect(canCancelOrder(order, BUYER)).toBe(true);
    expect(canCancelOrder({ ...order, status: "EXPIRED" }, BUYER)).toBe(true);
    expect(canCancelOrder(order, STRANGER)).toBe(false);
    expect(canCancelOrder({ ...order, remaining: "0" }, BUYER)).toBe(false);
    expect(canCancelOrder({ ...order, status: "FILLED", remaining: "0" }, BUYER)).toBe(false);
    expect(canCancelOrder({ ...order, status: "CANCELLED" }, BUYER)).toBe(false);
  });

  it("measures the filled share in bps of what was posted", () => {
    expect(filledBps({ quantity: "100", filled: "60" })).toBe(6_000);
    expect(filledBps({ quantity: "3", filled: "1" })).toBe(3_333);
    expect(filledBps({ quantity: "0", filled: "0" })).toBe(0);
  });
});
