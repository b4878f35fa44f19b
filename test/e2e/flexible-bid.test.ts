// A flexible bid in a real browser against the whole local stack (node, contracts, indexer, API,
// matcher, keeper, web): the buyer asks for a 2-hour training job anywhere in the next day, with 80 %
// green from its grid area; the only green certificates on offer are of two hours of a Ningxia solar
// plant some hours ahead. The quote shows the job's hours against green energy, and the matcher lands
// the job exactly in those two hours.
//
// The market starts empty (DEMO=off) so that the matcher can only pair this test's own orders; the
// suppliers' orders are sent from the demo menu's supplier accounts straight to the chain.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import type { Browser, Page } from "playwright-core";

import { ACCOUNT_PLAN, devAccount } from "../../protocol/accounts.ts";
import { ceilHour, hoursOf } from "../../protocol/hours.ts";
import { parseStackConfig } from "../../protocol/stack-config.ts";
import { DemoChain } from "../../stack/demo/chain.ts";
import { jobEnd } from "../../stack/demo/deal-plan.ts";
import { HARDWARE, REGION, SOURCE, tokens } from "../../stack/demo/scenario.ts";
import { launchBrowser, screenshot } from "../helpers/browser.ts";
import { type RunningStack, startStack } from "../helpers/stack.ts";

const MINUTE = 60_000;
const HOUR = 3_600;

let stack: RunningStack;
let browser: Browser;
let page: Page;
let chain: DemoChain;
const pageErrors: string[] = [];

/** The job's window opens at the next whole hour but one; the green hours lie six hours into it. */
const earliestStart = ceilHour(Date.now() / 1000) + HOUR;
const greenHours = [earliestStart + 6 * HOUR, earliestStart + 7 * HOUR];

/** A `datetime-local` value in the browser's zone (UTC in tests), to the minute. */
function localInput(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 16);
}

function dealsOpened() {
  return chain.publicClient.getContractEvents({
    address: chain.addresses.market,
    abi: chain.abis.market,
    eventName: "DealOpened",
    fromBlock: 0n,
    strict: true,
  });
}

