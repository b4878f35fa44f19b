// The account page on an account answer captured off a real indexer, re-addressed to the demo
// accounts: each role sees only its own deal actions, the report form says what is wrong before
// anything is signed, and every action sends the deal's terms back exactly as the indexer kept them.

import { readFileSync } from "node:fs";
import { screen, within } from "@testing-library/react";
import { userEvent } from "@testing-library/user-event";
import { decodeFunctionData, encodeErrorResult, type Hex, keccak256, parseTransaction } from "viem";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { formatBps, formatCredits, formatEnergy, formatTime, formatToken } from "../../frontend/src/lib/format.ts";
import { dealTermsArg } from "../../frontend/src/pages/account/deal-calldata.ts";
import AccountPage from "../../frontend/src/pages/account/index.tsx";
import type { AccountData, AccountDeal } from "../../frontend/src/pages/account/queries.ts";
import {
  allocateRetirement,
  checkCertificateRetirement,
  checkCreditRetirement,
  checkCreditTransfer,
} from "../../frontend/src/pages/account/retire.ts";
import { checkUsageReport } from "../../frontend/src/pages/account/usage-report.ts";
import { marketAbi } from "../../protocol/generated/abis.ts";
import { repoFile } from "./paths.ts";
import { demo, renderPage, stubNetwork, testConfig } from "./render-page.tsx";

// jsdom has no canvas: a chart stands in as its text summary, which is what assistive tech gets anyway.
vi.mock("../../frontend/src/components/charts/UPlotChart.tsx", () => ({
  UPlotChart: ({ summary }: { summary: string }) => <div role="img" aria-label={summary} />,
  chartColor: () => "#888",
}));
vi.mock("uplot", () => ({ default: { paths: { bars: () => () => null } } }));

const captured: AccountData = JSON.parse(readFileSync(repoFile("test/frontend/fixtures/account-buyer.json"), "utf8"));
const BUYER = demo("buyer").toLowerCase();
const SUPPLIER = demo("computeSupplier").toLowerCase();
const HASH = `0x${"ab".repeat(32)}`;

/** The captured account with its parties moved to the demo buyer and compute supplier. */
function account(edit: (deal: AccountDeal) => AccountDeal = (d) => d): AccountData {
  const a = structuredClone(captured.account);
  a.address = BUYER;
  a.orders.nodes = a.orders.nodes.map((o) => ({ ...o, owner: BUYER }));
  a.deals.nodes = a.deals.nodes.map((d) =>
    edit({
      ...d,
      buyer: BUYER,
      computeSupplier: SUPPLIER,
      terms: { ...(d.terms as object), buyer: BUYER, computeSupplier: SUPPLIER },
    }),
  );
  return { account: a };
}

const active = captured.account.deals.nodes.find((d) => d.status === "ACTIVE")!;
const finalised = captured.account.deals.nodes.find((d) => d.status === "FINALIZED")!;
const REPORTED_AT = active.windowEnd + 600;
const CHALLENGE_END = REPORTED_AT + 86_400;

/** The open deal, reported: all 10 VCU in each of its 4 hours, 25 kWh metered in each. */
const reported = (d: AccountDeal): AccountDeal =>
  d.id !== active.id
    ? d
    : {
        ...d,
        status: "REPORTED",
        challengeEnd: CHALLENGE_END,
        vcuDelivered: "40",
        whConsumed: "100000",
        usageReport: {
          vcuPerHour: [10, 10, 10, 10],
          whPerHour: ["25000", "25000", "25000", "25000"],
          whConsumed: "100000",
          meteringHash: HASH,
        },
        hours: d.hours.map((h) => ({ ...h, vcuDelivered: 10, meteredWh: "25000" })),
        // the fixture predates the indexer's flag fields: a report on profile, as the indexer serves it
        flagged: false,
        flaggedOutsideProfile: false,
        flaggedBelowGreenMinimum: false,
        expectedWh: null,
        steps: [
          ...d.steps,
          {
            action: "reported",
            actor: SUPPLIER,
            at: { blockNumber: 40, time: REPORTED_AT, txHash: `0x${"cd".repeat(32)}`, final: true },
          },
        ],
      };

/** A captured amount of energy as the page writes it ("25kWh", "0Wh"). */
const energy = (wh: bigint) => {
  const { text, unit } = formatEnergy(wh, "en", 3);
  return `${text}${unit}`;
};

/** What the buyer pays for a deal: every supplier's payment and the fee. */
const paid = (d: AccountDeal) =>
  BigInt(d.computePayment) + BigInt(d.energyPayment) + BigInt(d.bandwidthPayment) + BigInt(d.fee);

