import { act, screen, waitFor, within } from "@testing-library/react";
import { userEvent } from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { toLocalDateTimeInput } from "../../frontend/src/lib/format.ts";
import {
  type BidForm,
  defaultBidForm,
  formFieldOfApiPath,
  quoteRequest,
  validateBid,
} from "../../frontend/src/pages/buy/bid-form.ts";
import BuyPage from "../../frontend/src/pages/buy/index.tsx";
import { PostedBid } from "../../frontend/src/pages/buy/PostedBid.tsx";
import { renderInApp } from "./render.tsx";
import { stubNetwork } from "./render-page.tsx";

const NOW = Math.floor(Date.now() / 1000);
const HOUR = 3600;
/** NOW's hour: a bid's times are whole hours. */
const H = Math.floor(NOW / HOUR) * HOUR;
const at = (t: number) => toLocalDateTimeInput(t);

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
  it("builds the contract's bid: a flexible job, region bitmask, exact limit, escrow, no latency bound as uint16 max", () => {
    const { errors, bid } = validateBid(
      form({ vcu: "10", durationHours: "4", minGreenPercent: "62.5", bandwidthMbps: "200" }),
      NOW,
    );
    expect(errors).toEqual({});
    expect(bid!.params).toMatchObject({
      hardwareClass: 3,
      acceptableRegions: 0b110,
      buyerRegion: 2,
      vcu: 10,
      durationHours: 4,
      limitPricePerVcuHour: 1_500_000n,
      minGreenBps: 6250,
      certificateOrigin: 1, // grid-area, the default
      bandwidthMbps: 200,
      maxLatencyMs: 65_535,
    });
    // The default window is the next day, from the hour after next: the job may start in any of 21 hours.
    expect(bid!.params.latestEnd - bid!.params.earliestStart).toBe(24 * HOUR);
    expect(bid!.params.earliestStart % HOUR).toBe(0);
    expect(bid!.fixed).toBe(false);
    expect(bid!.latestStart).toBe(bid!.params.latestEnd - 4 * HOUR);
    // Unset, the bid stays valid until the job's latest start.
    expect(bid!.params.expiry).toBe(bid!.latestStart);
    expect(bid!.vcuHours).toBe(40n);
    expect(bid!.escrow).toBe(60_000_000n);
  });

  it("makes a fixed job of a duration that fills the window", () => {
    const { bid } = validateBid(form({ earliestStart: at(H + 2 * HOUR), latestEnd: at(H + 6 * HOUR) }), NOW);
    expect(bid!.fixed).toBe(true);
    expect(bid!.latestStart).toBe(H + 2 * HOUR);
  });

  it("takes the certificate origin the buyer chose", () => {
    expect(validateBid(form({ certificateOrigin: "compute-region" }), NOW).bid!.params.certificateOrigin).toBe(0);
    expect(validateBid(form({ certificateOrigin: "anywhere" }), NOW).bid!.params.certificateOrigin).toBe(2);
  });

  it("turns a total limit into a per-VCU-hour limit over vcu × hours, saying when it rounds down", () => {
    const even = validateBid(form({ vcu: "2", durationHours: "2", priceMode: "total", price: "10" }), NOW).bid!;
    expect(even.params.limitPricePerVcuHour).toBe(2_500_000n);
    expect(even.roundedFromTotal).toBeNull();
    const odd = validateBid(form({ vcu: "3", durationHours: "1", priceMode: "total", price: "10" }), NOW).bid!;
    expect(odd.params.limitPricePerVcuHour).toBe(3_333_333n);
    expect(odd.escrow).toBe(9_999_999n);
    expect(odd.roundedFromTotal).toBe(10_000_000n);
  });

  it("names each wrong field", () => {
    const { errors, bid } = validateBid(
      form({
        vcu: "0",
        durationHours: "0",
        regions: [],
        buyerRegion: "",
        earliestStart: at(H + 5 * HOUR),
        latestEnd: at(H + 2 * HOUR),
        price: "abc",
        minGreenPercent: "120",
        maxLatencyMs: "0",
        expiry: at(H + 3 * HOUR),
      }),
      NOW,
    );
    expect(bid).toBeNull();
    expect(errors).toEqual({
      vcu: { key: "vcuZero" },
      durationHours: { key: "durationRange", values: { max: 168 } },
      regions: { key: "regionsEmpty" },
      buyerRegion: { key: "buyerRegion" },
      latestEnd: { key: "latestEndBeforeStart" },
      expiry: { key: "expiryAfterEnd" },
      price: { key: "parse.invalid" },
      minGreenPercent: { key: "percentAbove100" },
      maxLatencyMs: { key: "latencyRange", values: { max: 65_535 } },
    });
  });

  it("wants whole hours, a job that fits its window and a window of at most 31 days", () => {
    expect(validateBid(form({ earliestStart: at(H + HOUR + 60) }), NOW).errors).toEqual({
      earliestStart: { key: "notOnHour" },
    });
    expect(
      validateBid(form({ durationHours: "5", earliestStart: at(H + HOUR), latestEnd: at(H + 5 * HOUR) }), NOW).errors,
    ).toEqual({ durationHours: { key: "durationAboveWindow", values: { hours: 4 } } });
    expect(
      validateBid(form({ earliestStart: at(H + HOUR), latestEnd: at(H + HOUR + 745 * HOUR) }), NOW).errors,
    ).toEqual({
      latestEnd: { key: "windowTooLong", values: { max: 744 } },
    });
    expect(validateBid(form({ durationHours: "169" }), NOW).errors).toEqual({
      durationHours: { key: "durationRange", values: { max: 168 } },
    });
  });

  it("asks for an expiry when the latest start has passed", () => {
    const { errors } = validateBid(
      form({ earliestStart: at(H - 6 * HOUR), latestEnd: at(H + 2 * HOUR), durationHours: "4" }),
      NOW,
    );
    expect(errors.expiry).toEqual({ key: "expiryDefaultPast" });
  });

  it("asks the pricing API for the same job", () => {
    const { bid } = validateBid(form({ certificateOrigin: "anywhere" }), NOW);
    expect(quoteRequest(bid!.params, [1, 2])).toEqual({
      hardwareClass: "gpu-training",
      acceptableRegions: [1, 2],
      buyerRegion: 2,
      vcu: 10,
      durationHours: 4,
      earliestStart: bid!.params.earliestStart,
      latestEnd: bid!.params.latestEnd,
      limitPricePerVcuHour: "1500000",
      minGreenBps: 5000,
      certificateOrigin: "anywhere",
      bandwidthMbps: "0",
      maxLatencyMs: 65_535,
    });
    expect(formFieldOfApiPath("latestEnd")).toBe("latestEnd");
    expect(formFieldOfApiPath("acceptableRegions[1]")).toBe("regions");
    expect(formFieldOfApiPath("durationHours")).toBe("durationHours");
  });
});

