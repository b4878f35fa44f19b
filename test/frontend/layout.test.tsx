// The page's layout where jsdom cannot judge it: the markup rendered here (the app's own routes and
// providers) is laid out by a real chromium with the app's stylesheet, at a phone's 390 px and a
// laptop's 1366 px. It fails when the nav or the quote's party table scrolls sideways, when an
// amount splits from its unit, or when a book's price header takes two lines.
import { readFileSync } from "node:fs";
import { QueryClient } from "@tanstack/react-query";
import { act, render, screen, within } from "@testing-library/react";
import i18next from "i18next";
import type { Browser } from "playwright-core";
import { createMemoryRouter, RouterProvider } from "react-router";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import { AppProviders } from "../../frontend/src/app/App.tsx";
import { routes } from "../../frontend/src/app/router.tsx";
import { QuoteView } from "../../frontend/src/pages/buy/QuoteView.tsx";
import MarketPage from "../../frontend/src/pages/market/index.tsx";
import type { QuoteResponse } from "../../protocol/api.ts";
import { launchBrowser } from "../helpers/browser.ts";
import { repoFile } from "./paths.ts";
import { renderInApp } from "./render.tsx";
import { renderPage, stubNetwork, testConfig } from "./render-page.tsx";

const styles = readFileSync(repoFile("frontend/src/app/styles.css"), "utf8");
const quote = (
  JSON.parse(readFileSync(repoFile("test/frontend/fixtures/quote-priced.json"), "utf8")) as {
    response: QuoteResponse;
  }
).response;

const level = (price: number, quantity: number) => ({ price: String(price), quantity: String(quantity), orders: 1 });
const MARKET = {
  OrderBook: {
    orderBook: {
      bids: [level(1_448_035, 1), level(1_413_634, 12)],
      asks: [level(45_232, 290), level(1_583_216, 140), level(11_139_727, 1_174)],
      bestBid: "1448035",
      bestAsk: "45232",
      spread: "-1402803",
      asOfBlock: 818,
      chainTime: 1_796_000_000,
      final: false,
    },
  },
  Trades: { trades: { nodes: [] } },
  PriceHistory: { stats: { priceHistory: [] } },
};

// jsdom has no canvas: the charts stand in as their text summary (their layout is not under test here).
vi.mock("../../frontend/src/components/charts/UPlotChart.tsx", () => ({
  UPlotChart: ({ summary }: { summary: string }) => <div role="img" aria-label={summary} />,
  chartColor: () => "#888",
}));
vi.mock("uplot", () => ({ default: { paths: { bars: () => () => null, stepped: () => () => null } } }));

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

/** Lays out `html` (the body's markup) with the app's stylesheet at `width` px, in chromium. */
async function layOut(html: string, width: number) {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  await page.setContent(
    `<!doctype html><html lang="en"><head><style>${styles}</style></head><body>${html}</body></html>`,
  );
  return page;
}

/** The whole app (layout and nav) on the Trace page, whose first screen needs no data. */
async function renderShell() {
  stubNetwork({ graphql: {}, calls: { symbol: "cUSD" } });
  await i18next.changeLanguage("en");
  const router = createMemoryRouter(routes(), { initialEntries: ["/trace"] });
  let view!: ReturnType<typeof render>;
  await act(async () => {
    view = render(
      <AppProviders config={testConfig} queryClient={new QueryClient()}>
        <RouterProvider router={router} />
      </AppProviders>,
    );
  });
  await screen.findByRole("heading", { level: 1, name: "Trace" });
  return view;
}

async function renderMarket() {
  stubNetwork({ graphql: MARKET, calls: { symbol: "cUSD" } });
  const view = await renderPage(MarketPage, { path: "/", route: "/" });
  const asks = await screen.findByRole("table", { name: "Asks" });
  await within(asks).findByText("11.139727");
  await screen.findAllByText("cUSD");
  return view;
}

describe("layout at a phone's and a laptop's width", () => {
  it("lists the nav's pages as links that wrap at 390 px, none cut off or scrolled out of view", async () => {
    const { container } = await renderShell();
    const nav = screen.getByRole("navigation", { name: "Main" });
    expect(within(nav).getAllByRole("listitem").length).toBeGreaterThanOrEqual(6);
    const page = await layOut(container.innerHTML, 390);
    const links = await page.locator(".site-nav a").evaluateAll((as) =>
      as.map((a) => {
        const box = a.getBoundingClientRect();
        return { text: a.textContent, left: box.left, right: box.right };
      }),
    );
    expect(links.map((l) => l.text)).toContain("Dashboard");
    for (const link of links) {
      expect(link.left, link.text ?? "").toBeGreaterThanOrEqual(0);
      expect(link.right, link.text ?? "").toBeLessThanOrEqual(390);
    }
    const nav390 = await page.locator(".site-nav").evaluate((n) => ({ scroll: n.scrollWidth, client: n.clientWidth }));
    expect(nav390.scroll).toBeLessThanOrEqual(nav390.client);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.close();
  });

  it("keeps each book's price header on one line at 1366 px, Bids and Asks side by side", async () => {
    const { container } = await renderMarket();
    const page = await layOut(container.innerHTML, 1366);
    const headers = await page
      .locator(".grid--book th")
      .evaluateAll((ths) => ths.map((th) => ({ text: th.textContent, height: th.getBoundingClientRect().height })));
    expect(headers.map((h) => h.text)).toContain("Price / VCU·h");
    const oneLine = Math.min(...headers.map((h) => h.height));
    for (const header of headers) expect(header.height, header.text ?? "").toBeLessThan(oneLine * 1.5);
    await page.close();
  });

  it("fits the quote's Nash bargaining table into 390 px as cards, no amount split from its unit", async () => {
    stubNetwork({ graphql: {}, calls: { symbol: "cUSD" } });
    const { container } = await renderInApp(<QuoteView quote={quote} />, { config: testConfig });
    const bundle = await screen.findByRole("article", { name: /^Bundle 1/ });
    await within(bundle).findAllByText("cUSD");
    // Each value names its column, for the card each row becomes on a phone.
    const firstRow = within(bundle).getAllByRole("row")[1];
    expect(
      within(firstRow)
        .getAllByRole("cell")
        .map((c) => c.dataset.label),
    ).toEqual(["Reserve", "Outside option", "Weight", "Pays / paid", "Share of surplus"]);
    const page = await layOut(`<main class="page"><div class="card">${container.innerHTML}</div></main>`, 390);
    const wrap = await page
      .locator(".bundle .table-wrap")
      .evaluate((w) => ({ scroll: w.scrollWidth, client: w.clientWidth }));
    expect(wrap.scroll).toBeLessThanOrEqual(wrap.client);
    // An inline box that wraps has one client rect per line.
    const split = await page
      .locator(".bundle .amount")
      .evaluateAll((amounts) => amounts.filter((a) => a.getClientRects().length > 1).map((a) => a.textContent));
    expect(split).toEqual([]);
    expect(await page.locator(".bundle .amount").count()).toBeGreaterThanOrEqual(12);
    // In running text too: the amount and its unit are joined by a no-break space.
    const surplus = await page.getByText(/^Surplus /).evaluate((p) => p.textContent ?? "");
    expect(surplus).toMatch(/^Surplus 11\.475\u00a0cUSD; platform fee 0\.045069\u00a0cUSD/);
    await page.close();
  });
});