/** The deal card's agreed price: the total, and per VCU-hour to the nearest base unit. */
const allIn = (d: AccountDeal) => {
  const total = paid(d);
  const vcuHours = BigInt(d.vcuHours);
  const perVcuHour = (total + vcuHours / 2n) / vcuHours;
  return `${formatToken(total, "en")}USDC (${formatToken(perVcuHour, "en")}USDC / VCU·h all-in)`;
};

/**
 * The open deal, reported with `whPerHour` in each of its 4 hours against the 100 kWh its terms
 * declare, and flagged by the market as the indexer records UsageFlagged.
 */
const flaggedAs =
  (whPerHour: string, flags: Pick<AccountDeal, "flaggedOutsideProfile" | "flaggedBelowGreenMinimum">) =>
  (d: AccountDeal): AccountDeal => {
    const r = reported(d);
    if (r.id !== active.id) return r;
    const whConsumed = String(4 * Number(whPerHour));
    const usageReport = { ...r.usageReport!, whPerHour: Array(4).fill(whPerHour), whConsumed };
    return { ...r, whConsumed, usageReport, flagged: true, ...flags, expectedWh: "100000" };
  };

/** Decoded calldata with addresses in one case (viem checksums what it decodes; the indexer lower-cases). */
const plain = (value: unknown): unknown =>
  typeof value === "string" && /^0x[0-9a-fA-F]{40}$/.test(value)
    ? value.toLowerCase()
    : Array.isArray(value)
      ? value.map(plain)
      : value && typeof value === "object"
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]))
        : value;

const roleAnswers = (arbiter: boolean) => ({ ARBITER_ROLE: `0x${"11".repeat(32)}`, hasRole: arbiter, symbol: "USDC" });
const dealCard = (id: string) => screen.findByRole("article", { name: `Deal #${id}` });

// The page never judges deadlines earlier than the visitor's clock (a quiet chain's next block is
// stamped with it). The fixtures were captured on a chain at a fixed time: put the visitor's clock
// before it, so the chain time each test gives decides, today and in a year.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date("2000-01-01T00:00:00Z"));
});
afterEach(() => vi.useRealTimers());