describe("bid form on the page", () => {
  it("lists every wrong field by name before anything is signed, and marks the fields", async () => {
    const user = userEvent.setup();
    await renderInApp(<BuyPage />, { path: "/buy" });
    const vcu = await screen.findByRole("textbox", { name: "Compute units (VCU at once)" });
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
      "Compute units (VCU at once): Too many decimal places.",
      "Regions where the job may run: Choose at least one region.",
      "Your region: Choose your region.",
      "Limit price: Enter a value.",
      "Minimum green share: At most 100%.",
    ]);
    expect(vcu.getAttribute("aria-invalid")).toBe("true");
    expect(
      screen.getByRole("textbox", { name: "Compute units (VCU at once)" }).getAttribute("aria-describedby"),
    ).toBeTruthy();
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
  it("lists the class's open compute offers and takes one's region and whole hours of its window into the bid", async () => {
    const start = 1_900_000_030; // not on the hour: the form takes the whole hours inside the window
    const offer = {
      id: "197",
      region: 4,
      windowStart: start,
      windowEnd: start + 6 * HOUR,
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
    expect(await within(table).findByRole("cell", { name: "Chengdu–Chongqing" })).toBeTruthy();
    const use = within(table).getByRole("button", { name: "Use window of offer #197 (and its region)" });
    // WCAG 2.5.3: the accessible name starts with the visible label, so "click Use window" finds it.
    expect(use.getAttribute("aria-label")!.startsWith(use.textContent!)).toBe(true);
    await user.click(use);
    expect((screen.getByRole("checkbox", { name: "Chengdu–Chongqing" }) as HTMLInputElement).checked).toBe(true);
    expect((screen.getByLabelText("Earliest start") as HTMLInputElement).value).toBe(at(1_900_000_800));
    expect((screen.getByLabelText("Latest end") as HTMLInputElement).value).toBe(at(1_900_018_800));
    // Valid until the job's latest start, as an empty expiry means.
    expect((screen.getByLabelText("Bid valid until") as HTMLInputElement).value).toBe("");
    // The grid area of the chosen region is named beside the certificate origin.
    expect(screen.getByText(/Grid areas: Chengdu–Chongqing → Southwest China Grid\./)).toBeTruthy();
    expect(
      (screen.getByRole("radio", { name: "The same grid area (regional grid)" }) as HTMLInputElement).checked,
    ).toBe(true);
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
