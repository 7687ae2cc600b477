import { AxeBuilder } from "@axe-core/playwright";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect, type TestContext } from "vitest";
import { launchBrowser, newContext, waitForSettled } from "../../scripts/browser.js";

export { choose, signIn, waitForSettled } from "../../scripts/browser.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const SCREENSHOT_DIR = path.join(ROOT, "test-results", "screenshots");

export interface BrowserSession {
  browser(): Browser;
  /** A fresh context and page (own cookies) for one person. */
  newPage(): Promise<Page>;
}

/**
 * One browser per test file. Every page opened in a test is screenshotted into
 * test-results/screenshots when the test fails, and its contexts are closed after it.
 */
export function useBrowser(): BrowserSession {
  let browser: Browser | undefined;
  let contexts: BrowserContext[] = [];
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterEach(async (context: TestContext) => {
    const failed = context.task.result?.state === "fail";
    if (failed) {
      fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
      const base = context.task.name.replace(/[^a-z0-9]+/gi, "-").slice(0, 80);
      let i = 0;
      for (const c of contexts) {
        for (const page of c.pages()) {
          const file = path.join(SCREENSHOT_DIR, `${base}-${++i}.png`);
          await page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
          console.error(`screenshot of the failed test: ${file}`);
        }
      }
    }
    await Promise.all(contexts.map((c) => c.close()));
    contexts = [];
  });
  afterAll(async () => {
    await browser?.close();
  });
  return {
    browser: () => {
      if (browser === undefined) throw new Error("the browser has not started");
      return browser;
    },
    newPage: async () => {
      if (browser === undefined) throw new Error("the browser has not started");
      const context = await newContext(browser, { viewport: { width: 1400, height: 900 } });
      context.setDefaultTimeout(15_000);
      contexts.push(context);
      return context.newPage();
    },
  };
}

/**
 * axe-core on the settled page: no serious or critical violation of WCAG 2.x A/AA. A page
 * mid-way (a notification fading in, a dialog's transition) is not the page people read.
 */
export async function expectAccessible(page: Page): Promise<void> {
  await waitForSettled(page);
  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
    .analyze();
  const bad = results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
    );
  expect(bad, `accessibility violations on ${page.url()}`).toEqual([]);
}

/**
 * Calls the API as the person signed in on this page (their session cookie and CSRF token):
 * quicker than clicking when a test needs something to exist that this person made.
 */
export async function apiAs<T>(
  page: Page,
  method: string,
  route: string,
  body?: unknown,
): Promise<T> {
  const cookies = await page.context().cookies();
  const csrf = cookies.find((c) => c.name === "sb_csrf")?.value ?? "";
  const response = await page.request.fetch(new URL(`/api/v1${route}`, page.url()).href, {
    method,
    headers: { "x-csrf-token": csrf },
    ...(body === undefined ? {} : { data: body }),
  });
  const text = await response.text();
  if (!response.ok()) throw new Error(`${method} ${route}: ${response.status()} ${text}`);
  return (text === "" ? null : JSON.parse(text)) as T;
}
