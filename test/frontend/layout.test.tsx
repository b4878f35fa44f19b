// The page's layout where jsdom cannot judge it: the markup rendered here (the app's own routes and
// providers) is laid out by a real chromium with the app's stylesheet, at a phone's 390 px and a
// laptop's 1366 px. It fails when the nav, the quote's party table or anything on the Account page
// scrolls sideways, when an amount splits from its unit, or when a book's price header takes two lines.
import { readFileSync } from "node:fs";
import { QueryClient } from "@tanstack/react-query";
import { act, render, screen, within } from "@testing-library/react";
import { userEvent } from "@testing-library/user-event";
import i18next from "i18next";
import type { Browser } from "playwright-core";
import { createMemoryRouter, RouterProvider } from "react-router";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import { AppProviders } from "../../frontend/src/app/App.tsx";
import { routes } from "../../frontend/src/app/router.tsx";
import { type Column, Table } from "../../frontend/src/components/Table.tsx";
import AccountPage from "../../frontend/src/pages/account/index.tsx";
import type { AccountData } from "../../frontend/src/pages/account/queries.ts";
import { QuoteView } from "../../frontend/src/pages/buy/QuoteView.tsx";
import MarketPage from "../../frontend/src/pages/market/index.tsx";
import SupplyPage from "../../frontend/src/pages/supply/index.tsx";
import type { QuoteResponse } from "../../protocol/api.ts";
import { launchBrowser } from "../helpers/browser.ts";
import { repoFile } from "./paths.ts";
import { renderInApp } from "./render.tsx";
import { demo, renderPage, stubNetwork, testConfig } from "./render-page.tsx";

const styles = readFileSync(repoFile("frontend/src/app/styles.css"), "utf8");
const accountStyles = readFileSync(repoFile("frontend/src/pages/account/account.css"), "utf8");
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

