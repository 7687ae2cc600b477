import { randomBytes } from "node:crypto";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemo, type Demo } from "../../scripts/demo-stack.js";
import { choose, expectAccessible, signIn, useBrowser } from "../helpers/browser.js";

// Static keys of the demo's management account (its secret is in the demo's key store).
const ACCESS_KEY_ID = "AKIAMANAGEMENTSWITCH1";
const SECRET_PATH = "keys/system/demo/management-switchboard";

function unique(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString("hex")}`;
}

/** Fills the add form for the demo's management keys, through the emulator's endpoint. */
async function fillAccessKeyForm(page: Page, name: string, endpoint: string): Promise<void> {
  await page.getByRole("radio", { name: /Access key/ }).click();
  await page.getByLabel(/^Name/).fill(name);
  await page.getByLabel(/^Access key id/).fill(ACCESS_KEY_ID);
  await page.locator("#connection-secretPath").fill(SECRET_PATH);
  await page.locator("#connection-secretPath").press("Escape");
  await page.getByLabel(/^Endpoint/).fill(endpoint);
}

describe("web UI: the connection form's errors and team access", () => {
  const browser = useBrowser();
  let demo: Demo;
  beforeAll(async () => {
    demo = await startDemo();
  });
  afterAll(() => demo.close());

  it("shows a refused field beside the button that was clicked and on the field, named as the form labels it", async () => {
    const page = await browser.newPage();
    await signIn(page, demo.url, demo.admin, "/connections/new");
    await page.getByRole("radio", { name: /Assume a role/ }).click();
    await page.getByLabel(/^Name/).fill(unique("typo"));
    await page.getByLabel(/^Role ARN/).fill("arn:aws:iam::12:role/too-short-account");

    await page.getByRole("button", { name: "Test connection" }).click();
    const testAndSave = page.getByRole("region", { name: "Test and save" });
    const outcome = testAndSave.getByRole("alert");
    await outcome.getByText("Not tested: check Role ARN").waitFor();
    expect(await outcome.textContent()).toContain("Role ARN: expected a role ARN like");
    expect(await outcome.textContent()).not.toContain("body.");

    // On the field, without the API's name for it, and the field is where the focus went.
    const roleArn = page.getByLabel(/^Role ARN/);
    await expect.poll(() => roleArn.getAttribute("aria-invalid")).toBe("true");
    await page.getByText(/^expected a role ARN like arn:aws:iam::111111111111/).waitFor();
    expect(await page.getByText(/body\.roleArn/).count()).toBe(0);
    await expect.poll(() => page.locator(":focus").getAttribute("id")).toBe("connection-roleArn");
    await expectAccessible(page);

    // A save refused for the same reason says so in the same place.
    await page.getByLabel(/^Name/).focus();
    await page.getByRole("button", { name: "Save connection" }).click();
    await outcome.getByText("Not saved: check Role ARN").waitFor();
    await outcome.getByRole("button", { name: "Go to Role ARN" }).click();
    await expect.poll(() => page.locator(":focus").getAttribute("id")).toBe("connection-roleArn");
  });

  it("says on the form that the allow-list refuses the endpoint's host, and lets an admin add it there and test again", async () => {
    const entry = `127.0.0.1:${demo.emulator.port}`;
    const before = await demo.api<{ allow: string[] }>("GET", "/settings/outbound");
    await demo.api("PUT", "/settings/outbound", {
      allow: before.allow.filter((a) => a !== entry),
    });
    try {
      const page = await browser.newPage();
      await signIn(page, demo.url, demo.admin, "/connections/new");
      await fillAccessKeyForm(page, unique("allow"), demo.emulator.url);

      await page.getByRole("button", { name: "Test connection" }).click();
      const testAndSave = page.getByRole("region", { name: "Test and save" });
      const refusal = testAndSave.getByRole("alert");
      await refusal.getByText("The outbound allow-list refuses 127.0.0.1").waitFor();
      // What to do, in the form's words: no API route.
      expect(await refusal.textContent()).not.toMatch(/\/api\//);
      await page.getByText("127.0.0.1 is not on the org's outbound allow-list").waitFor();
      await expectAccessible(page);

      await refusal.getByRole("button", { name: `Add ${entry} to the allow-list` }).click();
      await testAndSave.getByText("AWS accepts this connection").waitFor();
      const after = await demo.api<{ allow: string[] }>("GET", "/settings/outbound");
      expect(after.allow).toContain(entry);
    } finally {
      const now = await demo.api<{ allow: string[] }>("GET", "/settings/outbound");
      if (!now.allow.includes(entry))
        await demo.api("PUT", "/settings/outbound", { allow: [...now.allow, entry] });
    }
  });

  it("adds a connection with a team's access set in the add form, saved with it", async () => {
    const team = unique("sre");
    await demo.api("POST", "/teams", { name: team, members: [] });
    const name = unique("team-access");
    const page = await browser.newPage();
    await signIn(page, demo.url, demo.admin, "/connections/new");
    await fillAccessKeyForm(page, name, demo.emulator.url);

    await choose(page, "Add a team", new RegExp(`^${team}$`));
    const table = page.getByRole("table", { name: "Team access" });
    await table.getByRole("cell", { name: team, exact: true }).waitFor();
    expect(await page.getByLabel(`executor for team ${team}`).isChecked()).toBe(true);
    await page.getByLabel(`viewer for team ${team}`).check();
    await expectAccessible(page);

    await page.getByRole("button", { name: "Save connection" }).click();
    await page.waitForURL(new RegExp(`/connections/${name}$`));
    await page.getByRole("region", { name: "Permissions" }).getByText(`Team ${team}`).waitFor();

    const grants = await demo.api<{ items: { principal: string; role: string }[] }>(
      "GET",
      `/connections/${name}/grants`,
    );
    expect(grants.items).toEqual(
      expect.arrayContaining([
        { principal: `team:${team}`, role: "executor" },
        { principal: `team:${team}`, role: "viewer" },
        { principal: "user:admin", role: "editor" },
      ]),
    );
  });
});
