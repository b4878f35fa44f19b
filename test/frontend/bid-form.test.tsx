import { act, screen, waitFor, within } from "@testing-library/react";
import { userEvent } from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { toLocalDateTimeInput } from "../../frontend/src/lib/format.ts";
import { type BidForm, defaultBidForm, validateBid } from "../../frontend/src/pages/buy/bid-form.ts";
import BuyPage from "../../frontend/src/pages/buy/index.tsx";
import { PostedBid } from "../../frontend/src/pages/buy/PostedBid.tsx";
import { renderInApp } from "./render.tsx";
import { stubNetwork } from "./render-page.tsx";

const NOW = Math.floor(Date.now() / 1000);
const HOUR = 3600;

function form(patch: Partial<BidForm> = {}): BidForm {
  return {
    ...defaultBidForm(new Date(NOW * 1000), toLocalDateTimeInput),
    regions: [1, 2],
    buyerRegion: "2",
    price: "1.5",
    ...patch,
  };
}

describe("bid form rules", () => {
  it("builds the contract's bid: region bitmask, exact limit, escrow, no latency bound as uint16 max", () => {
    const { errors, bid } = validateBid(form({ vcuHours: "100", minGreenPercent: "62.5", bandwidthMbps: "200" }), NOW);
    expect(errors).toEqual({});
    expect(bid!.params).toMatchObject({
      hardwareClass: 3,
      acceptableRegions: 0b110,
      buyerRegion: 2,
      vcuHours: 100n,
      limitPricePerVcuHour: 1_500_000n,
      minGreenBps: 6250,
      bandwidthMbps: 200,
      maxLatencyMs: 65_535,
    });
    expect(bid!.params.expiry).toBe(bid!.params.windowStart);
    expect(bid!.escrow).toBe(150_000_000n);
  });

  it("turns a total limit into a per-VCU-hour limit, saying when it rounds down", () => {
    const even = validateBid(form({ vcuHours: "4", priceMode: "total", price: "10" }), NOW).bid!;
    expect(even.params.limitPricePerVcuHour).toBe(2_500_000n);
    expect(even.roundedFromTotal).toBeNull();
    const odd = validateBid(form({ vcuHours: "3", priceMode: "total", price: "10" }), NOW).bid!;
    expect(odd.params.limitPricePerVcuHour).toBe(3_333_333n);
    expect(odd.escrow).toBe(9_999_999n);
    expect(odd.roundedFromTotal).toBe(10_000_000n);
  });

  it("names each wrong field", () => {
    const start = toLocalDateTimeInput(NOW + 5 * HOUR);
    const { errors, bid } = validateBid(
      form({
        vcuHours: "0",
        regions: [],
        buyerRegion: "",
        windowStart: start,
        windowEnd: toLocalDateTimeInput(NOW + 2 * HOUR),
        price: "abc",
        minGreenPercent: "120",
        maxLatencyMs: "0",
      }),
      NOW,
    );
    expect(bid).toBeNull();
    expect(errors).toEqual({
      vcuHours: { key: "vcuHoursZero" },
      regions: { key: "regionsEmpty" },
      buyerRegion: { key: "buyerRegion" },
      windowEnd: { key: "windowEndBeforeStart" },
      expiry: { key: "expiryAfterEnd" },
      price: { key: "parse.invalid" },
      minGreenPercent: { key: "percentAbove100" },
      maxLatencyMs: { key: "latencyRange", values: { max: 65_535 } },
    });
  });

  it("asks for an expiry when the window has already started", () => {
    const { errors } = validateBid(form({ windowStart: toLocalDateTimeInput(NOW - HOUR) }), NOW);
    expect(errors.expiry).toEqual({ key: "expiryDefaultPast" });
  });
});

describe("bid form on the page", () => {
  it("lists every wrong field by name before anything is signed, and marks the fields", async () => {
    const user = userEvent.setup();
    await renderInApp(<BuyPage />, { path: "/buy" });
    const vcu = await screen.findByRole("textbox", { name: "Compute (VCU-hours)" });
    await user.clear(vcu);
    await user.type(vcu, "1.5");
    await user.type(screen.getByRole("textbox", { name: "Minimum green share" }), "0");
    await user.click(screen.getByRole("button", { name: "Get quote" }));

    const form = screen.getByRole("form", { name: "Bid for a compute job" });
    const alert = await within(form).findByRole("alert");
    expect(alert.textContent).toContain("5 field(s) need attention before signing");
    const items = within(alert)
      .getAllByRole("listitem")
      .map((li) => li.textContent);
    expect(items).toEqual([
      "Compute (VCU-hours): Too many decimal places.",
      "Regions where the job may run: Choose at least one region.",
      "Your region: Choose your region.",
      "Limit price: Enter a value.",
      "Minimum green share: At most 100%.",
    ]);
    expect(vcu.getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByRole("textbox", { name: "Compute (VCU-hours)" }).getAttribute("aria-describedby")).toBeTruthy();
    expect(screen.getByText("Too many decimal places.", { selector: ".field__error" })).toBeTruthy();
  });

  it("says it in Chinese too", async () => {
    const user = userEvent.setup();
    await renderInApp(<BuyPage />, { path: "/buy", language: "zh-CN" });
    await user.click(await screen.findByRole("button", { name: "获取报价" }));
    const alert = await within(screen.getByRole("form", { name: "算力任务出价" })).findByRole("alert");
    expect(
      within(alert)
        .getAllByRole("listitem")
        .map((li) => li.textContent),
    ).toContain("您所在区域：请选择您所在区域。");
  });

  it("cannot post without a wallet and says why", async () => {
    await renderInApp(<BuyPage />, { path: "/buy" });
    expect((await screen.findByRole("button", { name: "Post bid" })).hasAttribute("disabled")).toBe(true);
    expect(screen.getAllByText("Connect a wallet first (menu at the top right).").length).toBeGreaterThan(0);
  });
});