describe("account page", () => {
  it("shows a deal's job and its hourly matching: need, green, and once reported the metered Wh", async () => {
    stubNetwork({
      graphql: { Account: account(reported), ChainTime: { status: { chainTime: CHALLENGE_END - 3_600 } } },
      calls: roleAnswers(false),
    });
    await renderPage(AccountPage, { path: "/account", route: "/account", as: "buyer" });
    const card = await dealCard(active.id);
    expect(within(card).getByText("10 VCU × 4 h")).toBeTruthy();
    expect(within(card).getByText("the same grid area")).toBeTruthy();
    const figure = within(card).getByText("Hourly matching", { selector: "strong" }).closest("figure")!;
    // 25 kWh metered in each hour against the certificates the capture matched to that hour.
    const metered = 25_000n;
    const green = active.hours.map((h) => BigInt(h.greenWh));
    const covered = green.reduce((sum, g) => sum + (g < metered ? g : metered), 0n);
    const share = formatBps((covered * 10_000n) / (metered * BigInt(green.length)), "en");
    const full = green.filter((g) => g >= metered).length;
    expect(full).toBeGreaterThan(0);
    expect(full).toBeLessThan(green.length);
    const summary = `4 hour(s) from ${formatTime(active.start, "en", "UTC")}: certificates of the same hours cover ${share} of the metered energy; ${full} hour(s) fully green.`;
    expect(within(figure).getByText(summary)).toBeTruthy();
    expect(within(figure).getByRole("img", { name: summary })).toBeTruthy();
    const rows = within(figure)
      .getAllByRole("row")
      .slice(1)
      .map((r) =>
        within(r)
          .getAllByRole("cell")
          .map((c) => c.textContent),
      );
    expect(rows.map((r) => r.slice(1))).toEqual(green.map((g) => ["25kWh", energy(g), "25kWh"]));
  });

  it("lets the buyer confirm a reported deal and sends its terms and report back as calldata", async () => {
    const revert = encodeErrorResult({
      abi: marketAbi,
      errorName: "MarketChallengePeriodOver",
      args: [BigInt(active.id), BigInt(CHALLENGE_END)],
    });
    const seen = stubNetwork({
      graphql: { Account: account(reported), ChainTime: { status: { chainTime: CHALLENGE_END - 3_600 } } },
      calls: { ...roleAnswers(false), confirmUsage: { revert } },
    });
    await renderPage(AccountPage, { path: "/account", route: "/account", as: "buyer" });
    const card = await dealCard(active.id);
    const actions = within(card)
      .getAllByRole("button")
      .map((b) => b.textContent);
    expect(actions).toEqual(["Confirm usage", "Dispute"]);
    expect(within(card).getByText(/You can dispute the report until/)).toBeTruthy();

    await userEvent.setup().click(within(card).getByRole("button", { name: "Confirm usage" }));
    // The contract's custom error, in words, right under the button.
    expect((await within(card).findByRole("alert")).textContent).toContain(
      `The challenge window of deal ${active.id} ended at`,
    );
    const call = seen.calls.find((c) => c.functionName === "confirmUsage")!;
    expect(call.to).toBe(testConfig.deployment.contracts.Market);
    const terms = account(reported).account.deals.nodes.find((d) => d.id === active.id)!.terms;
    expect(plain(call.args)).toEqual([
      BigInt(active.id),
      dealTermsArg(terms),
      { vcuPerHour: [10, 10, 10, 10], whPerHour: [25_000n, 25_000n, 25_000n, 25_000n], meteringRoot: HASH },
    ]);
  });

  it("lets the deal's energy supplier dispute a report within the challenge window", async () => {
    const ENERGY = demo("energySupplier").toLowerCase();
    const withEnergySupplier = (d: AccountDeal): AccountDeal => {
      const r = reported(d);
      const terms = r.terms as { energyLots: { supplier: string }[] };
      return { ...r, terms: { ...terms, energyLots: terms.energyLots.map((l) => ({ ...l, supplier: ENERGY })) } };
    };
    const seen = stubNetwork({
      graphql: { Account: account(withEnergySupplier), ChainTime: { status: { chainTime: CHALLENGE_END - 3_600 } } },
      calls: { ...roleAnswers(false), disputeUsage: { revert: "0x" } },
    });
    await renderPage(AccountPage, { path: "/account", route: "/account", as: "energySupplier" });
    const card = await dealCard(active.id);
    expect(within(card).getByText("Energy supplier")).toBeTruthy();
    expect(
      within(card)
        .getAllByRole("button")
        .map((b) => b.textContent),
    ).toEqual(["Dispute"]);
    const user = userEvent.setup();
    await user.click(within(card).getByRole("button", { name: "Dispute" }));
    const form = within(card).getByRole("form", { name: "Dispute the report" });
    await user.type(within(form).getByRole("textbox", { name: "Reason" }), "Meter shows twice the energy");
    await user.click(within(form).getByRole("button", { name: "Send dispute" }));
    await within(card).findByRole("alert");
    const call = seen.calls.find((c) => c.functionName === "disputeUsage")!;
    expect(call.args[3]).toBe("Meter shows twice the energy");
  });

  it("shows a report far from the declared energy as flagged: no finalise, the buyer confirms only after the challenge window, any party goes to the arbiter", async () => {
    // 10 VCU delivered in each of 4 hours of a deal declaring 100 kWh, but 60 kWh reported: 40 % below.
    const flaggedReport = flaggedAs("15000", { flaggedOutsideProfile: true, flaggedBelowGreenMinimum: false });
    const answers = { Account: account(flaggedReport) };
    stubNetwork({
      graphql: { ...answers, ChainTime: { status: { chainTime: CHALLENGE_END - 3_600 } } },
      calls: roleAnswers(false),
    });
    const buyerView = await renderPage(AccountPage, { path: "/account", route: "/account", as: "buyer" });
    let card = await dealCard(active.id);
    expect(within(card).getByText("Flagged report")).toBeTruthy();
    const notice = within(card).getByRole("region", { name: "This report is flagged" });
    expect(notice.textContent).toContain(
      "in at least one hour or over the whole job (60 kWh reported against 100 kWh declared",
    );
    expect(notice.textContent).toContain("nobody can finalise it as reported");
    expect(
      within(card)
        .getAllByRole("button")
        .map((b) => b.textContent),
    ).toEqual(["Take to the arbiter"]);
    expect(within(card).getByText(/you can confirm it once the challenge window closes/)).toBeTruthy();
    buyerView.unmount();

    // After the challenge window: the buyer may confirm, still nobody may finalise.
    stubNetwork({
      graphql: { ...answers, ChainTime: { status: { chainTime: CHALLENGE_END + 60 } } },
      calls: roleAnswers(false),
    });
    const later = await renderPage(AccountPage, { path: "/account", route: "/account", as: "buyer" });
    card = await dealCard(active.id);
    expect(
      within(card)
        .getAllByRole("button")
        .map((b) => b.textContent),
    ).toEqual(["Confirm usage", "Take to the arbiter"]);
    later.unmount();

    // The compute supplier itself may take its flagged report to the arbiter, long after the window.
    const seen = stubNetwork({
      graphql: { ...answers, ChainTime: { status: { chainTime: CHALLENGE_END + 30 * 86_400 } } },
      calls: { ...roleAnswers(false), disputeUsage: { revert: "0x" } },
    });
    await renderPage(AccountPage, { path: "/account", route: "/account", as: "computeSupplier" });
    card = await dealCard(active.id);
    const user = userEvent.setup();
    await user.click(within(card).getByRole("button", { name: "Take to the arbiter" }));
    const form = within(card).getByRole("form", { name: "Dispute the report" });
    await user.type(within(form).getByRole("textbox", { name: "Reason" }), "Meter lost a day of samples");
    await user.click(within(form).getByRole("button", { name: "Send to the arbiter" }));
    await within(card).findByRole("alert");
    expect(seen.calls.find((c) => c.functionName === "disputeUsage")?.args[3]).toBe("Meter lost a day of samples");
  });

  it("shows a report flagged for a green share below the bid's minimum, and offers no finalise", async () => {
    // 110 kWh of a declared 100 kWh: inside the profile, but the deal's green Wh fall under the bid's
    // minimum share of 110 kWh.
    const above = flaggedAs("27500", { flaggedOutsideProfile: false, flaggedBelowGreenMinimum: true });
    stubNetwork({
      graphql: { Account: account(above), ChainTime: { status: { chainTime: CHALLENGE_END + 60 } } },
      calls: roleAnswers(false),
    });
    await renderPage(AccountPage, { path: "/account", route: "/account", as: "computeSupplier" });
    const card = await dealCard(active.id);
    const notice = await within(card).findByRole("region", { name: "This report is flagged" });
    expect(notice.textContent).toContain("falls below the minimum the buyer's bid asked for");
    expect(notice.textContent).not.toContain("25 %");
    expect(within(card).queryByRole("button", { name: "Finalise" })).toBeNull();
  });

  it("lets anyone finalise a report the market did not flag after the challenge window", async () => {
    const above = (d: AccountDeal): AccountDeal => {
      const r = reported(d);
      return r.id !== active.id
        ? r
        : {
            ...r,
            whConsumed: "110000",
            usageReport: { ...r.usageReport!, whPerHour: ["27500", "27500", "27500", "27500"], whConsumed: "110000" },
            flagged: false,
            flaggedOutsideProfile: false,
            flaggedBelowGreenMinimum: false,
            expectedWh: null,
          };
    };
    stubNetwork({
      graphql: { Account: account(above), ChainTime: { status: { chainTime: CHALLENGE_END + 60 } } },
      calls: roleAnswers(false),
    });
    await renderPage(AccountPage, { path: "/account", route: "/account", as: "computeSupplier" });
    const card = await dealCard(active.id);
    await within(card).findByRole("button", { name: "Finalise" });
    expect(within(card).queryByText("Flagged report")).toBeNull();
  });

  it("shows the buyer no action on an active deal before the report deadline, only when a no-show could be cancelled", async () => {
    stubNetwork({
      graphql: { Account: account(), ChainTime: { status: { chainTime: active.windowEnd + 60 } } },
      calls: roleAnswers(false),
    });
    await renderPage(AccountPage, { path: "/account", route: "/account", as: "buyer" });
    const card = await dealCard(active.id);
    expect(within(card).queryAllByRole("button")).toEqual([]);
    expect(within(card).getByText(/anyone can cancel the deal and the buyer gets the whole escrow back/)).toBeTruthy();
    // The lifecycle so far, linked to its transaction.
    const timeline = within(card).getByRole("list", { name: "Lifecycle" });
    expect(within(timeline).getByText("Opened")).toBeTruthy();
    expect(
      within(timeline)
        .getAllByRole("link", { name: /^Transaction 0x/ })[0]
        .getAttribute("href"),
    ).toBe(`/tx/${active.steps[0].at.txHash}`);
  });

  it("opens the report once the visitor's clock passes the window, though the newest block is older (a quiet chain)", async () => {
    vi.setSystemTime((active.windowEnd + 60) * 1_000);
    stubNetwork({
      graphql: { Account: account(), ChainTime: { status: { chainTime: active.windowEnd - 3_600 } } },
      calls: roleAnswers(false),
    });
    await renderPage(AccountPage, { path: "/account", route: "/account", as: "computeSupplier" });
    const card = await dealCard(active.id);
    expect(within(card).getByRole("form", { name: "Usage report" })).toBeTruthy();
  });

  it("lets the compute supplier report usage through a form that checks it before signing", async () => {
    const revert = encodeErrorResult({
      abi: marketAbi,
      errorName: "MarketReportDeadlinePassed",
      args: [BigInt(active.id), active.reportDeadline],
    });
    const seen = stubNetwork({
      graphql: { Account: account(), ChainTime: { status: { chainTime: active.windowEnd + 60 } } },
      calls: { ...roleAnswers(false), reportUsage: { revert } },
    });
    await renderPage(AccountPage, { path: "/account", route: "/account", as: "computeSupplier" });
    const user = userEvent.setup();
    const card = await dealCard(active.id);
    const form = within(card).getByRole("form", { name: "Usage report" });
    const vcu = within(form).getByRole("textbox", { name: "VCU delivered per hour" });
    const kwh = within(form).getByRole("textbox", { name: "Energy consumed per hour" });
    const root = within(form).getByRole("textbox", { name: "Metering root" });
    // One amount per job hour, the deal's VCU in each to start from.
    expect((vcu as HTMLTextAreaElement).value).toBe("10 10 10 10");

    await user.clear(vcu);
    await user.type(vcu, "10 11 10 10");
    await user.type(kwh, "25 24.5 25");
    await user.type(root, "0x1234");
    await user.click(within(form).getByRole("button", { name: "Report usage" }));
    expect(vcu.getAttribute("aria-invalid")).toBe("true");
    expect(within(form).getByText("An hour exceeds the deal's 10 VCU.")).toBeTruthy();
    expect(within(form).getByText(/^Give one amount per job hour: 4 from /)).toBeTruthy();
    expect(within(form).getByText("Must be 0x followed by 64 hex digits.")).toBeTruthy();
    expect(seen.calls.some((c) => c.functionName === "reportUsage")).toBe(false);

    await user.clear(vcu);
    await user.type(vcu, "10 9 10 9");
    await user.type(kwh, " 25");
    await user.clear(root);
    await user.type(root, HASH);
    await user.click(within(form).getByRole("button", { name: "Report usage" }));
    expect((await within(card).findByRole("alert")).textContent).toMatch(/deadline/i);
    const call = seen.calls.find((c) => c.functionName === "reportUsage")!;
    expect(call.args[2]).toEqual({
      vcuPerHour: [10, 9, 10, 9],
      whPerHour: [25_000n, 24_500n, 25_000n, 25_000n],
      meteringRoot: HASH,
    });
    expect(plain(call.args[1])).toEqual(
      dealTermsArg(account().account.deals.nodes.find((d) => d.id === active.id)!.terms),
    );
  });

  it("offers an arbiter the ruling on a disputed deal, and nobody the lapse before its deadline", async () => {
    const disputed = (d: AccountDeal): AccountDeal =>
      d.id !== active.id
        ? d
        : {
            ...reported(d),
            status: "DISPUTED",
            disputeReason: "GPUs idle half the window",
            arbitrationDeadline: CHALLENGE_END + 7 * 86_400,
          };
    stubNetwork({
      graphql: {
        Account: { account: { ...account().account, deals: { nodes: [] } } },
        DisputedDeals: { deals: account(disputed).account.deals },
        ChainTime: { status: { chainTime: CHALLENGE_END } },
      },
      calls: roleAnswers(true),
    });
    await renderPage(AccountPage, { path: "/account", route: "/account", as: "arbiter" });
    const disputes = await screen.findByRole("heading", { name: "Disputes awaiting a ruling" });
    expect(disputes).toBeTruthy();
    const card = await dealCard(active.id);
    expect(
      within(card)
        .getAllByRole("button")
        .map((b) => b.textContent),
    ).toEqual(["Resolve dispute"]);
    expect(within(card).getByText(/If the arbiter has not ruled by/)).toBeTruthy();
    await userEvent.setup().click(within(card).getByRole("button", { name: "Resolve dispute" }));
    const form = within(card).getByRole("form", { name: "Resolve the dispute" });
    expect(within(form).getByText("GPUs idle half the window")).toBeTruthy();
    const share = within(form).getByRole("textbox", { name: "Refund to the buyer" });
    await userEvent.setup().clear(share);
    await userEvent.setup().type(share, "120");
    await userEvent.setup().click(within(form).getByRole("button", { name: "Rule" }));
    expect(within(form).getByText("At most 100 %.")).toBeTruthy();
  });

  it("shows orders with their fill, balances and credits, with the buttons their state allows", async () => {
    const data = account();
    data.account.orders.nodes.push({
      ...data.account.orders.nodes[0],
      id: "9",
      quantity: "50",
      filled: "20",
      remaining: "30",
      status: "EXPIRED",
    });
    stubNetwork({
      graphql: { Account: data, ChainTime: { status: { chainTime: active.windowEnd } } },
      calls: roleAnswers(false),
    });
    await renderPage(AccountPage, { path: "/account", route: "/account", as: "buyer" });
    expect(await screen.findByRole("button", { name: "Cancel Bid #9" })).toBeTruthy();
    // Bid 1 is filled: nothing left to cancel.
    expect(screen.queryByRole("button", { name: "Cancel Bid #1" })).toBeNull();
    expect(screen.getByRole("meter", { name: "40% filled" })).toBeTruthy();
    // The captured refund to withdraw and the credits of the finalised deal that were not retired.
    const withdraw = screen.getByRole("button", { name: "Withdraw" }) as HTMLButtonElement;
    expect(withdraw.disabled).toBe(false);
    const withdrawable = BigInt(captured.account.marketBalance!.withdrawable);
    expect(withdrawable).toBeGreaterThan(0n);
    expect(screen.getByText("Ready to withdraw").nextElementSibling!.textContent).toBe(
      `${formatToken(withdrawable, "en")}USDC`,
    );
    expect(screen.getAllByText(formatCredits(BigInt(captured.account.creditBalance), "en")).length).toBeGreaterThan(0);
    expect(screen.getByRole("button", { name: "Retire" })).toBeTruthy();
  });

  it("asks for a wallet, offering the demo roles, when none is connected", async () => {
    stubNetwork({ graphql: { ChainTime: { status: { chainTime: 1 } } }, calls: roleAnswers(false) });
    await renderPage(AccountPage, { path: "/account", route: "/account" });
    const group = await screen.findByRole("group", { name: "Try a demo account" });
    expect(
      within(group)
        .getAllByRole("button")
        .map((b) => b.textContent),
    ).toEqual(["Buyer", "Compute supplier", "Energy supplier", "Network supplier", "Registrar", "Arbiter"]);
  });
});

