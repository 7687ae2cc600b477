import sparticuz from "@sparticuz/chromium";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Page,
  type Request,
} from "playwright-core";

// Headless, as root, and nothing that reaches out: the network may be closed, and a browser that
// tries (component updates, safe browsing, sync) only slows every start. Playwright adds
// --headless itself for `headless: true`; it is here too so the list says what runs.
const ARGS = [
  "--headless",
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

/** Where the @sparticuz/chromium package is installed, and its version (its Chromium's major version). */
export function chromiumPackage(): { packageDir: string; version: string } {
  const packageDir = path.resolve(
    path.dirname(createRequire(import.meta.url).resolve("@sparticuz/chromium")),
    "../..",
  );
  const { version } = JSON.parse(
    fs.readFileSync(path.join(packageDir, "package.json"), "utf8"),
  ) as { version: string };
  return { packageDir, version };
}

/**
 * The Chromium inside the @sparticuz/chromium npm package, decompressed (offline) into its own
 * directory per package version. Never a browser that happens to be installed on the machine
 * (Debian's /usr/bin/chromium): every machine runs the tests on the same browser.
 */
export async function chromiumExecutable(): Promise<string> {
  const { packageDir, version } = chromiumPackage();
  const dir = path.join(os.tmpdir(), `switchboard-chromium-${version}`);
  const executable = path.join(dir, "chromium");
  if (fs.existsSync(executable)) return executable;

  // The package decompresses into os.tmpdir() and trusts any /tmp/chromium it finds, even one
  // another process is still writing (two test files starting together on a fresh machine) or
  // one from an older version. So: decompress into a directory of our own, then rename it into
  // place in one step; whichever process renames first wins and the other's copy is dropped.
  const staging = fs.mkdtempSync(`${dir}-staging-`);
  const tmpdir = process.env.TMPDIR;
  process.env.TMPDIR = staging;
  try {
    await sparticuz.executablePath(path.join(packageDir, "bin"));
  } finally {
    if (tmpdir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = tmpdir;
  }
  try {
    fs.renameSync(staging, dir);
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    if (!fs.existsSync(executable)) throw error;
  }
  return executable;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: await chromiumExecutable(),
    headless: true,
    args: ARGS,
  });
}

const inFlight = new WeakMap<BrowserContext, Set<Request>>();

/**
 * A context that asks for reduced motion, as a user can in their system settings: the app's
 * theme honours it (Mantine's `respectReducedMotion`), so dialogs and notifications appear
 * without a transition. It also counts its requests in flight, for `waitForSettled()`.
 */
export async function newContext(
  browser: Browser,
  options: BrowserContextOptions = {},
): Promise<BrowserContext> {
  const context = await browser.newContext({ reducedMotion: "reduce", ...options });
  const requests = new Set<Request>();
  inFlight.set(context, requests);
  context.on("request", (r) => requests.add(r));
  context.on("requestfinished", (r) => requests.delete(r));
  context.on("requestfailed", (r) => requests.delete(r));
  return context;
}

// A finite CSS transition or animation that is running, or a Mantine transition between its
// first frame and its CSS transition (it waits two animation frames). Endless ones (a loader
// spinning) are not a transition; what they wait for is a request in flight.
const MOVING = `new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() =>
  resolve(document.getAnimations().some((a) => a.playState === "running" &&
    a.effect?.getComputedTiming().endTime !== Infinity)))))`;

/**
 * Waits until the page is settled: no request in flight and no transition or animation running,
 * seen twice in a row 100 ms apart (a response often starts the next change). Accessibility
 * checks and screenshots measure this page, not one mid-way.
 */
export async function waitForSettled(page: Page, timeoutMs = 15_000): Promise<void> {
  const requests = inFlight.get(page.context());
  const deadline = Date.now() + timeoutMs;
  let calm = 0;
  for (;;) {
    const busy = [...(requests ?? [])];
    const moving = await page.evaluate<boolean>(MOVING);
    calm = busy.length === 0 && !moving ? calm + 1 : 0;
    if (calm === 2) return;
    if (Date.now() > deadline) {
      const waiting = busy.map((r) => `${r.method()} ${r.url()}`);
      throw new Error(
        `${page.url()} did not settle in ${timeoutMs} ms: ${
          moving ? "an animation is running" : `waiting for ${waiting.join(", ")}`
        }`,
      );
    }
    await page.waitForTimeout(100);
  }
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