describe("open offers on the buy page", () => {
  it("lists the class's open compute offers and takes one's region and window into the bid", async () => {
    const start = 1_900_000_030; // not on a minute: the form rounds into the window
    const offer = {
      id: "197",
      region: 4,
      windowStart: start,
      windowEnd: start + 2400,
      remaining: "53",
      price: "1660835",
    };
    vi.stubGlobal(
      "fetch",
      vi.fn(async (_url: string, init?: RequestInit) => {
        const { query, variables } = JSON.parse(String(init?.body ?? "{}")) as {
          query?: string;
          variables?: { hardwareClass?: string };
        };
        if (query?.includes("OpenComputeOffers") && variables?.hardwareClass === "gpu-training") {
          return new Response(JSON.stringify({ data: { orders: { nodes: [offer] } } }), {
            headers: { "content-type": "application/json" },
          });
        }
        throw new TypeError("no stack in component tests");
      }),
    );
    const user = userEvent.setup();
    await renderInApp(<BuyPage />, { path: "/buy" });
    const table = await screen.findByRole("table", { name: "Open GPU, training offers" });
    expect(await within(table).findByRole("cell", { name: "Northwest China" })).toBeTruthy();
    const use = within(table).getByRole("button", { name: "Use window of offer #197 (and its region)" });
    // WCAG 2.5.3: the accessible name starts with the visible label, so "click Use window" finds it.
    expect(use.getAttribute("aria-label")!.startsWith(use.textContent!)).toBe(true);
    await user.click(use);
    expect((screen.getByRole("checkbox", { name: "Northwest China" }) as HTMLInputElement).checked).toBe(true);
    expect((screen.getByLabelText("Window start") as HTMLInputElement).value).toBe(toLocalDateTimeInput(1_900_000_080));
    expect((screen.getByLabelText("Window end") as HTMLInputElement).value).toBe(toLocalDateTimeInput(1_900_002_420));
    expect((screen.getByLabelText("Bid valid until") as HTMLInputElement).value).toBe(
      toLocalDateTimeInput(1_900_002_420),
    );
  });
});

describe("the limit price and what became of a posted bid", () => {
  it("explains beside the limit that in a thin book the price follows the stated limit", async () => {
    await renderInApp(<BuyPage />, { path: "/buy" });
    const note = await screen.findByText(/How your limit sets the price/);
    expect(note.textContent).toContain("Nash bargaining");
    expect(note.textContent).toContain("In a thin book");
    // It sits with the price fields, before the buttons that quote and post.
    const form = screen.getByRole("form", { name: "Bid for a compute job" });
    expect(form.contains(note)).toBe(true);
    expect(
      note.compareDocumentPosition(screen.getByRole("button", { name: "Get quote" })) &
        Node.DOCUMENT_POSITION_FOLLOWING,
    ).toBeTruthy();
  });

  it("says the bid waits, then that it was matched, linking each deal with its price", async () => {
    let deals: {
      id: string;
      vcuHours: string;
      computePayment: string;
      energyPayment: string;
      bandwidthPayment: string;
      fee: string;
    }[] = [];
    const order = { status: "OPEN", quantity: "10", filled: "0", remaining: "10" };
    const postedBid = () => ({ order, deals: { nodes: deals } });
    stubNetwork({ graphql: { PostedBid: postedBid } });
    const { queryClient } = await renderInApp(<PostedBid bidId={178n} />, { path: "/buy" });
    expect(
      (
        await screen.findByText(
          /^Bid 178 is posted; its funds are in escrow\. The matcher takes it into the next batch/,
        )
      ).textContent,
    ).toBeTruthy();

    // The next block brings deal 125 (the whole bid, 10 VCU-hours for 18.0036 all-in).
    deals = [
      {
        id: "125",
        vcuHours: "10",
        computePayment: "12000000",
        energyPayment: "3000000",
        bandwidthPayment: "2950000",
        fee: "53600",
      },
    ];
    Object.assign(order, { status: "FILLED", filled: "10", remaining: "0" });
    await act(() => queryClient.invalidateQueries());
    const status = await screen.findByRole("status");
    await waitFor(() => expect(status.textContent).toContain("Bid 178 is matched: a deal opened."));
    const link = within(status).getByRole("link", { name: "Deal 125" });
    expect(link.getAttribute("href")).toBe("/trace/deal/125");
    expect(link.closest("li")!.textContent).toBe("Deal 125: 10VCU·h · 18.0036 (1.80036/ VCU·h)");
  });
});