describe("a flexible bid in a browser", { timeout: 20 * MINUTE }, () => {
  before(async () => {
    stack = await startStack({ DEMO: "off", MATCHER_INTERVAL_MS: "3000" });
    const config = parseStackConfig(await (await fetch(`${stack.url}/config.json`)).json());
    chain = new DemoChain(new URL(config.rpcUrl, stack.url).toString(), config.deployment);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1366, height: 900 }, timezoneId: "UTC", locale: "en-GB" });
    page.on("pageerror", (error) => pageErrors.push(String(error)));
  });

  after(async () => {
    await browser?.close();
    const exit = await stack?.stop();
    assert.deepEqual(exit, { code: 0, signal: null }, "the stack stops cleanly");
  });

  it("has a day of training capacity in Ningxia and two hours of Ningxia solar on offer", async () => {
    const compute = devAccount(ACCOUNT_PLAN.computeSupplier);
    await chain.write(compute, "market", "postComputeOffer", [
      {
        hardwareClass: HARDWARE.GpuTraining,
        region: REGION.Ningxia,
        windowStart: earliestStart,
        windowEnd: earliestStart + 24 * HOUR,
        vcu: 16,
        reservePricePerVcuHour: tokens(1.5),
        whPerVcuHour: 700,
        pueMilli: 1_150,
        expiry: earliestStart + 24 * HOUR,
      },
    ]);
    const energy = devAccount(ACCOUNT_PLAN.energySupplier);
    const registered = await chain.write(energy, "certificates", "registerDevice", [
      SOURCE.Solar,
      REGION.Ningxia,
      1_000_000n,
      (await chain.now()) - 365 * 24 * HOUR,
      "ccex-e2e://devices/tengger-solar",
    ]);
    const deviceId = BigInt(registered.logs[0].topics[1] as `0x${string}`);
    await chain.write(devAccount(ACCOUNT_PLAN.registrar), "certificates", "approveDevice", [deviceId]);
    await chain.write(energy, "certificates", "setApprovalForAll", [chain.addresses.market, true]);
    await chain.write(energy, "market", "postEnergyOffer", [
      {
        deviceId: Number(deviceId),
        firstHour: greenHours[0],
        whPerHour: [5_000n, 5_000n],
        reservePricePerKwh: tokens(0.03),
        expiry: greenHours[1] + HOUR,
      },
    ]);
    assert.equal(await chain.read("market", "energyOfferCount"), 1n);
  });

  it("quotes the flexible job in the green hours and posts it; the matcher lands it there", async () => {
    await page.goto(`${stack.url}/buy`);
    await page.getByRole("main").waitFor();
    await page
      .getByRole("banner")
      .getByRole("button", { name: /^(Connect wallet|Wallet: )/ })
      .click();
    await page.getByRole("button", { name: "Play as Buyer" }).click();
    const form = page.getByRole("form", { name: "Bid for a compute job" });
    await form.getByLabel("Hardware class", { exact: true }).selectOption({ label: "GPU, training" });
    await form.getByLabel("Compute units (VCU at once)", { exact: true }).fill("4");
    await form.getByLabel("Duration", { exact: true }).fill("2");
    await form.getByRole("checkbox", { name: "Ningxia" }).check();
    await form.getByLabel("Your region", { exact: true }).selectOption({ label: "Ningxia" });
    await form.getByLabel("Earliest start", { exact: true }).fill(localInput(earliestStart));
    await form.getByLabel("Latest end", { exact: true }).fill(localInput(earliestStart + 24 * HOUR));
    await form.getByLabel("Limit per VCU-hour (all-in)", { exact: true }).fill("3");
    await form.getByLabel("Minimum green share", { exact: true }).fill("80");
    await form.getByRole("button", { name: "Get quote" }).click();
    const quote = page.getByRole("region", { name: "Quote" });
    await quote.getByRole("figure", { name: /^The job's hours: energy needed and green certificates/ }).waitFor();
    // The quote's schedule starts the job in the first green hour (shown in the browser's zone, UTC here).
    const startsAt = `${new Date(greenHours[0] * 1000).toISOString().slice(11, 13)}:00`;
    const priced = quote.getByText(/The book runs all 4 VCU for 2 hour\(s\) from /);
    assert.match((await priced.textContent()) ?? "", new RegExp(`from [^,]*?${startsAt}|from .*${startsAt}`));
    await screenshot(page, "buy-flexible-quote");

    await page.getByRole("button", { name: /local test tokens/ }).click();
    await page
      .getByRole("region", { name: "Transactions" })
      .locator(".tx-toast", { hasText: /from the faucet/ })
      .filter({ hasText: /Confirmed/ })
      .waitFor({ timeout: 60_000 });
    await form.getByRole("button", { name: "Post bid" }).click();
    await page.getByText(/Bid \d+ is posted; its funds are in escrow\./).waitFor({ timeout: 60_000 });

    // The matcher's next batch opens the deal (reported from the chain, with the stack's log if not).
    const deadline = Date.now() + 120_000;
    let opened: Awaited<ReturnType<typeof dealsOpened>>[number] | undefined;
    while (opened === undefined) {
      [opened] = await dealsOpened();
      if (opened !== undefined) break;
      if (Date.now() > deadline) {
        const log = await readFile(path.join(stack.dataDir, "logs", "matcher.log"), "utf8").catch(() => "");
        assert.fail(`no deal opened within 2 minutes; the matcher's log ends:\n${log.slice(-4_000)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    // The buyer never left the Buy page: the next indexed block brings the match into the notice.
    await page
      .getByRole("status")
      .filter({ hasText: /Bid \d+ is matched: a deal opened\./ })
      .waitFor({ timeout: 90_000 });
    await screenshot(page, "buy-flexible-matched");
    const { terms } = opened.args;
    assert.equal(terms.start, greenHours[0], "the job starts in the first green hour");
    assert.deepEqual(hoursOf(terms.start, jobEnd(terms)), greenHours);
    assert.ok(terms.energyLots.length > 0 && terms.energyLots.every((lot) => greenHours.includes(lot.hour)));
    const green = terms.energyLots.reduce((sum, lot) => sum + lot.wh, 0n);
    assert.ok(green * 10_000n >= terms.needPerHourWh * 2n * 8_000n, "80 % of the job's energy is time-matched");
    assert.deepEqual(pageErrors, []);
  });
});
