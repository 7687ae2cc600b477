import sparticuz from "@sparticuz/chromium";
import fs from "node:fs";
import { chromium, type Browser } from "playwright-core";

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