describe("usage report checks", () => {
  const deal = { vcu: 10, durationHours: 3 };
  it("takes one amount per job hour: VCU up to the deal's, kWh with up to three decimals, exactly", () => {
    expect(
      checkUsageReport(
        { vcuPerHour: "10 10\n7", kwhPerHour: "1,234.567 0 2.5", meteringRoot: HASH.toUpperCase().replace("0X", "0x") },
        deal,
      ),
    ).toEqual({
      ok: true,
      report: { vcuPerHour: [10, 10, 7], whPerHour: [1_234_567n, 0n, 2_500n], meteringRoot: HASH },
    });
    expect(checkUsageReport({ vcuPerHour: "0 0 0", kwhPerHour: "0,0,0", meteringRoot: HASH }, deal).ok).toBe(true);
  });

  it("names each problem by field", () => {
    expect(checkUsageReport({ vcuPerHour: "", kwhPerHour: "1 1 1.2345", meteringRoot: "" }, deal)).toEqual({
      ok: false,
      errors: { vcuPerHour: "empty", kwhPerHour: "tooManyDecimals", meteringRoot: "empty" },
    });
    expect(checkUsageReport({ vcuPerHour: "1 2.5 1", kwhPerHour: "1 -1 1", meteringRoot: `${HASH}00` }, deal)).toEqual({
      ok: false,
      errors: { vcuPerHour: "tooManyDecimals", kwhPerHour: "negative", meteringRoot: "notHash" },
    });
    expect(checkUsageReport({ vcuPerHour: "10 11 10", kwhPerHour: "1 1", meteringRoot: HASH }, deal)).toEqual({
      ok: false,
      errors: { vcuPerHour: "exceedsDeal", kwhPerHour: "hourCount" },
    });
  });
});

