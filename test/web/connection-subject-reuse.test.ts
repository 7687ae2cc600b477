import { randomBytes } from "node:crypto";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemo, type Demo } from "../../scripts/demo-stack.js";
import { expectAccessible, signIn, useBrowser } from "../helpers/browser.js";

const ROLE_ARN = "arn:aws:iam::222222222222:role/switchboard-web-identity";

/** A name no other test uses, so tests pass alone and in any order. */
function unique(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString("hex")}`;
}

describe("web UI: a deleted web_identity connection's token subject", () => {
  const browser = useBrowser();
  let demo: Demo;
  beforeAll(async () => {
    demo = await startDemo();
  });
  afterAll(() => demo.close());

  /** A web_identity connection made and deleted through the API: its subject stays reserved. */
  async function deletedWebIdentity(prefix: string): Promise<string> {
    const name = unique(prefix);
    await demo.api("POST", "/connections", {
      name,
      method: "web_identity",
      roleArn: ROLE_ARN,
      endpoint: demo.emulator.url,
    });
    await demo.api("DELETE", `/connections/${name}`);
    return name;
  }

  /** Fills the add form with a web_identity connection of that name and saves it. */
  async function fillAndSave(page: Page, name: string): Promise<void> {
    await page.getByRole("radio", { name: /Web identity/ }).click();
    await page.getByLabel(/^Name/).fill(name);
    await page.getByLabel(/^Role ARN/).fill(ROLE_ARN);
    await page.getByLabel(/^Endpoint/).fill(demo.emulator.url);
    await page.getByRole("button", { name: "Save connection" }).click();
  }

  it("an org admin recreating it under the same name is refused, confirms the subject's reuse beside the name, and saves", async () => {
    const name = await deletedWebIdentity("reused-web");
    const page = await browser.newPage();
    await signIn(page, demo.url, demo.admin, "/connections/new");
    await fillAndSave(page, name);

    const confirm = page.getByRole("checkbox", {
      name: `Reuse the token subject switchboard:connection/${name}`,
    });
    await confirm.waitFor();
    await page
      .getByText(/AWS roles may still trust it\. Choose another name, or confirm below/)
      .waitFor();
    expect(await page.getByRole("region", { name: "Connection" }).textContent()).toContain(
      "Every AWS role that trusted the earlier connection's subject will trust this connection",
    );
    expect(page.url()).toMatch(/\/connections\/new$/);
    await expect(demo.api("GET", `/connections/${name}`)).rejects.toThrow(/404/);
    await expectAccessible(page);

    await confirm.check();
    await page.getByText(/AWS roles may still trust it/).waitFor({ state: "detached" });
    // Confirmed, the draft's trust policy is shown again: it names the subject.
    await page
      .getByRole("region", { name: "Trust policy", exact: true })
      .getByText(`switchboard:connection/${name}`)
      .waitFor();
    await page.getByRole("button", { name: "Save connection" }).click();
    await page.waitForURL(new RegExp(`/connections/${name}$`));
    expect(
      await demo.api<{ method: string; roleArn: string }>("GET", `/connections/${name}`),
    ).toMatchObject({ method: "web_identity", roleArn: ROLE_ARN });
    const audit = await demo.api<{
      items: { action: string; objectId: string; detail: Record<string, unknown> }[];
    }>("GET", `/audit?action=connection.create&objectId=${name}`);
    expect(
      audit.items
        .filter((e) => e.action === "connection.create" && e.objectId === name)
        .map((e) => e.detail.reusedSubject ?? "none"),
    ).toEqual(expect.arrayContaining([`switchboard:connection/${name}`, "none"]));
  });

  it("a member recreating it is told to ask an org admin, with nothing to confirm", async () => {
    const name = await deletedWebIdentity("member-web");
    const member = { name: unique("member"), password: `pw-${randomBytes(12).toString("hex")}` };
    await demo.api("POST", "/users", member);
    const page = await browser.newPage();
    await signIn(page, demo.url, member, "/connections/new");
    await fillAndSave(page, name);

    await page
      .getByText(/AWS roles may still trust it\. Choose another name, or ask an org admin/)
      .waitFor();
    expect(await page.getByRole("checkbox", { name: /Reuse the token subject/ }).count()).toBe(0);
    await expectAccessible(page);
    await expect(demo.api("GET", `/connections/${name}`)).rejects.toThrow(/404/);
  });
});
