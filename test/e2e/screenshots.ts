// Pictures of the web market as people see it, for a human to look at: Market, Buy (with a quote and
// a matched bid), Supply, Account (with a deal), Dashboard and the deal's Trace, at a laptop's 1366 px and a phone's 390 px,
// from the whole stack with the demo market on. Not a test: it asserts only that each page got
// far enough to be worth a picture. Run: node test/e2e/screenshots.ts (about 5 minutes);
// the PNGs land in test-results/screenshots/ as <page>-<width>.png.
import type { Page } from "playwright-core";

import { launchBrowser, screenshot } from "../helpers/browser.ts";
import { startStack } from "../helpers/stack.ts";

const WIDTHS = [1366, 390] as const;

/**
 * What sticks out of the window sideways (the page scrolls, or a table scrolls inside its card):
 * the outermost such elements, as "tag.class (right edge px)", for the one looking at the pictures.
 */
async function sidewaysOverflow(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const found: string[] = [];
    for (const el of document.querySelectorAll<HTMLElement>("main *, header *")) {
      // Visually hidden text (clipped to a pixel) is for screen readers and takes no room.
      if (el.closest(".visually-hidden") !== null) continue;
      const sticksOut = el.getBoundingClientRect().right > width + 1 || el.scrollWidth > el.clientWidth + 1;
      const parentSticksOut = el.parentElement !== null && found.some((f) => f === describe(el.parentElement!));
      if (sticksOut && !parentSticksOut && getComputedStyle(el).display !== "inline") found.push(describe(el));
    }
    return found.slice(0, 8);
    function describe(el: Element): string {
      const right = Math.round(el.getBoundingClientRect().right);
      return `${el.tagName.toLowerCase()}.${[...el.classList].join(".")} (${right} px)`;
    }
  });
}

async function picture(page: Page, name: string): Promise<void> {
  const file = await screenshot(page, name);
  const overflow = name.endsWith("-390") ? await sidewaysOverflow(page) : [];
  console.log(file, overflow.length > 0 ? `sticks out sideways: ${overflow.join(", ")}` : "");
}

async function playAs(page: Page, role: string): Promise<void> {
  await page
    .getByRole("banner")
    .getByRole("button", { name: /^(Connect wallet|Wallet: )/ })
    .click();
  await page.getByRole("button", { name: `Play as ${role}` }).click();
  await page
    .getByRole("banner")
    .getByRole("button", { name: new RegExp(`^Wallet: ${role}`) })
    .waitFor();
}

const stack = await startStack({ MATCHER_INTERVAL_MS: "3000" });
const browser = await launchBrowser();
try {
  const context = await browser.newContext({
    timezoneId: "UTC",
    locale: "en-GB",
    viewport: { width: 1366, height: 900 },
  });
  const page = await context.newPage();
  const go = async (path: string) => {
    await page.goto(`${stack.url}${path}`);
    await page.getByRole("main").waitFor();
  };

  // The buyer's own deal, so that the account page has one to show: a bid the demo's GPU book fills.
  await go("/buy");
  await playAs(page, "Buyer");
  await page.getByRole("button", { name: /local test tokens/ }).click();
  await page
    .getByText(/from the faucet/)
    .first()
    .waitFor({ timeout: 60_000 });
  const form = page.getByRole("form", { name: "Bid for a compute job" });
  await form.getByLabel("Hardware class", { exact: true }).selectOption({ label: "GPU, training" });
  // The demo's compute sites post a day ahead: take the whole hours (and region) of an offer in the book.
  const offer = page.getByRole("table", { name: "Open GPU, training offers" }).getByRole("row").nth(1);
  const region = (await offer.getByRole("cell").first().textContent())?.trim() ?? "";
  await offer.getByRole("button", { name: /^Use window/ }).click();
  await form.getByLabel("Your region", { exact: true }).selectOption({ label: region });
  // A job is matched only before it starts: a 2-hour job of 5 VCU from the next whole hour on, inside the offer's window.
  const hour = 3_600_000;
  const field = (label: string) => form.getByLabel(label, { exact: true });
  const nextHour = Math.ceil((Date.now() + 5 * 60_000) / hour) * hour;
  const earliest = Math.max(Date.parse(`${await field("Earliest start").inputValue()}Z`), nextHour);
  const latestEnd = Date.parse(`${await field("Latest end").inputValue()}Z`);
  if (latestEnd - earliest < 2 * hour) throw new Error("the demo's first GPU offer ends too soon; run again");
  await field("Earliest start").fill(new Date(earliest).toISOString().slice(0, 16));
  await field("Compute units (VCU at once)").fill("5");
  await field("Duration").fill("2");
  await field("Limit per VCU-hour (all-in)").fill("3");
  await field("Minimum green share").fill("0");
  await form.getByRole("button", { name: "Get quote" }).click();
  const quote = page.getByRole("region", { name: "Quote" });
  try {
    await quote.getByText("How the price is shared", { exact: true }).waitFor({ timeout: 60_000 });
  } catch (error) {
    console.error(await screenshot(page, "buy-quote-failed"), await quote.textContent().catch(() => ""));
    throw error;
  }
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    await page.evaluate(() => window.scrollTo(0, 0));
    await picture(page, `buy-quote-${width}`);
  }
  await page.setViewportSize({ width: 1366, height: 900 });
  await form.getByRole("button", { name: "Post bid" }).click();
  await page.getByText(/Bid \d+ is (partly )?matched/).waitFor({ timeout: 120_000 });
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    await page.evaluate(() => window.scrollTo(0, 0));
    await picture(page, `buy-matched-${width}`);
  }

  const deal = /(\d+)$/.exec(
    (await page
      .getByRole("status")
      .getByRole("link", { name: /^Deal \d+$/ })
      .first()
      .textContent()) ?? "",
  )?.[1];
  for (const [name, path, ready] of [
    ["market", "/", "Bids"],
    ["supply", "/supply", "Compute offers"],
    ["account", "/account", "Deals"],
    ["dashboard", "/dashboard", "Compute traded"],
    ["trace", `/trace/deal/${deal}`, `Deal #${deal} hour by hour`],
  ] as const) {
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 900 });
      await go(path);
      await page.getByText(ready, { exact: true }).first().waitFor();
      // Charts draw once they know their width; tables fill in as their queries answer.
      await page.waitForTimeout(2_000);
      await picture(page, `${name}-${width}`);
    }
  }
  // The header with a long wallet label, at the phone's width.
  await playAs(page, "Network supplier");
  await picture(page, "header-network-supplier-390");
} finally {
  await browser.close();
  await stack.stop();
}
