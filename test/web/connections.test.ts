import { IAMClient, UpdateAssumeRolePolicyCommand } from "@aws-sdk/client-iam";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemo, type Demo } from "../../scripts/demo-stack.js";
import { expectAccessible, signIn, useBrowser } from "../helpers/browser.js";

// In the demo world: a staging role not onboarded yet (its trust policy has a template's
// placeholder ExternalId), and the staging platform engineer who may change its trust policy.
// Only the first test uses it: it is the one that onboards it.
const ROLE_ARN = "arn:aws:iam::333333333333:role/switchboard-onboarding";
const PLATFORM_ADMIN = {
  accessKeyId: "AKIASTAGINGPLATFORM1",
  secretAccessKey: "staging-platform-admin-secret-00000000",
};
// Static keys of the demo's management account (its secret is in the demo's key store): a
// connection that works without setting up any role, for tests about something else.
const MANAGEMENT_KEYS = {
  method: "access_key",
  accessKeyId: "AKIAMANAGEMENTSWITCH1",
  secretPath: "keys/system/demo/management-switchboard",
  regions: ["us-east-1"],
  tags: { env: "management" },
};

/** A name no other test uses, so tests pass alone and in any order. */
function unique(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString("hex")}`;
}

describe("web UI: connections", () => {
  const browser = useBrowser();
  let demo: Demo;
  beforeAll(async () => {
    demo = await startDemo();
  });
  afterAll(() => demo.close());

  /** A working connection, made through the API as the admin (so its editor). */
  async function createConnection(
    prefix: string,
    grants?: { principal: string; role: string }[],
  ): Promise<string> {
    const name = unique(prefix);
    await demo.api("POST", "/connections", {
      name,
      ...MANAGEMENT_KEYS,
      endpoint: demo.emulator.url,
    });
    if (grants !== undefined) {
      await demo.api("PUT", `/connections/${name}/grants`, [
        { principal: "user:admin", role: "editor" },
        ...grants,
      ]);
    }
    return name;
  }

  /** A member with a password, in no team. */
  async function createMember(): Promise<{ name: string; password: string }> {
    const member = { name: unique("member"), password: `pw-${randomBytes(12).toString("hex")}` };
    await demo.api("POST", "/users", member);
    return member;
  }

  it("adds an assume_role connection: the pre-save test explains the wrong ExternalId, passes once the role trusts the policy shown, and saves", async () => {
    const name = unique("onboarding");
    const page = await browser.newPage();
    await signIn(page, demo.url, demo.admin, "/connections");
    await page.getByRole("link", { name: "production-web" }).waitFor();
    await expectAccessible(page);

    await page.getByRole("link", { name: "Add connection" }).click();
    await page.waitForURL(/\/connections\/new$/);
    await page.getByRole("radio", { name: /Assume a role/ }).click();
    await page.getByLabel(/^Name/).fill(name);
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
    const policy = JSON.parse(trustPolicy) as {
      Statement: { Condition: { StringEquals: Record<string, string> } }[];
    };
    const externalId = policy.Statement[0]?.Condition.StringEquals["sts:ExternalId"] ?? "";
    expect(externalId).not.toBe("");
    expect(policy).toMatchObject({
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
    await expect(demo.api("GET", `/connections/${name}`)).rejects.toThrow(/404/);

    await page.getByRole("button", { name: "Save connection" }).click();
    await page.waitForURL(new RegExp(`/connections/${name}$`));
    await page.getByRole("region", { name: "Last test" }).getByText("Connection works").waitFor();
    await expectAccessible(page);
    const saved = await demo.api<{
      accountId: string;
      tags: Record<string, string>;
      externalId: string;
    }>("GET", `/connections/${name}`);
    // Saved with the ExternalId the page showed, which the role now trusts.
    expect(saved).toMatchObject({
      accountId: "333333333333",
      tags: { env: "staging" },
      externalId,
    });
  });

  it("grants executor to team sre with the Set permissions dialog", async () => {
    const name = await createConnection("permissions");
    const page = await browser.newPage();
    await signIn(page, demo.url, demo.admin, `/connections/${name}`);
    await page.getByRole("link", { name: "Set permissions" }).click();
    await page.waitForURL(new RegExp(`/connections/${name}/permissions$`));
    const dialog = page.getByRole("dialog", { name: `Set permissions: ${name}` });
    await dialog.getByRole("checkbox", { name: "editor for User admin" }).waitFor();
    await dialog.getByRole("combobox", { name: "Add who" }).click();
    await page.getByRole("option", { name: "Team sre" }).click();
    await dialog.getByRole("checkbox", { name: "viewer for Team sre" }).uncheck();
    await dialog.getByRole("checkbox", { name: "executor for Team sre" }).check();
    await expectAccessible(page);
    await dialog.getByRole("button", { name: "Save permissions" }).click();
    await page.waitForURL(new RegExp(`/connections/${name}$`));
    await page.getByRole("table", { name: "Grants" }).getByText("Team sre").waitFor();

    const grants = await demo.api<{ items: { principal: string; role: string }[] }>(
      "GET",
      `/connections/${name}/grants`,
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
    const teamOnly = await createConnection("team-only", [
      { principal: "team:sre", role: "executor" },
    ]);
    const shared = await createConnection("shared", [{ principal: "org", role: "viewer" }]);
    const someone = await createMember();
    const member = await browser.newPage();
    await signIn(member, demo.url, someone, "/connections");
    await member.getByRole("link", { name: shared, exact: true }).waitFor();
    const names = await member
      .getByRole("table", { name: "Connections" })
      .locator("tbody tr td:first-child")
      .allTextContents();
    expect(names).toEqual(expect.arrayContaining(["production", "staging", shared]));
    expect(names).not.toContain(teamOnly);

    await member.getByRole("link", { name: shared, exact: true }).click();
    await member.waitForURL(new RegExp(`/connections/${shared}$`));
    await member.getByRole("link", { name: "Request edit access" }).waitFor();
    expect(await member.getByRole("link", { name: "Edit", exact: true }).count()).toBe(0);
    expect(await member.getByRole("link", { name: "Set permissions" }).count()).toBe(0);
    await expectAccessible(member);
    await member.getByRole("link", { name: "Request edit access" }).click();
    const dialog = member.getByRole("dialog", { name: `Request edit access to ${shared}` });
    await dialog.getByLabel(/^Reason/).fill(`I rotate the ${shared} role for the SRE rota`);
    await expectAccessible(member);
    await dialog.getByRole("button", { name: "Send request" }).click();
    await member.waitForURL(new RegExp(`/connections/${shared}$`));
    await member.getByText("Edit access requested").waitFor();

    // The navigation counts every pending request of the org, this test's among them.
    const pending = await demo.api<{ items: unknown[] }>("GET", "/access-requests?status=pending");
    const admin = await browser.newPage();
    await signIn(admin, demo.url, demo.admin, "/connections");
    const badge = admin
      .getByRole("navigation", { name: "Main navigation" })
      .getByLabel(`${pending.items.length} pending`);
    await badge.waitFor();
    await admin.getByRole("link", { name: /Access requests/ }).click();
    await admin.waitForURL(/\/connections\/requests$/);
    const row = admin.getByRole("row").filter({ hasText: `I rotate the ${shared} role` });
    await row.waitFor();
    expect(await row.textContent()).toContain(someone.name);
    await expectAccessible(admin);
    await row
      .getByRole("button", { name: `Grant ${someone.name} edit access to ${shared}` })
      .click();
    await row.waitFor({ state: "detached" });
    await badge.waitFor({ state: "detached" });

    await member.reload();
    await member.getByRole("link", { name: "Edit", exact: true }).waitFor();
    expect(await member.getByRole("link", { name: "Set permissions" }).count()).toBe(1);
    expect(await member.getByRole("link", { name: "Request edit access" }).count()).toBe(0);
  });

  it("edits a connection after testing the change, then removes it after typing its name", async () => {
    const name = await createConnection("edited");
    const page = await browser.newPage();
    await signIn(page, demo.url, demo.admin, `/connections/${name}`);
    await page.getByRole("link", { name: "Edit", exact: true }).click();
    await page.waitForURL(new RegExp(`/connections/${name}/edit$`));
    await page.getByLabel(/^Name/).waitFor();
    expect(await page.getByLabel(/^Access key id/).inputValue()).toBe(MANAGEMENT_KEYS.accessKeyId);
    await page.getByRole("radio", { name: /^view/ }).check();
    await page.getByRole("button", { name: "Test connection" }).click();
    await page.getByRole("status").filter({ hasText: "AWS accepts this connection" }).waitFor();
    await expectAccessible(page);
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.waitForURL(new RegExp(`/connections/${name}$`));
    expect((await demo.api<{ access: string }>("GET", `/connections/${name}`)).access).toBe("view");

    await page.getByRole("link", { name: "Remove" }).click();
    await page.waitForURL(new RegExp(`/connections/${name}/remove$`));
    const dialog = page.getByRole("dialog", { name: `Remove ${name}?` });
    const remove = dialog.getByRole("button", { name: "Remove connection" });
    expect(await remove.isDisabled()).toBe(true);
    await expectAccessible(page);
    await dialog.getByLabel(`Type ${name} to confirm`).fill(name);
    await remove.click();
    await page.waitForURL(/\/connections$/);
    await page.getByRole("link", { name: "production-web" }).waitFor();
    expect(await page.getByRole("link", { name }).count()).toBe(0);
    await expect(demo.api("GET", `/connections/${name}`)).rejects.toThrow(/404/);
  });
});
