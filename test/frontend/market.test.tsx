// The Market page's summary of the compute book: a spread means something only between bids and
// offers that can meet, so across all hardware classes the page asks for a class instead of calling
// the book crossed (the demo's CPU offers at 0.04 under its GPU bids at 2.26 read "Crossed").
import { screen, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";

import MarketPage from "../../frontend/src/pages/market/index.tsx";
import { renderPage, stubNetwork } from "./render-page.tsx";

// jsdom has no canvas: the charts stand in as their text summary.
vi.mock("../../frontend/src/components/charts/UPlotChart.tsx", () => ({
  UPlotChart: ({ summary }: { summary: string }) => <div role="img" aria-label={summary} />,
  chartColor: () => "#888",
}));
vi.mock("uplot", () => ({ default: { paths: { bars: () => () => null, stepped: () => () => null } } }));

const level = (price: number, quantity: number) => ({ price: String(price), quantity: String(quantity), orders: 1 });
/** A GPU bid above a CPU offer: crossed only if the two could meet. */
const BOOK = {
  OrderBook: {
    orderBook: {
      bids: [level(2_258_942, 24)],
      asks: [level(43_030, 9_600)],
      bestBid: "2258942",
      bestAsk: "43030",
      spread: "-2215912",
      asOfBlock: 785,
      chainTime: 1_796_000_000,
      final: false,
    },
  },
  Trades: { trades: { nodes: [] } },
  PriceHistory: { stats: { priceHistory: [] } },
};

async function spreadText(path: string): Promise<string> {
  stubNetwork({ graphql: BOOK, calls: { symbol: "cUSD" } });
  await renderPage(MarketPage, { path, route: "/" });
  await screen.findByRole("table", { name: "Asks" });
  const term = await screen.findByText("Spread", { selector: "dt" });
  return within(term.parentElement!).getByRole("definition").textContent ?? "";
}

describe("market summary", () => {
  it("asks for a hardware class instead of a spread across classes", async () => {
    expect(await spreadText("/")).toBe("Choose a hardware class: bids and offers of different classes never meet.");
  });

  it("gives the spread of one class's book, crossed when its best bid is above its best ask", async () => {
    expect(await spreadText("/?hw=gpu-training")).toBe("Crossed");
  });
});
