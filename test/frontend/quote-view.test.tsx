import { readFileSync } from "node:fs";
import { screen, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { formatTime } from "../../frontend/src/lib/format.ts";
import { QuoteView } from "../../frontend/src/pages/buy/QuoteView.tsx";
import { QuoteResponse } from "../../protocol/api.ts";
import { repoFile } from "./paths.ts";
import { renderInApp } from "./render.tsx";

// jsdom has no canvas: the chart stands in as its text summary, which is what assistive tech gets anyway.
vi.mock("../../frontend/src/components/charts/UPlotChart.tsx", () => ({
  UPlotChart: ({ summary }: { summary: string }) => <div role="img" aria-label={summary} />,
  chartColor: () => "#888",
}));
vi.mock("uplot", () => ({ default: { paths: { bars: () => () => null } } }));

const fixture = JSON.parse(readFileSync(repoFile("test/frontend/fixtures/quote-priced.json"), "utf8")) as {
  response: QuoteResponse;
};
const quote = fixture.response;
const start = formatTime(quote.start!, "en");

describe("quote breakdown", () => {
  it("renders a quote of the API's current shape", () => {
    expect(() => QuoteResponse.parse(quote)).not.toThrow();
  });

  it("states the fill, its hours and the all-in price, then each part of it", async () => {
    await renderInApp(<QuoteView quote={quote} />);
    expect(
      await screen.findByText(
        `The book runs all 5 VCU for 2 hour(s) from ${start} at about 1.506819 per VCU-hour, everything included.`,
      ),
    ).toBeTruthy();
    const stat = (label: string) => screen.getByText(label, { selector: "dt" }).nextElementSibling!.textContent;
    expect(stat("All-in per VCU-hour")).toBe("1.506819/ VCU·h");
    expect(stat("Total")).toBe("15.068189");
    expect(stat("Compute")).toBe("0.977706/ VCU·h");
    expect(stat("Green power")).toBe("1.021412/ kWh");
    expect(stat("Bandwidth")).toBe("0.013463/ Mbps·h");
    expect(stat("Platform fee")).toBe("0.045069");
    expect(stat("Time-matched green share")).toBe("50%");
  });

  it("shows the chosen hours with each hour's energy need against its certificates, and the origin rule", async () => {
    await renderInApp(<QuoteView quote={quote} />);
    const figure = (
      await screen.findByText("The job's hours: energy needed and green certificates of the same hour", {
        selector: "strong",
      })
    ).closest("figure")!;
    const summary = `2 hour(s) from ${start}: certificates of the same hours cover 50% of the energy needed; 1 hour(s) fully green.`;
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
    expect(rows).toEqual([
      [start, "2.5kWh", "2.5kWh"],
      [formatTime(quote.start! + 3600, "en"), "2.5kWh", "0Wh"],
    ]);
    // What the quote promises is the rule the lots were chosen under, not "matched to the region".
    // The rule's name, then the pricing service's own words for it (lower case, after a dash).
    const origin = screen.getByText("Certificate origin: The same grid area (regional grid) —").closest("p")!;
    expect(
      within(origin)
        .getByText(/beijing-tianjin-hebei: north/)
        .getAttribute("lang"),
    ).toBe("en");
  });

  it("shows each party's reserve, outside option, weight, payment and surplus share, and says it in words", async () => {
    await renderInApp(<QuoteView quote={quote} />);
    const bundle = await screen.findByRole("article", {
      name: `Bundle 1: compute offer #2 in Beijing–Tianjin–Hebei, 5 VCU from ${start}`,
    });
    expect(within(bundle).getByText(/^Surplus 11\.475; platform fee 0\.045069 \(0\.39% of it\)\./)).toBeTruthy();
    const rows = within(bundle)
      .getAllByRole("row")
      .slice(1)
      .map((r) =>
        within(r)
          .getAllByRole("cell")
          .map((c) => c.textContent),
      );
    expect(rows).toEqual([
      ["20", "0", "1", "15.068189", "42.98%"],
      ["8", "4.86", "1", "9.77706", "15.49%"],
      ["0.125", "0.095", "0.5", "2.55353", "21.16%"],
      ["0.4", "0.234", "0.5", "2.69253", "19.98%"],
    ]);
    expect(within(bundle).getByText("Energy supplier", { selector: "th" }).textContent).toBe("Energy supplier #3");
    expect(
      within(bundle)
        .getAllByRole("columnheader")
        .map((h) => h.textContent),
    ).toEqual(["Party", "Reserve", "Outside option", "Weight", "Pays / paid", "Share of surplus"]);
    expect(
      within(bundle).getByText("You pay 15.068189 against your limit of 20, keeping 42.98% of the surplus."),
    ).toBeTruthy();
    expect(
      within(bundle).getByText(
        "The network supplier is paid 2.69253 against a reserve of 0.4 and an outside option worth 0.234: 19.98% of the surplus at weight 0.5.",
      ),
    ).toBeTruthy();
  });

  it("says why a supplier is paid below its outside option, in the pricing service's own words", async () => {
    // The energy supplier held to a replacement offer's cost (the core cap): 0.22 against an outside option of 0.32.
    const reason = "Capped at 220000: another offer in the book could serve the same part for 220000 at its reserve.";
    const capped: QuoteResponse = structuredClone(quote);
    const energy = capped.bundles[0].parties.find((p) => p.role === "energy")!;
    energy.reserve = "125000";
    energy.disagreement = "320000";
    energy.payment = "220000";
    energy.explanation = `Paid 220000 for its energy against a reserve of 125000 and an outside option worth 320000: 0.83% of the bundle's surplus of 11475000, at bargaining weight 0.5. ${reason}`;
    await renderInApp(<QuoteView quote={capped} />);
    const line = (
      await screen.findByText(
        /^The energy supplier is paid 0\.22 against a reserve of 0\.125: less than its outside option/,
      )
    ).closest("li")!;
    expect(line.textContent).toBe(
      "The energy supplier is paid 0.22 against a reserve of 0.125: less than its outside option worth 0.32, because another offer in the book could serve the same part, so its pay is capped at what that offer would cost." +
        ` The pricing service: “${reason}”`.replace(/[“”]/g, ""),
    );
    const said = within(line).getByText(reason);
    expect(said.tagName).toBe("Q");
    expect(said.getAttribute("lang")).toBe("en");
    // The method no longer promises every party its outside option.
    expect(
      screen.getByText(/paid at most what that replacement would cost, even when this is below its outside option/),
    ).toBeTruthy();
    // Suppliers paid above their outside option keep the plain sentence, with no cap reason.
    expect(screen.getAllByText(/^Capped at/)).toHaveLength(1);
  });

  it("explains a limit that is too low and offers the minimum", async () => {
    const low: QuoteResponse = {
      ...quote,
      outcome: "limit-too-low",
      limitSufficient: false,
      price: null,
      bundles: [],
      bid: { ...quote.bid, limitPricePerVcuHour: "100000" },
      reasons: [
        "at the offers' reserve prices, 10 VCU-hours cost 855058 base units per VCU-hour all-in, above the limit of 100000",
      ],
    };
    let used: bigint | null = null;
    await renderInApp(<QuoteView quote={low} onUseMinimum={(v) => (used = v)} />);
    expect(
      await screen.findByText(
        `Your limit of 0.1 per VCU-hour is too low: the book runs 5 VCU for 2 hour(s) from ${start} only from 0.855058 per VCU-hour.`,
      ),
    ).toBeTruthy();
    screen.getByRole("button", { name: "Use 0.855058 per VCU-hour" }).click();
    expect(used).toBe(855_058n);
    expect(
      screen
        .getByText(/855058 base units per VCU-hour/)
        .closest("ul")!
        .getAttribute("lang"),
    ).toBe("en");
  });

  it("speaks Chinese", async () => {
    await renderInApp(<QuoteView quote={quote} />, { language: "zh-CN" });
    expect(
      await screen.findByText(
        `订单簿可从 ${formatTime(quote.start!, "zh-CN")} 起运行全部 5 VCU，共 2 小时，全包价约每 VCU·时 1.506819。`,
      ),
    ).toBeTruthy();
    expect(screen.getByText("您支付 15.068189，限价为 20，保留剩余的 42.98%。")).toBeTruthy();
  });
});