/** Lays out `html` (the body's markup) with the app's stylesheet (and a page's own) at `width` px, in chromium. */
async function layOut(html: string, width: number, pageStyles = "") {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  await page.setContent(
    `<!doctype html><html lang="en"><head><style>${styles}${pageStyles}</style></head><body>${html}</body></html>`,
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

/**
 * The buyer's account as captured off a real indexer (an open deal, a finalised one, a filled bid),
 * plus what makes a row wide: an order still open (a Cancel button), an energy offer, a certificate
 * holding, and a six-figure balance in the large type of the main figure.
 */
function wideAccount(): AccountData {
  const captured: AccountData = JSON.parse(readFileSync(repoFile("test/frontend/fixtures/account-buyer.json"), "utf8"));
  const a = structuredClone(captured.account);
  const buyer = demo("buyer").toLowerCase();
  const bid = { ...a.orders.nodes[0], owner: buyer };
  a.address = buyer;
  a.orders.nodes = [
    { ...bid, id: "12345", status: "OPEN", remaining: "60", filled: "40", quantity: "100" },
    {
      ...bid,
      kind: "ENERGY_OFFER",
      resource: "ENERGY",
      id: "6789",
      status: "OPEN",
      price: "123456",
      quantity: "1250000000",
      remaining: "1000000000",
      filled: "250000000",
      hardwareClass: null,
      source: "SOLAR",
      deviceId: "424242",
      periodStart: 1_796_500_800,
      periodEnd: 1_796_587_200,
    },
    bid,
  ];
  a.deals.nodes = a.deals.nodes.map((d) => ({ ...d, buyer, terms: { ...(d.terms as object), buyer } }));
  a.marketBalance = { credited: "271616644000", withdrawn: "0", withdrawable: "271616644000" };
  a.certificates = [
    {
      batchId: "424242",
      wh: "1234567890",
      batch: {
        source: "SOLAR",
        region: 1,
        periodStart: 1_796_500_800,
        periodEnd: 1_796_587_200,
        deviceId: "7",
        hours: [{ start: 1_796_500_800, certificateId: String((7n << 32n) | 499_028n) }],
      },
    },
  ];
  return { account: a };
}

/**
 * The elements of `selector` that reach past `width` or scroll sideways inside themselves, named for the
 * failure. What is clipped to nothing for assistive tech only (a visually hidden caption, a reflowed
 * table's header row) is not seen, so it is not counted.
 */
async function sticksOut(page: Awaited<ReturnType<typeof layOut>>, selector: string, width: number) {
  return page.locator(selector).evaluateAll(
    (els, w) =>
      els
        .filter((el) => {
          for (let e: Element | null = el; e !== null; e = e.parentElement)
            if (getComputedStyle(e).clip !== "auto") return false;
          return el.getBoundingClientRect().right > w + 0.5 || el.scrollWidth > el.clientWidth + 1;
        })
        .map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join(".")}: ${el.textContent?.slice(0, 40)}`),
    width,
  );
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

  it("fits the Account page into 390 px: tables as cards, deals, ids, addresses and buttons inside the screen", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2000-01-01T00:00:00Z"));
    try {
      const data = wideAccount();
      const active = data.account.deals.nodes.find((d) => d.status === "ACTIVE")!;
      stubNetwork({
        graphql: { Account: data, ChainTime: { status: { chainTime: active.windowEnd - 3_600 } } },
        calls: { ARBITER_ROLE: `0x${"11".repeat(32)}`, hasRole: false, symbol: "cUSD" },
      });
      const { container } = await renderPage(AccountPage, { path: "/account", route: "/account", as: "buyer" });
      await screen.findByRole("article", { name: `Deal #${active.id}` });
      await screen.findByRole("button", { name: /Cancel .*12345/ });
      await screen.findByRole("button", { name: /424242/ });
      // The past deal opens into its full card (timeline, parties) too.
      const past = container.querySelector<HTMLElement>(".deal-past > summary")!;
      await userEvent.setup().click(past);
      await within(container.querySelector<HTMLElement>(".deal-past")!).findByRole("article");

      const page = await layOut(`<main class="page">${container.innerHTML}</main>`, 390, accountStyles);
      // The tables reflow into labelled cards.
      const labels = await page
        .locator(".account-page .table td[data-label]")
        .evaluateAll((tds) => tds.map((td) => getComputedStyle(td, "::before").content));
      expect(labels).toContain('"Remaining"');
      expect(await sticksOut(page, ".account-page, .account-page *", 390)).toEqual([]);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      // No amount splits from its unit on the way.
      const split = await page
        .locator(".account-page .amount")
        .evaluateAll((amounts) => amounts.filter((a) => a.getClientRects().length > 1).map((a) => a.textContent));
      expect(split).toEqual([]);
      await page.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it("fits the supplier's hours × days calendar into 390 px, every hour a visible cell", async () => {
    const offerHours = ({ from }: Record<string, unknown>) => ({
      orders: {
        nodes: [
          {
            id: "3",
            hours: Array.from({ length: 7 * 24 }, (_, h) => ({
              start: (from as number) + h * 3600,
              capacity: "10",
              used: String(h % 11),
              free: String(10 - Math.min(10, h % 11)),
            })),
          },
        ],
      },
    });
    stubNetwork({ graphql: { OwnOrders: { orders: { nodes: [] } }, OwnOfferHours: offerHours } });
    const { container } = await renderPage(SupplyPage, {
      path: "/supply?tab=compute",
      route: "/supply",
      as: "computeSupplier",
    });
    const table = await screen.findByRole("table", { name: "Your capacity, hour by hour" });
    await within(table).findAllByText(/VCU free/);
    const page = await layOut(`<main class="page">${container.innerHTML}</main>`, 390);
    expect(await sticksOut(page, ".calendar, .calendar *, .calendar__legend, .calendar__nav", 390)).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    const cells = await page
      .locator(".calendar__cell")
      .evaluateAll((tds) => tds.map((td) => td.getBoundingClientRect()).map((r) => ({ w: r.width, h: r.height })));
    expect(cells).toHaveLength(7 * 24);
    // Small, but each hour a cell one can see and point at.
    for (const cell of cells) {
      expect(cell.w).toBeGreaterThanOrEqual(8);
      expect(cell.h).toBeGreaterThanOrEqual(16);
    }
    await page.close();
  });

  it("fits the quote's hourly chart and its hour-by-hour table into 390 px", async () => {
    stubNetwork({ graphql: {}, calls: { symbol: "cUSD" } });
    const { container } = await renderInApp(<QuoteView quote={quote} />, { config: testConfig });
    await screen.findByText(/certificates of the same hours cover 50%/, { selector: "span" });
    const html = container.innerHTML.replaceAll("<details>", "<details open>");
    const page = await layOut(`<main class="page"><div class="card">${html}</div></main>`, 390);
    expect(await sticksOut(page, ".hourly-match, .hourly-match *", 390)).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    const split = await page
      .locator(".hourly-match .amount")
      .evaluateAll((amounts) => amounts.filter((a) => a.getClientRects().length > 1).map((a) => a.textContent));
    expect(split).toEqual([]);
    expect(await page.locator(".hourly-match .amount").count()).toBe(4);
    await page.close();
  });

  it("lets a chart drawn at a laptop's width shrink with the window to a phone's", async () => {
    // What uPlot leaves in the box: a canvas at the width it was last drawn (the quote at 1366 px).
    const drawn = `<div class="uplot" style="width:1200px"><canvas width="1200" height="120" style="width:1200px;height:120px"></canvas></div>`;
    const page = await layOut(
      `<main class="page"><div class="card"><figure class="hourly-match"><div class="chart">${drawn}</div></figure></div></main>`,
      390,
    );
    // The box the chart's ResizeObserver redraws it to is the column's, not the old canvas's.
    expect(await page.locator(".chart").evaluate((c) => c.clientWidth)).toBeLessThanOrEqual(390);
    await page.close();
  });

  it("keeps what a table that scrolls inside its card hides for assistive tech inside it, not widening the page", async () => {
    stubNetwork({ graphql: {}, calls: { symbol: "cUSD" } });
    const columns: Column<number>[] = [
      ...Array.from({ length: 8 }, (_, i) => ({
        key: `c${i}`,
        header: `Column ${i}`,
        numeric: true,
        render: (n: number) => `${n}${i}`.repeat(4),
      })),
      { key: "actions", header: <span className="visually-hidden">Actions</span>, render: () => "…" },
    ];
    const { container } = await renderInApp(
      <Table caption="Wide" columns={columns} rows={[123_456, 654_321]} rowKey={String} />,
      { config: testConfig },
    );
    const page = await layOut(`<main class="page"><div class="card">${container.innerHTML}</div></main>`, 390);
    const wrap = await page.locator(".table-wrap").evaluate((w) => ({ scroll: w.scrollWidth, client: w.clientWidth }));
    expect(wrap.scroll).toBeGreaterThan(wrap.client);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.close();
  });
});
