// A real browser for end-to-end tests: Debian's chromium driven by playwright-core (no browser
// download is possible here). Screenshots land in test-results/screenshots/ so a run leaves a
// picture of every page it visited.
import { mkdir } from "node:fs/promises";
import path from "node:path";

import { type Browser, chromium, type Page } from "playwright-core";

const ROOT = path.resolve(import.meta.dirname, "..", "..");
export const SCREENSHOT_DIR = path.join(ROOT, "test-results", "screenshots");

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
}

/** Saves a full-page screenshot as `<name>.png` and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
