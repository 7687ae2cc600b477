import os from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumExecutable, chromiumPackage } from "../../scripts/browser.js";
import { startDemo, type Demo } from "../../scripts/demo-stack.js";
import { expectAccessible, signIn, useBrowser } from "../helpers/browser.js";

describe("web UI: sign-in and the app shell", () => {
  const browser = useBrowser();
  let demo: Demo;
  beforeAll(async () => {
    demo = await startDemo();
  });
  afterAll(() => demo.close());

  it("runs on the Chromium of the @sparticuz/chromium package, never a browser installed on the machine", async () => {
    const major = chromiumPackage().version.split(".")[0] ?? "";
    expect(browser.browser().version().split(".")[0]).toBe(major);
    expect(await chromiumExecutable()).toMatch(
      new RegExp(`^${os.tmpdir()}/switchboard-chromium-${major}\\.[^/]*/chromium$`),
    );
  });

  it("serves the app at / with deep links, and a wrong password gets the server's explanation", async () => {
    const page = await browser.newPage();
    const response = await page.goto(`${demo.url}/settings/users`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()["content-security-policy"]).toContain("default-src 'self'");
    await page.waitForURL(/\/login\?next=%2Fsettings%2Fusers/);
    await page.getByLabel("Username").fill("admin");
    await page.getByLabel(/^Password/).fill("not-the-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toMatch(/Sign-in failed/);
    await expectAccessible(page);
  });

  it("signs in, returns to the page asked for, keeps the session over a reload, and signs out", async () => {
    const page = await browser.newPage();
    await signIn(page, demo.url, demo.admin, "/settings/users");
    expect(new URL(page.url()).pathname).toBe("/settings/users");
    await page.reload();
    await page.getByRole("navigation", { name: "Main navigation" }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/settings/users");
    await page.getByRole("link", { name: "Connections" }).click();
    await page.waitForURL(/\/connections$/);
    await page.goBack();
    await page.waitForURL(/\/settings\/users$/);
    await page.getByRole("button", { name: "Switch to dark mode" }).click();
    expect(await page.locator("html").getAttribute("data-mantine-color-scheme")).toBe("dark");
    await expectAccessible(page);
    await page.getByRole("button", { name: "Account menu" }).click();
    await page.getByRole("menuitem", { name: "Sign out" }).click();
    await page.waitForURL(/\/login/);
    await page.goto(`${demo.url}/connections`);
    await page.waitForURL(/\/login\?next=%2Fconnections/);
  });

  it("sets a password from the one-time setup link and signs in with it", async () => {
    const created = await demo.api<{ setupUrl: string }>("POST", "/users", { name: "newcomer" });
    const page = await browser.newPage();
    await page.goto(created.setupUrl);
    await page.getByLabel("New password").fill("a-long-enough-password");
    await page.getByLabel("Repeat the password").fill("a-long-enough-password");
    await page.getByRole("button", { name: "Set password" }).click();
    await page.waitForURL(/\/login\?setup=done/);
    await signIn(page, demo.url, { name: "newcomer", password: "a-long-enough-password" });
    await expect
      .poll(() => page.getByRole("button", { name: "Account menu" }).textContent())
      .toContain("newcomer");
  });
});