describe("retirement and transfer checks", () => {
  it("retires from an issue's device-hours earliest first, each up to what the account holds of it", () => {
    const hours = [
      { certificateId: (1n << 32n) | 10n, held: 0n },
      { certificateId: (1n << 32n) | 11n, held: 3_000n },
      { certificateId: (1n << 32n) | 12n, held: 5_000n },
    ];
    expect(allocateRetirement(hours, 4_000n)).toEqual([
      { certificateId: (1n << 32n) | 11n, wh: 3_000n },
      { certificateId: (1n << 32n) | 12n, wh: 1_000n },
    ]);
    expect(allocateRetirement(hours, 8_000n)).toHaveLength(2);
    expect(allocateRetirement(hours, 8_001n)).toBeNull();
  });

  const input = { amount: "1.5", beneficiary: BUYER, reason: "2026 scope 2" };
  it("reads certificate kWh and credit kgCO2e as exact base units within what is held", () => {
    expect(checkCertificateRetirement(input, 1_500n)).toEqual({
      ok: true,
      amount: 1_500n,
      beneficiary: BUYER,
      reason: "2026 scope 2",
    });
    expect(checkCreditRetirement({ ...input, amount: "0.001" }, 1n)).toMatchObject({ ok: true, amount: 1n });
    expect(checkCreditTransfer({ amount: "45.75", to: SUPPLIER }, 45_750n)).toEqual({
      ok: true,
      amount: 45_750n,
      to: SUPPLIER,
    });
  });

  it("refuses zero, more than held, no beneficiary or the zero address, and an empty reason", () => {
    expect(checkCertificateRetirement({ amount: "0", beneficiary: "", reason: " " }, 1_500n)).toEqual({
      ok: false,
      errors: { amount: "zero", beneficiary: "empty", reason: "empty" },
    });
    expect(checkCertificateRetirement({ ...input, amount: "1.501" }, 1_500n)).toEqual({
      ok: false,
      errors: { amount: "aboveHeld" },
    });
    expect(checkCreditRetirement({ ...input, beneficiary: `0x${"0".repeat(40)}` }, 10_000n)).toEqual({
      ok: false,
      errors: { beneficiary: "notAddress" },
    });
    expect(checkCreditTransfer({ amount: "1.0001", to: "0x12" }, 10_000n)).toEqual({
      ok: false,
      errors: { amount: "tooManyDecimals", to: "notAddress" },
    });
  });

  it("shows each deal's agreed price and keeps past deals to one line until opened", async () => {
    stubNetwork({
      graphql: { Account: account(), ChainTime: { status: { chainTime: active.windowEnd - 3_600 } } },
      calls: roleAnswers(false),
    });
    await renderPage(AccountPage, { path: "/account", route: "/account", as: "buyer" });
    const card = await dealCard(active.id);
    // Compute, energy and bandwidth payments and the fee, out of the deal's escrow.
    const price = within(card).getByText("Agreed price").nextElementSibling!;
    expect(price.textContent).toBe(allIn(active));

    const past = screen.getByRole("region", { name: "Past deals" });
    const line = within(past).getByText(`Deal #${finalised.id}`).closest("details")!;
    expect(line.open).toBe(false);
    expect(line.querySelector("summary")!.textContent).toContain(formatToken(paid(finalised), "en"));
    expect(screen.queryByRole("article", { name: `Deal #${finalised.id}` })).toBeNull();
    await userEvent.setup().click(within(line).getByText(`Deal #${finalised.id}`));
    const opened = await screen.findByRole("article", { name: `Deal #${finalised.id}` });
    expect(within(opened).getByText("Agreed price").nextElementSibling!.textContent).toBe(allIn(finalised));
  });

  it("pages through the deals, newest first, with the cursor the indexer gave", async () => {
    const [newest, older] = account().account.deals.nodes;
    const page = (after: unknown) => {
      const data = account();
      data.account.deals =
        after === undefined || after === null
          ? { nodes: [newest], pageInfo: { endCursor: "cursor-1", hasNextPage: true } }
          : { nodes: [older], pageInfo: { endCursor: "cursor-2", hasNextPage: false } };
      return data;
    };
    const pageAfter = (v: Record<string, unknown>) => page(v.dealsAfter);
    const seen = stubNetwork({
      graphql: {
        Account: pageAfter,
        ChainTime: { status: { chainTime: active.windowEnd - 3_600 } },
      },
      calls: roleAnswers(false),
    });
    await renderPage(AccountPage, { path: "/account", route: "/account", as: "buyer" });
    await dealCard(newest.id);
    const pages = screen.getByRole("navigation", { name: "Deals pages" });
    expect(within(pages).getByText("Page 1")).toBeTruthy();
    expect(within(pages).getByRole("button", { name: "Newer" }).hasAttribute("disabled")).toBe(true);
    const user = userEvent.setup();
    await user.click(within(pages).getByRole("button", { name: "Older" }));
    expect(await screen.findByRole("region", { name: "Past deals" })).toBeTruthy();
    expect(screen.queryByRole("article", { name: `Deal #${newest.id}` })).toBeNull();
    expect(within(pages).getByText("Page 2")).toBeTruthy();
    expect(within(pages).getByRole("button", { name: "Older" }).hasAttribute("disabled")).toBe(true);
    expect(seen.graphql.filter((g) => g.operation === "Account").at(-1)!.variables).toMatchObject({
      first: 20,
      dealsAfter: "cursor-1",
    });
    await user.click(within(pages).getByRole("button", { name: "Newer" }));
    expect(await dealCard(newest.id)).toBeTruthy();
    // Everything on one page: no pager at all (the orders here fit).
    expect(screen.queryByRole("navigation", { name: "Orders pages" })).toBeNull();
  });
});

