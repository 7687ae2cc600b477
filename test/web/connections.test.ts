import { IAMClient, UpdateAssumeRolePolicyCommand } from "@aws-sdk/client-iam";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemo, type Demo } from "../../scripts/demo-stack.js";
import { expectAccessible, signIn, useBrowser } from "../helpers/browser.js";

// In the demo world: a staging role not onboarded yet (its trust policy has a template's
// placeholder ExternalId), and the staging platform engineer who may change its trust policy.
const ROLE_ARN = "arn:aws:iam::333333333333:role/switchboard-onboarding";
const PLATFORM_ADMIN = {
  accessKeyId: "AKIASTAGINGPLATFORM1",
  secretAccessKey: "staging-platform-admin-secret-00000000",
};
const MEMBER = { name: "marta", password: "marta-password-1234" };

describe("web UI: connections", () => {
  const browser = useBrowser();
  let demo: Demo;
  beforeAll(async () => {
    demo = await startDemo();
    await demo.api("POST", "/users", MEMBER);
  });
  afterAll(() => demo.close());

  it("adds an assume_role connection: the pre-save test explains the wrong ExternalId, passes once the role trusts the policy shown, and saves", async () => {
    const page = await browser.newPage();
    await signIn(page, demo.url, demo.admin, "/connections");
    await page.getByRole("link", { name: "production-web" }).waitFor();
    await expectAccessible(page);

    await page.getByRole("link", { name: "Add connection" }).click();
    await page.waitForURL(/\/connections\/new$/);
    await page.getByRole("radio", { name: /Assume a role/ }).click();
    await page.getByLabel(/^Name/).fill("onboarding");
    await page.getByLabel(/^Role ARN/).fill(ROLE_ARN);
    await page.getByLabel(/^Endpoint/).fill(demo.emulator.url);
    await page.getByRole("combobox", { name: "Tags" }).fill("env=staging");
    await page.getByRole("combobox", { name: "Tags" }).press("Enter");

    await page.getByRole("button", { name: "Test connection" }).click();
    const failure = page.getByRole("alert").filter({ hasText: "Test failed" });
    await failure.waitFor();
    const explained = await failure.textContent();
    expect(explained).toContain("AccessDenied");
    expect(explained).toMatch(/trust policy does not allow this principal or ExternalId/);
    expect(explained).toContain(
      `not authorized to perform: sts:AssumeRole on resource: ${ROLE_ARN}`,
    );
    await expectAccessible(page);

    // The trust policy as the page shows it, applied to the role the way its owner would in AWS.
    const shown = page.getByRole("region", { name: "Trust policy", exact: true });
    await shown.getByText("sts:ExternalId").waitFor();
    const trustPolicy = (await shown.textContent()) ?? "";
    const { externalId } = await demo.api<{ externalId: string }>("GET", "/settings/external-id");
    expect(JSON.parse(trustPolicy)).toMatchObject({
      Statement: [
        {
          Principal: { AWS: "arn:aws:iam::111111111111:role/switchboard-host" },
          Condition: { StringEquals: { "sts:ExternalId": externalId } },
        },
      ],
    });
    await new IAMClient({
      endpoint: demo.emulator.url,
      region: "us-east-1",
      credentials: PLATFORM_ADMIN,
    }).send(
      new UpdateAssumeRolePolicyCommand({
        RoleName: "switchboard-onboarding",
        PolicyDocument: trustPolicy,
      }),
    );

    await page.getByRole("button", { name: "Test connection" }).click();
    const success = page.getByRole("status").filter({ hasText: "AWS accepts this connection" });
    await success.waitFor();
    expect(await success.textContent()).toContain(
      "arn:aws:sts::333333333333:assumed-role/switchboard-onboarding/",
    );
    await expect(demo.api("GET", "/connections/onboarding")).rejects.toThrow(/404/);

    await page.getByRole("button", { name: "Save connection" }).click();
    await page.waitForURL(/\/connections\/onboarding$/);
    await page.getByRole("region", { name: "Last test" }).getByText("Connection works").waitFor();
    await expectAccessible(page);
    const saved = await demo.api<{ accountId: string; tags: Record<string, string> }>(
      "GET",
      "/connections/onboarding",
    );
    expect(saved).toMatchObject({ accountId: "333333333333", tags: { env: "staging" } });
  });

  it("grants executor to team sre with the Set permissions dialog", async () => {
    const page = await browser.newPage();
    await signIn(page, demo.url, demo.admin, "/connections/onboarding");
    await page.getByRole("link", { name: "Set permissions" }).click();
    await page.waitForURL(/\/connections\/onboarding\/permissions$/);
    const dialog = page.getByRole("dialog", { name: "Set permissions: onboarding" });
    await dialog.getByRole("checkbox", { name: "editor for User admin" }).waitFor();
    await dialog.getByRole("combobox", { name: "Add who" }).click();
    await page.getByRole("option", { name: "Team sre" }).click();
    await dialog.getByRole("checkbox", { name: "viewer for Team sre" }).uncheck();
    await dialog.getByRole("checkbox", { name: "executor for Team sre" }).check();
    await expectAccessible(page);
    await dialog.getByRole("button", { name: "Save permissions" }).click();
    await page.waitForURL(/\/connections\/onboarding$/);
    await page.getByRole("table", { name: "Grants" }).getByText("Team sre").waitFor();

    const grants = await demo.api<{ items: { principal: string; role: string }[] }>(
      "GET",
      "/connections/onboarding/grants",
    );
    expect(grants.items).toEqual(
      expect.arrayContaining([
        { principal: "team:sre", role: "executor" },
        { principal: "user:admin", role: "editor" },
      ]),
    );
    expect(grants.items).not.toContainEqual({ principal: "team:sre", role: "viewer" });
  });

  it("a member outside the team does not see the team's connection, requests edit access to one they view, and gets it from an admin", async () => {
    const member = await browser.newPage();
    await signIn(member, demo.url, MEMBER, "/connections");
    await member.getByRole("link", { name: "production", exact: true }).waitFor();
    const names = await member
      .getByRole("table", { name: "Connections" })
      .locator("tbody tr td:first-child")
      .allTextContents();
    expect(names).toEqual(["production", "staging"]);

    await member.getByRole("link", { name: "production", exact: true }).click();
    await member.waitForURL(/\/connections\/production$/);
    await member.getByRole("link", { name: "Request edit access" }).waitFor();
    expect(await member.getByRole("link", { name: "Edit", exact: true }).count()).toBe(0);
    expect(await member.getByRole("link", { name: "Set permissions" }).count()).toBe(0);
    await expectAccessible(member);
    await member.getByRole("link", { name: "Request edit access" }).click();
    const dialog = member.getByRole("dialog", { name: "Request edit access to production" });
    await dialog.getByLabel(/^Reason/).fill("I rotate the production role for the SRE rota");
    await expectAccessible(member);
    await dialog.getByRole("button", { name: "Send request" }).click();
    await member.waitForURL(/\/connections\/production$/);
    await member.getByText("Edit access requested").waitFor();

    const admin = await browser.newPage();
    await signIn(admin, demo.url, demo.admin, "/connections");
    await admin
      .getByRole("navigation", { name: "Main navigation" })
      .getByLabel("1 pending")
      .waitFor();
    await admin.getByRole("link", { name: /Access requests/ }).click();
    await admin.waitForURL(/\/connections\/requests$/);
    const row = admin.getByRole("row").filter({ hasText: "I rotate the production role" });
    await row.waitFor();
    expect(await row.textContent()).toContain("marta");
    await expectAccessible(admin);
    await row.getByRole("button", { name: "Grant marta edit access to production" }).click();
    await admin.getByText("No pending requests").waitFor();
    await admin
      .getByRole("navigation", { name: "Main navigation" })
      .getByLabel("1 pending")
      .waitFor({ state: "detached" });

    await member.reload();
    await member.getByRole("link", { name: "Edit", exact: true }).waitFor();
    expect(await member.getByRole("link", { name: "Set permissions" }).count()).toBe(1);
    expect(await member.getByRole("link", { name: "Request edit access" }).count()).toBe(0);
  });

  it("edits a connection after testing the change, then removes it after typing its name", async () => {
    const page = await browser.newPage();
    await signIn(page, demo.url, demo.admin, "/connections/onboarding");
    await page.getByRole("link", { name: "Edit", exact: true }).click();
    await page.waitForURL(/\/connections\/onboarding\/edit$/);
    await page.getByLabel(/^Name/).waitFor();
    expect(await page.getByLabel(/^Role ARN/).inputValue()).toBe(ROLE_ARN);
    await page.getByRole("radio", { name: /^view/ }).check();
    await page.getByRole("button", { name: "Test connection" }).click();
    await page.getByRole("status").filter({ hasText: "AWS accepts this connection" }).waitFor();
    await expectAccessible(page);
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.waitForURL(/\/connections\/onboarding$/);
    expect((await demo.api<{ access: string }>("GET", "/connections/onboarding")).access).toBe(
      "view",
    );

    await page.getByRole("link", { name: "Remove" }).click();
    await page.waitForURL(/\/connections\/onboarding\/remove$/);
    const dialog = page.getByRole("dialog", { name: "Remove onboarding?" });
    const remove = dialog.getByRole("button", { name: "Remove connection" });
    expect(await remove.isDisabled()).toBe(true);
    await expectAccessible(page);
    await dialog.getByLabel("Type onboarding to confirm").fill("onboarding");
    await remove.click();
    await page.waitForURL(/\/connections$/);
    await page.getByRole("link", { name: "production-web" }).waitFor();
    expect(await page.getByRole("link", { name: "onboarding" }).count()).toBe(0);
    await expect(demo.api("GET", "/connections/onboarding")).rejects.toThrow(/404/);
  });
});
