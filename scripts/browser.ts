import sparticuz from "@sparticuz/chromium";
import fs from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";

const SYSTEM_CHROMIUM = "/usr/bin/chromium";

// Headless, and nothing that reaches out: this machine's network is closed, and a browser that
// tries (component updates, safe browsing, sync) only slows every start.
const ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-default-apps",
  "--no-first-run",
  "--disable-quic",
];

/** A real Chromium: Debian's where installed, else the one inside @sparticuz/chromium. */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = fs.existsSync(SYSTEM_CHROMIUM)
    ? SYSTEM_CHROMIUM
    : await sparticuz.executablePath();
  return chromium.launch({ executablePath, headless: true, args: ARGS });
}

/** Signs in through the login page and waits for the app. */
export async function signIn(
  page: Page,
  baseUrl: string,
  user: { name: string; password: string },
  next = "/",
): Promise<void> {
  await page.goto(`${baseUrl}/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel("Username").fill(user.name);
  await page.getByLabel(/^Password/).fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("navigation", { name: "Main navigation" }).waitFor();
}

/** Chooses an option of a Mantine Select/MultiSelect by its label text. */
export async function choose(page: Page, label: string, option: RegExp): Promise<void> {
  await page.getByRole("combobox", { name: label }).click();
  await page.getByRole("option", { name: option }).click();
}