describe("reporting all due deals", () => {
  // Three due deals of the compute supplier: the captured open deal, one whose report the market would
  // refuse (its deadline passed on chain), and one whose meter gave no report (gaps in the series).
  const due =
    (id: string) =>
    (d: AccountDeal): AccountDeal => ({ ...d, id });
  const three = (): AccountData => {
    const data = account();
    const open = data.account.deals.nodes.find((d) => d.id === active.id)!;
    data.account.deals.nodes.push(due("8")(open), due("9")(open));
    return data;
  };
  const ROOT = `0x${"ef".repeat(32)}`;
  const metered = {
    totalWh: 90_500,
    root: ROOT,
    samples: 1_441,
    hours: [
      { start: active.start, wh: 25_000 },
      { start: active.start + 3_600, wh: 24_500 },
      { start: active.start + 3 * 3_600, wh: 41_000 },
    ],
  };
  const refusedRevert = encodeErrorResult({
    abi: marketAbi,
    errorName: "MarketReportDeadlinePassed",
    args: [8n, active.reportDeadline],
  });
  const reportOf = (call: Hex) => decodeFunctionData({ abi: marketAbi, data: call });

  it("dry-runs each metered report alone, names the one the market refuses and the one with no metered series, and sends the rest in one multicall", async () => {
    const sent: Hex[] = [];
    const seen = stubNetwork({
      graphql: { Account: three(), ChainTime: { status: { chainTime: active.windowEnd + 60 } } },
      calls: {
        ...roleAnswers(false),
        multicall: ([calls]: readonly unknown[]) => {
          const batch = calls as Hex[];
          if (batch.some((c) => reportOf(c).args![0] === 8n)) return { revert: refusedRevert };
          return batch.map(() => "0x");
        },
      },
      api: (url) =>
        url.pathname === `/api/metering/${active.id}/report` || url.pathname === "/api/metering/8/report"
          ? { body: metered }
          : url.pathname === "/api/metering/9/report"
            ? {
                status: 409,
                body: { type: "series-incomplete", title: "Series incomplete", detail: "gap from 10:00 to 10:05" },
              }
            : undefined,
      rpc: chainForSends(sent),
    });
    await renderPage(AccountPage, { path: "/account", route: "/account", as: "computeSupplier" });
    const button = await screen.findByRole("button", { name: "Report all 3 due deals" });
    await userEvent.setup().click(button);

    const status = await screen.findByText(`Reported: #${active.id}.`);
    const box = status.closest("[role=status]") as HTMLElement;
    expect(within(box).getByText("Deal #8 left out: MarketReportDeadlinePassed")).toBeTruthy();
    expect(within(box).getByText(/^Deal #9 left out: .*gap from 10:00 to 10:05/)).toBeTruthy();

    // Each deal was dry-run alone; the one transaction carries only the deal that would succeed.
    const dryRuns = seen.calls.filter((c) => c.functionName === "multicall").map((c) => (c.args[0] as Hex[]).length);
    expect(dryRuns.slice(0, 2)).toEqual([1, 1]);
    expect(sent).toHaveLength(1);
    const tx = parseTransaction(sent[0]);
    const multicall = decodeFunctionData({ abi: marketAbi, data: tx.data! });
    expect(multicall.functionName).toBe("multicall");
    const [calls] = multicall.args as [Hex[]];
    expect(calls).toHaveLength(1);
    const report = reportOf(calls[0]);
    expect(report.functionName).toBe("reportUsage");
    expect(report.args![0]).toBe(BigInt(active.id));
    // The metered Wh of each job hour (0 where the meter sent none), the deal's VCU in each, the series' root.
    expect(report.args![2]).toEqual({
      vcuPerHour: [active.vcu, active.vcu, active.vcu, active.vcu],
      whPerHour: [25_000n, 24_500n, 0n, 41_000n],
      meteringRoot: ROOT,
    });
    expect(plain(report.args![1])).toEqual(
      dealTermsArg(account().account.deals.nodes.find((d) => d.id === active.id)!.terms),
    );
  });

  it("offers no batch for a single due deal, nor to an account that reports none", async () => {
    stubNetwork({
      graphql: { Account: account(), ChainTime: { status: { chainTime: active.windowEnd + 60 } } },
      calls: roleAnswers(false),
    });
    await renderPage(AccountPage, { path: "/account", route: "/account", as: "computeSupplier" });
    await dealCard(active.id);
    expect(screen.queryByRole("button", { name: /due deal/ })).toBeNull();
  });
});

/** The chain a demo wallet sends through: nonce, gas and fees, the raw transaction kept, mined at once. */
function chainForSends(sent: Hex[]) {
  const hash = () => keccak256(sent.at(-1)!);
  return {
    eth_getTransactionCount: () => "0x0",
    eth_estimateGas: () => "0x100000",
    eth_gasPrice: () => "0x3b9aca00",
    eth_maxPriorityFeePerGas: () => "0x3b9aca00",
    eth_getBlockByNumber: () => ({
      number: "0x10",
      baseFeePerGas: "0x3b9aca00",
      timestamp: "0x1",
      hash: `0x${"01".repeat(32)}`,
    }),
    eth_sendRawTransaction: ([raw]: unknown[]) => {
      sent.push(raw as Hex);
      return hash();
    },
    eth_getTransactionReceipt: () => ({
      transactionHash: hash(),
      transactionIndex: "0x0",
      blockHash: `0x${"01".repeat(32)}`,
      blockNumber: "0x10",
      from: demo("computeSupplier"),
      to: testConfig.deployment.contracts.Market,
      cumulativeGasUsed: "0x5208",
      gasUsed: "0x5208",
      effectiveGasPrice: "0x3b9aca00",
      contractAddress: null,
      logs: [],
      logsBloom: `0x${"00".repeat(256)}`,
      status: "0x1",
      type: "0x2",
    }),
  };
}
